/** Element-wise comparison |gpu − ref| ≤ atol + rtol·|ref|, with the worst element reported. */
export interface Comparison {
  ok: boolean;
  count: number;
  bad: number;
  maxAbs: number;
  maxRel: number;
  worst: { index: number; got: number; want: number } | null;
}

export function compare(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): Comparison {
  if (got.length !== want.length) {
    return { ok: false, count: want.length, bad: want.length, maxAbs: Infinity, maxRel: Infinity, worst: null };
  }
  let bad = 0, maxAbs = 0, maxRel = 0, worstScore = -1;
  let worst: Comparison['worst'] = null;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const d = Math.abs(g - w);
    const score = Number.isNaN(d) ? Infinity : d / (atol + rtol * Math.abs(w));
    if (score > 1) bad++;
    if (score > worstScore) {
      worstScore = score;
      worst = { index: i, got: g, want: w };
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
    const rel = d / Math.max(Math.abs(w), 1e-30);
    if (rel > maxRel) maxRel = rel;
  }
  return { ok: bad === 0, count: want.length, bad, maxAbs, maxRel, worst };
}

/** Deterministic test data (mulberry32), so a failing case can be rerun. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12), v = r();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}
