import { expect, test, type Page, type Worker } from '@playwright/test';
import { openElementPage, serveFaults, syntheticDir, type FaultServer } from './faults/fixtures';

// Faults with several <mgnt-canvas> on one shared session (issue 12, item 3): one element removed
// or aborted cancels only its own request; a device loss is recovered once for all of them, also
// for a second model on the same device. Random-weight checkpoints on other origins.
let x: FaultServer, y: FaultServer;
let urlX = '', urlY = '';
test.beforeAll(async () => {
  x = await serveFaults({ dir: syntheticDir(1) });
  y = await serveFaults({ dir: syntheticDir(2) }); // another checkpoint (two layers)
  urlX = `${x.url}/manifest.json`;
  urlY = `${y.url}/manifest.json`;
});
test.afterAll(async () => Promise.all([x?.close(), y?.close()]));

const BASE = { schedule: 'baseline', class: '2', loading: 'eager' };
type Ev = { id: string; type: string; detail: any };
const call = <T = any>(page: Page, name: string, ...args: unknown[]) =>
  page.evaluate(([n, a]) => window.faultsEl[n as string](...(a as unknown[])), [name, args] as const) as Promise<T>;

/** Adds elements (id → model URL) with `steps`, and waits until every one has loaded. */
async function loaded(page: Page, els: Record<string, string>, steps: number): Promise<void> {
  for (const [i, [id, model]] of Object.entries(els).entries()) await call(page, 'add', id, { ...BASE, model, seed: String(i), steps: String(steps) });
  await expect.poll(async () => {
    const ev: Ev[] = await page.evaluate(() => window.faultEvents);
    const fatal = ev.find((e) => e.type === 'error');
    if (fatal) return `error on ${fatal.id}: ${fatal.detail.message}`;
    return Object.keys(els).filter((id) => !ev.some((e) => e.id === id && e.type === 'load')).length;
  }, { timeout: 120_000 }).toBe(0);
}

/**
 * Starts generate() on every element in `ids` (in that order: the first runs first), and when
 * the first has reported step 0 does `then` ('remove:<id>', 'again:<id>': a second generate()
 * with another seed, or 'none'). Returns each call's outcome, and the events per element after
 * that moment and since the start.
 */
function race(page: Page, ids: string[], then: string) {
  return page.evaluate(async ([ids, then]) => {
    type El = HTMLElement & { generate(): Promise<{ seed: number; gray: Uint8Array }>; seed: number };
    const el = (id: string) => document.getElementById(id) as El;
    window.faultEvents = [];
    const outcome = (p: Promise<{ seed: number }>) => p.then((r) => `ok ${r.seed}`, (e: Error & { type?: string }) => `${e.name}${e.type ? ` ${e.type}` : ''}`);
    const runs: Record<string, Promise<string>> = {};
    for (const id of ids) runs[id] = outcome(el(id).generate());
    while (!window.faultEvents.some((e) => e.id === ids[0] && e.type === 'progress')) await new Promise((r) => setTimeout(r, 1));
    const at = window.faultEvents.length;
    const [what, target] = then.split(':');
    if (what === 'remove') el(target).remove();
    else if (what === 'again') {
      el(target).seed = 77;
      runs[`${target}+`] = outcome(el(target).generate());
    }
    const out: Record<string, string> = {};
    for (const [k, p] of Object.entries(runs)) out[k] = await p;
    await new Promise((r) => setTimeout(r, 500)); // any late event would show up by now
    const label = (e: (typeof window.faultEvents)[number]) => (e.type === 'progress' ? `${e.detail.step}` : e.type === 'error' ? `error:${e.detail.type}` : e.type);
    const after: Record<string, string[]> = {}, all: Record<string, string[]> = {};
    for (const e of window.faultEvents.slice(at)) (after[e.id] ??= []).push(label(e));
    for (const e of window.faultEvents) (all[e.id] ??= []).push(label(e));
    return { out, after, all };
  }, [ids, then] as const);
}

for (const which of ['running', 'queued'] as const) {
  test(`one of three elements removed while its request is ${which}: only that request is cancelled`, async ({ page }) => {
    await openElementPage(page);
    await loaded(page, { e0: urlX, e1: urlX, e2: urlX }, 8);
    const gone = which === 'running' ? 'e0' : 'e1';
    const r = await race(page, ['e0', 'e1', 'e2'], `remove:${gone}`);
    console.log('  ', JSON.stringify(r));
    for (const id of ['e0', 'e1', 'e2']) {
      if (id === gone) {
        expect(r.out[id]).toBe('AbortError');
        expect(r.after[id] ?? [], 'no event from the removed element').toEqual([]);
      } else {
        expect(r.out[id]).toBe(`ok ${Number(id[1])}`);
        expect(r.after[id]!.at(-1)).toBe('generate');
        expect(r.after[id]!.filter((t) => t.startsWith('error'))).toEqual([]);
      }
    }
    const s = await call(page, 'shared');
    expect(s).toMatchObject({ openSessions: 1, hostsOpened: 1, leases: 2 });
    expect(s.stats.models).toHaveLength(1);
  });
}

