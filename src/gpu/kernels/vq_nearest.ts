import vqWgsl from '../../../shaders/vq_nearest.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { grid1d } from './grid';
import { reduceWorkgroup } from './reduce';
import { dim, distinct, fits } from './guards';

export const VQ_NEAREST: KernelDef = { name: 'vq_nearest', code: vqWgsl, bindings: ['uniform', 'read', 'read', 'rw'] };

export interface VqNearestArgs {
  B?: number;
  /** Grid cells per image (h·w) and code dimension. */
  N: number;
  D: number;
  /** Codebook entries. */
  K: number;
  /** z [B, D, h, w] (NCHW), the encoder's output. */
  z: GPUBuffer;
  zOffset?: number;
  /** [K, ldc] rows (ldc ≥ D, default D). */
  codebook: GPUBuffer;
  codebookOffset?: number;
  ldc?: number;
  /** u32 tokens out, image b's cell n at tokensOffset + b·N + n. */
  tokens: GPUBuffer;
  tokensOffset?: number;
  /** Invocations per cell: power of two ≤ 256; default as the other reductions (reduce.ts). */
  workgroupSize?: number;
}

/** A subtract, a multiply and an add per codebook entry and code dimension. */
export function vqNearestFlops(N: number, D: number, K: number, B = 1): number {
  return 3 * B * N * K * D;
}

export function vqNearest(rt: Runtime, batch: Batch, a: VqNearestArgs): void {
  const k = 'vq_nearest';
  const B = a.B ?? 1;
  dim(k, 'B', B);
  dim(k, 'N', a.N);
  dim(k, 'D', a.D);
  dim(k, 'K', a.K);
  const ldc = a.ldc ?? a.D;
  guard(a.D <= ldc, k, () => `D=${a.D} exceeds the codebook row stride (ldc=${ldc})`);
  guard(a.K < 0xffffffff, k, () => `K=${a.K} does not fit a u32 token`);
  const wg = reduceWorkgroup(rt, a.workgroupSize);
  guard(Number.isInteger(wg) && wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0, k, () => `workgroupSize must be a power of two ≤ 256, got ${wg}`);
  const zo = a.zOffset ?? 0, co = a.codebookOffset ?? 0, to = a.tokensOffset ?? 0;
  fits(k, 'z', a.z, zo + B * a.D * a.N);
  fits(k, 'codebook', a.codebook, co + (a.K - 1) * ldc + a.D);
  fits(k, 'tokens', a.tokens, to + B * a.N);
  distinct(k, a.tokens, { z: a.z, codebook: a.codebook });
  const params = new Params().u(B).u(a.N).u(a.D).u(a.K).u(ldc).u(zo).u(co).u(to).pack();
  batch.dispatch(VQ_NEAREST, params, [a.z, a.codebook, a.tokens], grid1d(B * a.N, 1, rt.gpu.limits.maxComputeWorkgroupsPerDimension), { WG: wg });
}
