import rngWgsl from '../../../shaders/rng.wgsl?raw';
import sampleWgsl from '../../../shaders/sample.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { reduceWorkgroup } from './reduce';
import { dim, distinct, fits } from './guards';

/** rng.wgsl is prepended: WGSL has no #include. */
export const SAMPLE: KernelDef = {
  name: 'sample',
  code: rngWgsl + '\n' + sampleWgsl,
  bindings: ['uniform', 'read', 'read', 'read', 'read', 'rw'],
};

/** Words per row of the output: token u32, conf f32, logp f32, argmax u32. */
export const SAMPLE_WORDS = 4;

export interface SampleArgs {
  /** Rows (masked positions) and active vocabulary (V ≤ ld). */
  P: number;
  V: number;
  /** Conditional logits: row i at logitsOffset + i·ld. */
  logits: GPUBuffer;
  ld: number;
  logitsOffset?: number;
  /**
   * Classifier-free guidance l = lc + scale·(lc − lu). Row i of lu at offset + i·ld (ld defaults
   * to the conditional one); buffer defaults to `logits` (rows P..2P−1 of one batch-2 output).
   */
  guidance?: { scale: number; offset: number; ld?: number; buffer?: GPUBuffer };
  /** u32 image position i of each row (the RNG's `pos`). */
  positions: GPUBuffer;
  positionsOffset?: number;
  seed: number;
  /**
   * Per-row seeds (u32, already mod 2^32) at seedsOffset + i, overriding `seed`: a batch of images
   * samples in one dispatch, every row with the noise of its own image's seed (SPEC §4 unchanged).
   */
  seeds?: GPUBuffer;
  seedsOffset?: number;
  step: number;
  /** τ > 0. */
  temperature: number;
  /** Annealed choice temperature κ·(1 − (t+1)/T) of the confidence noise. */
  kappa: number;
  /** P × 4 words (u32 element offset). */
  out: GPUBuffer;
  outOffset?: number;
  /** Invocations per row (power of two, ≤ 256); default 64, 4 on SwiftShader (see reduce.ts). */
  workgroupSize?: number;
}

const U32 = 2 ** 32;

export function sample(rt: Runtime, batch: Batch, a: SampleArgs): void {
  const k = 'sample';
  dim(k, 'P', a.P);
  dim(k, 'V', a.V);
  guard(a.P <= 65535, k, () => `P=${a.P} rows exceed one dispatch dimension (65535)`);
  guard(a.V <= a.ld, k, () => `V=${a.V} exceeds the row stride of the logits (ld=${a.ld})`);
  guard(a.temperature > 0 && Number.isFinite(a.temperature), k, () => `temperature must be > 0, got ${a.temperature}`);
  guard(Number.isFinite(a.kappa), k, () => `kappa must be finite, got ${a.kappa}`);
  guard(Number.isSafeInteger(a.seed), k, () => `seed must be an integer, got ${a.seed}`);
  guard(Number.isInteger(a.step) && a.step >= 0 && a.step < U32, k, () => `step must be a u32, got ${a.step}`);
  const wg = reduceWorkgroup(rt, a.workgroupSize);
  guard(Number.isInteger(wg) && wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0, k, () => `workgroupSize must be a power of two ≤ 256, got ${wg}`);
  const lo = a.logitsOffset ?? 0, po = a.positionsOffset ?? 0, oo = a.outOffset ?? 0;
  fits(k, 'logits', a.logits, lo + (a.P - 1) * a.ld + a.V);
  fits(k, 'positions', a.positions, po + a.P);
  const so = a.seedsOffset ?? 0;
  if (a.seeds) fits(k, 'seeds', a.seeds, so + a.P);
  fits(k, 'out', a.out, oo + a.P * SAMPLE_WORDS);
  const g = a.guidance;
  const lu = g ? (g.buffer ?? a.logits) : undefined;
  const ldu = g ? (g.ld ?? a.ld) : a.ld;
  if (g) {
    guard(Number.isFinite(g.scale), k, () => `guidance scale must be finite, got ${g.scale}`);
    guard(a.V <= ldu, k, () => `V=${a.V} exceeds the row stride of the unconditional logits (ld=${ldu})`);
    fits(k, 'unconditional logits', lu!, g.offset + (a.P - 1) * ldu + a.V);
  }
  distinct(k, a.out, { logits: a.logits, 'unconditional logits': lu, positions: a.positions, seeds: a.seeds });

  const params = new Params()
    .u(a.P).u(a.V).u(a.ld).u(ldu)
    .u(lo).u(g ? g.offset : 0).u(po).u(oo)
    .u(((a.seed % U32) + U32) % U32).u(a.step).u((g ? 1 : 0) | (a.seeds ? 2 : 0)).u(so)
    .f(Math.fround(1 / a.temperature)).f(a.kappa).f(g ? g.scale : 0).f(0)
    .pack();
  batch.dispatch(SAMPLE, params, [a.logits, lu ?? rt.dummy, a.positions, a.seeds ?? rt.dummy, a.out], [a.P], { WG: wg });
}
