import { expect, test } from '@playwright/test';
test('scratch', async ({ page }) => {
  test.setTimeout(400_000);
  await page.goto('/e2e/time-budget/index.html');
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const o: any = await page.evaluate(() => window.tb.open());
  const p = o.pareto[0];
  const g = (q: any): Promise<any> => page.evaluate((x) => window.tb.gen(x), q);
  const f = await g({ classIndex: 7, seed: 1, timeBudget: 1e6, reuse: false });
  console.log('cal', f.schedule.timeBudget.calibrationMs);
  for (const [label, q] of [
    ['plain', { reuse: false }], ['preview', { reuse: false, preview: true }], ['reuse-first', { reuse: true, preview: true, seed: 50 }], ['reuse-second', { reuse: true, preview: true, seed: 51 }],
    ['plain', { reuse: false }], ['preview', { reuse: false, preview: true }],
  ] as const) {
    const r = await g({ classIndex: 3, seed: 9, schedule: p.widths, steps: p.widths.length, cache: p.cache, ...q });
    console.log(label, 'pred', r.predictedMs.toFixed(0), 'meas', r.ms.toFixed(0), r.reused);
  }
});
