import layernormWgsl from '../../../shaders/layernorm.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { dim, distinct, fits } from './guards';

export const LAYERNORM: KernelDef = {
  name: 'layernorm',
  code: layernormWgsl,
  bindings: ['uniform', 'read', 'read', 'read', 'read', 'rw'],
};

export interface LayernormArgs {
  /** Output rows; active channels (statistics are over these d only). */
  rows: number;
  d: number;
  x: GPUBuffer;
  ldx: number;
  xOffset?: number;
  /** gamma[0:d] and beta[0:d]; may be one buffer (a weight blob) at different offsets. */
  gamma: GPUBuffer;
  gammaOffset?: number;
  beta: GPUBuffer;
  betaOffset?: number;
  y: GPUBuffer;
  ldy: number;
  yOffset?: number;
  /** Row r of the output normalises row gatherX[r] of X (u32 indices). */
  gatherX?: GPUBuffer;
  /** Rows of X the gather indices may point at (bounds check); defaults to rows. */
  rowsX?: number;
  eps?: number;
}

export function layernorm(rt: Runtime, batch: Batch, a: LayernormArgs): void {
  const k = 'layernorm';
  dim(k, 'rows', a.rows);
  dim(k, 'd', a.d);
  guard(a.d <= a.ldx, k, () => `d=${a.d} exceeds the row stride of X (ldx=${a.ldx})`);
  guard(a.d <= a.ldy, k, () => `d=${a.d} exceeds the row stride of Y (ldy=${a.ldy})`);
  const eps = a.eps ?? 1e-5;
  guard(Number.isFinite(eps) && eps > 0, k, () => `eps must be a positive number, got ${eps}`);
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0, go = a.gammaOffset ?? 0, bo = a.betaOffset ?? 0;
  const rowsX = a.gatherX ? (a.rowsX ?? a.rows) : a.rows;
  dim(k, 'rowsX', rowsX);
  fits(k, 'X', a.x, xo + (rowsX - 1) * a.ldx + a.d);
  fits(k, 'Y', a.y, yo + (a.rows - 1) * a.ldy + a.d);
  fits(k, 'gamma', a.gamma, go + a.d);
  fits(k, 'beta', a.beta, bo + a.d);
  if (a.gatherX) fits(k, 'gatherX', a.gatherX, a.rows);
  distinct(k, a.y, { X: a.x, gamma: a.gamma, beta: a.beta, gatherX: a.gatherX });

  const params = new Params()
    .u(a.rows).u(a.d).u(a.ldx).u(a.ldy)
    .u(xo).u(yo).u(go).u(bo)
    .u(a.gatherX ? 1 : 0).f(eps).u(0).u(0)
    .pack();
  batch.dispatch(LAYERNORM, params, [a.x, a.gamma, a.beta, a.gatherX ?? rt.dummy, a.y], [Math.ceil(a.rows / 64)]);
}
