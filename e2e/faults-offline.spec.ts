import { expect, test, type Page } from '@playwright/test';
import { buildDemo, serveDemo, type DemoSite } from './fixtures/demo-site';

// Faults of the demo's offline copy (docs/RELIABILITY.md, "Offline"): the service worker cannot
// be registered, or its precache does not fit the storage quota. Either way the page says so in
// its offline line and works online as before.
let dist: string;
let site: DemoSite;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dist = buildDemo('F');
  site = await serveDemo(dist);
});
test.afterAll(async () => site?.close());

async function generates(page: Page): Promise<void> {
  await expect(page.locator('#app')).toBeVisible({ timeout: 120_000 });
  await page.locator('#steps').fill('4');
  await page.locator('#go').click();
  await expect(page.locator('#gallery li')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.locator('#status')).toHaveText('');
}

test('service worker registration fails (sw.js answered with an HTML page): said on the page, the demo works online', async ({ page }) => {
  test.setTimeout(240_000);
  site.state.swAsHtml = true;
  try {
    await page.goto(`${site.url}/?idle`);
    await expect(page.locator('#offline')).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
    await expect(page.locator('#offline')).toHaveText(/^offline copy: unavailable: the service worker could not be registered \(.*MIME type.*\)\. The demo works online as usual\.$/);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    await generates(page);
  } finally {
    site.state.swAsHtml = false;
  }
});

test('storage quota below the offline copy (2 MB): the install fails and is reported, the model runs from memory, the demo works', async ({ page }) => {
  test.setTimeout(240_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.url, quotaSize: 2 * 2 ** 20 });
  await page.goto(`${site.url}/?idle`);
  await expect(page.locator('#offline')).toHaveAttribute('data-state', 'failed', { timeout: 120_000 });
  await expect(page.locator('#offline')).toHaveText(/^offline copy: could not be saved \(the service worker failed to install; the storage may be full\)/);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active ?? null)).toBeNull();
  // The IndexedDB store saw the same quota: the model is used from memory, and the footer says so.
  await expect(page.locator('#storage')).toContainText(/not enough storage to keep the model/, { timeout: 120_000 });
  await generates(page);
});
