import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// IndexedDB storage of checkpoints, cached activations, the session and the worker, on a random-
// weight checkpoint served from a second origin that counts requests (network vs IndexedDB).
let server: StaticServer;
let url: string;

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-store-'));
  writeSyntheticCheckpoint(join(dir, 'm'), 2);
  server = await serveStatic(dir);
  url = `${server.url}/m/manifest.json`;
});
test.afterAll(() => server.close());

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
