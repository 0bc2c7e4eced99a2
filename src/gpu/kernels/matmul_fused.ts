// Kernel 6 of matmul (shaders/matmul_fused.wgsl): up to three products sharing their input rows in
// one launch (Q, K, V), each with its own weights, bias and output, optionally with the preceding
// LayerNorm folded in. One dispatch where the plain kernels need one per product plus one for the
// LayerNorm.
import fusedWgsl from '../../../shaders/matmul_fused.wgsl?raw';
import fusedScalarWgsl from '../../../shaders/matmul_fused_scalar.wgsl?raw';
import fusedVec4Wgsl from '../../../shaders/matmul_fused_vec4.wgsl?raw';
import { guard } from '../errors';
import { Params, type BindingKind, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { blockGrid } from './grid';
import { dim, distinct, fits } from './guards';
import type { MatmulArgs } from './matmul';

/** Output bindings 5.. and one copy of the per-output store per binding (WGSL cannot index
 * bindings); store_block branches once per invocation on z. */
function perOutput(n: number, common: string): string {
  const [head, rest] = common.split('// @per-output begin');
  const [fn, tail] = rest.split('// @per-output end');
  const decl = Array.from({ length: n }, (_, i) => `@group(0) @binding(${5 + i}) var<storage, read_write> Y${i}: array<f32>;`).join('\n');
  const copies = Array.from({ length: n }, (_, i) => fn.replaceAll('Y_Z', `Y${i}`).replaceAll('_Z', `_${i}`)).join('\n');
  const calls = Array.from({ length: n }, (_, i) => `store_block_${i}(o, r0, c0, acc, st);`)
    .map((c, i) => (i < n - 1 ? `if (o.z == ${i}u) { ${c} return; }` : c))
    .join(' ');
  const pick = `fn store_block(o: Sel, r0: u32, c0: u32, acc: array<vec4<f32>, 8>, st: array<vec2<f32>, 4>) { ${calls} }\n`;
  return `${decl}\n${head}${copies}${pick}${tail}`;
}

function def(n: number, body: 'vec4' | 'scalar'): KernelDef {
  const bindings: BindingKind[] = ['uniform', 'read', 'read', 'read', 'read', ...Array<BindingKind>(n).fill('rw')];
  return { name: `matmul_fused${n}_${body}`, code: `${perOutput(n, fusedWgsl)}\n${body === 'vec4' ? fusedVec4Wgsl : fusedScalarWgsl}`, bindings };
}
export const MATMUL_FUSED = { 1: { vec4: def(1, 'vec4'), scalar: def(1, 'scalar') }, 3: { vec4: def(3, 'vec4'), scalar: def(3, 'scalar') } } as const;

/** One product of a fused launch. W is [K_full, N_full] (row stride ldw), all products alike. */
export interface FusedOutput {
  wOffset: number;
  /** Bias (with LN: gamma·beta folded in, src/model/fold.ts) in the `bias` buffer. */
  biasOffset?: number;
  /** With LN: C[n] = Σ_{k<K} W[k, n], in the `bias` buffer. */
  colSumOffset?: number;
  y: GPUBuffer;
  yOffset?: number;
  /** Row m of the result is written to row scatter[m] of y (the launch's `index` buffer). */
  scatter?: boolean;
  /** Rows of y the scatter indices may point at (bounds check); defaults to M. */
  rowsY?: number;
}

/** The operand fields are matmul's (M rows, N active columns, K active reduction; X and W strides). */
export interface FusedArgs extends Pick<MatmulArgs, 'M' | 'N' | 'K' | 'x' | 'ldx' | 'xOffset' | 'ldw'> {
  /** One buffer holding every product's W (a layer's weight blob). */
  w: GPUBuffer;
  /** One buffer holding every product's bias and column sums (may be w's buffer). */
  bias?: GPUBuffer;
  ldy: number;
  outputs: FusedOutput[];
  /** Normalise each X row over its K channels (LayerNorm without affine; gamma and beta are folded). */
  layernorm?: boolean;
  eps?: number;
  gelu?: boolean;
  accumulate?: boolean;
  index?: GPUBuffer;
  /** 'auto': vec4 where K, N, ldx, ldw and every offset are multiples of 4, else scalar. */
  variant?: 'auto' | 'vec4' | 'scalar';
}

export function fusedAligned(a: FusedArgs): boolean {
  return [a.K, a.N, a.ldx, a.ldw, a.xOffset ?? 0, ...a.outputs.map((o) => o.wOffset)].every((v) => v % 4 === 0);
}

export function matmulFused(rt: Runtime, batch: Batch, a: FusedArgs): void {
  const k = 'matmul_fused';
  dim(k, 'M', a.M);
  dim(k, 'N', a.N);
  dim(k, 'K', a.K);
  const n = a.outputs.length;
  guard(n === 1 || n === 3, k, () => `a fused launch has 1 or 3 outputs, got ${n}`);
  guard(a.K <= a.ldx, k, () => `K=${a.K} exceeds the row stride of X (ldx=${a.ldx})`);
  guard(a.N <= a.ldw, k, () => `N=${a.N} exceeds the row stride of W (ldw=${a.ldw})`);
  guard(a.N <= a.ldy, k, () => `N=${a.N} exceeds the row stride of Y (ldy=${a.ldy})`);
  const eps = a.eps ?? 1e-5;
  guard(Number.isFinite(eps) && eps > 0, k, () => `eps must be a positive number, got ${eps}`);
  const xo = a.xOffset ?? 0;
  fits(k, 'X', a.x, xo + (a.M - 1) * a.ldx + a.K);
  const scattered = a.outputs.some((o) => o.scatter);
  guard(!scattered || !!a.index, k, () => 'an output is scattered but no index buffer was given');
  if (a.index) fits(k, 'index', a.index, a.M);
  a.outputs.forEach((o, z) => {
    fits(k, `W${z}`, a.w, o.wOffset + (a.K - 1) * a.ldw + a.N);
    if (o.biasOffset !== undefined || a.layernorm) guard(!!a.bias, k, () => `output ${z} has a bias or column-sum offset but no bias buffer was given`);
    if (o.biasOffset !== undefined) fits(k, `bias${z}`, a.bias!, o.biasOffset + a.N);
    if (a.layernorm) {
      guard(o.colSumOffset !== undefined, k, () => `output ${z}: a folded LayerNorm needs the column sums of W (colSumOffset)`);
      fits(k, `colSum${z}`, a.bias!, o.colSumOffset! + a.N);
    }
    const rowsY = o.scatter ? (o.rowsY ?? a.M) : a.M;
    fits(k, `Y${z}`, o.y, (o.yOffset ?? 0) + (rowsY - 1) * a.ldy + a.N);
    distinct(k, o.y, { X: a.x, W: a.w, bias: a.bias, index: a.index });
    a.outputs.forEach((o2, z2) => guard(z2 === z || o2.y !== o.y, k, () => `outputs ${z} and ${z2} are the same buffer`));
  });
  const hasBias = a.outputs.every((o) => o.biasOffset !== undefined);
  guard(hasBias || a.outputs.every((o) => o.biasOffset === undefined), k, () => 'either every output has a bias or none has');

  const flags = (hasBias ? 1 : 0) | (a.gelu ? 2 : 0) | (a.accumulate ? 4 : 0);
  const scatter = a.outputs.reduce((m, o, z) => m | (o.scatter ? 1 << z : 0), 0);
  const v4 = (f: (o: FusedOutput) => number) => {
    const p = new Params();
    for (let z = 0; z < 4; z++) p.u(z < n ? f(a.outputs[z]) : 0);
    return p.pack();
  };
  const head = new Params()
    .u(a.M).u(a.N).u(a.K).u(flags)
    .u(a.ldx).u(a.ldw).u(a.ldy).u(xo)
    .f(eps).u(scatter).u(0).u(0)
    .pack();
  const params = new Uint32Array(head.length + 16);
  params.set(head);
  [(o: FusedOutput) => o.wOffset, (o: FusedOutput) => o.biasOffset ?? 0, (o: FusedOutput) => o.colSumOffset ?? 0, (o: FusedOutput) => o.yOffset ?? 0]
    .forEach((f, i) => params.set(v4(f), head.length + 4 * i));

  const aligned = fusedAligned(a);
  const variant = a.variant && a.variant !== 'auto' ? a.variant : aligned ? 'vec4' : 'scalar';
  guard(variant !== 'vec4' || aligned, k, () => 'the vec4 variant needs K, N, ldx, ldw and the X/W offsets to be multiples of 4');
  const kd = MATMUL_FUSED[n as 1 | 3][variant];
  const buffers = [a.x, a.w, a.bias ?? rt.dummy, a.index ?? rt.dummy, ...a.outputs.map((o) => o.y)];
  const g = blockGrid(a.M, a.N);
  batch.dispatch(kd, params, buffers, [...g.groups, n], a.layernorm ? { ...g.constants, LN: 1 } : g.constants);
}
