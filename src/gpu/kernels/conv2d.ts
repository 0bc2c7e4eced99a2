import conv2dWgsl from '../../../shaders/conv2d.wgsl?raw';
import upsampleWgsl from '../../../shaders/upsample2x.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { dim, distinct, fits } from './guards';

export const CONV2D: KernelDef = { name: 'conv2d', code: conv2dWgsl, bindings: ['uniform', 'read', 'read', 'read', 'read', 'rw'] };
export const UPSAMPLE2X: KernelDef = { name: 'upsample2x', code: upsampleWgsl, bindings: ['uniform', 'read', 'rw'] };

export interface Conv2dArgs {
  /** Images (laid out one after another), input and output channels. */
  B?: number;
  Cin: number;
  Cout: number;
  /** Output height and width (with `upsample` the input is H/2 × W/2). */
  H: number;
  W: number;
  /** 3 (padding 1) or 1 (padding 0); stride 1. */
  kernel: 1 | 3;
  /** Nearest ×2 upsampling of the input fused into the read. */
  upsample?: boolean;
  x: GPUBuffer;
  xOffset?: number;
  /** PyTorch layout [Cout, Cin, K, K] at wOffset. */
  w: GPUBuffer;
  wOffset?: number;
  bias?: GPUBuffer;
  biasOffset?: number;
  /** out = conv + bias + residual (same layout as the output; a separate read-only buffer). */
  residual?: GPUBuffer;
  residualOffset?: number;
  y: GPUBuffer;
  yOffset?: number;
}

/** 2 FLOPs per MAC, plus one add per output for the bias and one for the residual. */
export function conv2dFlops(Cin: number, Cout: number, H: number, W: number, kernel: 1 | 3, B = 1, bias = false, residual = false): number {
  const outs = B * Cout * H * W;
  return 2 * outs * Cin * kernel * kernel + (bias ? outs : 0) + (residual ? outs : 0);
}

export function conv2d(rt: Runtime, batch: Batch, a: Conv2dArgs): void {
  const k = 'conv2d';
  const B = a.B ?? 1;
  dim(k, 'B', B);
  dim(k, 'Cin', a.Cin);
  dim(k, 'Cout', a.Cout);
  dim(k, 'H', a.H);
  dim(k, 'W', a.W);
  guard(a.kernel === 1 || a.kernel === 3, k, () => `kernel must be 1 or 3, got ${a.kernel}`);
  if (a.upsample) guard(a.H % 2 === 0 && a.W % 2 === 0, k, () => `upsample needs an even output size, got ${a.H}×${a.W}`);
  const Hin = a.upsample ? a.H / 2 : a.H, Win = a.upsample ? a.W / 2 : a.W;
  guard(Math.ceil(a.W / 4) * a.H <= 65535 * 16 && B <= 65535, k, () => `image ${a.H}×${a.W}×${B} too large for one dispatch`);
  const xo = a.xOffset ?? 0, wo = a.wOffset ?? 0, bo = a.biasOffset ?? 0, ro = a.residualOffset ?? 0, yo = a.yOffset ?? 0;
  const kk = a.kernel * a.kernel;
  fits(k, 'X', a.x, xo + B * a.Cin * Hin * Win);
  fits(k, 'W', a.w, wo + a.Cout * a.Cin * kk);
  if (a.bias) fits(k, 'bias', a.bias, bo + a.Cout);
  if (a.residual) fits(k, 'residual', a.residual, ro + B * a.Cout * a.H * a.W);
  fits(k, 'Y', a.y, yo + B * a.Cout * a.H * a.W);
  distinct(k, a.y, { X: a.x, W: a.w, bias: a.bias, residual: a.residual });

  const flags = (a.bias ? 1 : 0) | (a.residual ? 2 : 0) | (a.upsample ? 4 : 0);
  const params = new Params()
    .u(B).u(a.Cin).u(a.Cout).u(a.kernel)
    .u(a.H).u(a.W).u(Hin).u(Win)
    .u(flags).u(xo).u(wo).u(bo)
    .u(ro).u(yo).u(0).u(0)
    .pack();
  const pixelBlocks = a.H * Math.ceil(a.W / 4);
  // Channels per invocation: 8, or the smallest power of two covering a small Cout (conv_out).
  const cb = a.Cout >= 8 ? 8 : a.Cout > 2 ? 4 : a.Cout;
  batch.dispatch(CONV2D, params, [a.x, a.w, a.bias ?? rt.dummy, a.residual ?? rt.dummy, a.y],
    [Math.ceil(pixelBlocks / 16), Math.ceil(a.Cout / (4 * cb)), B], { CB: cb });
}

export interface Upsample2xArgs {
  /** Planes (B·C) of Hin × Win; output planes are 2Hin × 2Win. */
  N: number;
  Hin: number;
  Win: number;
  x: GPUBuffer;
  xOffset?: number;
  y: GPUBuffer;
  yOffset?: number;
}

export function upsample2x(rt: Runtime, batch: Batch, a: Upsample2xArgs): void {
  const k = 'upsample2x';
  dim(k, 'N', a.N);
  dim(k, 'Hin', a.Hin);
  dim(k, 'Win', a.Win);
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0;
  fits(k, 'X', a.x, xo + a.N * a.Hin * a.Win);
  fits(k, 'Y', a.y, yo + a.N * 4 * a.Hin * a.Win);
  distinct(k, a.y, { X: a.x });
  const quads = a.N * 2 * a.Hin * Math.ceil((2 * a.Win) / 4);
  const groups = Math.ceil(quads / 64);
  const gx = Math.min(groups, 65535);
  const params = new Params().u(a.N).u(a.Hin).u(a.Win).u(xo).u(yo).u(0).u(0).u(0).pack();
  batch.dispatch(UPSAMPLE2X, params, [a.x, a.y], [gx, Math.ceil(groups / gx)]);
  void rt;
}
