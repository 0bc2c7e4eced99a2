import { expect, test, type Page } from '@playwright/test';
import { checkpointId, openElementPage, serveFaults, syntheticDir, type FaultServer } from './faults/fixtures';

// One model per page (issue 12, item 3): every <mgnt-canvas> of a page shares one worker, one GPU
// device and one copy of each model; GPU work is served round-robin between callers. The model is
// a random-weight checkpoint on another origin, whose server counts the requests per file.
let model: FaultServer;
let dir = '';
let url = '';
test.beforeAll(async () => {
  dir = syntheticDir();
  model = await serveFaults({ dir });
  url = `${model.url}/manifest.json`;
});
test.afterAll(async () => model?.close());
test.beforeEach(() => model.hits.clear());

const FAST = { steps: '3', schedule: 'baseline', class: '2' };
type Ev = { id: string; type: string; detail: any };
const events = (page: Page): Promise<Ev[]> => page.evaluate(() => window.faultEvents);
const call = <T = any>(page: Page, name: string, ...args: unknown[]) =>
  page.evaluate(([n, a]) => window.faultsEl[n as string](...(a as unknown[])), [name, args] as const) as Promise<T>;

/** Waits until every element in `ids` has had a `generate` event; fails at once on a fatal error. */
async function allGenerated(page: Page, ids: string[]): Promise<Ev[]> {
  await expect.poll(async () => {
    const ev = await events(page);
    const fatal = ev.find((e) => e.type === 'error' && e.detail.fatal);
    if (fatal) return `fatal error on ${fatal.id}: ${fatal.detail.type}: ${fatal.detail.message}`;
    return ids.filter((id) => !ev.some((e) => e.id === id && e.type === 'generate')).length;
  }, { timeout: 170_000 }).toBe(0);
  return (await events(page)).filter((e) => e.type === 'generate');
}

async function addMany(page: Page, n: number, attrs: Record<string, string>): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `e${i}`);
  for (const [i, id] of ids.entries()) await call(page, 'add', id, { ...attrs, seed: String(i) });
  return ids;
}

test('12 elements on one page: one worker, one device, the model fetched and uploaded once, each gets its own image', async ({ page, browser, baseURL }) => {
  // One element alone in a fresh context (nothing stored): what one model holds on the GPU. Two
  // images, so its pool has also seen a first step taken from the cache, as the 12 will.
  const ctx = await browser.newContext({ baseURL });
  const solo = await ctx.newPage();
  await openElementPage(solo);
  await call(solo, 'add', 'e0', { ...FAST, seed: '0', model: url, loading: 'eager', autoplay: '' });
  await allGenerated(solo, ['e0']);
  await solo.evaluate(() => document.getElementById('e0')!.setAttribute('seed', '1'));
  await expect.poll(async () => (await events(solo)).filter((e) => e.type === 'generate').length, { timeout: 60_000 }).toBe(2);
  const one = await call(solo, 'shared');
  await ctx.close();
  expect(Object.fromEntries(model.hits)).toEqual({ '/manifest.json': 1, '/transformer.safetensors': 1, '/tokenizer.safetensors': 1 });
  model.hits.clear();

  await openElementPage(page);
  const ids = await addMany(page, 12, { ...FAST, model: url, loading: 'eager', autoplay: '' });
  const gens = await allGenerated(page, ids);
  const r = await call(page, 'shared');
  console.log('  ', JSON.stringify({ one: one.stats, twelve: r.stats, hits: Object.fromEntries(model.hits) }));

  expect(page.workers()).toHaveLength(1);
  expect(r).toMatchObject({ openSessions: 1, hostsOpened: 1, leases: 12 });
  expect(r.stats.devices).toBe(1);
  expect(r.stats.models).toEqual([{ id: checkpointId(dir), urls: [url], weightBytes: one.stats.weightBytes }]);
  // One model's GPU memory, byte for byte what the lone element held.
  expect(r.stats.weightBytes).toBe(one.stats.weightBytes);
  expect(r.stats.liveBytes).toBe(one.stats.liveBytes);
  expect(r.stats.gpuBytes).toBe(one.stats.gpuBytes);
  // One set of requests for the checkpoint (a fresh context: nothing in IndexedDB).
  expect(Object.fromEntries(model.hits)).toEqual({ '/manifest.json': 1, '/transformer.safetensors': 1, '/tokenizer.safetensors': 1 });
  // Each element its own image: its own seed, one generate event each.
  const ev = await events(page);
  for (const [i, id] of ids.entries()) {
    const mine = gens.filter((e) => e.id === id);
    expect(mine, id).toHaveLength(1);
    expect(mine[0].detail.seed, id).toBe(i);
    expect(ev.filter((e) => e.id === id && e.type === 'load').map((e) => e.detail.id), id).toEqual([checkpointId(dir)]);
  }
  expect(new Set(gens.map((e) => JSON.stringify(e.detail.gray))).size).toBeGreaterThan(1);
  expect(ev.filter((e) => e.type === 'error')).toEqual([]);
});

