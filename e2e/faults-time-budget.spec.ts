import { expect, test, type Page } from '@playwright/test';

// Faults of the time-budget dial (issue 13 part 5) on the shipped model: bad budgets are rejected
// before the device is measured, and a damaged stored calibration is dropped and measured again
// rather than trusted.

async function openPage(page: Page): Promise<void> {
  await page.goto('/e2e/time-budget/index.html');
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const r: any = await page.evaluate(() => window.tb.open());
  expect(r.error).toBeUndefined();
}
const gen = (page: Page, req: Record<string, unknown>): Promise<any> => page.evaluate((q) => window.tb.gen(q), req);
const calibrations = (page: Page): Promise<Array<{ key: string; record: any }>> => page.evaluate(() => window.tb.calibrations() as Promise<any>);

test.describe('faults: time budget', () => {
  test('0, −1, NaN, Infinity, a string: bad-attribute naming the time budget and the fix; with budget too: bad-attribute; nothing measured', async ({ page }) => {
    await openPage(page);
    for (const timeBudget of [0, -1, NaN, Infinity, '200']) {
      const r = await gen(page, { classIndex: 1, timeBudget });
      expect(r.error, String(timeBudget)).toMatchObject({ name: 'MgntError', type: 'bad-attribute' });
      const shown = typeof timeBudget === 'number' && !Number.isFinite(timeBudget) && !Number.isNaN(timeBudget) ? 'Infinity' : String(timeBudget);
      expect(r.error.message).toBe(`time budget must be a number of milliseconds > 0 (e.g. 200), got ${shown}`);
    }
    const both = await gen(page, { classIndex: 1, timeBudget: 200, budget: 0.5 });
    expect(both.error).toEqual({ name: 'MgntError', type: 'bad-attribute', message: 'give a compute budget (budget, a fraction of the full-width cost) or a time budget (timeBudget, in ms), not both' });
    expect(await calibrations(page)).toEqual([]);
  });

  test('<mgnt-canvas time-budget> not a positive number of ms: an error event and a rejected generate(), naming the attribute and the fix', async ({ page }) => {
    await page.goto('/e2e/element/index.html');
    await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
    for (const v of ['0', '-5', 'fast', 'Infinity']) {
      const r = await page.evaluate(async (value) => {
        window.events = [];
        const el = (document.getElementById('t') ?? Object.assign(document.createElement('mgnt-canvas'), { id: 't' })) as any;
        el.setAttribute('model', '/models/fmnist-s/manifest.json');
        if (!el.isConnected) document.getElementById('stage')!.append(el);
        el.setAttribute('time-budget', value);
        const prop = el.timeBudget;
        const error = await el.generate().then(() => null, (e: any) => ({ type: e.type, message: e.message }));
        return { prop, error, events: window.events.filter((e) => e.type === 'error' || e.type === 'generate').map((e) => ({ type: e.type, detail: e.detail })) };
      }, v);
      const message = `<mgnt-canvas> time-budget="${v}" is not valid: expected a time in milliseconds > 0, e.g. time-budget="200"`;
      expect(r.prop, v).toBeNull(); // an invalid value reads as null, as for the other number attributes
      expect(r.error).toEqual({ type: 'bad-attribute', message });
      expect(r.events.length).toBeGreaterThanOrEqual(1);
      for (const e of r.events) expect(e).toEqual({ type: 'error', detail: { type: 'bad-attribute', message, fatal: expect.any(Boolean) } });
    }
    // The property writes the attribute.
    expect(await page.evaluate(() => {
      const el = document.getElementById('t') as any;
      el.timeBudget = 250;
      return [el.getAttribute('time-budget'), el.timeBudget];
    })).toEqual(['250', 250]);
  });

  test('a damaged stored calibration (changed bytes, an older shape, not a record at all) is dropped and measured again', async ({ page }) => {
    test.setTimeout(400_000);
    await openPage(page);
    const first = await gen(page, { classIndex: 7, seed: 1, timeBudget: 1 });
    expect(first.schedule.timeBudget.calibration).toBe('measured');
    const [entry] = await calibrations(page);
    expect(entry.key).toMatch(/^calib\//);
    for (const how of ['bytes', 'fields', 'garbage'] as const) {
      await page.evaluate(() => window.tb.close());
      await page.evaluate(([k, h]) => window.tb.editCalibration(k, h), [entry.key, how] as const);
      await openPage(page); // a fresh session: nothing in memory
      const r = await gen(page, { classIndex: 7, seed: 1, timeBudget: 1 });
      expect(r.error, how).toBeUndefined();
      expect(r.schedule.timeBudget.calibration, how).toBe('measured');
      expect(r.schedule.timeBudget.points.every((p: { predictedMs: number }) => Number.isFinite(p.predictedMs) && p.predictedMs > 0), how).toBe(true);
      // The fresh measurement replaced the damaged entry under the same key.
      const after = await calibrations(page);
      expect(after.map((c) => c.key)).toEqual([entry.key]);
      expect(after[0].record.sealed).toBe(1);
    }
    // And the repaired entry is what the next session reads.
    await page.evaluate(() => window.tb.close());
    await openPage(page);
    expect((await gen(page, { classIndex: 7, seed: 1, timeBudget: 1 })).schedule.timeBudget.calibration).toBe('stored');
  });
});
