// The VQ tokenizer's decoder (docs/SPEC.md §1) on the GPU: tokens → codebook vectors → convs,
// GroupNorm+SiLU, nearest upsampling fused into the conv that follows it → 28×28 gray pixels.
import { codebookLookup } from '../gpu/kernels/codebook';
import { grayWords, packImage } from '../gpu/kernels/pack_image';
import type { Batch, Runtime } from '../gpu/runtime';
import { ConvChain } from './conv-chain';
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
    const rt = this.rt, k = this.k;
    const [c0, c1, c2] = k.decoder.channels;
    const cb = this.weights.get('codebook');
    codebookLookup(rt, batch, { N: this.gh * this.gw, D: k.code_dim, K: k.codebook_size, tokens: this.tokens, codebook: cb.buffer, codebookOffset: cb.offset, z: this.z });
    const c = new ConvChain(rt, batch, this.weights, k.decoder.groups, this.bufs);
    const h8 = this.gh, w8 = this.gw;
    c.conv('dec.conv_in', this.z, c.h, k.code_dim, c0, h8, w8);
    c.res('dec.res0', c0, h8, w8);
    c.up('dec.up1', c0, c1, 2 * h8, 2 * w8);
    c.res('dec.res1', c1, 2 * h8, 2 * w8);
    c.up('dec.up2', c1, c2, 4 * h8, 4 * w8);
    c.norm('dec.norm_out', c.h, c.t1, c2, 16 * h8 * w8);
    c.conv('dec.conv_out', c.t1, this.y, c2, 1, 4 * h8, 4 * w8);
    packImage(rt, batch, { H: 4 * h8, W: 4 * w8, pad: k.pad, x: this.y, gray: this.gray });
    this.bufs = c.bufs;
    this.flops = c.flops;
    return c.flops;
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
