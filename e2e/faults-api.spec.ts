import { expect, test, type Page } from '@playwright/test';
import { call, openFaultsPage } from './faults/fixtures';

// Bad requests (issue 7) against the decode loop on a tiny random-weight model, through the same
// request resolution the session and the element use: each is rejected with `bad-attribute`
// naming the attribute before any GPU work (nothing allocated, no GPU errors), or lands in its
// documented range.
async function rejects(page: Page, req: Record<string, unknown>, message: RegExp | string): Promise<void> {
  const r = await call(page, 'generateTiny', req);
  expect(r.error, JSON.stringify(req)).toBeDefined();
  expect(r.error.type).toBe('bad-attribute');
  if (typeof message === 'string') expect(r.error.message).toBe(message);
  else expect(r.error.message).toMatch(message);
  expect(r.liveBytesDelta).toBe(0);
  expect(r.gpuErrors).toEqual([]);
}

test.describe('faults: API', () => {
  test.beforeEach(async ({ page }) => openFaultsPage(page));

  test('steps 0, −1, 10000, 10^9, NaN, 2.5, Infinity: bad-attribute naming steps and its range', async ({ page }) => {
    for (const steps of [0, -1, 10000, 1e9, NaN, 2.5, Infinity]) {
      await rejects(page, { steps }, `steps must be an integer between 1 and 64 (the number of tokens to generate), got ${steps}`);
    }
    // Every schedule kind reports the steps, not the schedule built from them.
    for (const schedule of ['baseline', 'magnets', '1,1']) await rejects(page, { steps: -1, schedule }, /^steps must be an integer between 1 and 64/);
    const ok = await call(page, 'generateTiny', { steps: 64 });
    expect(ok.error).toBeUndefined();
    expect(ok.steps).toBe(64);
  });

  test('an unknown class: bad-attribute naming the class and the range', async ({ page }) => {
    for (const classIndex of [10, -1, 1.5, NaN]) await rejects(page, { classIndex }, `class ${classIndex} is not one of 0..9`);
    const uncond = await call(page, 'generateTiny', { classIndex: null });
    expect(uncond.error).toBeUndefined();
  });

  test('seed: negative or beyond 2^53 rejected; beyond 2^32 taken mod 2^32 (SPEC §4)', async ({ page }) => {
    for (const seed of [-1, 2 ** 53, 1e300, NaN, 0.5]) await rejects(page, { seed }, `seed must be a non-negative integer, got ${seed}`);
    const a = await call(page, 'generateTiny', { seed: 5, steps: 3 });
    const b = await call(page, 'generateTiny', { seed: 2 ** 32 + 5, steps: 3 });
    const c = await call(page, 'generateTiny', { seed: 6, steps: 3 });
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
  });

  test('guidance NaN, −1, Infinity: bad-attribute naming guidance', async ({ page }) => {
    for (const guidance of [NaN, -1, Infinity]) await rejects(page, { guidance }, `guidance must be a number ≥ 0, got ${guidance}`);
    for (const temperature of [0, NaN, -2]) await rejects(page, { temperature }, `temperature must be a positive number, got ${temperature}`);
    for (const choiceTemperature of [NaN, -1]) await rejects(page, { choiceTemperature }, `choice temperature must be ≥ 0, got ${choiceTemperature}`);
  });

  test('a schedule that does not parse: bad-attribute naming the schedule and the entry', async ({ page }) => {
    await rejects(page, { schedule: 'fast' }, `schedule: schedule entry "fast" is not one of the model's widths (0.125, 0.25, 0.5, 1)`);
    await rejects(page, { schedule: '' }, `schedule: schedule entry "" is not one of the model's widths (0.125, 0.25, 0.5, 1)`);
    await rejects(page, { schedule: '1/3,1' }, `schedule: schedule entry "1/3" is not one of the model's widths (0.125, 0.25, 0.5, 1)`);
    await rejects(page, { schedule: '0.5,,1', steps: 3 }, /^schedule: schedule entry "" is not one/);
    await rejects(page, { schedule: '1/8,1' , steps: 3 }, 'schedule: schedule lists 2 widths but steps is 3; give one width per step');
    await rejects(page, { widths: [0.3, 1] }, "schedule: width 0.3 is not one of this model's widths (0.125, 0.25, 0.5, 1)");
    await rejects(page, { widths: [1] }, 'schedule: it has 1 widths for 2 steps; give one width per step');
    const ok = await call(page, 'generateTiny', { schedule: ' 1/8 , 0.25,1/2 ', steps: 3 });
    expect(ok.widths).toEqual([0.125, 0.25, 0.5]);
  });

  test('budget 0, −1, NaN: bad-attribute naming budget; a checkpoint without a quality–compute front: format', async ({ page }) => {
    for (const budget of [0, -1, NaN, Infinity]) await rejects(page, { budget }, `budget must be a number in (0, 1] (a fraction of the full-width cost), got ${budget}`);
    const r = await call(page, 'generateTiny', { budget: 0.5 });
    expect(r.error).toEqual({ name: 'MgntError', type: 'format', message: 'this checkpoint ships no quality–compute front; the budget dial needs one (train/evaluate.py)' });
    expect(r.liveBytesDelta).toBe(0);
  });

  test('extreme finite values (guidance 1e30, temperature 1e-30 / 1e30, choice temperature 1e30): valid tokens, no GPU errors', async ({ page }) => {
    for (const req of [{ guidance: 1e30 }, { temperature: 1e-30 }, { temperature: 1e30 }, { choiceTemperature: 1e30 }, { guidance: 1e30, temperature: 1e-30 }]) {
      const r = await call(page, 'generateTiny', { ...req, steps: 3 });
      expect(r.error, JSON.stringify(req)).toBeUndefined();
      expect(r.tokens.length).toBe(64);
      expect(r.tokens.every((t: number) => Number.isInteger(t) && t >= 0 && t < 64), `${JSON.stringify(req)}: ${r.tokens}`).toBe(true);
      expect(r.gpuErrors).toEqual([]);
      expect(r.liveBytesDelta).toBe(0);
    }
  });

  test('100 generations in a row: the pool’s live bytes stay flat', async ({ page }) => {
    test.setTimeout(300_000);
    const r = await call(page, 'many', 100, 2);
    console.log(`  100 generations in ${(r.ms / 1000).toFixed(1)} s; pooled bytes ${r.pooled[0]} → ${r.pooled[99]}`);
    expect(r.live).toEqual(Array(100).fill(0));
    // The pool reuses its buffers: nothing new is allocated after the first generation.
    expect(new Set(r.pooled).size).toBe(1);
    expect(r.gpuErrors).toEqual([]);
  });
});