test('the same checkpoint under a second URL: the copy on the GPU is shared, only the manifest is fetched', async ({ page }) => {
  const twin = await serveFaults({ dir: syntheticDir() }); // the same bytes (same seed), another origin
  try {
    await openElementPage(page);
    await call(page, 'add', 'a', { ...FAST, seed: '1', model: url, loading: 'eager', autoplay: '' });
    await allGenerated(page, ['a']);
    await call(page, 'add', 'b', { ...FAST, seed: '1', model: `${twin.url}/manifest.json`, loading: 'eager', autoplay: '' });
    const gens = await allGenerated(page, ['a', 'b']);
    const r = await call(page, 'shared');
    expect(r.stats.models).toHaveLength(1);
    expect(r.stats.models[0].urls.sort()).toEqual([url, `${twin.url}/manifest.json`].sort());
    expect(Object.fromEntries(twin.hits)).toEqual({ '/manifest.json': 1 });
    expect(gens.find((e) => e.id === 'b')!.detail.gray).toEqual(gens.find((e) => e.id === 'a')!.detail.gray);
  } finally {
    await twin.close();
  }
});

test('fairness: two callers queue a burst each in one task; the GPU serves them in turn, not first-come first-served', async ({ page }) => {
  await openElementPage(page);
  const r = await call(page, 'bursts', url, 3);
  console.log('  ', JSON.stringify(r.order));
  // FIFO by arrival would give A0 A1 A2 B0 B1 B2.
  expect(r.order).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2']);
  for (const [k, v] of Object.entries(r.results as Record<string, { seed: number }>)) expect(v.seed, k).toBe((k[0] === 'A' ? 100 : 200) + Number(k.slice(1)));
});

test("fairness: aborting one of A's queued requests takes only that one out; B's images are the same as without the abort", async ({ page }) => {
  await openElementPage(page);
  const plain = await call(page, 'bursts', url, 3);
  const aborted = await call(page, 'bursts', url, 3, { abortA: 1 });
  console.log('  ', JSON.stringify(aborted.order));
  // A1 leaves the queue at once; the others keep their turns.
  expect(aborted.order).toEqual(['A1:AbortError', 'A0', 'B0', 'A2', 'B1', 'B2']);
  for (const k of ['A0', 'A2', 'B0', 'B1', 'B2']) expect(aborted.results[k].gray, k).toEqual(plain.results[k].gray);
  // Both runs left the page: their host is gone again.
  expect((await call(page, 'shared')).openSessions).toBe(0);
});

test('the last element removed ends the worker and frees the GPU; the next element opens a new one', async ({ page }) => {
  await openElementPage(page);
  const ids = await addMany(page, 3, { ...FAST, model: url, loading: 'eager', autoplay: '' });
  await allGenerated(page, ids);
  await page.evaluate(() => {
    document.getElementById('e0')!.remove();
    document.getElementById('e1')!.remove();
  });
  await page.waitForTimeout(300);
  let r = await call(page, 'shared');
  expect(r).toMatchObject({ openSessions: 1, leases: 1 });
  expect(r.stats.models).toHaveLength(1); // e2 still uses it
  expect(page.workers()).toHaveLength(1);
  await page.evaluate(() => document.getElementById('e2')!.remove());
  await expect.poll(async () => (await call(page, 'shared')).openSessions, { timeout: 10_000 }).toBe(0);
  r = await call(page, 'shared');
  expect(r.lastDestroy.liveBytes).toBe(r.lastDestroy.baseLiveBytes);
  await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBe(0);
  await call(page, 'add', 'again', { ...FAST, model: url, loading: 'eager', autoplay: '' });
  await allGenerated(page, ['again']);
  expect((await call(page, 'shared')).hostsOpened).toBe(2);
});
