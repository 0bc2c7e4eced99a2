import { existsSync, readFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// The demo page (index.html) on a random-weight checkpoint, plus the visitor without WebGPU.
// Screenshots go to $TMPDIR/mgnt-screens/ for a person to look at.
let server: StaticServer;
let model: string;
let modelManifest: string;
const SCREENS = join(tmpdir(), 'mgnt-screens');

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-demo-'));
  modelManifest = writeSyntheticCheckpoint(join(dir, 'm'), 1);
  server = await serveStatic(dir);
  model = `${server.url}/m/manifest.json`;
  mkdirSync(SCREENS, { recursive: true });
});
test.afterAll(() => server.close());

/** The first width of a manifest's magnets schedule as the demo labels it (1/8, 1/4, 1/2, 1). */
function firstMagnetsLabel(manifestPath: string): string {
  const w: number = JSON.parse(readFileSync(manifestPath, 'utf8')).decode_defaults.schedules.magnets[0];
  return w === 1 ? '1' : `1/${Math.round(1 / w)}`;
}

async function generates(page: Page, url: string, shot: string, firstMagnets: string): Promise<void> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.setViewportSize({ width: 1100, height: 1300 });
  await page.goto(url);
  await expect(page.locator('#ratio')).toContainText(/GFLOPs|Same schedule/, { timeout: 120_000 });
  for (const id of ['#panel-baseline', '#panel-magnets']) {
    await expect(page.locator(`${id} .figures`)).toContainText(/GFLOPs · \d+ ms/);
    await expect(page.locator(`${id} .widths li.done`)).toHaveCount(Number(await page.locator('#steps').inputValue()));
  }
  await expect(page.locator('#panel-baseline .widths li').first()).toHaveText('1');
  await expect(page.locator('#panel-magnets .widths li').first()).toHaveText(firstMagnets);
  await expect(page.locator('#gallery li')).toHaveCount(2);
  // Inpainting: keep the top half, regenerate the rest.
  await page.getByRole('button', { name: 'keep top half' }).click();
  await expect(page.locator('#inpaint-editor .cells button.keep')).toHaveCount(32);
  await page.getByRole('button', { name: 'Regenerate the rest' }).click();
  await expect(page.locator('#panel-inpaint .figures')).toContainText(/GFLOPs · \d+ ms/, { timeout: 60_000 });
  await expect(page.locator('#gallery li')).toHaveCount(3);
  await expect(page.locator('#gallery li').first()).toContainText('inpainted');
  await expect(page.locator('#status')).toHaveText('');
  await page.screenshot({ path: join(SCREENS, shot), fullPage: true });
}

test('the demo compares baseline and MaGNeTS, inpaints, and fills the gallery', async ({ page }) => {
  await generates(page, `/?model=${encodeURIComponent(model)}`, 'demo-synthetic.png', firstMagnetsLabel(modelManifest));
  // A changed class re-runs both sides.
  await page.locator('#class').selectOption('4');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.locator('#gallery li')).toHaveCount(5, { timeout: 60_000 });
});

test('the shipped model generates in the demo', async ({ page }) => {
  expect(existsSync('public/models/fmnist-s/manifest.json'), 'the trained model ships in public/models/fmnist-s').toBe(true);
  await generates(page, '/', 'demo-shipped.png', firstMagnetsLabel('public/models/fmnist-s/manifest.json'));
});

test('a visitor without WebGPU is told what to do', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto(`/?model=${encodeURIComponent(model)}`);
  await expect(page.locator('#no-webgpu')).toBeVisible();
  await expect(page.locator('#no-webgpu')).toContainText('Chrome');
  await expect(page.locator('#app')).toBeHidden();
  await page.screenshot({ path: join(SCREENS, 'demo-no-webgpu.png') });
});
