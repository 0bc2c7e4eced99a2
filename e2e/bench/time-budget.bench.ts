import { expect, test, type Page } from '@playwright/test';
import { median } from './timing';
import { record } from './results';

// The time-budget dial: how long measuring the device takes, and per point of the shipped front
// the predicted ms against the median measured ms and the prediction error. Uses the time-budget
// test page (e2e/time-budget/page.ts): the real session in its worker, results as JSON.
const call = (page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => window.tb[f as string](...(a as unknown[])), [fn, args] as const) as Promise<any>;

test('time budget: calibration, predicted vs measured ms per front point', async ({ page }) => {
  await page.goto('/e2e/time-budget/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
  const { pareto, error } = await call(page, 'open');
  expect(error).toBeUndefined();
  const rounds = Number(process.env.MGNT_BENCH_ROUNDS ?? 5);
  const cal = await call(page, 'gen', { classIndex: 7, seed: 1, timeBudget: 1e6, reuse: false, recalibrate: true });
  expect(cal.error).toBeUndefined();
  const tb = cal.schedule.timeBudget;
  const points: Array<Record<string, unknown>> = [];
  for (const p of pareto) {
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await call(page, 'gen', { classIndex: i % 10, seed: 200 + i, schedule: p.widths, steps: p.widths.length, cache: p.cache, reuse: false });
      expect(r.error).toBeUndefined();
      ms.push(r.ms);
    }
    const predicted = tb.points.find((x: { name: string }) => x.name === p.name).predictedMs as number, measured = median(ms);
    points.push({ name: p.name, fid: p.fid, predicted_ms: Math.round(predicted), measured_ms: Math.round(measured), error_pct: Number((100 * (measured - predicted) / predicted).toFixed(1)) });
  }
  const out = { calibration_ms: Math.round(tb.calibrationMs), rounds, points };
  console.log(`time budget: calibration ${out.calibration_ms} ms\n${points.map((p) => `  ${String(p.name).padEnd(18)} predicted ${String(p.predicted_ms).padStart(6)} ms  measured ${String(p.measured_ms).padStart(6)} ms  error ${p.error_pct}%`).join('\n')}`);
  console.log('time-budget:', JSON.stringify(out));
  record('time-budget', out);
});
