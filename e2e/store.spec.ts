import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';
import { checkpointId, serveFaults, type FaultServer } from './faults/fixtures';

// IndexedDB storage of checkpoints, cached activations, the session and the worker, on a random-
// weight checkpoint served from a second origin that counts requests (network vs IndexedDB).
let server: StaticServer;
let url: string;
let dir: string;
/** The same folder from a server that can stall a file halfway (for cancelled downloads). */
let slow: FaultServer;
const stall = { file: '' };

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mgnt-store-'));
  writeSyntheticCheckpoint(join(dir, 'm'), 2);
  // A second, smaller model under another name (the store keeps files per model name).
  writeSyntheticCheckpoint(join(dir, 'b'), 1);
  const mb = JSON.parse(readFileSync(join(dir, 'b/manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'b/manifest.json'), JSON.stringify({ ...mb, name: 'synthetic-b' }));
  server = await serveStatic(dir);
  url = `${server.url}/m/manifest.json`;
  slow = await serveFaults({
    dir,
    // Half the stalled file, then nothing until the browser gives up on it.
    handler: (path, _req, res) => {
      if (!stall.file || path !== `/m/${stall.file}`) return false;
      const b = readFileSync(join(dir, 'm', stall.file));
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(b.length));
      res.write(b.subarray(0, b.length >> 1));
      return true;
    },
  });
});
test.afterAll(async () => {
  await server.close();
  await slow.close();
});

