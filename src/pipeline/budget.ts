// The compute-budget dial: pick, from the quality–compute Pareto front shipped with the
// checkpoint (measured by train/evaluate.py), the best schedule whose cost fits a budget given as a
// fraction of the full-width baseline's GFLOPs per image.
import { MgntError } from '../gpu/errors';

export interface FrontPoint {
  name: string;
  widths: number[];
  cache: boolean;
  /** GFLOPs per image ÷ the baseline's (full width every step, no cache). */
  fraction: number;
  gflops: number;
  accuracy: number;
  fid: number;
}

/** Keeps the points no other point beats on both cost and FID (ties: higher accuracy). */
export function paretoFront(points: FrontPoint[]): FrontPoint[] {
  const sorted = points.slice().sort((a, b) => a.fraction - b.fraction || a.fid - b.fid || b.accuracy - a.accuracy);
  const front: FrontPoint[] = [];
  for (const p of sorted) if (!front.length || p.fid < front[front.length - 1].fid) front.push(p);
  return front;
}

/** What the dial chose for a budget, and whether the budget could be met at all. */
export interface BudgetChoice {
  point: FrontPoint;
  budget: number;
  /** The budget is below the cheapest measured schedule, which ran instead (it costs more than asked). */
  exceeded: boolean;
}

/**
 * The point with the lowest FID among those costing at most `budget` of the baseline. Below the
 * cheapest point the dial still generates (a picture late beats none) but says so: the cheapest
 * point comes back with `exceeded`, so callers can tell the user their budget was not met.
 */
export function chooseForBudget(front: FrontPoint[], budget: number): BudgetChoice {
  if (!Number.isFinite(budget) || budget <= 0) {
    throw new MgntError('bad-attribute', `budget must be a number in (0, 1] (a fraction of the full-width cost), got ${budget}`);
  }
  if (!front.length) throw new MgntError('format', 'this checkpoint ships no quality–compute front; the budget dial needs one (train/evaluate.py)');
  const fits = front.filter((p) => p.fraction <= budget + 1e-9);
  if (!fits.length) return { point: front.reduce((a, b) => (b.fraction < a.fraction ? b : a)), budget, exceeded: true };
  return { point: fits.reduce((a, b) => (b.fid < a.fid || (b.fid === a.fid && b.fraction < a.fraction) ? b : a)), budget, exceeded: false };
}

/** The chosen point alone (see chooseForBudget, which also says whether the budget was met). */
export function pickForBudget(front: FrontPoint[], budget: number): FrontPoint {
  return chooseForBudget(front, budget).point;
}

/** The notice for a budget the front cannot meet: what was asked, what ran, and the fix. */
export function budgetNotice(c: BudgetChoice): string {
  const f = (x: number) => x.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return `budget ${c.budget} is below the cheapest measured schedule: ran "${c.point.name}" (${f(c.point.fraction)} of the full-width cost) instead; `
    + `the lowest budget this checkpoint can meet is ${f(Math.ceil(c.point.fraction * 1000) / 1000)}`;
}