test("an element's second generate() aborts only its own first; the other elements' requests are untouched", async ({ page }) => {
  await openElementPage(page);
  await loaded(page, { e0: urlX, e1: urlX, e2: urlX }, 8);
  const r = await race(page, ['e0', 'e1', 'e2'], 'again:e1');
  console.log('  ', JSON.stringify(r));
  expect(r.out).toEqual({ e0: 'ok 0', e1: 'AbortError', 'e1+': 'ok 77', e2: 'ok 2' });
  for (const id of ['e0', 'e1', 'e2']) {
    expect(r.after[id]!.filter((t) => t === 'generate'), id).toHaveLength(1);
    expect(r.after[id]!.filter((t) => t.startsWith('error')), id).toEqual([]);
  }
  // e1's events after the second call are the 8 steps of that run and its image.
  expect(r.after.e1).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', 'generate']);
});

/**
 * In the page or the worker: records every device that creates a command encoder, and destroys
 * the first device at its `at`-th encoder (while step 1 is encoded; 0: never).
 */
function watchDevices(at: number) {
  const g = globalThis as unknown as { mgntDevices: GPUDevice[] };
  g.mgntDevices = [];
  const create = GPUDevice.prototype.createCommandEncoder;
  const seen = new Map<GPUDevice, number>();
  GPUDevice.prototype.createCommandEncoder = function (this: GPUDevice, d?: GPUCommandEncoderDescriptor) {
    const n = (seen.get(this) ?? 0) + 1;
    seen.set(this, n);
    if (n === 1) g.mgntDevices.push(this);
    if (at > 0 && n === at && g.mgntDevices[0] === this) this.destroy();
    return create.call(this, d);
  };
}

type Run = <R, A>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>;

/** Runs a function where the GPU work runs: in the page (main thread) or in its one worker. */
function scope(page: Page, mode: 'worker' | 'main'): Run {
  // Playwright's evaluate types want a serialisable argument type; ours are numbers and null.
  if (mode === 'main') return (fn, arg) => page.evaluate(fn as (a: unknown) => never, arg as unknown);
  expect(page.workers()).toHaveLength(1);
  const w: Worker = page.workers()[0];
  return (fn, arg) => w.evaluate(fn as (a: unknown) => never, arg as unknown);
}
const devicesSeen = () => (globalThis as unknown as { mgntDevices: GPUDevice[] }).mgntDevices.length;

for (const mode of ['worker', 'main'] as const) {
  test(`device destroyed mid-generation, three elements on two models (${mode}): one new device, every element gets its image`, async ({ page }) => {
    await openElementPage(page, mode === 'main' ? '?main' : '');
    await loaded(page, { e0: urlX, e1: urlX, e2: urlY }, 6);
    const where = scope(page, mode);
    await where(watchDevices, 3);
    const r = await race(page, ['e0', 'e1', 'e2'], 'none');
    const devices = await where(devicesSeen, null);
    const s = await call(page, 'shared');
    console.log('  ', JSON.stringify({ ...r, devices, stats: s.stats }));
    expect(r.out).toEqual({ e0: 'ok 0', e1: 'ok 1', e2: 'ok 2' });
    // e0 was running: its step 0 on the lost device, then the retry's 0…5 on the new one.
    expect(r.all.e0).toEqual(['0', '0', '1', '2', '3', '4', '5', 'generate']);
    for (const id of ['e1', 'e2']) expect(r.all[id], id).toEqual(['0', '1', '2', '3', '4', '5', 'generate']);
    // One replacement for the whole page, though model Y had to be reloaded too.
    expect(s.stats.devices).toBe(2);
    expect(devices).toBe(2);
    expect(s.stats.models.map((m: { urls: string[] }) => m.urls[0]).sort()).toEqual([urlX, urlY].sort());
  });
}

test('device lost while idle (worker), three elements on two models: the next images recover with one new device', async ({ page }) => {
  await openElementPage(page);
  await loaded(page, { e0: urlX, e1: urlX, e2: urlY }, 3);
  const w = scope(page, 'worker');
  await w(watchDevices, 0);
  expect((await race(page, ['e0', 'e1', 'e2'], 'none')).out).toEqual({ e0: 'ok 0', e1: 'ok 1', e2: 'ok 2' });
  await w(async () => {
    const d = (globalThis as unknown as { mgntDevices: GPUDevice[] }).mgntDevices[0];
    d.destroy();
    await d.lost;
  }, null);
  await page.evaluate(() => ['e0', 'e1', 'e2'].forEach((id, i) => document.getElementById(id)!.setAttribute('seed', String(10 + i))));
  const r = await race(page, ['e0', 'e1', 'e2'], 'none');
  const s = await call(page, 'shared');
  console.log('  ', JSON.stringify({ ...r, stats: s.stats }));
  expect(r.out).toEqual({ e0: 'ok 10', e1: 'ok 11', e2: 'ok 12' });
  for (const id of ['e0', 'e1', 'e2']) expect(r.all[id], id).toEqual(['0', '1', '2', 'generate']);
  expect(s.stats.devices).toBe(2);
  expect(await w(devicesSeen, null)).toBe(2);
});
