// The time-budget dial's bookkeeping: a cost model of one generation built from per-width pass
// costs measured on this device (calibrate.ts), a predicted time for every point of the shipped
// quality–compute front, and the choice of the best-quality point that fits a budget in ms.
// Pure (no GPU): the decode loop's rows are replayed from the mask schedule alone.
import { MgntError } from '../gpu/errors';
import type { FrontPoint } from './budget';
import { maskCounts } from './schedule';

/** ms of one decode step as a line in the rows it computes (rows = sequences × positions). */
export interface LinearCost {
  fixed: number;
  perRow: number;
}

/** What calibration measured: per width, full passes and KV-cached passes; plus one decoder pass. */
export interface PassCosts {
  version: typeof COSTS_VERSION;
  widths: Array<{ width: number; full: LinearCost; cached: LinearCost }>;
  /** One decoder pass (the final image, or a preview). */
  decoder: number;
}

/** Bumped when the measurement changes meaning: stored calibrations of another version are measured again. */
export const COSTS_VERSION = 1;

/** What a generation's rows depend on besides its schedule. */
export interface GenerationShape {
  /** Positions of a full pass (class token + image tokens: 65 for an 8×8 grid). */
  seqLen: number;
  /** Tokens to generate (all image tokens minus fixed ones). */
  masked: number;
  /** Sequences per pass: 2 with classifier-free guidance (the null-class row), else 1. */
  sequences: number;
  /** A preview image is decoded after every step. */
  preview: boolean;
}

export interface StepRows {
  width: number;
  full: boolean;
  /** Positions computed per sequence. */
  positions: number;
}

/**
 * The passes a schedule runs, replayed as generate() does: a full pass on step 0, on a width
 * change and whenever the cache is off; otherwise the still-masked positions plus those fixed on
 * the previous step (their K/V changed from [MASK] to the sampled token).
 */
export function stepRows(widths: readonly number[], cache: boolean, shape: Pick<GenerationShape, 'seqLen' | 'masked'>): StepRows[] {
  const counts = maskCounts(shape.masked, widths.length);
  const out: StepRows[] = [];
  let before = shape.masked, justFixed = 0;
  for (let t = 0; t < widths.length; t++) {
    const full = !cache || t === 0 || widths[t] !== widths[t - 1];
    out.push({ width: widths[t], full, positions: full ? shape.seqLen : before + justFixed });
    justFixed = before - counts[t];
    before = counts[t];
  }
  return out;
}

function costOf(costs: PassCosts, width: number): PassCosts['widths'][number] {
  const c = costs.widths.find((x) => Math.abs(x.width - width) < 1e-9);
  if (!c) throw new MgntError('bad-attribute', `the calibration has no cost for width ${width} (it measured ${costs.widths.map((x) => x.width).join(', ')}); recalibrate`);
  return c;
}

/** Predicted ms of one generation: every step's pass (with its sampling and readback), previews, the final decode. */
export function predictMs(costs: PassCosts, widths: readonly number[], cache: boolean, shape: GenerationShape): number {
  let ms = 0;
  for (const s of stepRows(widths, cache, shape)) {
    const c = costOf(costs, s.width)[s.full ? 'full' : 'cached'];
    ms += c.fixed + c.perRow * s.positions * shape.sequences;
  }
  return ms + costs.decoder * (1 + (shape.preview ? widths.length : 0));
}

export interface TimedPoint {
  point: FrontPoint;
  predictedMs: number;
}

/** A predicted time for every point of the front. */
export function predictFront(front: readonly FrontPoint[], costs: PassCosts, shape: GenerationShape): TimedPoint[] {
  return front.map((point) => ({ point, predictedMs: predictMs(costs, point.widths, point.cache, shape) }));
}

export interface TimeChoice extends TimedPoint {
  budgetMs: number;
  /** The budget is below the fastest point, which ran instead. */
  exceeded: boolean;
  /** The smallest budget this device meets (the fastest point's prediction). */
  lowestMs: number;
}

