import groupnormWgsl from '../../../shaders/groupnorm.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { reduceWorkgroup } from './reduce';
import { dim, distinct, fits } from './guards';

export const GROUPNORM: KernelDef = { name: 'groupnorm', code: groupnormWgsl, bindings: ['uniform', 'read', 'read', 'read', 'rw'] };

export interface GroupnormArgs {
  B?: number;
  C: number;
  /** Pixels per channel (H·W). */
  HW: number;
  /** Groups; C must be a multiple of G. */
  G: number;
  x: GPUBuffer;
  xOffset?: number;
  /** Affine weight and bias, [C] each. */
  gamma: GPUBuffer;
  gammaOffset?: number;
  beta: GPUBuffer;
  betaOffset?: number;
  /** May be `x` (in place; then yOffset = xOffset is required). */
  y: GPUBuffer;
  yOffset?: number;
  eps?: number;
  silu?: boolean;
  /** Invocations per (group, image): power of two ≤ 256; default 64, 4 on SwiftShader (see reduce.ts). */
  workgroupSize?: number;
}

/** Rough count: stats (2 passes, ~3/element) + normalise/affine (~4/element) + SiLU (~4/element). */
export function groupnormFlops(C: number, HW: number, B = 1, silu = false): number {
  return B * C * HW * (7 + (silu ? 4 : 0));
}

export function groupnorm(rt: Runtime, batch: Batch, a: GroupnormArgs): void {
  const k = 'groupnorm';
  const B = a.B ?? 1;
  dim(k, 'B', B);
  dim(k, 'C', a.C);
  dim(k, 'HW', a.HW);
  dim(k, 'G', a.G);
  guard(a.C % a.G === 0, k, () => `C=${a.C} is not a multiple of G=${a.G}`);
  guard(a.G <= 65535 && B <= 65535, k, () => `G=${a.G} or B=${B} exceeds one dispatch dimension`);
  const wg = reduceWorkgroup(rt, a.workgroupSize);
  guard(Number.isInteger(wg) && wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0, k, () => `workgroupSize must be a power of two ≤ 256, got ${wg}`);
  const eps = a.eps ?? 1e-5;
  guard(eps >= 0 && Number.isFinite(eps), k, () => `eps must be ≥ 0, got ${eps}`);
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0, go = a.gammaOffset ?? 0, bo = a.betaOffset ?? 0;
  const inPlace = a.x === a.y;
  if (inPlace) guard(xo === yo, k, () => 'in place (x = y) needs xOffset = yOffset');
  const n = B * a.C * a.HW;
  fits(k, 'X', a.x, xo + n);
  fits(k, 'Y', a.y, yo + n);
  fits(k, 'gamma', a.gamma, go + a.C);
  fits(k, 'beta', a.beta, bo + a.C);
  distinct(k, a.y, { gamma: a.gamma, beta: a.beta });
  const params = new Params()
    .u(B).u(a.C).u(a.HW).u(a.G)
    .u((a.silu ? 1 : 0) | (inPlace ? 2 : 0)).u(xo).u(yo).u(go)
    .u(bo).u(0).u(0).f(eps)
    .pack();
  batch.dispatch(GROUPNORM, params, [inPlace ? rt.dummy : a.x, a.gamma, a.beta, a.y], [a.G, B], { WG: wg });
}
