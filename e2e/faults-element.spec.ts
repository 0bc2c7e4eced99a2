import { chromium, expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchOptions } from './browser';
import { checkpointId, openElementPage, serveFaults, syntheticDir, type FaultServer } from './faults/fixtures';

// <mgnt-canvas> and its IndexedDB store under faults (issue 7): quota, a corrupted entry between
// visits, two tabs at once, bad attributes, re-entrant generate(), removal mid-run, markup in
// attributes, credentials, no WebGPU. The model is a random-weight checkpoint on another origin.
let model: FaultServer;
let url = '';
test.beforeAll(async () => {
  model = await serveFaults({ dir: syntheticDir() });
  url = `${model.url}/manifest.json`;
});
test.afterAll(async () => model?.close());
test.beforeEach(() => model.hits.clear());

const FAST = { steps: '3', schedule: 'baseline', seed: '5', class: '2' };
type Ev = { id: string; type: string; detail: any; t: number };
const events = (page: Page): Promise<Ev[]> => page.evaluate(() => window.faultEvents);
const call = <T = any>(page: Page, name: string, ...args: unknown[]) =>
  page.evaluate(([n, a]) => window.faultsEl[n as string](...(a as unknown[])), [name, args] as const) as Promise<T>;
async function waitFor(page: Page, type: string, id = 'a'): Promise<Ev> {
  await expect.poll(async () => (await events(page)).some((e) => e.id === id && (e.type === type || (e.type === 'error' && e.detail.fatal))), { timeout: 120_000 }).toBe(true);
  const ev = (await events(page)).filter((e) => e.id === id);
  const hit = ev.find((e) => e.type === type);
  expect(hit, `no ${type} event; got ${JSON.stringify(ev.filter((e) => e.type === 'error'))}`).toBeDefined();
  return hit!;
}

test('QuotaExceededError on write: a non-fatal quota error, the model runs from memory, nothing half-stored', async ({ page }) => {
  // IndexedDB writes of checkpoint files fail as on a full disk (main thread: the stub applies there).
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (typeof key === 'string' && key.startsWith('file/')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    };
  });
  await openElementPage(page, '?main');
  await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' });
  await waitFor(page, 'generate');
  const ev = await events(page);
  const quota = ev.filter((e) => e.type === 'error');
  expect(quota).toHaveLength(1);
  expect(quota[0].detail).toMatchObject({ type: 'quota', fatal: false });
  expect(quota[0].detail.message).toMatch(/^not enough storage to keep the model \([\d.]+ MB\).*; running from memory, it will be downloaded again next time$/);
  const load = ev.find((e) => e.type === 'load')!;
  expect(ev.indexOf(quota[0])).toBeLessThan(ev.indexOf(load));
  expect(load.detail.storage).toMatchObject({ memoryOnly: true, files: { 'transformer.safetensors': 'network', 'tokenizer.safetensors': 'network' } });
  expect(load.detail.storage.reason).toBe(quota[0].detail.message);
  expect(await call(page, 'storeKeys')).toEqual([]);
});

test('an IndexedDB entry corrupted between visits: detected, dropped, fetched again; the next visit reads the repaired entry', async ({ page }) => {
  await openElementPage(page);
  await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' });
  const first = await waitFor(page, 'generate');
  expect((await waitFor(page, 'load')).detail.storage.files).toEqual({ 'transformer.safetensors': 'network', 'tokenizer.safetensors': 'network' });
  await call(page, 'corrupt', 'transformer.safetensors');

  await openElementPage(page); // the second visit
  await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' });
  const second = await waitFor(page, 'generate');
  const load2 = (await waitFor(page, 'load')).detail;
  expect(load2.backend).toBe('worker');
  expect(load2.storage.dropped).toEqual(['transformer.safetensors']);
  expect(load2.storage.files).toEqual({ 'transformer.safetensors': 'network', 'tokenizer.safetensors': 'idb' });
  expect(second.detail.gray).toEqual(first.detail.gray);
  expect(model.hits.get('/transformer.safetensors')).toBe(2);
  expect(model.hits.get('/tokenizer.safetensors')).toBe(1);

  await openElementPage(page); // the third visit: everything from IndexedDB
  await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager' });
  const load3 = (await waitFor(page, 'load')).detail;
  expect(load3.storage).toMatchObject({ dropped: [], files: { 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'idb' } });
  expect(model.hits.get('/transformer.safetensors')).toBe(2);
});

