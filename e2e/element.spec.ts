import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// <mgnt-canvas> from source on the test server, with a random-weight checkpoint on a second origin.
let server: StaticServer;
let model: string;

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-el-'));
  writeSyntheticCheckpoint(join(dir, 'm'), 1);
  server = await serveStatic(dir);
  model = `${server.url}/m/manifest.json`;
});
test.afterAll(() => server.close());

async function open(page: Page, query = ''): Promise<void> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto(`/e2e/element/index.html${query}`);
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

/** Adds an element with the given attributes to the stage. */
function add(page: Page, attrs: Record<string, string>, before = '') {
  return page.evaluate(([a, b]) => {
    const el = document.createElement('mgnt-canvas');
    for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
    if (b) document.getElementById('stage')!.insertAdjacentHTML('beforeend', b);
    document.getElementById('stage')!.append(el);
  }, [attrs, before] as const);
}
const events = (page: Page, id: string) => page.evaluate((i) => window.events.filter((e) => e.id === i).map((e) => ({ type: e.type, detail: e.detail })), id);

test('attributes reflect to properties and back; bad values raise error events of type bad-attribute', async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => {
    const el = document.createElement('mgnt-canvas');
    el.id = 'x';
    document.getElementById('stage')!.append(el); // lazy and never made visible: loads nothing
    el.seed = 7;
    el.steps = 4;
    el.schedule = 'baseline';
    el.guidance = 1.5;
    el.temperature = 0.8;
    el.class = 'dress';
    el.autoplay = true;
    el.model = '/x/manifest.json';
    const attrs = Object.fromEntries(['seed', 'steps', 'schedule', 'guidance', 'temperature', 'class', 'autoplay', 'model', 'loading'].map((k) => [k, el.getAttribute(k)]));
    el.setAttribute('seed', '9');
    el.setAttribute('loading', 'eager');
    el.removeAttribute('autoplay');
    el.removeAttribute('model');
    const props = { seed: el.seed, loading: el.loading, autoplay: el.autoplay, model: el.model, steps: el.steps, guidance: el.guidance };
    el.removeAttribute('loading');
    el.setAttribute('seed', '-3');
    el.setAttribute('steps', 'many');
    const errors = window.events.filter((e) => e.type === 'error').map((e) => e.detail);
    const display = getComputedStyle(el).display;
    const shadow = !!el.shadowRoot?.querySelector('canvas');
    el.remove();
    return { attrs, props, errors, display, shadow };
  });
  expect(r.attrs).toEqual({ seed: '7', steps: '4', schedule: 'baseline', guidance: '1.5', temperature: '0.8', class: 'dress', autoplay: '', model: '/x/manifest.json', loading: null });
  expect(r.props).toEqual({ seed: 9, loading: 'eager', autoplay: false, model: null, steps: 4, guidance: 1.5 });
  expect(r.errors.map((e: any) => e.type)).toEqual(['bad-attribute', 'bad-attribute']);
  expect(r.errors[0].message).toMatch(/seed="-3"/);
  expect(r.errors[1].message).toMatch(/steps="many"/);
  expect(r.display).toBe('inline-block');
  expect(r.shadow).toBe(true);
});

test('eager + autoplay: load, progress and generate events; preview per step; accessible name; toBlob; CSS properties', async ({ page }) => {
  await open(page);
  await page.addStyleTag({ content: '#a { --mgnt-size: 140px; }' });
  await add(page, { id: 'a', model, loading: 'eager', autoplay: '', class: '3', seed: '5', steps: '4', schedule: '1/8,1/4,1/2,1' });
  await expect.poll(async () => (await events(page, 'a')).some((e) => e.type === 'generate'), { timeout: 60_000 }).toBe(true);
  const ev = await events(page, 'a');
  const types = ev.map((e) => (e.type === 'progress' ? `progress:${e.detail.phase}` : e.type));
  expect(types.filter((t) => t !== 'progress:load')).toEqual(['load', 'progress:generate', 'progress:generate', 'progress:generate', 'progress:generate', 'generate']);
  expect(types.indexOf('progress:load')).toBeLessThan(types.indexOf('load'));
  const load = ev.find((e) => e.type === 'load')!.detail;
  expect(load).toMatchObject({ name: 'synthetic-test', backend: 'worker' });
  const steps = ev.filter((e) => e.type === 'progress' && e.detail.phase === 'generate').map((e) => e.detail);
  expect(steps.map((s) => s.width)).toEqual([0.125, 0.25, 0.5, 1]);
  expect(steps.map((s) => s.steps)).toEqual([4, 4, 4, 4]);
  expect(steps[3].gflops).toBeGreaterThan(steps[0].gflops);
  const result = ev.find((e) => e.type === 'generate')!.detail;
  expect(result).toMatchObject({ classIndex: 3, className: 'class-3', seed: 5, steps: 4, widths: [0.125, 0.25, 0.5, 1], size: 28 });
  expect(result.gflops).toBeGreaterThan(0);
  expect(result.ms).toBeGreaterThan(0);
  await expect(page.getByRole('img', { name: 'Generated image of a class-3' })).toBeVisible();
  const info = await page.evaluate(async () => {
    const el = document.getElementById('a') as HTMLElementTagNameMap['mgnt-canvas'];
    const blob = await el.toBlob({ scale: 2 });
    const head = Array.from(new Uint8Array(await blob.arrayBuffer()).slice(1, 4));
    const bmp = await createImageBitmap(blob);
    const px = el.shadowRoot!.querySelector('canvas')!.getContext('2d')!.getImageData(0, 0, 28, 28).data;
    return { type: blob.type, head: String.fromCharCode(...head), w: bmp.width, width: el.getBoundingClientRect().width, same: Array.from(el.result!.gray).every((v, i) => px[4 * i] === v), backend: el.backend, loaded: el.loaded, classes: el.classes.length };
  });
  expect(info).toEqual({ type: 'image/png', head: 'PNG', w: 56, width: 140, same: true, backend: 'worker', loaded: true, classes: 10 });
});

