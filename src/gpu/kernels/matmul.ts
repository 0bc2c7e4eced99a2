import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import matmulCommonWgsl from '../../../shaders/matmul_common.wgsl?raw';
import matmulBlockWgsl from '../../../shaders/matmul_block.wgsl?raw';
import matmulNaiveWgsl from '../../../shaders/matmul_naive.wgsl?raw';
import matmulSgWgsl from '../../../shaders/matmul_sg.wgsl?raw';
import matmulVec4Wgsl from '../../../shaders/matmul_vec4.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { blockGrid } from './grid';
import { dim, distinct, fits } from './guards';

const BINDINGS: KernelDef['bindings'] = ['uniform', 'read', 'read', 'read', 'read', 'rw'];
// WGSL has no #include: every kernel is the shared prelude/epilogue plus its own body.
const withCommon = (body: string, enable = '') => `${enable}${matmulCommonWgsl}\n${body}`;
export const MATMUL: KernelDef = { name: 'matmul', code: withCommon(matmulWgsl), bindings: BINDINGS };
export const MATMUL_BLOCK: KernelDef = { name: 'matmul_block', code: withCommon(matmulBlockWgsl), bindings: BINDINGS };
export const MATMUL_SG: KernelDef = { name: 'matmul_sg', code: withCommon(matmulSgWgsl, 'enable subgroups;\n'), bindings: BINDINGS };
export const MATMUL_VEC4: KernelDef = { name: 'matmul_vec4', code: withCommon(matmulVec4Wgsl), bindings: BINDINGS };
export const MATMUL_VEC4_CM: KernelDef = { name: 'matmul_vec4_cm', code: withCommon(matmulVec4Wgsl), entry: 'main_cm', bindings: BINDINGS };
export const MATMUL_VEC4_RL: KernelDef = { name: 'matmul_vec4_rl', code: withCommon(matmulVec4Wgsl), entry: 'main_rl', bindings: BINDINGS };
export const MATMUL_VEC4_T: KernelDef = { name: 'matmul_vec4_t', code: withCommon(matmulVec4Wgsl), entry: 'main_t', bindings: BINDINGS };
export const MATMUL_NAIVE: KernelDef = { name: 'matmul_naive', code: withCommon(matmulNaiveWgsl), bindings: BINDINGS };

export type MatmulVariant = 'auto' | 'vec4' | 'vec4-cm' | 'vec4-rl' | 'subgroup' | 'interleaved' | 'blocked' | 'naive';

export interface MatmulArgs {
  /** Rows computed, active output columns, active reduction length. */
  M: number;
  N: number;
  K: number;
  x: GPUBuffer;
  ldx: number;
  xOffset?: number;
  /** W is [K_full, N_full] with ldw = N_full, or with transposeW [N_full, K_full] with ldw = K_full. */
  w: GPUBuffer;
  ldw: number;
  wOffset?: number;
  transposeW?: boolean;
  y: GPUBuffer;
  ldy: number;
  yOffset?: number;
  bias?: GPUBuffer;
  biasOffset?: number;
  gelu?: boolean;
  /** Y += result: the residual add, in place. */
  accumulate?: boolean;
  /** Row m of X is gatherX[m] (u32 indices). */
  gatherX?: GPUBuffer;
  /** Row m of the result is written to row scatterY[m] of Y. */
  scatterY?: GPUBuffer;
  /** Rows of X / Y the index buffers may point at (bounds check); defaults to M. */
  rowsX?: number;
  rowsY?: number;
  /** Kernel choice (see shaders/matmul*.wgsl): 'auto' is 'vec4' (5) where aligned, else 'interleaved'
   * (3); 'subgroup' (4) needs subgroups of ≥ 4 lanes; 'blocked' (2) and 'naive' (1) are baselines. */
  variant?: MatmulVariant;
}

/** Kernel 5 reads X and W as vec4: reduction length, widths, strides and offsets must allow it. */
export function vec4Aligned(a: Pick<MatmulArgs, 'K' | 'N' | 'ldx' | 'ldw' | 'xOffset' | 'wOffset'>): boolean {
  return [a.K, a.N, a.ldx, a.ldw, a.xOffset ?? 0, a.wOffset ?? 0].every((v) => v % 4 === 0);
}

export function matmulFlops(M: number, N: number, K: number): number {
  return 2 * M * N * K;
}

