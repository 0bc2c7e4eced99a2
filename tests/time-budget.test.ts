import { describe, expect, it } from 'vitest';
import type { FrontPoint } from '../src/pipeline/budget';
import { maskCounts } from '../src/pipeline/schedule';
import {
  adapterKey, checkCosts, checkTimeBudget, chooseForTime, COSTS_VERSION, fitLine, median, predictFront, predictMs, stepRows, timeBudgetNotice,
  type PassCosts,
} from '../src/pipeline/time-budget';

const shape = { seqLen: 65, masked: 64, sequences: 2, preview: false };
const line = (fixed: number, perRow: number) => ({ fixed, perRow });
const costs: PassCosts = {
  version: COSTS_VERSION,
  widths: [
    { width: 0.5, full: line(4, 0.1), cached: line(3, 0.1) },
    { width: 1, full: line(10, 0.2), cached: line(8, 0.1) },
  ],
  decoder: 5,
};
const point = (name: string, widths: number[], cache: boolean, fid: number): FrontPoint => ({ name, widths, cache, fid, fraction: 0, gflops: 0, accuracy: 0 });

describe('rows of a schedule (the decode loop replayed)', () => {
  it('full passes on step 0, on a width change and without the cache; else masked + just fixed', () => {
    const T = 6, w = [0.5, 0.5, 0.5, 1, 1, 1];
    const m = maskCounts(64, T);
    const rows = stepRows(w, true, shape);
    expect(rows.map((r) => r.full)).toEqual([true, false, false, true, false, false]);
    expect(rows[0].positions).toBe(65);
    // Step 1 computes the still-masked m0 positions plus the 64 − m0 fixed on step 0: all 64.
    expect(rows[1].positions).toBe(m[0] + (64 - m[0]));
    expect(rows[2].positions).toBe(m[1] + (m[0] - m[1]));
    expect(rows[4].positions).toBe(m[3] + (m[2] - m[3]));
    expect(rows[5].positions).toBe(m[4] + (m[3] - m[4]));
    expect(stepRows(w, false, shape).every((r) => r.full && r.positions === 65)).toBe(true);
  });
  it('fixed tokens shrink what is masked, not the full pass', () => {
    const rows = stepRows([1, 1, 1], true, { seqLen: 65, masked: 20 });
    const m = maskCounts(20, 3);
    expect(rows.map((r) => r.positions)).toEqual([65, 20, m[0]]);
  });
});

describe('predicted time', () => {
  it('sums each step (fixed + per row × rows × sequences) and the decoder passes', () => {
    const w = [0.5, 0.5, 1, 1];
    const rows = stepRows(w, true, shape);
    let want = 0;
    for (const r of rows) {
      const c = costs.widths.find((x) => x.width === r.width)![r.full ? 'full' : 'cached'];
      want += c.fixed + c.perRow * r.positions * 2;
    }
    expect(predictMs(costs, w, true, shape)).toBeCloseTo(want + 5, 9);
    // A preview decode per step; one sequence without guidance.
    expect(predictMs(costs, w, true, { ...shape, preview: true }) - predictMs(costs, w, true, shape)).toBeCloseTo(4 * 5, 9);
    expect(predictMs(costs, [1], true, { ...shape, sequences: 1 })).toBeCloseTo(10 + 0.2 * 65 + 5, 9);
  });
  it('the cache saves time and a width the calibration lacks is an error naming the fix', () => {
    expect(predictMs(costs, [1, 1, 1, 1], true, shape)).toBeLessThan(predictMs(costs, [1, 1, 1, 1], false, shape));
    expect(() => predictMs(costs, [0.25], true, shape)).toThrow(/no cost for width 0\.25.*recalibrate/);
  });
});

