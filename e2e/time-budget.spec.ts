import { expect, test, type Page } from '@playwright/test';

// The time-budget dial (issue 13 part 5) on the shipped model in a real session on SwiftShader:
// the device is measured once, every point of the front gets a predicted time, and predictions
// are checked against measured generations.

async function openPage(page: Page): Promise<{ id: string; pareto: Array<{ name: string; widths: number[]; cache: boolean; fid: number }> }> {
  await page.goto('/e2e/time-budget/index.html');
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const r: any = await page.evaluate(() => window.tb.open());
  expect(r.error).toBeUndefined();
  return r;
}

const gen = (page: Page, req: Record<string, unknown>): Promise<any> => page.evaluate((q) => window.tb.gen(q), req);

test.describe('time budget', () => {
  test('predictions land within 25% of measured for every point of the front', async ({ page }) => {
    test.setTimeout(600_000);
    const { pareto } = await openPage(page);
    // Each attempt measures the device again, then runs every point a few times (medians): on a
    // machine whose load changes by the minute a prediction is only as good as the load stays the
    // same, so a burst of load between calibration and runs gets another attempt, at most three.
    // A systematic error beyond 25% fails every attempt.
    const REPS = 3, ATTEMPTS = 3;
    let worst = Infinity;
    for (let attempt = 1; attempt <= ATTEMPTS && worst > 0.25; attempt++) {
      const first = await gen(page, { classIndex: 7, seed: attempt, timeBudget: 1e6, reuse: false, recalibrate: true });
      expect(first.error).toBeUndefined();
      expect(first.schedule.timeBudget).toMatchObject({ requested: 1e6, exceeded: false, calibration: 'measured' });
      const predicted = new Map<string, number>(first.schedule.timeBudget.points.map((p: { name: string; predictedMs: number }) => [p.name, p.predictedMs]));
      expect([...predicted.keys()]).toEqual(pareto.map((p) => p.name));
      const rows: string[] = [];
      worst = 0;
      for (const p of pareto) {
        const ms: number[] = [];
        for (let k = 0; k < REPS; k++) {
          const r = await gen(page, { classIndex: k % 10, seed: 100 + k, schedule: p.widths, steps: p.widths.length, cache: p.cache, reuse: false });
          expect(r.error).toBeUndefined();
          // Any generation on a calibrated device carries the prediction the dial made for its schedule.
          expect(r.predictedMs).toBeCloseTo(predicted.get(p.name)!, 6);
          ms.push(r.ms);
        }
        ms.sort((x, y) => x - y);
        const measured = ms[REPS >> 1], pred = predicted.get(p.name)!, err = (measured - pred) / pred;
        worst = Math.max(worst, Math.abs(err));
        rows.push(`  ${p.name.padEnd(18)} predicted ${pred.toFixed(0).padStart(5)} ms  measured ${measured.toFixed(0).padStart(5)} ms (runs ${ms.map((x) => x.toFixed(0)).join(', ')})  error ${(100 * err).toFixed(1)}%`);
      }
      console.log(`attempt ${attempt}: calibration ${first.schedule.timeBudget.calibrationMs.toFixed(0)} ms; predicted vs measured (median of ${REPS}) on SwiftShader:\n${rows.join('\n')}`);
    }
    expect(worst, 'largest |measured − predicted| ÷ predicted over the front').toBeLessThanOrEqual(0.25);
  });
});