async function open(page: Page): Promise<void> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto('/e2e/store/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}
const call = (page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => window.storeTest[f as string](...(a as unknown[])), [fn, args] as const) as Promise<any>;
const fileHits = () => ['/m/transformer.safetensors', '/m/tokenizer.safetensors'].map((p) => server.hits.get(p) ?? 0);

test('cold start fetches and stores in chunks, warm start reads IndexedDB, corrupt and partial entries are re-fetched', async ({ page }) => {
  await open(page);
  await call(page, 'clear');
  const chunkBytes = 64 * 1024;
  server.reset();
  const cold = await call(page, 'load', url, { chunkBytes });
  expect(cold.error).toBeUndefined();
  expect(cold.report.files).toEqual({ 'transformer.safetensors': 'network', 'tokenizer.safetensors': 'network' });
  expect(fileHits()).toEqual([1, 1]);
  const keys: Array<[string, number | null]> = await call(page, 'keys');
  const chunks = keys.filter(([k]) => /\/\d+$/.test(k));
  expect(chunks.length).toBeGreaterThan(2);
  expect(Math.max(...chunks.map(([, n]) => n!))).toBeLessThanOrEqual(chunkBytes);
  expect(keys.some(([k]) => k === `manifest/${url}`)).toBe(true);

  // Warm: a fresh page, nothing but the manifest from the network.
  await page.reload();
  await expect(page.locator('#status')).toHaveText('ready');
  server.reset();
  const warm = await call(page, 'load', url, { chunkBytes });
  expect(warm.report.files).toEqual({ 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'idb' });
  expect(fileHits()).toEqual([0, 0]);
  expect(warm.id).toBe(cold.id);

  // A flipped byte: the entry fails its hash on read, is dropped, the file comes from the network.
  await call(page, 'corrupt', 'flip', 'tokenizer.safetensors');
  server.reset();
  const flipped = await call(page, 'load', url, { chunkBytes });
  expect(flipped.error).toBeUndefined();
  expect(flipped.report.dropped).toEqual(['tokenizer.safetensors']);
  expect(flipped.report.files).toEqual({ 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'network' });
  expect(fileHits()).toEqual([0, 1]);

  // A missing chunk (a partial entry): same.
  await call(page, 'corrupt', 'missing-chunk', 'transformer.safetensors');
  server.reset();
  const partial = await call(page, 'load', url, { chunkBytes });
  expect(partial.report.dropped).toEqual(['transformer.safetensors']);
  expect(fileHits()).toEqual([1, 0]);

  // And it is whole again afterwards.
  server.reset();
  const again = await call(page, 'load', url, { chunkBytes });
  expect(again.report.dropped).toEqual([]);
  expect(fileHits()).toEqual([0, 0]);
  console.log(`  load: cold (network) ${cold.ms.toFixed(0)} ms, warm (IndexedDB) ${warm.ms.toFixed(0)} ms`);
});

test('a full disk: the model runs from memory and a quota notice is raised', async ({ page }) => {
  await open(page);
  await call(page, 'clear');
  const r = await call(page, 'load', url, { quota: 1000 });
  expect(r.error).toBeUndefined();
  expect(r.report.memoryOnly).toBe(true);
  expect(r.report.reason).toMatch(/storage|memory/);
  expect(r.quotaEvents).toEqual(['quota']);
  const keys: Array<[string, number | null]> = await call(page, 'keys');
  expect(keys).toEqual([]);
});

test('cached first step: one fewer forward pass, the same image; a repeated request returns from the result cache', async ({ page }) => {
  await open(page);
  await call(page, 'clear');
  const base = { classIndex: 3, steps: 6, schedule: '1/8,1/8,1/4,1/4,1,1', guidance: 2 };
  const r = await call(page, 'session', url, [
    { ...base, seed: 11, reuse: false }, // reference: no caches at all
    { ...base, seed: 11 }, // fills the first-step cache (and the result cache)
    { ...base, seed: 12 }, // another seed: the first step comes from the cache
    { ...base, seed: 12, reuse: false }, // reference for seed 12
    { ...base, seed: 12 }, // the same request again: the result cache
  ]);
  expect(r.error).toBeUndefined();
  const [ref11, fill, hit, ref12, again] = r.results;
  expect(fill.reused).toBe(null);
  expect(fill.passes).toBe(6);
  expect(fill.tokens).toEqual(ref11.tokens);
  expect(hit.reused).toBe('first-step');
  expect(hit.passes).toBe(5);
  expect(hit.steps[0]).toMatchObject({ cached: true, computed: 0, gflops: 0 });
  expect(hit.dispatches).toBeLessThan(ref12.dispatches);
  expect(hit.tokens).toEqual(ref12.tokens);
  expect(hit.gray).toEqual(ref12.gray);
  expect(again.reused).toBe('result');
  expect(again.gray).toEqual(ref12.gray);
  console.log(`  generate: uncached ${ref12.ms.toFixed(0)} ms, cached first step ${hit.ms.toFixed(0)} ms, result cache ${again.ms.toFixed(0)} ms`);
  // destroy() returns the pool to where it was before the session loaded.
  expect(r.loaded).toBeGreaterThan(r.before);
  expect(r.after).toBe(r.before);
  // A new session (nothing in memory): the first step comes from IndexedDB.
  await page.reload();
  await expect(page.locator('#status')).toHaveText('ready');
  const next = await call(page, 'session', url, [{ ...base, seed: 13 }, { ...base, seed: 13, reuse: false }]);
  expect(next.results[0].reused).toBe('first-step');
  expect(next.results[0].tokens).toEqual(next.results[1].tokens);
});

/** A short nested request (6 steps, guidance 2) for the batched first-step tests. */
const q = (classIndex: number, seed: number, reuse = true) => ({ steps: 6, schedule: '1/8,1/8,1/4,1/4,1,1', guidance: 2, classIndex, seed, reuse });

test('batches use the first-step cache: skipped when every image has its entry, missing entries filled, the same tokens', async ({ page }) => {
  await open(page);
  await call(page, 'clear');
  const r = await call(page, 'session', url, [
    [q(3, 21), q(4, 22)], // 0, 1: computed; fills the entries of classes 3 and 4
    q(3, 23), // 2: solo, step 0 from the entry a batch filled
    q(3, 23, false), // 3: its reference
    [q(4, 24), q(3, 25)], // 4, 5: every entry there (in other slots than they were filled from): no step-0 pass
    [q(4, 24, false), q(3, 25, false)], // 6, 7: references
    [q(3, 26), q(5, 27)], // 8, 9: class 5 missing: step 0 computed for both, class 5 filled
    q(5, 28), // 10: from the entry the partial batch filled
    q(5, 28, false), // 11: its reference
  ]);
  expect(r.error).toBeUndefined();
  const x = r.results;
  expect(x.map((y: { reused: string | null }) => y.reused)).toEqual([null, null, 'first-step', null, 'first-step', 'first-step', null, null, null, null, 'first-step', null]);
  expect(x[4].passes).toBe(5);
  expect(x[4].steps[0]).toMatchObject({ cached: true, computed: 0, gflops: 0 });
  expect(x[8].passes).toBe(6);
  for (const [a, b] of [[2, 3], [4, 6], [5, 7], [10, 11]]) {
    expect(x[a].tokens, `result ${a} against its reference ${b}`).toEqual(x[b].tokens);
    expect(x[a].gray).toEqual(x[b].gray);
  }
});

test('a batch with damaged first-step entries (changed bytes, another shape): those images compute step 0, the entries are written again, the tokens unchanged', async ({ page }) => {
  await open(page);
  await call(page, 'clear');
  expect((await call(page, 'session', url, [[q(3, 41), q(4, 42)]])).error).toBeUndefined(); // fills 3 and 4
  expect(await call(page, 'damageFirstStep', 3, 'bytes')).toMatch(/^first\//);
  expect(await call(page, 'damageFirstStep', 4, 'shape')).toMatch(/^first\//);
  await page.reload(); // a new session: nothing in memory
  await expect(page.locator('#status')).toHaveText('ready');
  const r = await call(page, 'session', url, [[q(3, 43), q(4, 44)], [q(3, 43, false), q(4, 44, false)]]);
  expect(r.error).toBeUndefined();
  expect(r.results.map((x: { reused: string | null }) => x.reused)).toEqual([null, null, null, null]);
  expect(r.results[0].passes).toBe(6);
  expect(r.results[0].tokens).toEqual(r.results[2].tokens);
  expect(r.results[1].tokens).toEqual(r.results[3].tokens);
  await page.reload(); // the rewritten entries, from disk
  await expect(page.locator('#status')).toHaveText('ready');
  const again = await call(page, 'session', url, [[q(4, 45), q(3, 46)], [q(4, 45, false), q(3, 46, false)]]);
  expect(again.results.map((x: { reused: string | null }) => x.reused)).toEqual(['first-step', 'first-step', null, null]);
  expect(again.results[0].tokens).toEqual(again.results[2].tokens);
  expect(again.results[1].tokens).toEqual(again.results[3].tokens);
});

test('a new generate() aborts the previous one with AbortError', async ({ page }) => {
  await open(page);
  const r = await call(page, 'abortPrevious', url);
  expect(r).toEqual({ first: 'AbortError', second: 'resolved', leaked: 0 });
});

test('the session runs in a worker and streams step previews', async ({ page }) => {
  await open(page);
  const r = await call(page, 'worker', url, { classIndex: 1, seed: 5, steps: 3, schedule: 'baseline' });
  expect(r.error).toBeUndefined();
  expect(r.backend).toBe('worker');
  expect(r.steps).toEqual([784, 784, 784]);
  expect(r.result.gray).toHaveLength(784);
});

test('shipped model: cold start (network) vs warm start (IndexedDB) vs cached first step', async ({ page }) => {
  expect(existsSync('public/models/fmnist-s/manifest.json'), 'the trained model ships in public/models/fmnist-s').toBe(true);
  await open(page);
  await call(page, 'clear');
  const shipped = new URL('/models/fmnist-s/manifest.json', page.url()).href;
  const cold = await call(page, 'load', shipped);
  const warm = await call(page, 'load', shipped);
  expect(Object.values(cold.report.files)).toEqual(['network', 'network']);
  expect(Object.values(warm.report.files)).toEqual(['idb', 'idb']);
  const lines = [`load cold (network) ${cold.ms.toFixed(0)} ms, warm (IndexedDB) ${warm.ms.toFixed(0)} ms`];
  for (const schedule of ['magnets', 'baseline']) {
    const base = { classIndex: 7, steps: 12, schedule };
    const r = await call(page, 'session', shipped, [{ ...base, seed: 1, reuse: false }, { ...base, seed: 1 }, { ...base, seed: 2 }, { ...base, seed: 2, reuse: false }, { ...base, seed: 2 }]);
    const [, , hit, ref, again] = r.results;
    expect(hit.reused).toBe('first-step');
    expect(hit.tokens).toEqual(ref.tokens);
    expect(again.reused).toBe('result');
    lines.push(`${schedule}: uncached ${ref.ms.toFixed(0)} ms (${ref.gflops.toFixed(3)} GFLOPs), cached first step ${hit.ms.toFixed(0)} ms (${hit.gflops.toFixed(3)} GFLOPs), result cache ${again.ms.toFixed(0)} ms`);
  }
  console.log(`  shipped model: ${lines.join('; ')}`);
});

const manifestOf = (m: string) => JSON.parse(readFileSync(join(dir, m, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; bytes: number; sha256: string; optional?: boolean }> };

test('a load cancelled mid-download (AbortSignal) stores nothing; progress carries the whole total from the first event', async ({ page }) => {
  await open(page);
  const files = manifestOf('m').files.filter((f) => !f.optional);
  const total = files.reduce((a, f) => a + f.bytes, 0);
  const slowUrl = `${slow.url}/m/manifest.json`;
  stall.file = 'tokenizer.safetensors'; // the second file: the first one is stored by the time it stalls
  for (const via of ['main', 'worker'] as const) {
    await call(page, 'clear');
    const r = await call(page, 'loadAbort', slowUrl, { via, abortIn: 'tokenizer.safetensors', chunkBytes: 64 * 1024 });
    expect(r.error, via).toMatchObject({ name: 'AbortError' });
    expect(r.aborted).toBe(true);
    // The stalled download did not hold the promise: the fetch itself was cancelled.
    expect(r.ms, `${via}: rejected soon after the abort`).toBeLessThan(15_000);
    expect(r.events[0], via).toEqual({ file: 'transformer.safetensors', loaded: 0, total });
    expect(r.events.every((e: { total: number }) => e.total === total)).toBe(true);
    expect(r.events.some((e: { file: string; loaded: number }) => e.file === 'tokenizer.safetensors' && e.loaded > files[0].bytes && e.loaded < total), `${via}: cut mid-file`).toBe(true);
    // The first file was complete and written, then dropped with the rest of the cancelled load.
    expect(await call(page, 'keys'), via).toEqual([]);
    expect(await call(page, 'inventory'), via).toEqual([]);
  }
  // Not stalled, the next load completes and is stored.
  stall.file = '';
  const ok = await call(page, 'load', slowUrl, { chunkBytes: 64 * 1024 });
  expect(ok.error).toBeUndefined();
  expect(ok.report.files).toEqual({ 'transformer.safetensors': 'network', 'tokenizer.safetensors': 'network' });
  const [m] = await call(page, 'inventory');
  expect(m).toMatchObject({ name: 'synthetic-test', complete: true, urls: [slowUrl], fileBytes: total });
});

test('stored models: listed with their bytes, deleted one by one (by URL or name) or all; persistence requested', async ({ page }) => {
  await open(page);
  await call(page, 'clear');
  const urlB = `${server.url}/b/manifest.json`;
  // Model m through a session (files, then a first step and a result computed with it); model b loaded only.
  const gen = await call(page, 'session', url, [{ classIndex: 1, seed: 3, steps: 2 }]);
  expect(gen.error).toBeUndefined();
  // The session writes its first step and result without waiting: let both land.
  await expect.poll(async () => (await call(page, 'cacheKeys')).length).toBe(2);
  expect((await call(page, 'load', urlB, { chunkBytes: 64 * 1024 })).error).toBeUndefined();
  const req = (m: string) => manifestOf(m).files.filter((f) => !f.optional).map(({ path, bytes, sha256 }) => ({ path, bytes, sha256 })).sort((x, y) => x.path.localeCompare(y.path));
  const sum = (fs: Array<{ bytes: number }>) => fs.reduce((a, f) => a + f.bytes, 0);

  const list = await call(page, 'inventory');
  expect(list.map((x: { name: string }) => x.name)).toEqual(['synthetic-b', 'synthetic-test']);
  const [b, m] = list;
  // The optional encoder file was never fetched, so it is not stored.
  expect(m).toMatchObject({ complete: true, urls: [url], ids: [checkpointId(join(dir, 'm'))], files: req('m'), fileBytes: sum(req('m')) });
  expect(m.cacheBytes, 'first step and result of the generation').toBeGreaterThan(0);
  expect(m.bytes).toBe(m.fileBytes + m.cacheBytes);
  expect(m.savedAt).toBeGreaterThan(Date.now() - 10 * 60_000);
  expect(b).toMatchObject({ complete: true, urls: [urlB], files: req('b'), fileBytes: sum(req('b')), cacheBytes: 0, bytes: sum(req('b')) });

  // The same through the element class's static methods.
  const statics = await call(page, 'statics');
  expect(statics.types).toEqual(Array(6).fill('function'));
  expect(statics.list).toEqual(list);

  // One model by its manifest URL: its files, its manifest record; the other model untouched.
  expect(await call(page, 'deleteModel', urlB)).toBe(b.bytes);
  expect((await call(page, 'inventory')).map((x: { name: string }) => x.name)).toEqual(['synthetic-test']);
  const keys: Array<[string, number | null]> = await call(page, 'keys');
  expect(keys.filter(([k]) => k.includes('synthetic-b') || k === `manifest/${urlB}`)).toEqual([]);
  expect(keys.some(([k]) => k === `manifest/${url}`)).toBe(true);
  expect(await call(page, 'deleteModel', 'synthetic-b'), 'nothing left to free').toBe(0);

  // A write cut short (no meta record for a file): listed as incomplete, its chunks still counted.
  await call(page, 'corrupt', 'drop-meta', 'tokenizer.safetensors');
  const [cut] = await call(page, 'inventory');
  expect(cut).toMatchObject({ name: 'synthetic-test', complete: false, fileBytes: m.fileBytes, cacheBytes: m.cacheBytes });
  expect(cut.files.map((f: { path: string }) => f.path)).toEqual(['transformer.safetensors']);

  // By name, with the derived data of its checkpoint.
  expect(await call(page, 'deleteModel', 'synthetic-test')).toBe(cut.bytes);
  expect(await call(page, 'keys')).toEqual([]);
  expect(await call(page, 'cacheKeys')).toEqual([]);

  // Everything: two models and derived data of a checkpoint no longer stored (listed under null).
  await call(page, 'session', url, [{ classIndex: 2, seed: 4, steps: 2 }]);
  await expect.poll(async () => (await call(page, 'cacheKeys')).length).toBe(2);
  await call(page, 'load', urlB, {});
  await call(page, 'corrupt', 'drop-manifest', 'x'); // every manifest record gone: m's results belong to no stored checkpoint
  const before = await call(page, 'inventory');
  expect(before.at(-1)).toMatchObject({ name: null, ids: [checkpointId(join(dir, 'm'))], files: [] });
  const freed = await call(page, 'clearAll');
  expect(freed).toBe(before.reduce((a: number, x: { bytes: number }) => a + x.bytes, 0));
  expect(await call(page, 'inventory')).toEqual([]);
  expect(await call(page, 'keys')).toEqual([]);
  expect(await call(page, 'cacheKeys')).toEqual([]);

  // Persistence: the browser's answer, matching what navigator.storage.persisted() says afterwards.
  const p = await call(page, 'persist');
  expect(['granted', 'denied']).toContain(p.result);
  expect(p.persisted).toBe(p.result === 'granted');
});