describe('choosing for a time budget', () => {
  const front = [point('fast', [0.5, 0.5, 0.5, 0.5], true, 30), point('mid', [0.5, 0.5, 1, 1], true, 25), point('slow', [1, 1, 1, 1], false, 24)];
  const timed = predictFront(front, costs, shape);
  const ms = Object.fromEntries(timed.map((t) => [t.point.name, t.predictedMs]));
  it('predicts every point, in order of cost here', () => {
    expect(ms.fast).toBeLessThan(ms.mid);
    expect(ms.mid).toBeLessThan(ms.slow);
  });
  it('runs the lowest FID that fits', () => {
    expect(chooseForTime(timed, ms.slow + 1)).toMatchObject({ point: { name: 'slow' }, exceeded: false });
    expect(chooseForTime(timed, ms.slow)).toMatchObject({ point: { name: 'slow' }, exceeded: false });
    expect(chooseForTime(timed, ms.slow - 0.01)).toMatchObject({ point: { name: 'mid' }, exceeded: false });
    expect(chooseForTime(timed, ms.fast)).toMatchObject({ point: { name: 'fast' }, exceeded: false, lowestMs: ms.fast });
  });
  it('below the fastest point: runs it and says so, with the lowest budget it can meet', () => {
    const c = chooseForTime(timed, 1);
    expect(c).toMatchObject({ point: { name: 'fast' }, exceeded: true, budgetMs: 1, lowestMs: ms.fast });
    expect(timeBudgetNotice(c)).toBe(`time budget 1 ms is below the fastest schedule on this device: ran "fast" (predicted ${Math.round(ms.fast)} ms) instead; the lowest time budget this device can meet is ${Math.ceil(ms.fast)} ms`);
  });
  it('rejects budgets that are not positive milliseconds, and a checkpoint without a front', () => {
    for (const b of [0, -5, NaN, Infinity]) expect(() => chooseForTime(timed, b)).toThrow(`time budget must be a number of milliseconds > 0 (e.g. 200), got ${b}`);
    expect(() => checkTimeBudget('200')).toThrow(/got 200/);
    expect(checkTimeBudget(0.5)).toBe(0.5);
    expect(() => chooseForTime([], 100)).toThrow(/no quality–compute front/);
  });
});

describe('calibration bookkeeping', () => {
  it('fits a line through samples, never below zero', () => {
    const f = fitLine([[10, 3], [20, 5], [30, 7]]);
    expect(f.fixed).toBeCloseTo(1, 9);
    expect(f.perRow).toBeCloseTo(0.2, 9);
    expect(fitLine([[10, 5], [20, 4]]).perRow).toBe(0); // noise that slopes down: flat
    const o = fitLine([[10, 1], [20, 4]]); // would cross below zero: through the origin
    expect(o.fixed).toBe(0);
    expect(o.perRow).toBeCloseTo((10 + 80) / 500, 9);
    expect(fitLine([[65, 9]])).toEqual({ fixed: 9, perRow: 0 });
  });
  it('takes medians', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
  it('accepts a stored calibration only when every width is there with sane costs', () => {
    expect(checkCosts(costs, [0.5, 1])).toBe(costs);
    expect(checkCosts(costs, [0.25, 0.5, 1])).toBeNull();
    expect(checkCosts({ ...costs, version: 0 }, [0.5, 1])).toBeNull();
    expect(checkCosts({ ...costs, decoder: -1 }, [0.5, 1])).toBeNull();
    expect(checkCosts({ ...costs, widths: [{ width: 0.5, full: line(NaN, 0), cached: line(1, 1) }, costs.widths[1]] }, [0.5, 1])).toBeNull();
    expect(checkCosts('garbage', [1])).toBeNull();
    expect(checkCosts(null, [1])).toBeNull();
  });
  it('keys calibrations by every adapter field', () => {
    const a = { vendor: 'google', architecture: 'swiftshader', device: 'subzero', description: 'SwiftShader' };
    expect(adapterKey(a)).toBe('google|swiftshader|subzero|SwiftShader');
    expect(adapterKey({ ...a, device: 'other' })).not.toBe(adapterKey(a));
    expect(adapterKey({})).toBe('|||');
  });
});
