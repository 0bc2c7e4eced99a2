import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveFaults, syntheticDir, type FaultServer } from './faults/fixtures';

// Content-Security-Policy faults (issue 7). The built element where the page's CSP forbids every
// worker (it falls back to the main thread), the bundle without eval, and the demo page under a
// strict CSP (no inline script or style, no eval). Violations are collected from the page.
let dist = '';
let lib: FaultServer;
let site: FaultServer;
let model: FaultServer;

const CAPTURE = `window.events = []; window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective + ' ' + e.blockedURI));
for (const t of ['load', 'generate', 'error'])
  document.addEventListener(t, (e) => e.target.localName === 'mgnt-canvas' && window.events.push({ type: t, detail: e.detail }), true);`;
const NO_WORKERS_CSP = (libUrl: string) =>
  `default-src 'none'; script-src 'self' ${libUrl}; connect-src ${libUrl}; worker-src 'none'; style-src 'self'; img-src 'self'`;
const PAGE = (libUrl: string) => `<!doctype html><html><head><meta charset="utf-8"><title>no workers</title>
<script src="/capture.js"></script><script type="module" src="${libUrl}/mgnt-canvas.js"></script></head>
<body><mgnt-canvas class="3" steps="2" schedule="baseline" loading="eager" autoplay></mgnt-canvas></body></html>`;

test.beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'mgnt-faults-dist-'));
  const b = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { encoding: 'utf8', timeout: 120_000 });
  if (b.status !== 0) throw new Error(`vite build failed:\n${b.stdout}\n${b.stderr}`);
  rmSync(join(dist, 'models'), { recursive: true, force: true });
  writeSyntheticCheckpoint(join(dist, 'models', 'fmnist-s'), 1);
  lib = await serveFaults({ dir: dist });
  site = await serveFaults({
    routes: { '/': { type: 'text/html; charset=utf-8', body: PAGE(lib.url) }, '/capture.js': { type: 'text/javascript', body: CAPTURE } },
    headers: (path): Record<string, string> => (path === '/' ? { 'content-security-policy': NO_WORKERS_CSP(lib.url) } : {}),
  });
  model = await serveFaults({ dir: syntheticDir() });
});
test.afterAll(async () => {
  await Promise.all([lib?.close(), site?.close(), model?.close()]);
});

test('the built module uses no eval and no new Function', () => {
  const js = readFileSync(join(dist, 'mgnt-canvas.js'), 'utf8');
  expect(js).not.toMatch(/\beval\s*\(/);
  expect(js).not.toMatch(/new\s+Function\s*\(/);
});

test('a CSP that forbids workers: the element falls back to the main thread and generates', async ({ page }) => {
  await page.goto(site.url + '/');
  await expect.poll(() => page.evaluate(() => (window as any).events.map((e: any) => e.type)), { timeout: 90_000 }).toContain('generate');
  const r = await page.evaluate(() => ({ events: (window as any).events, violations: (window as any).violations }));
  expect(r.events.filter((e: any) => e.type === 'error')).toEqual([]);
  expect(r.events.find((e: any) => e.type === 'load').detail.backend).toBe('main');
  expect(r.events.find((e: any) => e.type === 'generate').detail).toMatchObject({ classIndex: 3, steps: 2, widths: [1, 1] });
  // The only refusals are the worker attempts themselves.
  expect(r.violations.length).toBeGreaterThan(0);
  for (const v of r.violations) expect(v).toMatch(/^worker-src /);
});

async function withCsp(page: Page, csp: string): Promise<void> {
  await page.addInitScript(() => {
    (window as any).violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  await page.route((u) => u.pathname === '/' || u.pathname === '/index.html', async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': csp } });
  });
}

test('the demo under a strict CSP (no inline script or style, no eval): loads, compares, no violations', async ({ page }) => {
  await withCsp(page, `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${model.url}; worker-src 'self' blob:; img-src 'self' blob: data:`);
  await page.goto(`/?model=${encodeURIComponent(model.url + '/manifest.json')}`);
  await expect(page.locator('#ratio')).not.toBeEmpty({ timeout: 120_000 });
  await expect(page.locator('#gallery li')).toHaveCount(2); // added after the ratio is shown
  const r = await page.evaluate(() => ({
    violations: (window as any).violations as string[],
    status: document.getElementById('status')!.textContent,
    backend: document.getElementById('backend')!.textContent,
    model: document.getElementById('model-name')!.textContent,
    gallery: document.querySelectorAll('#gallery li').length,
  }));
  console.log('  ', JSON.stringify(r));
  expect(r.violations).toEqual([]);
  expect(r.status).toBe('');
  expect(r.model).toMatch(/^synthetic-test /);
  expect(r.gallery).toBe(2);
  // The policy is in force: an inline script added now is refused (and is the only violation).
  const blocked = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    await new Promise((res) => setTimeout(res, 100));
    return { ran: (window as any).__inline ?? null, violations: (window as any).violations };
  });
  expect(blocked).toEqual({ ran: null, violations: ['script-src-elem inline'] });
});
