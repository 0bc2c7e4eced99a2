// The conv-net steps the tokenizer's encoder and decoder share (docs/SPEC.md §1): a named conv
// (bias, optional residual, optional fused ×2 upsample), GroupNorm+SiLU, and the residual block,
// recorded into one batch with their FLOPs counted. The running activation `h` lives in one of
// three buffers; a residual block works through the other two and leaves its result in `h`.
// `B` images run side by side (a clip's latent frames: SPEC §8 decodes them independently).
import { conv2d, conv2dFlops } from '../gpu/kernels/conv2d';
import { groupnorm, groupnormFlops } from '../gpu/kernels/groupnorm';
import type { Batch, Runtime } from '../gpu/runtime';
import type { WeightStore } from './weights';

export class ConvChain {
  flops = 0;
  h: GPUBuffer;
  t1: GPUBuffer;
  t2: GPUBuffer;

  constructor(private rt: Runtime, private batch: Batch, private weights: WeightStore, private groups: number, bufs: GPUBuffer[], readonly B = 1) {
    [this.h, this.t1, this.t2] = bufs;
  }

  /** The three buffers in their current roles (h first), to keep for the next record. */
  get bufs(): GPUBuffer[] {
    return [this.h, this.t1, this.t2];
  }

  conv(name: string, x: GPUBuffer, y: GPUBuffer, Cin: number, Cout: number, H: number, W: number, opt: { kernel?: 1 | 3; upsample?: boolean; residual?: GPUBuffer } = {}): void {
    const w = this.weights.get(`${name}.weight`), b = this.weights.get(`${name}.bias`), kernel = opt.kernel ?? 3;
    conv2d(this.rt, this.batch, { B: this.B, Cin, Cout, H, W, kernel, x, w: w.buffer, wOffset: w.offset, bias: b.buffer, biasOffset: b.offset, y, upsample: opt.upsample, residual: opt.residual });
    this.flops += conv2dFlops(Cin, Cout, H, W, kernel, this.B, true, !!opt.residual);
  }

  norm(name: string, x: GPUBuffer, y: GPUBuffer, C: number, HW: number): void {
    const g = this.weights.get(`${name}.weight`), b = this.weights.get(`${name}.bias`);
    groupnorm(this.rt, this.batch, { B: this.B, C, HW, G: this.groups, x, gamma: g.buffer, gammaOffset: g.offset, beta: b.buffer, betaOffset: b.offset, y, silu: true });
    this.flops += groupnormFlops(C, HW, this.B, true);
  }

  /** h = h + conv2(silu(norm2(conv1(silu(norm1(h)))))). */
  res(name: string, C: number, H: number, W: number): void {
    this.norm(`${name}.norm1`, this.h, this.t1, C, H * W);
    this.conv(`${name}.conv1`, this.t1, this.t2, C, C, H, W);
    this.norm(`${name}.norm2`, this.t2, this.t1, C, H * W);
    this.conv(`${name}.conv2`, this.t1, this.t2, C, C, H, W, { residual: this.h });
    [this.h, this.t2] = [this.t2, this.h];
  }

  /** h = conv(h, upsampled ×2 on the fly): the decoder's up-convs. */
  up(name: string, Cin: number, Cout: number, H: number, W: number): void {
    this.conv(name, this.h, this.t1, Cin, Cout, H, W, { upsample: true });
    [this.h, this.t1] = [this.t1, this.h];
  }
}
