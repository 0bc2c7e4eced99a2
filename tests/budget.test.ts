import { describe, expect, it } from 'vitest';
import { budgetNotice, chooseForBudget, paretoFront, pickForBudget, type FrontPoint } from '../src/pipeline/budget';

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
  it('says when the budget is below the cheapest point, and only then', () => {
    const f = paretoFront(pts);
    expect(chooseForBudget(f, 0.01)).toMatchObject({ exceeded: true, budget: 0.01, point: { name: 'tiny', fraction: 0.1 } });
    expect(chooseForBudget(f, 0.1)).toMatchObject({ exceeded: false, point: { name: 'tiny' } });
    expect(chooseForBudget(f, 0.3)).toMatchObject({ exceeded: false, point: { name: 'quarter' } });
  });
  it('the notice names the budget, the schedule that ran, its cost and the lowest budget that fits', () => {
    const c = chooseForBudget(paretoFront([p('m2-2-4-4', 0.2671937, 27.4), p('baseline', 1, 24.8)]), 0.05);
    expect(budgetNotice(c)).toBe(
      'budget 0.05 is below the cheapest measured schedule: ran "m2-2-4-4" (0.267 of the full-width cost) instead; the lowest budget this checkpoint can meet is 0.268',
    );
    // The lowest budget it names is one that the dial does meet.
    expect(chooseForBudget([c.point], 0.268).exceeded).toBe(false);
  });
});
