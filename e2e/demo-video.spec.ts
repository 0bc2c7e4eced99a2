import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// The demo's Video section on the tiny random video checkpoint (?video=…), and its absence when
// no video model loads. Screenshots go to $TMPDIR/mgnt-screens/.
let server: StaticServer;
let image: string;
let video: string;
const SCREENS = join(tmpdir(), 'mgnt-screens');

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-demo-video-'));
  writeSyntheticCheckpoint(join(dir, 'i'), 1);
  writeSyntheticCheckpoint(join(dir, 'v'), 1, { video: true });
  server = await serveStatic(dir);
  image = `${server.url}/i/manifest.json`;
  video = `${server.url}/v/manifest.json`;
  mkdirSync(SCREENS, { recursive: true });
});
test.afterAll(() => server.close());

test('a clip per class (baseline | magnets with GFLOPs and ms) and frame prediction as context | predicted | real', async ({ page }) => {
  test.setTimeout(240_000);
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto(`/?idle&model=${encodeURIComponent(image)}&video=${encodeURIComponent(video)}`);
  const section = page.locator('#video');
  await expect(section).toBeVisible({ timeout: 60_000 });
  await expect(section.locator('h2')).toContainText('5 frames of 32×32, 8 fps');
  await section.getByRole('button', { name: 'Generate a clip per class' }).click();
  await expect(section.locator('.clip-row')).toHaveCount(10, { timeout: 200_000 });
  await expect(section.locator('figure.clip figcaption').last()).toContainText(/^magnets: [\d.]+ GFLOPs · \d+ ms$/, { timeout: 200_000 });
  await expect(section.locator('figure.clip figcaption').first()).toContainText(/^baseline: [\d.]+ GFLOPs/);
  await expect(section.locator('.figures').first()).toContainText(/MaGNeTS: [\d.]+× fewer GFLOPs than baseline/);
  await section.locator('#video-context').selectOption('3');
  await section.locator('#video-clip').fill('2');
  await section.getByRole('button', { name: 'Predict the rest' }).click();
  await expect(section.locator('.strip')).toHaveCount(2, { timeout: 60_000 });
  await expect(section.locator('.strip').first().locator('canvas')).toHaveCount(5);
  await expect(section.locator('.strip').first().locator('canvas.context')).toHaveCount(3);
  await expect(section.locator('.strip').first().locator('canvas.predicted')).toHaveCount(2);
  await expect(section.locator('.strip').nth(1).locator('canvas.real')).toHaveCount(2);
  await expect(section).toContainText(/test clip 2 of 3: 3 frame\(s\) given \(outlined\), 2 predicted/);
  await section.screenshot({ path: join(SCREENS, 'demo-video.png') });
});

test('without a video model the section stays hidden and the image demo works', async ({ page }) => {
  await page.goto(`/?idle&model=${encodeURIComponent(image)}&video=${encodeURIComponent(`${server.url}/none/manifest.json`)}`);
  await expect(page.locator('#app')).toBeVisible({ timeout: 60_000 });
  await page.waitForTimeout(2000);
  await expect(page.locator('#video')).toBeHidden();
});
