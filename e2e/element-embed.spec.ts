import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// The built library on one origin, embedded by a page on another origin with one script tag.
// The module finds its default model next to itself (models/fmnist-s/), here a random-weight one.
let lib: StaticServer;
let site: StaticServer;
let dist: string;

const PAGE = (libUrl: string) => `<!doctype html><html><head><meta charset="utf-8"><title>embed</title>
<script>
  window.events = [];
  for (const t of ['load', 'progress', 'generate', 'error'])
    document.addEventListener(t, (e) => e.target.localName === 'mgnt-canvas' && window.events.push({ type: t, detail: e.detail }), true);
</script>
<script type="module" src="${libUrl}/mgnt-canvas.js"></script></head>
<body><h1>Another site</h1><mgnt-canvas class="2" seed="9" steps="3" schedule="baseline" loading="eager" autoplay></mgnt-canvas></body></html>`;

// The same with a strict CSP: no inline script or style, scripts and fetches from the library's
// origin only, workers from blob: (the inlined session worker).
const CAPTURE = `window.events = [];
for (const t of ['load', 'progress', 'generate', 'error'])
  document.addEventListener(t, (e) => e.target.localName === 'mgnt-canvas' && window.events.push({ type: t, detail: e.detail }), true);`;
const STRICT_CSP = (libUrl: string) =>
  `default-src 'none'; script-src 'self' ${libUrl}; connect-src ${libUrl}; worker-src blob:; style-src 'self'; img-src 'self'`;
const STRICT_PAGE = (libUrl: string) => `<!doctype html><html><head><meta charset="utf-8"><title>strict</title>
<script src="/capture.js"></script><script type="module" src="${libUrl}/mgnt-canvas.js"></script></head>
<body><mgnt-canvas class="4" steps="2" loading="eager" autoplay></mgnt-canvas></body></html>`;

test.beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'mgnt-dist-'));
  const b = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { encoding: 'utf8', timeout: 120_000 });
  if (b.status !== 0) throw new Error(`vite build failed:\n${b.stdout}\n${b.stderr}`);
  // Replace whatever model public/ held with a small random one: the test is about loading paths.
  rmSync(join(dist, 'models'), { recursive: true, force: true });
  writeSyntheticCheckpoint(join(dist, 'models', 'fmnist-s'), 1);
  lib = await serveStatic(dist);
  site = await serveStatic(mkdtempSync(join(tmpdir(), 'mgnt-site-')), {
    '/': PAGE(lib.url),
    '/strict.html': { body: STRICT_PAGE(lib.url), headers: { 'content-security-policy': STRICT_CSP(lib.url) } },
    '/capture.js': CAPTURE,
  });
});
test.afterAll(async () => {
  await lib?.close();
  await site?.close();
});

test('npm run build writes one ES module, dist/mgnt-canvas.js', () => {
  const js = readdirSync(dist).filter((f) => f.endsWith('.js'));
  expect(js).toEqual(['mgnt-canvas.js']);
});

test('a page on another origin embeds dist/mgnt-canvas.js with one script tag and receives generate', async ({ page }) => {
  expect(lib.port).not.toBe(site.port);
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto(site.url + '/');
  await expect.poll(() => page.evaluate(() => (window as any).events.map((e: any) => e.type)), { timeout: 90_000 }).toContain('generate');
  const ev: Array<{ type: string; detail: any }> = await page.evaluate(() => (window as any).events);
  expect(ev.filter((e) => e.type === 'error')).toEqual([]);
  const load = ev.find((e) => e.type === 'load')!.detail;
  expect(load.name).toBe('synthetic-test');
  expect(load.backend).toBe('worker');
  const res = ev.find((e) => e.type === 'generate')!.detail;
  expect(res).toMatchObject({ classIndex: 2, seed: 9, steps: 3, widths: [1, 1, 1], size: 28 });
  // The default model came from the library's origin, resolved against the script's URL.
  expect(lib.hits.get('/models/fmnist-s/manifest.json')).toBe(1);
  expect(site.hits.get('/models/fmnist-s/manifest.json')).toBeUndefined();
  await expect(page.getByRole('img', { name: 'Generated image of a class-2' })).toBeVisible();
});

test('it works under a strict Content-Security-Policy (no inline scripts or styles)', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => /Content Security Policy|Refused/.test(m.text()) && violations.push(m.text()));
  await page.goto(site.url + '/strict.html');
  await expect.poll(() => page.evaluate(() => (window as any).events.map((e: any) => e.type)), { timeout: 90_000 }).toContain('generate');
  const ev: Array<{ type: string; detail: any }> = await page.evaluate(() => (window as any).events);
  expect(ev.find((e) => e.type === 'load')!.detail.backend).toBe('worker');
  expect(violations).toEqual([]);
  expect(await page.evaluate(() => getComputedStyle(document.querySelector('mgnt-canvas')!).display)).toBe('inline-block');
});
