import { expect, test } from '@playwright/test';
import { serveFaults, syntheticDir, type FaultServer } from './faults/fixtures';

// Bad input in the demo page (index.html): refused by the form's own constraints, or answered
// with one error line naming the field; nothing drawn, the page responsive; a valid value then
// generates.
let model: FaultServer;
test.beforeAll(async () => {
  model = await serveFaults({ dir: syntheticDir() });
});
test.afterAll(async () => model?.close());

test('demo: bad steps and unparsable schedules: refused, an error naming the field, nothing drawn, no hang', async ({ page }) => {
  await page.goto(`/?idle&model=${encodeURIComponent(model.url + '/manifest.json')}`);
  await expect(page.locator('#app')).toBeVisible({ timeout: 60_000 });
  await page.locator('#schedule').selectOption('baseline');

  // The form's constraints (min 1, max 64, whole numbers) refuse to submit: nothing runs.
  for (const steps of ['0', '-3', '1000000000', '2.5']) {
    await page.locator('#steps').fill(steps);
    await page.locator('#go').click();
    expect(await page.locator('#steps').evaluate((e: HTMLInputElement) => e.validity.valid), steps).toBe(false);
    await expect(page.locator('#status')).toHaveText('');
  }

  // The random-seed button runs without the form's check: the page itself refuses, quickly.
  for (const steps of ['0', '1000000000', '-3']) {
    await page.locator('#steps').fill(steps);
    const t0 = Date.now();
    await page.locator('#dice').click();
    await expect(page.locator('#status')).toHaveText(new RegExp(`^Error: steps must be an integer between 1 and 64 \\(the number of tokens to generate\\), got ${steps}$`), { timeout: 10_000 });
    expect(Date.now() - t0, `steps ${steps} answered quickly`).toBeLessThan(5_000);
  }

  // Custom width lists that do not parse.
  await page.locator('#steps').fill('4');
  await page.locator('#schedule').selectOption('custom');
  for (const [custom, message] of [
    ['1/8,fast,1,1', /^Error: schedule: schedule entry "fast" is not one of the model's widths \(0\.125, 0\.25, 0\.5, 1\)$/],
    ['1,,1', /^Error: schedule: schedule entry "" is not one of the model's widths/],
  ] as const) {
    await page.locator('#custom').fill(custom);
    await page.locator('#go').click();
    await expect(page.locator('#status')).toHaveText(message, { timeout: 10_000 });
  }
  await expect(page.locator('#gallery li')).toHaveCount(0);

  // Valid again: both panels generate.
  await page.locator('#schedule').selectOption('baseline');
  await page.locator('#steps').fill('3');
  await page.locator('#go').click();
  await expect(page.locator('#gallery li')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.locator('#status')).toHaveText('');
});
