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

test('the gallery fills with one image of every class, decoded as one batch in the worker', async ({ page }) => {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto(`/?idle&model=${encodeURIComponent(model)}`);
  await expect(page.locator('#app')).toBeVisible({ timeout: 60_000 });
  await page.locator('#steps').fill('4');
  await page.getByRole('button', { name: 'One of every class' }).click();
  // 10 classes, guidance on: groups of at most 8 images (the default batch).
  await expect(page.locator('#gallery-info')).toContainText(/^10 images in batches of 8\/2: \d+ ms per image$/, { timeout: 120_000 });
  await expect(page.locator('#gallery li')).toHaveCount(10);
  const captions = await page.locator('#gallery li span').allTextContents();
  expect(new Set(captions.map((c) => c.split(' · ')[0])).size).toBe(10);
  await expect(page.locator('#backend')).toHaveText('a worker');
});

test('the shipped model generates in the demo', async ({ page }) => {
  expect(existsSync('public/models/fmnist-s/manifest.json'), 'the trained model ships in public/models/fmnist-s').toBe(true);
  await generates(page, '/', 'demo-shipped.png', firstMagnetsLabel('public/models/fmnist-s/manifest.json'));
});

/** Cell tokens of the inpainting editor (data-token of each of the 64 buttons). */
const editorTokens = (page: Page) => page.locator('#inpaint-editor .cells button').evaluateAll((bs) => bs.map((b) => Number((b as HTMLElement).dataset.token)));

/** Draws strokes on the pad, encodes them, keeps the top half and regenerates the rest. */
async function drawsAndInpaints(page: Page, url: string, shot: string): Promise<void> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.setViewportSize({ width: 1100, height: 1500 });
  await page.goto(url);
  await expect(page.locator('#app')).toBeVisible({ timeout: 120_000 });
  const pad = page.locator('#draw-canvas');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  // A rough T-shirt outline: shoulders, sleeves, body.
  const strokes = [[[0.3, 0.2], [0.7, 0.2], [0.85, 0.35]], [[0.3, 0.2], [0.15, 0.35]], [[0.35, 0.25], [0.35, 0.85], [0.65, 0.85], [0.65, 0.25]], [[0.4, 0.4], [0.6, 0.6]]];
  for (const s of strokes) {
    await page.mouse.move(box.x + s[0][0] * box.width, box.y + s[0][1] * box.height);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
    await page.mouse.up();
  }
  await page.getByRole('button', { name: 'Use drawing' }).click();
  await expect(page.locator('#draw-info')).toContainText(/^your drawing: 64 tokens, [\d.]+ GFLOPs/, { timeout: 60_000 });
  const encoded = await editorTokens(page);
  expect(encoded).toHaveLength(64);
  expect(encoded.every((t) => Number.isInteger(t) && t >= 0)).toBe(true);
  await page.getByRole('button', { name: 'keep top half' }).click();
  await page.getByRole('button', { name: 'Regenerate the rest' }).click();
  await expect(page.locator('#panel-inpaint .figures')).toContainText(/GFLOPs · \d+ ms/, { timeout: 120_000 });
  await expect(page.locator('#status')).toHaveText('');
  // The result: drawn in the panel, and in the gallery; picked from there, its tokens show in the editor.
  const lit = await page.locator('#panel-inpaint canvas').evaluate((c: HTMLCanvasElement) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 !== 3 && v > 0));
  expect(lit, 'the inpainted image is drawn').toBe(true);
  await expect(page.locator('#gallery li')).toHaveCount(1);
  await page.locator('#gallery li button').first().click();
  const result = await editorTokens(page);
  expect(result.slice(0, 32), 'the kept top half').toEqual(encoded.slice(0, 32));
  await page.screenshot({ path: join(SCREENS, shot), fullPage: true });
}

test('the demo encodes a drawing, keeps its top half and regenerates the rest; a picked image file is encoded too', async ({ page }) => {
  await drawsAndInpaints(page, `/?idle&model=${encodeURIComponent(model)}`, 'demo-draw-synthetic.png');
  // The pad as a PNG file, through the file picker.
  const png = await page.locator('#draw-canvas').screenshot();
  await page.getByRole('button', { name: 'clear drawing' }).click();
  await page.locator('#draw-file').setInputFiles({ name: 'drawing.png', mimeType: 'image/png', buffer: png });
  await expect(page.locator('#draw-info')).toContainText(/^drawing\.png: 64 tokens/, { timeout: 60_000 });
  await expect(page.locator('#draw-invert')).not.toBeChecked(); // a black background stays as it is
});

test('the shipped model encodes a drawing in the demo (needs a checkpoint exported with its encoder)', async ({ page }) => {
  await drawsAndInpaints(page, '/?idle', 'demo-draw-shipped.png');
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
