import avgpoolWgsl from '../../../shaders/avgpool2x.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { grid1d } from './grid';
import { dim, distinct, fits } from './guards';

export const AVGPOOL2X: KernelDef = { name: 'avgpool2x', code: avgpoolWgsl, bindings: ['uniform', 'read', 'rw'] };

export interface Avgpool2xArgs {
  /** Planes (B·C) of Hin × Win, both even; output planes are Hin/2 × Win/2. */
  N: number;
  Hin: number;
  Win: number;
  x: GPUBuffer;
  xOffset?: number;
  y: GPUBuffer;
  yOffset?: number;
}

/** 3 adds and one scale per output. */
export function avgpool2xFlops(N: number, Hin: number, Win: number): number {
  return 4 * N * (Hin / 2) * (Win / 2);
}

export function avgpool2x(rt: Runtime, batch: Batch, a: Avgpool2xArgs): void {
  const k = 'avgpool2x';
  dim(k, 'N', a.N);
  dim(k, 'Hin', a.Hin);
  dim(k, 'Win', a.Win);
  guard(a.Hin % 2 === 0 && a.Win % 2 === 0, k, () => `the input planes must have an even size, got ${a.Hin}×${a.Win}`);
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0;
  const outs = a.N * (a.Hin / 2) * (a.Win / 2);
  fits(k, 'X', a.x, xo + a.N * a.Hin * a.Win);
  fits(k, 'Y', a.y, yo + outs);
  distinct(k, a.y, { X: a.x });
  const params = new Params().u(a.N).u(a.Hin).u(a.Win).u(xo).u(yo).u(0).u(0).u(0).pack();
  batch.dispatch(AVGPOOL2X, params, [a.x, a.y], grid1d(outs, 64, rt.gpu.limits.maxComputeWorkgroupsPerDimension));
}
