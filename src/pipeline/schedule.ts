// Pure bookkeeping of the MaskGIT / MaGNeTS decode loop (docs/SPEC.md §5). No GPU here, so every
// rule is unit-tested on its own and mirrors train/decode.py line for line.

export const WIDTHS = [0.125, 0.25, 0.5, 1] as const;

/**
 * How many image tokens are still masked after each step t = 0..T-1:
 * m_t = max(0, min(m_{t-1} − 1, floor(U·cos(π/2·(t+1)/T)))), m_{-1} = U.
 * At least one token is fixed per step and every token is fixed after the last one.
 */
export function maskCounts(U: number, T: number): number[] {
  if (!Number.isInteger(U) || U < 1) throw new RangeError(`masked token count must be ≥ 1, got ${U}`);
  if (!Number.isInteger(T) || T < 1 || T > U) throw new RangeError(`steps must be an integer in 1..${U}, got ${T}`);
  const out: number[] = [];
  let prev = U;
  for (let t = 0; t < T; t++) {
    const target = Math.floor(U * Math.cos((Math.PI / 2) * ((t + 1) / T)));
    const m = Math.max(0, Math.min(prev - 1, target));
    out.push(m);
    prev = m;
  }
  out[T - 1] = 0;
  return out;
}

/** Classifier-free guidance scale on step t: ramps linearly to g on the last step. */
export function guidanceScale(g: number, t: number, T: number): number {
  return (g * (t + 1)) / T;
}

/** Weight of the Gumbel noise in the confidence on step t: κ·(1 − (t+1)/T). */
export function choiceNoise(kappa: number, t: number, T: number): number {
  return kappa * (1 - (t + 1) / T);
}

/**
 * Which masked positions take their sampled token this step: sort by confidence descending (ties:
 * smaller position first) and keep the first `count − keepMasked`.
 */
export function selectFixed(positions: ArrayLike<number>, confidence: ArrayLike<number>, keepMasked: number): number[] {
  const order = Array.from({ length: positions.length }, (_, i) => i);
  order.sort((a, b) => confidence[b] - confidence[a] || positions[a] - positions[b]);
  const n = Math.max(0, positions.length - keepMasked);
  return order.slice(0, n).map((i) => positions[i]);
}

export type ScheduleName = 'baseline' | 'magnets';

/** Upper bound on steps any schedule is built for (a model allows at most its token count). */
export const MAX_STEPS = 4096;

/**
 * Parses a schedule: `baseline`, `magnets` (from the checkpoint's defaults, scaled to T steps),
 * or a comma list with one width per step (`0.125,0.25,…` or fractions `1/8,1/4,…`).
 */
export function parseSchedule(spec: string, T: number, magnets: readonly number[], widths: readonly number[] = WIDTHS): number[] {
  // Before any array of length T exists: a huge or fractional T must not allocate or hang.
  if (!Number.isInteger(T) || T < 1 || T > MAX_STEPS) throw new RangeError(`steps must be an integer between 1 and ${MAX_STEPS}, got ${T}`);
  const s = spec.trim();
  if (s === 'baseline') return Array(T).fill(Math.max(...widths));
  if (s === 'magnets') return resample(magnets, T);
  const parts = s.split(',').map((p) => p.trim());
  const out = parts.map((p) => {
    const m = /^(\d+)\s*\/\s*(\d+)$/.exec(p);
    const v = m ? Number(m[1]) / Number(m[2]) : p === '' ? NaN : Number(p);
    if (!widths.some((w) => Math.abs(w - v) < 1e-9)) {
      throw new RangeError(`schedule entry "${p}" is not one of the model's widths (${widths.join(', ')})`);
    }
    return widths.find((w) => Math.abs(w - v) < 1e-9)!;
  });
  if (out.length !== T) throw new RangeError(`schedule lists ${out.length} widths but steps is ${T}; give one width per step`);
  return out;
}

/** Stretches a per-step width list to T steps, keeping the fraction of steps at each width. */
export function resample(widths: readonly number[], T: number): number[] {
  if (widths.length === T) return widths.slice();
  return Array.from({ length: T }, (_, t) => widths[Math.min(widths.length - 1, Math.floor(((t + 0.5) * widths.length) / T))]);
}
