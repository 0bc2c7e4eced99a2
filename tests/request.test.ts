import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/model/manifest';
import { resolveRequest } from '../src/pipeline/request';

// The shipped checkpoint's manifest: its real defaults and measured quality–compute front.
const m = JSON.parse(readFileSync(new URL('../public/models/fmnist-s/manifest.json', import.meta.url), 'utf8')) as Manifest;
const front = m.decode_defaults.pareto!;
const cheapest = front.reduce((a, b) => (b.fraction < a.fraction ? b : a));

describe('resolveRequest reports the schedule that runs', () => {
  it('names baseline, magnets and custom schedules with their widths', () => {
    expect(resolveRequest(m, {}).schedule).toEqual({ name: 'magnets', widths: m.decode_defaults.schedules.magnets, cache: true });
    expect(resolveRequest(m, { schedule: 'baseline', steps: 3, cache: false }).schedule).toEqual({ name: 'baseline', widths: [1, 1, 1], cache: false });
    expect(resolveRequest(m, { schedule: '1/8,1', steps: 2 }).schedule).toEqual({ name: 'custom', widths: [0.125, 1], cache: true });
    expect(resolveRequest(m, { schedule: [0.5, 0.5], steps: 2 }).schedule.name).toBe('custom');
    expect(resolveRequest(m, {}).notices).toEqual([]);
  });

  it('a budget that fits names the front point it chose, with no notice', () => {
    const r = resolveRequest(m, { budget: 1, schedule: 'magnets' });
    const best = front.reduce((a, b) => (b.fid < a.fid ? b : a));
    expect(r.schedule).toEqual({ name: best.name, widths: best.widths, cache: best.cache, budget: { requested: 1, fraction: best.fraction, exceeded: false } });
    expect(r.widths).toEqual(best.widths);
    expect(r.steps).toBe(best.widths.length);
    expect(r.notices).toEqual([]);
  });

  it('a budget below the cheapest measured schedule runs it, names it, and says the budget was exceeded', () => {
    const r = resolveRequest(m, { budget: 0.05 });
    expect(cheapest.fraction).toBeGreaterThan(0.05);
    expect(r.schedule.name).toBe(cheapest.name);
    expect(r.schedule.name).not.toBe('magnets');
    expect(r.schedule.budget).toEqual({ requested: 0.05, fraction: cheapest.fraction, exceeded: true });
    expect(r.widths).toEqual(cheapest.widths);
    expect(r.cache).toBe(cheapest.cache);
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0].type).toBe('budget-exceeded');
    expect(r.notices[0].message).toContain(`budget 0.05 is below the cheapest measured schedule: ran "${cheapest.name}"`);
  });
});