export function matmul(rt: Runtime, batch: Batch, a: MatmulArgs): void {
  const k = 'matmul';
  dim(k, 'M', a.M);
  dim(k, 'N', a.N);
  dim(k, 'K', a.K);
  guard(a.K <= a.ldx, k, () => `K=${a.K} exceeds the row stride of X (ldx=${a.ldx})`);
  guard(a.N <= a.ldy, k, () => `N=${a.N} exceeds the row stride of Y (ldy=${a.ldy})`);
  if (a.transposeW) guard(a.K <= a.ldw, k, () => `K=${a.K} exceeds the row stride of transposed W (ldw=${a.ldw})`);
  else guard(a.N <= a.ldw, k, () => `N=${a.N} exceeds the row stride of W (ldw=${a.ldw})`);
  guard(!(a.gatherX && a.scatterY), k, () => 'gatherX and scatterY cannot be combined in one launch');
  const xo = a.xOffset ?? 0, wo = a.wOffset ?? 0, yo = a.yOffset ?? 0, bo = a.biasOffset ?? 0;
  const rowsX = a.gatherX ? (a.rowsX ?? a.M) : a.M;
  const rowsY = a.scatterY ? (a.rowsY ?? a.M) : a.M;
  fits(k, 'X', a.x, xo + (rowsX - 1) * a.ldx + a.K);
  fits(k, 'W', a.w, wo + (a.transposeW ? (a.N - 1) * a.ldw + a.K : (a.K - 1) * a.ldw + a.N));
  fits(k, 'Y', a.y, yo + (rowsY - 1) * a.ldy + a.N);
  if (a.bias) fits(k, 'bias', a.bias, bo + a.N);
  if (a.gatherX) fits(k, 'gatherX', a.gatherX, a.M);
  if (a.scatterY) fits(k, 'scatterY', a.scatterY, a.M);
  distinct(k, a.y, { X: a.x, W: a.w, bias: a.bias, gatherX: a.gatherX, scatterY: a.scatterY });

  const flags = (a.bias ? 1 : 0) | (a.gelu ? 2 : 0) | (a.accumulate ? 4 : 0) | (a.gatherX ? 8 : 0) | (a.scatterY ? 16 : 0);
  const params = new Params()
    .u(a.M).u(a.N).u(a.K).u(flags)
    .u(a.ldx).u(a.transposeW ? 1 : a.ldw).u(a.transposeW ? a.ldw : 1).u(a.ldy)
    .u(xo).u(wo).u(bo).u(yo)
    .pack();
  const buffers = [a.x, a.w, a.bias ?? rt.dummy, a.gatherX ?? a.scatterY ?? rt.dummy, a.y];
  // 'auto': kernel 5 where the shapes are vec4-aligned (always, for the model: it led on every
  // model shape in the least loaded side-by-side run, docs/BENCHMARKS.md, and wide loads are what
  // GPU memory wants), else kernel 3.
  const aligned = vec4Aligned(a);
  // 'vec4-cm' (kernel 5 on the column-major workgroup grid) won +20% on both MaskGIT-base shapes
  // in one quiet SwiftShader run and lost 3–6% in the next: not chosen until an idle rerun settles it.
  const variant = a.variant && a.variant !== 'auto' ? a.variant : aligned ? 'vec4' : 'interleaved';
  if (variant === 'vec4') {
    guard(aligned, k, () => 'the vec4 variant needs K, N, ldx, ldw and the X/W offsets to be multiples of 4');
    const g = blockGrid(a.M, a.N);
    batch.dispatch(a.transposeW ? MATMUL_VEC4_T : MATMUL_VEC4, params, buffers, g.groups, g.constants);
    return;
  }
  if (variant === 'vec4-cm' || variant === 'vec4-rl') {
    guard(aligned && !a.transposeW, k, () => `the ${variant} variant needs a plain (untransposed) W and K, N, ldx, ldw and the X/W offsets multiples of 4`);
    batch.dispatch(variant === 'vec4-cm' ? MATMUL_VEC4_CM : MATMUL_VEC4_RL, params, buffers, [Math.ceil(a.M / 32), Math.ceil(a.N / 64)]);
    return;
  }
  if (variant === 'subgroup') {
    guard(rt.subgroupSize >= 4, k, () => 'the subgroup variant needs the subgroups feature with subgroups of at least 4 invocations');
    batch.dispatch(MATMUL_SG, params, buffers, [Math.ceil(Math.ceil(a.M / 4) / 32), Math.ceil(a.N / 8)]);
  } else if (variant === 'naive') {
    batch.dispatch(MATMUL_NAIVE, params, buffers, [Math.ceil(a.N / 8), Math.ceil(a.M / 8)]);
  } else if (variant === 'blocked') {
    batch.dispatch(MATMUL_BLOCK, params, buffers, [Math.ceil(a.N / 64), Math.ceil(a.M / 32)]);
  } else {
    // 16×4 invocations: 4 groups of 4 interleaved lanes × 32 columns = 128 columns, 16 rows.
    batch.dispatch(MATMUL, params, buffers, [Math.ceil(a.N / 128), Math.ceil(a.M / 16)]);
  }
}
