import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { buildDemo, entryScript, serveDemo, type DemoSite } from './fixtures/demo-site';

// The demo build (vite.demo.config.ts) with its Workbox service worker, served as a static site:
// after one visit it works with the network gone (page, scripts, styles and the model from the
// precache), and a new deploy replaces the old version whole, on reload, never mixed.
let distA: string;
let distB: string;
let site: DemoSite;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  distA = buildDemo('A');
  distB = buildDemo('B');
  site = await serveDemo(distA);
});
test.afterAll(async () => site?.close());

function logErrors(page: Page): void {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
}

/** Every shipped model's files, as URL paths: the offline copy holds them all (the video section too). */
function modelFiles(dist: string): string[] {
  return readdirSync(join(dist, 'models'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => '/' + relative(dist, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** The precache's URLs (paths, revision parameters dropped). */
const precached = (page: Page) =>
  page.evaluate(async () => {
    const name = (await caches.keys()).find((n) => n.startsWith('workbox-precache'));
    if (!name) return [];
    const reqs = await (await caches.open(name)).keys();
    return reqs.map((r) => new URL(r.url).pathname).sort();
  });

async function firstVisit(page: Page): Promise<void> {
  await page.goto(`${site.url}/?idle`);
  await expect(page.locator('#app')).toBeVisible({ timeout: 120_000 });
  // Installed (everything precached), activated, and in control of this page.
  await expect(page.locator('#offline')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
}

test('after one visit the demo works offline: page, scripts, styles and model from the service worker', async ({ page, context, browser }) => {
  test.setTimeout(300_000);
  logErrors(page);
  site.state.dir = distA;
  await firstVisit(page);
  const js = entryScript(distA);
  const css = /href="([^"]+\.css)"/.exec(await page.content())![1];
  expect(await precached(page)).toEqual(
    ['/index.html', js, new URL(css, site.url).pathname, ...modelFiles(distA)].sort(),
  );

  // The storage panel lists the model in IndexedDB; clearing it leaves the service worker as the
  // only copy of the model, so the offline load below must come from the precache.
  await page.locator('#storage-panel summary').click();
  // Both the image model and the video section's model were loaded, so both are stored.
  await expect(page.locator('#video')).toBeVisible({ timeout: 120_000 });
  await expect.poll(async () => {
    await page.locator('#stored button[data-act="refresh"]').click();
    return page.locator('#stored .stored-list li').count();
  }, { timeout: 60_000 }).toBe(2);
  await expect(page.locator('#stored .stored-list li').first()).toContainText(/^fmnist-s: \d+\.\d MB \(2 files/);
  await expect(page.locator('#stored .stored-list li').nth(1)).toContainText(/^mfmnist-video: \d+\.\d MB/);
  await page.locator('#stored button[data-act="clear"]').click();
  await expect(page.locator('#stored .stored-note')).toHaveText(/^Cleared \d+\.\d MB\./);
  await expect(page.locator('#stored .stored-summary')).toHaveText(/^Nothing stored in IndexedDB\./);

  // The network off: the browser is offline and the server answers nothing.
  await context.setOffline(true);
  site.state.down = true;
  const hitsBefore = new Map(site.hits);
  await page.reload();
  await expect(page.locator('#app')).toBeVisible({ timeout: 120_000 });
  await expect(page.locator('#offline')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('#offline')).toContainText('version A');
  await page.locator('#schedule').selectOption('magnets');
  await page.locator('#steps').fill('12');
  await page.locator('#go').click();
  await expect(page.locator('#gallery li')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.locator('#status')).toHaveText('');
  // Except the browser's own update check of /sw.js on registration, which always goes to the
  // network (and fails harmlessly offline): the page, its scripts and the models may not.
  const reached = [...site.hits].filter(([p, n]) => p !== '/sw.js' && n !== (hitsBefore.get(p) ?? 0)).map(([p]) => p);
  expect(reached, 'requests that reached the server while offline').toEqual([]);
  // The model came through the service worker (IndexedDB was empty) and was stored again.
  await expect(page.locator('#storage')).toContainText('downloaded in');

  // Control: without the service worker the same page cannot even load offline.
  const bare = await browser.newContext();
  await bare.setOffline(true);
  await expect((await bare.newPage()).goto(`${site.url}/?idle`)).rejects.toThrow(/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION/);
  await bare.close();
  await context.setOffline(false);
  site.state.down = false;
});

test('a new deploy: the open version stays whole until the reload it offers, then the new one replaces it whole', async ({ page }) => {
  test.setTimeout(300_000);
  logErrors(page);
  site.state.dir = distA;
  await firstVisit(page);
  const jsA = entryScript(distA), jsB = entryScript(distB);
  expect(jsA, 'the two builds differ').not.toBe(jsB);

  // Deploy B. A reload is still answered by A's precache (page and script of A), while B's
  // worker installs next to it and waits; the page then offers the update.
  site.state.dir = distB;
  await page.reload();
  await expect(page.locator('#app')).toBeVisible({ timeout: 120_000 });
  await page.evaluate(async () => {
    await (await navigator.serviceWorker.getRegistration())?.update(); // as the navigation did; not left to timing
  });
  await expect(page.locator('#offline')).toHaveAttribute('data-state', 'update', { timeout: 120_000 });
  expect(await page.evaluate(() => document.querySelector<HTMLScriptElement>('script[type=module]')!.src)).toBe(new URL(jsA, site.url).href);
  const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js')));
  expect(scripts.filter((p) => p.startsWith('/assets/')), 'only build A scripts in the open page').toEqual([jsA]);

  // The visitor takes the update: one reload, everything from B, A's entries gone from the precache.
  await page.locator('#offline button').click();
  await expect(page.locator('#offline')).toContainText('version B', { timeout: 120_000 });
  await expect(page.locator('#offline')).toHaveAttribute('data-state', 'ready');
  expect(await page.evaluate(() => document.querySelector<HTMLScriptElement>('script[type=module]')!.src)).toBe(new URL(jsB, site.url).href);
  await expect.poll(() => precached(page)).toContain(jsB);
  // Deleted while the new worker activates, which may finish just after the page reloaded.
  await expect.poll(() => precached(page)).not.toContain(jsA);
  await expect(page.locator('#app')).toBeVisible({ timeout: 120_000 });
});