test('two tabs load the same model at once: one copy stored, both run', async ({ context }) => {
  const [p1, p2] = [await context.newPage(), await context.newPage()];
  await Promise.all([openElementPage(p1), openElementPage(p2)]);
  await Promise.all([p1, p2].map((p) => call(p, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' })));
  const [g1, g2] = await Promise.all([waitFor(p1, 'generate'), waitFor(p2, 'generate')]);
  expect(g1.detail.gray).toEqual(g2.detail.gray);
  const keys: Array<[string, number | null]> = await call(p1, 'storeKeys');
  const metas = keys.filter(([k]) => k.endsWith('/meta')).map(([k]) => k);
  expect(metas).toHaveLength(2); // one entry per file, not one per tab
  expect(keys.filter(([k]) => k.startsWith('manifest/'))).toHaveLength(1);
  const chunks = keys.filter(([k]) => /\/\d+$/.test(k));
  expect(chunks).toHaveLength(2);
  const p3 = await context.newPage();
  await openElementPage(p3);
  await call(p3, 'add', 'a', { ...FAST, model: url, loading: 'eager' });
  expect((await waitFor(p3, 'load')).detail.storage).toMatchObject({ dropped: [], files: { 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'idb' } });
});

test('derived entries (first-step logits, a cached result) changed on disk between visits: detected, dropped, computed again', async ({ page }) => {
  const A = { ...FAST, model: url, loading: 'eager', autoplay: '' };
  await openElementPage(page);
  await call(page, 'add', 'a', A);
  const g1 = (await waitFor(page, 'generate')).detail;
  expect(g1.reused).toBeNull();
  await page.waitForTimeout(500); // the cache writes are not awaited by the generation
  expect(await call(page, 'corruptDerived')).toEqual(['first:logits', 'result:gray']);

  await openElementPage(page); // second visit, the same request
  await call(page, 'add', 'a', A);
  const g2 = (await waitFor(page, 'generate')).detail;
  expect(g2.reused).toBeNull(); // neither damaged entry was used
  expect(g2.gray).toEqual(g1.gray);
  await page.waitForTimeout(500);

  await openElementPage(page); // third visit: the entries were written again, intact
  await call(page, 'add', 'a', A);
  const g3 = (await waitFor(page, 'generate')).detail;
  expect(g3.reused).toBe('result');
  expect(g3.gray).toEqual(g1.gray);
  await page.evaluate(() => document.getElementById('a')!.setAttribute('seed', '6'));
  expect((await call(page, 'generate', 'a')).error).toBeUndefined();
  const g4 = (await events(page)).filter((e) => e.type === 'generate').at(-1)!.detail;
  expect(g4.reused).toBe('first-step');
});

test('the model server gone on a return visit: the checkpoint runs from IndexedDB (offline start)', async ({ page }) => {
  const gone = await serveFaults({ dir: syntheticDir() });
  const murl = `${gone.url}/manifest.json`;
  await openElementPage(page);
  await call(page, 'add', 'a', { ...FAST, model: murl, loading: 'eager', autoplay: '' });
  const g1 = (await waitFor(page, 'generate')).detail;
  await gone.close();
  await openElementPage(page);
  await call(page, 'add', 'a', { ...FAST, seed: '8', model: murl, loading: 'eager', autoplay: '' });
  const g2 = (await waitFor(page, 'generate')).detail;
  const load = (await waitFor(page, 'load')).detail;
  expect(load.storage).toMatchObject({ offline: true, dropped: [], files: { 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'idb' } });
  expect(g2.seed).toBe(8);
  expect(g2.gray).not.toEqual(g1.gray);
  expect((await events(page)).filter((e) => e.type === 'error')).toEqual([]);
});

test('the tab closed mid-download: the next visit finds no manifest record, reuses the verified file, fetches the rest', async ({ context }) => {
  const dir = syntheticDir();
  let stall = true;
  const slow = await serveFaults({
    dir,
    handler: (path, _req, res) => {
      if (path !== '/tokenizer.safetensors' || !stall) return false;
      setTimeout(() => res.destroy(), 30_000); // never answers while the first tab is open
      return true;
    },
  });
  const murl = `${slow.url}/manifest.json`;
  try {
    const p1 = await context.newPage();
    await openElementPage(p1);
    await call(p1, 'add', 'a', { ...FAST, model: murl, loading: 'eager' });
    await expect.poll(() => slow.hits.get('/tokenizer.safetensors') ?? 0, { timeout: 60_000 }).toBe(1);
    await p1.close();
    stall = false;
    const p2 = await context.newPage();
    await openElementPage(p2);
    const keys: Array<[string, number | null]> = await call(p2, 'storeKeys');
    expect(keys.filter(([k]) => k.startsWith('manifest/'))).toEqual([]);
    expect(keys.filter(([k]) => k.endsWith('/meta'))).toHaveLength(1); // transformer, complete and verified
    await call(p2, 'add', 'a', { ...FAST, model: murl, loading: 'eager', autoplay: '' });
    await waitFor(p2, 'generate');
    const load = (await waitFor(p2, 'load')).detail;
    expect(load.storage).toMatchObject({ dropped: [], files: { 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'network' } });
    const after: Array<[string, number | null]> = await call(p2, 'storeKeys');
    expect(after.filter(([k]) => k.startsWith('manifest/'))).toHaveLength(1);
    expect(slow.hits.get('/transformer.safetensors')).toBe(1);
  } finally {
    await slow.close();
  }
});

for (const mode of ['worker', 'main'] as const) {
  test(`removed while its model downloads (${mode}): no events after removal, no session left open`, async ({ page }) => {
    const stalled = await serveFaults({
      dir: syntheticDir(),
      handler: (path, _req, res) => {
        if (path !== '/tokenizer.safetensors') return false;
        setTimeout(() => res.destroy(), 4000); // the download breaks off after the element is gone
        return true;
      },
    });
    try {
      await openElementPage(page, mode === 'main' ? '?main' : '');
      await page.evaluate((u) => {
        (window as any).own = [];
        const e = document.createElement('mgnt-canvas');
        e.id = 'a';
        for (const t of ['load', 'progress', 'generate', 'error']) e.addEventListener(t, (ev) => (window as any).own.push(`${t}${t === 'error' ? ':' + (ev as CustomEvent).detail.type : ''}`));
        e.setAttribute('model', u);
        e.setAttribute('loading', 'eager');
        e.setAttribute('autoplay', '');
        document.getElementById('stage')!.append(e);
      }, `${stalled.url}/manifest.json`);
      await expect.poll(() => stalled.hits.get('/tokenizer.safetensors') ?? 0, { timeout: 60_000 }).toBe(1);
      const removedAt = await page.evaluate(() => {
        document.getElementById('a')!.remove();
        return (window as any).own.length;
      });
      await page.waitForTimeout(6000); // past the broken-off download
      const r = await page.evaluate(() => ({ own: (window as any).own, open: window.faultCanvas.diagnostics.openSessions }));
      console.log('  ', JSON.stringify(r));
      expect(r.own.slice(removedAt)).toEqual([]);
      expect(r.open).toBe(0);
    } finally {
      await stalled.close();
    }
  });
}

for (const mode of ['worker', 'main'] as const) {
  test(`model changed while the previous one loads (${mode}): the last one wins, no stale load or error`, async ({ page }) => {
    const dirA = syntheticDir(1), dirB = syntheticDir(2);
    const a = await serveFaults({
      dir: dirA,
      handler: (path, _req, res) => {
        if (path !== '/tokenizer.safetensors') return false;
        setTimeout(() => res.end(readFileSync(join(dirA, 'tokenizer.safetensors'))), 5000); // slow, then complete
        return true;
      },
    });
    const b = await serveFaults({ dir: dirB });
    try {
      await openElementPage(page, mode === 'main' ? '?main' : '');
      await call(page, 'add', 'a', { ...FAST, model: `${a.url}/manifest.json`, loading: 'eager', autoplay: '' });
      await expect.poll(() => a.hits.get('/tokenizer.safetensors') ?? 0, { timeout: 60_000 }).toBe(1);
      await page.evaluate((u) => document.getElementById('a')!.setAttribute('model', u), `${b.url}/manifest.json`);
      const first = await waitFor(page, 'generate');
      await page.waitForTimeout(7000); // the stale load of A has completed by now
      const again = await call(page, 'generate', 'a');
      const r = await page.evaluate(() => ({
        loads: window.faultEvents.filter((e) => e.type === 'load').map((e) => e.detail.id),
        errors: window.faultEvents.filter((e) => e.type === 'error').map((e) => e.detail),
        id: (document.getElementById('a') as any).modelInfo?.id,
        status: document.getElementById('a')!.shadowRoot!.querySelector('.status')!.textContent,
      }));
      console.log('  ', JSON.stringify(r));
      expect(r.errors).toEqual([]);
      expect(r.loads).toEqual([checkpointId(dirB)]);
      expect(r.id).toBe(checkpointId(dirB));
      expect(r.status).toBe('');
      // The session still runs model B (A has another depth: other tokens for the same request).
      expect(again.gray).toEqual(first.detail.gray);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

test.describe('a loaded element', () => {
  test.beforeEach(async ({ page }) => {
    await openElementPage(page);
    await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager' });
    await waitFor(page, 'load');
  });

  test('bad attributes: bad-attribute naming the attribute; generate() rejects before drawing anything', async ({ page }) => {
    const blank = await call(page, 'pixels', 'a');
    const cases: Array<[string, string, RegExp]> = [
      ['steps', '0', /^<mgnt-canvas> steps="0" is not valid: expected an integer ≥ 1$/],
      ['steps', '-1', /^<mgnt-canvas> steps="-1" is not valid/],
      ['steps', 'NaN', /^<mgnt-canvas> steps="NaN" is not valid/],
      ['steps', '10000', /^steps must be an integer between 1 and 64 \(the number of tokens to generate\), got 10000$/],
      ['steps', '1000000000', /^steps must be an integer between 1 and 64 \(the number of tokens to generate\), got 1000000000$/],
      ['class', 'hat', /^<mgnt-canvas> class="hat" is not valid: expected a class index 0\.\.9, "none", or one of: class-0, /],
      ['seed', '-1', /^<mgnt-canvas> seed="-1" is not valid: expected an integer ≥ 0$/],
      ['seed', '1e300', /^<mgnt-canvas> seed="1e300" is not valid: expected an integer ≥ 0$/],
      ['guidance', 'NaN', /^<mgnt-canvas> guidance="NaN" is not valid: expected a number ≥ 0$/],
      ['temperature', '0', /^<mgnt-canvas> temperature="0" is not valid: expected a number > 0$/],
      ['budget', '0', /^<mgnt-canvas> budget="0" is not valid: expected a number > 0$/],
      ['budget', '2', /^<mgnt-canvas> budget="2" is not valid: expected a fraction of the full-width cost in \(0, 1\]$/],
      ['budget', 'NaN', /^<mgnt-canvas> budget="NaN" is not valid/],
      ['schedule', 'fast', /^schedule: schedule entry "fast" is not one of the model's widths/],
      ['schedule', '1,1', /^schedule: schedule lists 2 widths but steps is 3/],
    ];
    for (const [name, value, message] of cases) {
      await page.evaluate(() => (window.faultEvents = []));
      await page.evaluate(([n, v]) => document.getElementById('a')!.setAttribute(n, v), [name, value]);
      const r = await call(page, 'generate', 'a');
      expect(r.error, `${name}="${value}"`).toMatchObject({ name: 'MgntError', type: 'bad-attribute' });
      expect(r.error.message).toMatch(message);
      const ev = await events(page);
      const errors = ev.filter((e) => e.type === 'error');
      expect(errors.length, `${name}="${value}" error events`).toBeGreaterThanOrEqual(1);
      for (const e of errors) expect(e.detail.type).toBe('bad-attribute');
      expect(ev.filter((e) => e.type === 'progress' || e.type === 'generate')).toEqual([]);
      expect(await call(page, 'pixels', 'a')).toEqual(blank);
      await page.evaluate(([n, v]) => document.getElementById('a')!.setAttribute(n, v!), [name, (FAST as Record<string, string>)[name]]);
      if (!(name in FAST)) await page.evaluate(([n]) => document.getElementById('a')!.removeAttribute(n), [name]);
    }
    // Valid again: it generates.
    expect((await call(page, 'generate', 'a')).error).toBeUndefined();
  });

  test('generate() while running: the first rejects with AbortError, the second completes, no frames of the first after it', async ({ page }) => {
    await page.evaluate(() => document.getElementById('a')!.setAttribute('steps', '12'));
    const r = await page.evaluate(async () => {
      const el = document.getElementById('a') as unknown as { generate(): Promise<{ gray: Uint8Array }> };
      window.faultEvents = [];
      const first = el.generate().then(() => 'resolved', (e: Error) => e.name);
      while (!window.faultEvents.some((e) => e.type === 'progress')) await new Promise((res) => setTimeout(res, 1));
      const at = window.faultEvents.length;
      const second = await el.generate();
      const c = document.getElementById('a')!.shadowRoot!.querySelector('canvas')!;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return {
        first: await first, at, steps: window.faultEvents.map((e) => (e.type === 'progress' ? `${e.detail.steps}:${e.detail.step}` : e.type)),
        canvasIsSecond: Array.from(second.gray).every((v, i) => px[4 * i] === v),
      };
    });
    console.log('  ', JSON.stringify(r));
    expect(r.first).toBe('AbortError');
    expect(r.steps.slice(r.at)).toEqual(['12:0', '12:1', '12:2', '12:3', '12:4', '12:5', '12:6', '12:7', '12:8', '12:9', '12:10', '12:11', 'generate']);
    expect(r.steps.slice(0, r.at).every((s: string) => s.startsWith('12:'))).toBe(true);
    expect(r.canvasIsSecond).toBe(true);
  });

  test('removed mid-run: generate() rejects with AbortError, no more events, GPU memory back to its level before loading', async ({ page }) => {
    await page.evaluate(() => document.getElementById('a')!.setAttribute('steps', '12'));
    const r = await page.evaluate(async () => {
      const el = document.getElementById('a') as unknown as HTMLElement & { generate(): Promise<unknown> };
      window.faultEvents = [];
      const run = el.generate().then(() => 'resolved', (e: Error) => e.name);
      while (!window.faultEvents.some((e) => e.type === 'progress')) await new Promise((res) => setTimeout(res, 1));
      el.remove();
      const removedAt = window.faultEvents.length;
      const outcome = await run;
      const diag = window.faultCanvas.diagnostics;
      await new Promise((res) => setTimeout(res, 2500));
      return { outcome, removedAt, after: window.faultEvents.length, open: diag.openSessions, lastDestroy: diag.lastDestroy };
    });
    console.log('  ', JSON.stringify(r));
    expect(r.outcome).toBe('AbortError');
    expect(r.after).toBe(r.removedAt);
    expect(r.open).toBe(0);
    expect(r.lastDestroy).not.toBeNull();
    expect(r.lastDestroy!.liveBytes).toBe(r.lastDestroy!.baseLiveBytes);
  });
});

test('device destroyed mid-generation (main thread): a new device, the run retried once, the image delivered', async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).devices = [];
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, d?: GPUDeviceDescriptor) {
      const dev = await requestDevice.call(this, d);
      (window as any).devices.push(dev);
      return dev;
    };
  });
  await openElementPage(page, '?main');
  await call(page, 'add', 'a', { ...FAST, steps: '6', model: url, loading: 'eager' });
  await waitFor(page, 'load');
  const r = await page.evaluate(async () => {
    const el = document.getElementById('a') as unknown as HTMLElement & { generate(): Promise<{ gray: Uint8Array; steps: number }> };
    window.faultEvents = [];
    let destroyed = false;
    el.addEventListener('progress', (e) => {
      if (!destroyed && (e as unknown as CustomEvent).detail.step === 2) {
        destroyed = true;
        (window as any).devices.at(-1).destroy();
      }
    });
    const res = await el.generate().then((x) => ({ steps: x.steps, gray: Array.from(x.gray) }), (e: Error & { type?: string }) => ({ error: `${e.type}: ${e.message}` }));
    return {
      res, devices: (window as any).devices.length,
      seq: window.faultEvents.map((e) => (e.type === 'progress' ? String(e.detail.step) : e.type)),
    };
  });
  console.log('  ', JSON.stringify({ ...r, res: 'error' in r.res ? r.res : 'ok' }));
  expect('error' in r.res).toBe(false);
  expect(r.devices).toBe(2);
  // Steps 0–2 on the lost device, then the retry from step 0 on the new one; no error event.
  expect(r.seq).toEqual(['0', '1', '2', '0', '1', '2', '3', '4', '5', 'generate']);
});

for (const always of [false, true]) {
  test(`device destroyed mid-generation inside the worker${always ? ', again on the retry: device-lost' : ': recovered there'}`, async ({ page }) => {
    await openElementPage(page);
    await call(page, 'add', 'a', { ...FAST, steps: '6', model: url, loading: 'eager' });
    expect((await waitFor(page, 'load')).detail.backend).toBe('worker');
    const workers = page.workers();
    expect(workers).toHaveLength(1);
    // In the worker: the device destroys itself at its 3rd command encoder, i.e. while step 1 is
    // encoded (each step encodes its pass, then its preview decode); with `always`, the new one too.
    await workers[0].evaluate((again) => {
      const create = GPUDevice.prototype.createCommandEncoder;
      const seen = new WeakMap<GPUDevice, number>();
      let lost = 0;
      GPUDevice.prototype.createCommandEncoder = function (this: GPUDevice, d?: GPUCommandEncoderDescriptor) {
        const n = (seen.get(this) ?? 0) + 1;
        seen.set(this, n);
        if (n === 3 && (lost === 0 || again)) {
          lost++;
          this.destroy();
        }
        return create.call(this, d);
      };
    }, always);
    const r = await page.evaluate(async () => {
      window.faultEvents = [];
      const el = document.getElementById('a') as unknown as { generate(): Promise<{ steps: number }> };
      const res = await el.generate().then((x) => `ok ${x.steps}`, (e: Error & { type?: string }) => `${e.name} ${e.type}: ${e.message}`);
      return { res, seq: window.faultEvents.map((e) => (e.type === 'progress' ? String(e.detail.step) : e.type === 'error' ? `error:${e.detail.type}:${e.detail.fatal}` : e.type)) };
    });
    console.log('  ', JSON.stringify(r));
    if (!always) {
      expect(r.res).toBe('ok 6');
      expect(r.seq).toEqual(['0', '0', '1', '2', '3', '4', '5', 'generate']);
    } else {
      expect(r.res).toMatch(/^MgntError device-lost: The GPU device was lost again after it was replaced once: /);
      expect(r.seq).toEqual(['0', '0', 'error:device-lost:true']);
    }
  });
}

test('attribute values never reach innerHTML', async ({ page }) => {
  await openElementPage(page, '?main');
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager' });
  await waitFor(page, 'load');
  for (const name of ['class', 'schedule', 'seed', 'steps', 'guidance', 'temperature', 'loading', 'aria-label']) {
    await page.evaluate(([n, v]) => document.getElementById('a')!.setAttribute(n, v), [name, payload]);
    await call(page, 'generate', 'a');
  }
  await page.evaluate(([v]) => document.getElementById('a')!.setAttribute('model', v), [`${model.url}/${payload}`]);
  await call(page, 'generate', 'a');
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => {
    const root = document.getElementById('a')!.shadowRoot!;
    return {
      pwned: (window as { __pwned?: number }).__pwned ?? null,
      // The element's own parts only (a <style> where constructed stylesheets are missing; the
      // button is the clip play/pause control, hidden for an image model).
      elements: [...root.querySelectorAll('*')].map((e) => e.localName).filter((n) => n !== 'style'),
      status: root.querySelector('.status')!.textContent,
    };
  });
  expect(r.pwned).toBeNull();
  expect(r.elements).toEqual(['canvas', 'button', 'div', 'div']);
  expect(r.status).toMatch(/^Error: fetching http:\/\/127\.0\.0\.1:\d+\/%3Cimg%20src=x/); // as text
});

for (const mode of ['worker', 'main'] as const) {
  test(`model fetches omit credentials (${mode})`, async ({ page, context }) => {
    await context.addCookies([{ name: 'mgnt_session', value: 'secret', domain: '127.0.0.1', path: '/' }]);
    await openElementPage(page, mode === 'main' ? '?main' : '');
    expect(await page.evaluate(() => document.cookie)).toBe('mgnt_session=secret');
    model.requests.length = 0;
    await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' });
    await waitFor(page, 'generate');
    expect((await waitFor(page, 'load')).detail.backend).toBe(mode);
    const seen = model.requests.map((r) => r.path).sort();
    expect(seen).toEqual(['/manifest.json', '/tokenizer.safetensors', '/transformer.safetensors']);
    for (const r of model.requests) expect(r.headers.cookie, r.path).toBeUndefined();
  });
}

test('no navigator.gpu (main thread): a visible message and webgpu-unavailable; nothing downloaded', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await openElementPage(page, '?main');
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
  await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' });
  const err = await waitFor(page, 'error');
  expect(err.detail).toMatchObject({ type: 'webgpu-unavailable', fatal: true });
  expect(err.detail.message).toMatch(/^WebGPU is not available in this browser \(navigator\.gpu is missing\)\. Use a recent Chrome/);
  // The shadow root's status line (Playwright's CSS pierces shadow DOM).
  await expect(page.locator('#a .status')).toHaveText('WebGPU is not available in this browser.');
  expect(model.hits.size).toBe(0);
});

test('a browser without WebGPU enabled (no adapter in page or worker): a visible message and no-adapter', async ({ baseURL }) => {
  const opts = launchOptions();
  // Chromium on Linux without --enable-unsafe-webgpu: navigator.gpu exists, requestAdapter() gives null.
  const browser = await chromium.launch({ ...opts, args: (opts.args ?? []).filter((a) => !/webgpu/i.test(a)) });
  try {
    const page = await browser.newPage({ baseURL });
    await openElementPage(page);
    await call(page, 'add', 'a', { ...FAST, model: url, loading: 'eager', autoplay: '' });
    const err = await waitFor(page, 'error');
    expect(err.detail).toMatchObject({ type: 'no-adapter', fatal: true });
    expect(err.detail.message).toMatch(/^WebGPU is present but no GPU adapter was found\. Enable hardware acceleration/);
    await expect(page.locator('#a .status')).toHaveText('WebGPU is not available in this browser.');
    await expect(page.locator('#a .status')).toBeVisible();
    expect(model.hits.size).toBe(0);
  } finally {
    await browser.close();
  }
});