test('loading="lazy" waits until the element is near the viewport', async ({ page }) => {
  await open(page);
  server.reset();
  await add(page, { id: 'lazy', model, autoplay: '', steps: '2' }, '<div style="height: 4000px"></div>');
  await page.waitForTimeout(1500);
  expect(server.hits.get('/m/manifest.json') ?? 0).toBe(0);
  expect(await events(page, 'lazy')).toEqual([]);
  await page.locator('#lazy').scrollIntoViewIfNeeded();
  await expect.poll(async () => (await events(page, 'lazy')).map((e) => e.type).includes('generate'), { timeout: 60_000 }).toBe(true);
  expect(server.hits.get('/m/manifest.json')).toBe(1);
});

for (const mode of ['main', 'worker'] as const) test(`generate() returns a promise of the result; a second call aborts the first; removal mid-run stops it and frees the GPU memory (${mode})`, async ({ page }) => {
  await open(page, mode === 'main' ? '?main' : '');
  await add(page, { id: 'g', model, loading: 'eager', steps: '12', seed: '1' });
  const r = await page.evaluate(async () => {
    const el = document.getElementById('g') as HTMLElementTagNameMap['mgnt-canvas'];
    const first = el.generate().then(() => 'resolved', (e) => e.name);
    await new Promise((res) => el.addEventListener('progress', (e: Event) => (e as CustomEvent).detail.phase === 'generate' && res(null)));
    el.seed = 2;
    const second = await el.generate();
    const sessionsBefore = window.MgntCanvas!.diagnostics.openSessions;
    const backend = el.backend;
    // Removal mid-run.
    el.steps = 30;
    el.seed = 3;
    const third = el.generate().then(() => 'resolved', (e) => e.name);
    await new Promise((res) => el.addEventListener('progress', (e: Event) => (e as CustomEvent).detail.phase === 'generate' && res(null)));
    el.remove();
    const thirdOutcome = await third;
    for (let i = 0; i < 100 && window.MgntCanvas!.diagnostics.openSessions > 0; i++) await new Promise((res) => setTimeout(res, 50));
    return { first: await first, second: { seed: second.seed, n: second.gray.length }, sessionsBefore, third: thirdOutcome, diag: window.MgntCanvas!.diagnostics, backend };
  });
  expect(r.first).toBe('AbortError');
  expect(r.second).toEqual({ seed: 2, n: 784 });
  expect(r.sessionsBefore).toBe(1);
  expect(r.backend).toBe(mode);
  expect(r.third).toBe('AbortError');
  expect(r.diag.openSessions).toBe(0);
  expect(r.diag.lastDestroy!.liveBytes).toBe(r.diag.lastDestroy!.baseLiveBytes);
});

test('properties set before the element is defined are honoured', async ({ page }) => {
  await open(page, `?defer&model=${encodeURIComponent(model)}`);
  await expect.poll(async () => (await events(page, 'deferred')).some((e) => e.type === 'generate'), { timeout: 60_000 }).toBe(true);
  const res = (await events(page, 'deferred')).find((e) => e.type === 'generate')!.detail;
  expect(res).toMatchObject({ seed: 42, steps: 3, widths: [1, 1, 1] });
  expect(await page.evaluate(() => window.deferred!.getAttribute('seed'))).toBe('42');
});

test('an unreachable model and an unknown class are reported with detail.type', async ({ page }) => {
  await open(page);
  await add(page, { id: 'n', model: `${server.url}/nothing/manifest.json`, loading: 'eager' });
  await expect.poll(async () => (await events(page, 'n')).map((e) => e.type)).toContain('error');
  expect((await events(page, 'n')).find((e) => e.type === 'error')!.detail).toMatchObject({ type: 'network', fatal: true });
  await add(page, { id: 'c', model, loading: 'eager', class: 'hat' });
  await expect.poll(async () => (await events(page, 'c')).map((e) => e.type), { timeout: 60_000 }).toContain('error');
  const err = (await events(page, 'c')).find((e) => e.type === 'error')!.detail;
  expect(err.type).toBe('bad-attribute');
  expect(err.message).toMatch(/class-0/);
});

