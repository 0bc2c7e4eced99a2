import codebookWgsl from '../../../shaders/codebook_lookup.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { dim, distinct, fits } from './guards';

export const CODEBOOK_LOOKUP: KernelDef = { name: 'codebook_lookup', code: codebookWgsl, bindings: ['uniform', 'read', 'read', 'rw'] };

export interface CodebookLookupArgs {
  B?: number;
  /** Grid cells per image (h·w, 64 for the 8×8 grid) and code dimension. */
  N: number;
  D: number;
  /** Codebook entries; tokens ≥ K are clamped to K − 1. */
  K: number;
  /** u32 tokens, image b's cell n at tokensOffset + b·N + n. */
  tokens: GPUBuffer;
  tokensOffset?: number;
  /** [K, ldc] rows (ldc ≥ D, default D). */
  codebook: GPUBuffer;
  codebookOffset?: number;
  ldc?: number;
  /** z [B, D, h, w] (NCHW). */
  z: GPUBuffer;
  zOffset?: number;
}

export function codebookLookup(rt: Runtime, batch: Batch, a: CodebookLookupArgs): void {
  const k = 'codebook_lookup';
  const B = a.B ?? 1;
  dim(k, 'B', B);
  dim(k, 'N', a.N);
  dim(k, 'D', a.D);
  dim(k, 'K', a.K);
  const ldc = a.ldc ?? a.D;
  guard(a.D <= ldc, k, () => `D=${a.D} exceeds the codebook row stride (ldc=${ldc})`);
  const to = a.tokensOffset ?? 0, co = a.codebookOffset ?? 0, zo = a.zOffset ?? 0;
  const n = B * a.N * a.D;
  guard(Math.ceil(n / 64) <= 65535, k, () => `${n} outputs exceed one dispatch`);
  fits(k, 'tokens', a.tokens, to + B * a.N);
  fits(k, 'codebook', a.codebook, co + (a.K - 1) * ldc + a.D);
  fits(k, 'z', a.z, zo + n);
  distinct(k, a.z, { tokens: a.tokens, codebook: a.codebook });
  const params = new Params().u(B).u(a.N).u(a.D).u(a.K).u(ldc).u(to).u(co).u(zo).pack();
  batch.dispatch(CODEBOOK_LOOKUP, params, [a.tokens, a.codebook, a.z], [Math.ceil(n / 64)]);
  void rt;
}
