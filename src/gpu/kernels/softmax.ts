import softmaxWgsl from '../../../shaders/softmax.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { reduceWorkgroup } from './reduce';
import { dim, fits } from './guards';

export const SOFTMAX: KernelDef = { name: 'softmax', code: softmaxWgsl, bindings: ['uniform', 'read', 'rw'] };

export interface SoftmaxArgs {
  /** Rows and active columns (N ≤ ldx, ldy). */
  R: number;
  N: number;
  x: GPUBuffer;
  ldx: number;
  xOffset?: number;
  /** May be `x` itself (in place; then ldy = ldx and yOffset = xOffset are required). */
  y: GPUBuffer;
  ldy: number;
  yOffset?: number;
  /** τ > 0, default 1: softmax(x / τ). */
  temperature?: number;
  /** Invocations per row (power of two, ≤ 256); default 64, 4 on SwiftShader (see reduce.ts). */
  workgroupSize?: number;
}

/** exp, max, sum and scale per element: a rough count for the GFLOPs report. */
export function softmaxFlops(R: number, N: number): number {
  return 5 * R * N;
}

export function softmax(rt: Runtime, batch: Batch, a: SoftmaxArgs): void {
  const k = 'softmax';
  dim(k, 'R', a.R);
  dim(k, 'N', a.N);
  guard(a.N <= a.ldx, k, () => `N=${a.N} exceeds the row stride of X (ldx=${a.ldx})`);
  guard(a.N <= a.ldy, k, () => `N=${a.N} exceeds the row stride of Y (ldy=${a.ldy})`);
  const tau = a.temperature ?? 1;
  guard(tau > 0 && Number.isFinite(tau), k, () => `temperature must be > 0, got ${tau}`);
  const wg = reduceWorkgroup(rt, a.workgroupSize);
  guard(Number.isInteger(wg) && wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0, k, () => `workgroupSize must be a power of two ≤ 256, got ${wg}`);
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0;
  const inPlace = a.x === a.y;
  if (inPlace) guard(xo === yo && a.ldx === a.ldy, k, () => 'in place (x = y) needs the same offset and stride for X and Y');
  fits(k, 'X', a.x, xo + (a.R - 1) * a.ldx + a.N);
  fits(k, 'Y', a.y, yo + (a.R - 1) * a.ldy + a.N);
  const params = new Params()
    .u(a.R).u(a.N).u(a.ldx).u(a.ldy)
    .u(xo).u(yo).u(inPlace ? 1 : 0).u(0)
    .f(Math.fround(1 / tau)).f(0).f(0).f(0)
    .pack();
  const gx = Math.min(a.R, 65535);
  batch.dispatch(SOFTMAX, params, [inPlace ? rt.dummy : a.x, a.y], [gx, Math.ceil(a.R / 65535)], { WG: wg });
}
