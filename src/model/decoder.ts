// The VQ tokenizer's decoder (docs/SPEC.md §1) on the GPU: tokens → codebook vectors → convs,
// GroupNorm+SiLU, nearest upsampling fused into the conv that follows it → 28×28 gray pixels.
import { codebookLookup } from '../gpu/kernels/codebook';
import { conv2d, conv2dFlops } from '../gpu/kernels/conv2d';
import { groupnorm, groupnormFlops } from '../gpu/kernels/groupnorm';
import { grayWords, packImage } from '../gpu/kernels/pack_image';
import type { Batch, Runtime } from '../gpu/runtime';
import type { TokenizerConfig, TransformerConfig } from './manifest';
import { decoderTensors } from './tensors';
import { WeightStore, type TensorSource } from './weights';

export interface DecodedImage {
  gray: Uint8Array;
  size: number;
  flops: number;
}

export class VqDecoder {
  private tokens: GPUBuffer;
  private z: GPUBuffer;
  private bufs: GPUBuffer[];
  private y: GPUBuffer;
  private gray: GPUBuffer;
  readonly gh: number;
  readonly gw: number;
  readonly size: number;
  /** FLOPs of one decode (constant: the shapes never change). */
  flops = 0;

  constructor(private rt: Runtime, readonly k: TokenizerConfig, grid: [number, number], readonly weights: WeightStore) {
    [this.gh, this.gw] = grid;
    const [c0, c1, c2] = k.decoder.channels;
    const H = this.gh * 4, W = this.gw * 4;
    const most = Math.max(c0 * this.gh * this.gw, c1 * H * W / 4, c2 * H * W);
    this.tokens = rt.storage(this.gh * this.gw * 4, 'dec-tokens');
    this.z = rt.storage(k.code_dim * this.gh * this.gw * 4, 'dec-z');
    this.bufs = [0, 1, 2].map((i) => rt.storage(most * 4, `dec-h${i}`));
    this.y = rt.storage(H * W * 4, 'dec-y');
    this.gray = rt.storage(grayWords(H, W, k.pad) * 4, 'dec-gray');
    this.size = H - 2 * k.pad;
  }

  static upload(rt: Runtime, k: TokenizerConfig, get: (name: string, shape: number[]) => Float32Array): WeightStore {
    const store = new WeightStore(rt);
    store.uploadGroup('decoder', decoderTensors(k).map((t): TensorSource => ({ ...t, data: get(t.name, t.shape) })));
    return store;
  }

  /** Records the decode of the tokens in `this.tokens` into `batch`; returns its FLOPs. */
  encode(batch: Batch): number {
    const rt = this.rt, k = this.k, Wt = (n: string) => this.weights.get(n);
    const [c0, c1, c2] = k.decoder.channels;
    const G = k.decoder.groups;
    let flops = 0;
    const cb = Wt('codebook');
    codebookLookup(rt, batch, { N: this.gh * this.gw, D: k.code_dim, K: k.codebook_size, tokens: this.tokens, codebook: cb.buffer, codebookOffset: cb.offset, z: this.z });
    const conv = (name: string, x: GPUBuffer, y: GPUBuffer, Cin: number, Cout: number, H: number, W: number, opt: { upsample?: boolean; residual?: GPUBuffer } = {}) => {
      const w = Wt(`${name}.weight`), b = Wt(`${name}.bias`);
      conv2d(rt, batch, { Cin, Cout, H, W, kernel: 3, x, w: w.buffer, wOffset: w.offset, bias: b.buffer, biasOffset: b.offset, y, ...opt });
      flops += conv2dFlops(Cin, Cout, H, W, 3, 1, true, !!opt.residual);
    };
    const norm = (name: string, x: GPUBuffer, y: GPUBuffer, C: number, HW: number) => {
      const g = Wt(`${name}.weight`), b = Wt(`${name}.bias`);
      groupnorm(rt, batch, { C, HW, G, x, gamma: g.buffer, gammaOffset: g.offset, beta: b.buffer, betaOffset: b.offset, y, silu: true });
      flops += groupnormFlops(C, HW, 1, true);
    };
    // h lives in bufs[0]; a residual block works through bufs[1], bufs[2] and ends in bufs[2].
    let [h, t1, t2] = this.bufs;
    const res = (name: string, C: number, H: number, W: number) => {
      norm(`${name}.norm1`, h, t1, C, H * W);
      conv(`${name}.conv1`, t1, t2, C, C, H, W);
      norm(`${name}.norm2`, t2, t1, C, H * W);
      conv(`${name}.conv2`, t1, t2, C, C, H, W, { residual: h });
      [h, t2] = [t2, h];
    };
    const h8 = this.gh, w8 = this.gw;
    conv('dec.conv_in', this.z, h, k.code_dim, c0, h8, w8);
    res('dec.res0', c0, h8, w8);
    conv('dec.up1', h, t1, c0, c1, 2 * h8, 2 * w8, { upsample: true });
    [h, t1] = [t1, h];
    res('dec.res1', c1, 2 * h8, 2 * w8);
    conv('dec.up2', h, t1, c1, c2, 4 * h8, 4 * w8, { upsample: true });
    [h, t1] = [t1, h];
    norm('dec.norm_out', h, t1, c2, 16 * h8 * w8);
    const wo = Wt('dec.conv_out.weight'), bo = Wt('dec.conv_out.bias');
    conv2d(rt, batch, { Cin: c2, Cout: 1, H: 4 * h8, W: 4 * w8, kernel: 3, x: t1, w: wo.buffer, wOffset: wo.offset, bias: bo.buffer, biasOffset: bo.offset, y: this.y });
    flops += conv2dFlops(c2, 1, 4 * h8, 4 * w8, 3, 1, true);
    packImage(rt, batch, { H: 4 * h8, W: 4 * w8, pad: k.pad, x: this.y, gray: this.gray });
    this.bufs = [h, t1, t2];
    this.flops = flops;
    return flops;
  }

  /** Decodes tokens to gray8 pixels: one submit, one readback. */
  async decode(tokens: ArrayLike<number>): Promise<DecodedImage> {
    this.rt.device.queue.writeBuffer(this.tokens, 0, Uint32Array.from(tokens as ArrayLike<number>));
    const batch = this.rt.batch('decode');
    const flops = this.encode(batch);
    const n = this.size * this.size;
    const rb = batch.readback(this.gray, Math.ceil(n / 4) * 4);
    batch.submit();
    const gray = new Uint8Array(await rb).slice(0, n);
    return { gray, size: this.size, flops };
  }

  destroy(): void {
    this.rt.release(this.tokens, this.z, ...this.bufs, this.y, this.gray);
  }
}

export type { TransformerConfig };
