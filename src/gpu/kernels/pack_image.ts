import packWgsl from '../../../shaders/pack_image.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { dim, distinct, fits } from './guards';

export const PACK_IMAGE: KernelDef = { name: 'pack_image', code: packWgsl, bindings: ['uniform', 'read', 'rw', 'rw'] };

export interface PackImageArgs {
  B?: number;
  /** Decoder output [B, 1, H, W]; the centre crop drops `pad` pixels on each side. */
  H: number;
  W: number;
  pad: number;
  x: GPUBuffer;
  xOffset?: number;
  /** 8-bit gray, 4 pixels per u32 (byte k = pixel 4w + k); ceil(outH·outW/4) words per image. */
  gray?: GPUBuffer;
  grayOffset?: number;
  /** RGBA8 (ImageData byte order), one u32 per pixel. */
  rgba?: GPUBuffer;
  rgbaOffset?: number;
}

/** u32 words per image of the packed gray output. */
export function grayWords(H: number, W: number, pad: number): number {
  return Math.ceil(((H - 2 * pad) * (W - 2 * pad)) / 4);
}

export function packImage(rt: Runtime, batch: Batch, a: PackImageArgs): void {
  const k = 'pack_image';
  const B = a.B ?? 1;
  dim(k, 'B', B);
  dim(k, 'H', a.H);
  dim(k, 'W', a.W);
  guard(Number.isInteger(a.pad) && a.pad >= 0 && 2 * a.pad < a.H && 2 * a.pad < a.W, k, () => `pad=${a.pad} leaves no pixels of a ${a.H}×${a.W} image`);
  guard(!!a.gray || !!a.rgba, k, () => 'needs a gray or an rgba output buffer');
  guard(a.gray !== a.rgba, k, () => 'gray and rgba must be different buffers');
  const n = (a.H - 2 * a.pad) * (a.W - 2 * a.pad);
  const words = grayWords(a.H, a.W, a.pad);
  const xo = a.xOffset ?? 0, go = a.grayOffset ?? 0, ro = a.rgbaOffset ?? 0;
  guard(Math.ceil((B * words) / 64) <= 65535, k, () => `${B} images exceed one dispatch`);
  fits(k, 'X', a.x, xo + B * a.H * a.W);
  if (a.gray) fits(k, 'gray', a.gray, go + B * words);
  if (a.rgba) fits(k, 'rgba', a.rgba, ro + B * n);
  if (a.gray) distinct(k, a.gray, { X: a.x });
  if (a.rgba) distinct(k, a.rgba, { X: a.x });
  const params = new Params()
    .u(B).u(a.H).u(a.W).u(a.pad)
    .u(xo).u(go).u(ro).u((a.gray ? 1 : 0) | (a.rgba ? 2 : 0))
    .f(1).f(127.5).f(0).f(0)
    .pack();
  // An absent output is bound to the shared dummy and never written (flags).
  batch.dispatch(PACK_IMAGE, params, [a.x, a.gray ?? rt.dummy, a.rgba ?? rt.dummy], [Math.ceil((B * words) / 64)]);
}