// <mgnt-canvas time-budget> on the shipped model: what the element reports, and the calibration
// kept in IndexedDB for the next page load, keyed by adapter and checkpoint.
async function openElementPage(page: Page): Promise<void> {
  await page.goto('/e2e/element/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

/** Generates on element #t (created with `attrs` the first time) and returns the result and its events, as JSON. */
function generateOn(page: Page, attrs: Record<string, string>): Promise<any> {
  return page.evaluate(async (a) => {
    let el = document.getElementById('t') as any;
    if (!el) {
      el = document.createElement('mgnt-canvas');
      el.id = 't';
      document.getElementById('stage')!.append(el);
    }
    for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
    window.events = [];
    try {
      const r = await el.generate();
      const ev = window.events.filter((e) => e.type === 'error' || e.type === 'generate').map((e) => ({ type: e.type, detail: e.type === 'error' ? e.detail : { ms: e.detail.ms, predictedMs: e.detail.predictedMs, schedule: e.detail.schedule } }));
      return { ms: r.ms, predictedMs: r.predictedMs, schedule: r.schedule, notices: r.notices, events: ev, id: el.modelInfo.id };
    } catch (e) {
      return { error: { type: (e as any).type, message: (e as Error).message } };
    }
  }, attrs);
}

test.describe('time budget: <mgnt-canvas>', () => {
  test('a budget below the fastest point runs it and says so; a roomy one runs the best FID; the calibration is stored and reused after a reload', async ({ page }) => {
    test.setTimeout(300_000);
    await openElementPage(page);
    const base = { model: '/models/fmnist-s/manifest.json', class: 'sneaker', seed: '3', loading: 'eager' };
    const low = await generateOn(page, { ...base, 'time-budget': '1' });
    expect(low.error).toBeUndefined();
    const tb = low.schedule.timeBudget;
    expect(tb).toMatchObject({ requested: 1, exceeded: true, calibration: 'measured' });
    const fastest = tb.points.reduce((a: any, b: any) => (b.predictedMs < a.predictedMs ? b : a));
    expect(low.schedule.name).toBe(fastest.name);
    expect(tb.predictedMs).toBe(fastest.predictedMs);
    expect(tb.lowestMs).toBe(fastest.predictedMs);
    expect(low.predictedMs).toBe(tb.predictedMs);
    expect(low.ms).toBeGreaterThan(0);
    const message = `time budget 1 ms is below the fastest schedule on this device: ran "${fastest.name}" (predicted ${Math.round(fastest.predictedMs)} ms) instead; the lowest time budget this device can meet is ${Math.ceil(fastest.predictedMs)} ms`;
    expect(low.notices).toEqual([{ type: 'time-budget-exceeded', message }]);
    // The notice as a non-fatal error event, then the result with predicted and measured ms.
    expect(low.events.map((e: any) => e.type)).toEqual(['error', 'generate']);
    expect(low.events[0].detail).toEqual({ type: 'time-budget-exceeded', message, fatal: false });
    expect(low.events[1].detail).toMatchObject({ ms: low.ms, predictedMs: low.predictedMs, schedule: { name: fastest.name } });
    console.log(`element: "${fastest.name}" predicted ${low.predictedMs.toFixed(0)} ms (previews included), measured ${low.ms.toFixed(0)} ms; calibration ${tb.calibrationMs.toFixed(0)} ms`);

    // Room for every point: the lowest FID runs, from the calibration held in memory.
    const roomy = await generateOn(page, { 'time-budget': String(Math.ceil(Math.max(...tb.points.map((p: any) => p.predictedMs))) + 1) });
    const best = tb.points.reduce((a: any, b: any) => (b.fid < a.fid ? b : a));
    expect(roomy.schedule).toMatchObject({ name: best.name, timeBudget: { exceeded: false, calibration: 'memory', calibrationMs: 0 } });
    expect(roomy.notices).toEqual([]);

    // One entry, keyed by the checkpoint and this adapter.
    const adapter = await page.evaluate(async () => {
      const i = (await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' }))!.info;
      return [i.vendor, i.architecture, i.device, i.description].map((s) => (s ?? '').trim()).join('|');
    });
    const keys = await calibrationKeys(page);
    expect(keys).toEqual([`calib/${low.id}/${encodeURIComponent(adapter)}`]);

    // A new page (a new worker and session): read back, not measured again.
    await page.reload();
    await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
    const again = await generateOn(page, { ...base, 'time-budget': '1' });
    expect(again.schedule.timeBudget).toMatchObject({ calibration: 'stored', calibrationMs: 0, exceeded: true });
    expect(again.schedule.timeBudget.points).toEqual(tb.points);
    expect(await calibrationKeys(page)).toEqual(keys);
  });
});

function calibrationKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => new Promise<string[]>((resolve, reject) => {
    const open = indexedDB.open('mgnt-cache');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('cache').objectStore('cache').getAllKeys();
      req.onsuccess = () => {
        resolve((req.result as string[]).filter((k) => String(k).startsWith('calib/')));
        open.result.close();
      };
      req.onerror = () => reject(req.error);
    };
  }));
}

test('time budget: the demo slider runs the point the session chose and shows predicted and measured ms', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await expect(page.locator('#ratio')).toContainText(/GFLOPs|Same schedule/, { timeout: 120_000 });
  await page.locator('#schedule').selectOption('time');
  await expect(page.locator('#time-label')).toBeVisible();
  await page.locator('#time-budget').fill('50'); // below any point on SwiftShader
  await expect(page.locator('#time-budget-out')).toHaveText('50 ms');
  // The chosen point may be the magnets schedule the page opened with: no result cache, a real run.
  await page.locator('#reuse').uncheck();
  await page.locator('#go').click();
  await expect(page.locator('#panel-magnets h2')).toHaveText(/^MaGNeTS \(time budget 50 ms → [\w-]+\)$/, { timeout: 240_000 });
  await expect(page.locator('#panel-magnets .figures')).toContainText(/GFLOPs · \d+ ms \(predicted \d+ ms\)/);
  await expect(page.locator('#ratio')).toContainText('time budget 50 ms is below the fastest schedule on this device');
  // The strip shows the chosen schedule's widths, one per step.
  expect(await page.locator('#panel-magnets .widths li').count()).toBeGreaterThan(0);
});
