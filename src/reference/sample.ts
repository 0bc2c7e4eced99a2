/**
 * CPU reference of shaders/sample.wgsl (SPEC §5 sampling). The guided, tempered logits and the
 * Gumbel scores are rounded to f32 step by step exactly as the kernel computes them, so the
 * sampled token is identical unless two scores lie within a few f32 ulp (the log of WGSL and
 * of numpy are not correctly rounded); `gap` reports how close the runner-up was.
 */
import { gumbel } from './rng';

export interface SampleRefArgs {
  P: number;
  V: number;
  logits: Float32Array;
  ld: number;
  logitsOffset?: number;
  guidance?: { scale: number; offset: number; ld?: number; logits?: Float32Array };
  positions: Uint32Array;
  seed: number;
  /** Per-row seeds overriding `seed` (the kernel's `seeds` buffer). */
  seeds?: ArrayLike<number>;
  step: number;
  temperature: number;
  kappa: number;
}

export interface SampleRefResult {
  token: Uint32Array;
  conf: Float32Array;
  logp: Float32Array;
  argmax: Uint32Array;
  /** Best minus second-best Gumbel score per row (f32); near 0 means a near-tie. */
  gap: Float32Array;
}

/** The kernel's finite stand-in for a +inf Gumbel draw (u rounded to 1.0). */
export const GUMBEL_INF = Math.fround(3.0e38);

const f = Math.fround;

export function gumbelNoise(seed: number, step: number, pos: number, stream: number): number {
  const g = gumbel(((seed % 2 ** 32) + 2 ** 32) % 2 ** 32, step, pos, stream);
  return g === Infinity ? GUMBEL_INF : g;
}

export function sampleRef(a: SampleRefArgs): SampleRefResult {
  const lo = a.logitsOffset ?? 0;
  const g = a.guidance;
  const lu = g ? (g.logits ?? a.logits) : undefined;
  const ldu = g ? (g.ld ?? a.ld) : a.ld;
  const inv = f(1 / a.temperature);
  const scale = g ? f(g.scale) : 0;
  const kappa = f(a.kappa);
  const res: SampleRefResult = {
    token: new Uint32Array(a.P), conf: new Float32Array(a.P), logp: new Float32Array(a.P),
    argmax: new Uint32Array(a.P), gap: new Float32Array(a.P),
  };
  const lt = new Float64Array(a.V);
  for (let i = 0; i < a.P; i++) {
    const pos = a.positions[i];
    const seed = a.seeds ? a.seeds[i] : a.seed;
    let best = -Infinity, second = -Infinity, bi = 0, am = -Infinity, ai = 0, m = -Infinity;
    for (let v = 0; v < a.V; v++) {
      const lc = a.logits[lo + i * a.ld + v];
      const l = g ? f(lc + f(scale * f(lc - lu![g.offset + i * ldu + v]))) : lc;
      const t = f(l * inv);
      lt[v] = t;
      const sc = f(t + gumbelNoise(seed, a.step, pos, 1 + v));
      if (sc > best) { second = best; best = sc; bi = v; } else if (sc > second) second = sc;
      if (l > am) { am = l; ai = v; }
      if (t > m) m = t;
    }
    let s = 0;
    for (let v = 0; v < a.V; v++) s += Math.exp(lt[v] - m);
    const logp = lt[bi] - m - Math.log(s);
    res.token[i] = bi;
    res.logp[i] = logp;
    res.conf[i] = kappa !== 0 ? logp + kappa * gumbelNoise(seed, a.step, pos, 0) : logp;
    res.argmax[i] = ai;
    res.gap[i] = best - second;
  }
  return res;
}