test('where the worker cannot get a WebGPU device, the session runs on the main thread', async ({ page }) => {
  // A stand-in worker that answers every request as a worker without navigator.gpu would.
  await page.addInitScript(() => {
    const src = `self.onmessage = (e) => e.data.id && postMessage({ kind: 'error', id: e.data.id, error: { name: 'MgntError', type: 'webgpu-unavailable', message: 'no WebGPU in this worker' } });`;
    const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    const Real = window.Worker;
    (window as any).Worker = class extends Real {
      constructor(_u: string | URL, o?: WorkerOptions) {
        super(url, o);
      }
    };
  });
  await open(page);
  await add(page, { id: 'f', model, loading: 'eager', autoplay: '', steps: '2' });
  await expect.poll(async () => (await events(page, 'f')).map((e) => e.type), { timeout: 60_000 }).toContain('generate');
  const load = (await events(page, 'f')).find((e) => e.type === 'load')!.detail;
  expect(load.backend).toBe('main');
  expect((await events(page, 'f')).filter((e) => e.type === 'error')).toEqual([]);
});

test('encode(): a canvas, its ImageData and its PNG Blob give the same 28×28 input (within 2 levels) and tokens; inverted; a bad Blob rejects; no event, canvas untouched', async ({ page }) => {
  await open(page);
  await add(page, { id: 'e', model, loading: 'eager' });
  await expect.poll(async () => (await events(page, 'e')).map((x) => x.type), { timeout: 60_000 }).toContain('load');
  const r = await page.evaluate(async () => {
    const el = document.getElementById('e') as HTMLElementTagNameMap['mgnt-canvas'];
    const before = Array.from(el.shadowRoot!.querySelector('canvas')!.getContext('2d')!.getImageData(0, 0, 28, 28).data);
    const n0 = window.events.length;
    // A white disc on black, 112×84 (not square: fitted, centred, letterboxed black).
    const c = Object.assign(document.createElement('canvas'), { width: 112, height: 84 });
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 112, 84);
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(56, 42, 30, 0, 2 * Math.PI);
    ctx.fill();
    const blob = await new Promise<Blob>((res) => c.toBlob((b) => res(b!), 'image/png'));
    const fromCanvas = await el.encode(c);
    const fromData = await el.encode(ctx.getImageData(0, 0, 112, 84));
    const fromBlob = await el.encode(blob);
    // Black on white, inverted: the same picture.
    const neg = Object.assign(document.createElement('canvas'), { width: 112, height: 84 });
    const nctx = neg.getContext('2d')!;
    nctx.filter = 'invert(1)';
    nctx.drawImage(c, 0, 0);
    const fromNegative = await el.encode(neg, { invert: true });
    let bad: unknown = null;
    await el.encode(new Blob(['not an image'], { type: 'image/png' })).catch((e) => (bad = { name: e.name, type: e.type, message: e.message }));
    const after = Array.from(el.shadowRoot!.querySelector('canvas')!.getContext('2d')!.getImageData(0, 0, 28, 28).data);
    const pick = (x: { tokens: Uint32Array; input: Uint8Array; gray: Uint8Array; size: number; image: ImageData }) =>
      ({ tokens: Array.from(x.tokens), input: Array.from(x.input), gray: x.gray.length, size: x.size, image: [x.image.width, x.image.height] });
    return { canvas: pick(fromCanvas), data: pick(fromData), blob: pick(fromBlob), negative: pick(fromNegative), bad, events: window.events.length - n0, untouched: before.every((v, i) => v === after[i]) };
  });
  expect(r.canvas.tokens).toHaveLength(64);
  expect(r.canvas).toMatchObject({ gray: 784, size: 28, image: [28, 28] });
  expect(r.canvas.input.slice(0, 28 * 4).every((v: number) => v === 0), 'letterbox rows are black').toBe(true);
  expect(r.canvas.input[14 * 28 + 14], 'the disc is white').toBe(255);
  // ImageData and a PNG Blob reach the 28×28 canvas by other paths (putImageData, image decode),
  // and Chromium rounds their resampling differently by a gray level: the same picture within
  // two levels, and nearly all tokens the same.
  for (const other of [r.data, r.blob]) {
    expect(other).toMatchObject({ gray: 784, size: 28, image: [28, 28] });
    expect(Math.max(...other.input.map((v: number, i: number) => Math.abs(v - r.canvas.input[i])))).toBeLessThanOrEqual(2);
    expect(other.tokens.filter((t: number, i: number) => t === r.canvas.tokens[i]).length).toBeGreaterThanOrEqual(60);
  }
  // The negative goes through a canvas filter and back: the same input within two levels.
  expect(r.negative.input.every((v: number, i: number) => Math.abs(v - r.canvas.input[i]) <= 2)).toBe(true);
  expect(r.bad).toMatchObject({ name: 'MgntError', type: 'bad-attribute' });
  expect((r.bad as { message: string }).message).toMatch(/^encode\(\): the image\/png file could not be decoded as an image/);
  expect(r.events).toBe(0);
  expect(r.untouched).toBe(true);
});
