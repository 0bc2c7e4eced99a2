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

/**
 * The point with the lowest FID among those costing at most `budget` of the baseline; below the
 * cheapest point, the cheapest (the dial never refuses to generate).
 */
export function pickForBudget(front: FrontPoint[], budget: number): FrontPoint {
  if (!Number.isFinite(budget) || budget <= 0) {
    throw new MgntError('bad-attribute', `budget must be a number in (0, 1] (a fraction of the full-width cost), got ${budget}`);
  }
  if (!front.length) throw new MgntError('format', 'this checkpoint ships no quality–compute front; the budget dial needs one (train/evaluate.py)');
  const fits = front.filter((p) => p.fraction <= budget + 1e-9);
  if (!fits.length) return front.reduce((a, b) => (b.fraction < a.fraction ? b : a));
  return fits.reduce((a, b) => (b.fid < a.fid || (b.fid === a.fid && b.fraction < a.fraction) ? b : a));
}
