import { describe, expect, it } from 'vitest';
import { paretoFront, pickForBudget, type FrontPoint } from '../src/pipeline/budget';

const p = (name: string, fraction: number, fid: number, accuracy = 0.9): FrontPoint => ({ name, widths: [], cache: true, fraction, gflops: fraction * 2, accuracy, fid });

describe('budget dial', () => {
  const pts = [p('baseline', 1, 10), p('half', 0.5, 10.5), p('worse-and-dearer', 0.6, 12), p('tiny', 0.1, 30), p('quarter', 0.25, 11)];
  it('keeps the Pareto front', () => {
    expect(paretoFront(pts).map((x) => x.name)).toEqual(['tiny', 'quarter', 'half', 'baseline']);
  });
  it('picks the best FID that fits', () => {
    const f = paretoFront(pts);
    expect(pickForBudget(f, 1).name).toBe('baseline');
    expect(pickForBudget(f, 0.55).name).toBe('half');
    expect(pickForBudget(f, 0.3).name).toBe('quarter');
    expect(pickForBudget(f, 0.25).name).toBe('quarter');
  });
  it('falls back to the cheapest below the front and rejects nonsense', () => {
    const f = paretoFront(pts);
    expect(pickForBudget(f, 0.01).name).toBe('tiny');
    expect(() => pickForBudget(f, 0)).toThrow(/budget/);
    expect(() => pickForBudget(f, NaN)).toThrow(/budget/);
    expect(() => pickForBudget([], 0.5)).toThrow(/front/);
  });
});