/** A time budget must be a positive, finite number of milliseconds. */
export function checkTimeBudget(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new MgntError('bad-attribute', `time budget must be a number of milliseconds > 0 (e.g. 200), got ${String(ms)}`);
  }
  return ms;
}

/**
 * The lowest-FID point whose predicted time fits (ties: the faster). Below the fastest point the
 * dial still generates with it but marks the choice `exceeded`, as the compute-budget dial does.
 */
export function chooseForTime(timed: readonly TimedPoint[], budgetMs: number): TimeChoice {
  checkTimeBudget(budgetMs);
  if (!timed.length) throw new MgntError('format', 'this checkpoint ships no quality–compute front; the time-budget dial needs one (train/evaluate.py)');
  const fastest = timed.reduce((a, b) => (b.predictedMs < a.predictedMs ? b : a));
  const fits = timed.filter((p) => p.predictedMs <= budgetMs);
  const best = fits.length
    ? fits.reduce((a, b) => (b.point.fid < a.point.fid || (b.point.fid === a.point.fid && b.predictedMs < a.predictedMs) ? b : a))
    : fastest;
  return { ...best, budgetMs, exceeded: !fits.length, lowestMs: fastest.predictedMs };
}

/** The notice for a time budget this device cannot meet: what was asked, what ran, the lowest it can meet. */
export function timeBudgetNotice(c: TimeChoice): string {
  return `time budget ${c.budgetMs} ms is below the fastest schedule on this device: ran "${c.point.name}" (predicted ${Math.round(c.predictedMs)} ms) instead; `
    + `the lowest time budget this device can meet is ${Math.ceil(c.lowestMs)} ms`;
}

/** Least-squares line through (rows, ms) samples, clamped to a non-negative slope and intercept. */
export function fitLine(samples: ReadonlyArray<readonly [number, number]>): LinearCost {
  if (!samples.length) throw new RangeError('fitLine: no samples');
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s[0], 0) / n, my = samples.reduce((a, s) => a + s[1], 0) / n;
  const sxx = samples.reduce((a, s) => a + (s[0] - mx) ** 2, 0);
  const sxy = samples.reduce((a, s) => a + (s[0] - mx) * (s[1] - my), 0);
  let perRow = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  let fixed = my - perRow * mx;
  if (fixed < 0) {
    // A line through the origin instead: a pass never costs less than nothing.
    const sx2 = samples.reduce((a, s) => a + s[0] * s[0], 0);
    perRow = sx2 > 0 ? samples.reduce((a, s) => a + s[0] * s[1], 0) / sx2 : 0;
    fixed = 0;
  }
  return { fixed, perRow };
}

/** Middle value (mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (!xs.length) throw new RangeError('median: no values');
  const s = xs.slice().sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * A calibration read back from storage, checked field by field: anything else (another version,
 * a width missing, a negative or non-finite cost) is null, so the device is measured again.
 */
export function checkCosts(v: unknown, widths: readonly number[]): PassCosts | null {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  const line = (x: unknown) => !!x && typeof x === 'object' && ok((x as LinearCost).fixed) && ok((x as LinearCost).perRow);
  if (!v || typeof v !== 'object') return null;
  const c = v as PassCosts;
  if (c.version !== COSTS_VERSION || !ok(c.decoder) || !Array.isArray(c.widths)) return null;
  for (const w of widths) {
    const e = c.widths.find((x) => x && typeof x === 'object' && x.width === w);
    if (!e || !line(e.full) || !line(e.cached)) return null;
  }
  return c;
}

/** The adapter as calibrations are keyed: the same model on another GPU or driver is measured anew. */
export function adapterKey(info: { vendor?: string; architecture?: string; device?: string; description?: string }): string {
  return [info.vendor, info.architecture, info.device, info.description].map((s) => (s ?? '').trim()).join('|');
}
