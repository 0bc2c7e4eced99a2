// The VQ tokenizer's decoder (docs/SPEC.md §1, §8) on the GPU: tokens → codebook vectors → convs,
// GroupNorm+SiLU, nearest upsampling fused into the conv that follows it → gray8 frames. A clip's
// latent frames run as one batch; each yields `group` frames (an image: one latent, one frame).
import { codebookLookup } from '../gpu/kernels/codebook';
import { grayWords, packImage } from '../gpu/kernels/pack_image';
import { MgntError } from '../gpu/errors';
import type { Batch, Runtime } from '../gpu/runtime';
import { ConvChain } from './conv-chain';
import { firstFramePlane, type ClipLayout } from './clip';
import type { TokenizerConfig } from './manifest';
import { decoderTensors } from './tensors';
import { WeightStore, type TensorSource } from './weights';

export interface DecodedClip {
  /** Gray8 frames one after another, [frames, size, size] row-major (an image: one frame). */
  gray: Uint8Array;
  frames: number;
  size: number;
  flops: number;
}

export class VqDecoder {
  private tokens: GPUBuffer;
  private z: GPUBuffer;
  private bufs: GPUBuffer[];
  private y: GPUBuffer;
  private gray: GPUBuffer;
  /** Side of a frame (padding removed). */
  readonly size: number;
  /** FLOPs of one decode (constant: the shapes never change). */
  flops = 0;

  constructor(private rt: Runtime, readonly k: TokenizerConfig, readonly layout: ClipLayout, readonly weights: WeightStore) {
    const { latents: B, group: G, h, w, cells } = layout;
    const ch = k.decoder.channels;
    const most = B * Math.max(...ch.map((c, i) => c * cells * 4 ** i));
    const n = ch.length - 1, H = h << n, W = w << n;
    this.tokens = rt.storage(B * cells * 4, 'dec-tokens');
    this.z = rt.storage(B * k.code_dim * cells * 4, 'dec-z');
    this.bufs = [0, 1, 2].map((i) => rt.storage(most * 4, `dec-h${i}`));
    this.y = rt.storage(B * G * H * W * 4, 'dec-y');
    this.gray = rt.storage(B * G * grayWords(H, W, k.pad) * 4, 'dec-gray');
    this.size = H - 2 * k.pad;
  }

  static upload(rt: Runtime, k: TokenizerConfig, get: (name: string, shape: number[]) => Float32Array): WeightStore {
    const store = new WeightStore(rt);
    store.uploadGroup('decoder', decoderTensors(k).map((t): TensorSource => ({ ...t, data: get(t.name, t.shape) })));
    return store;
  }

  /**
   * Records the decode of the tokens in `this.tokens` into `batch` (SPEC §8: every latent frame
   * independently, as one batch of `latents` images); returns its FLOPs.
   */
  encode(batch: Batch): number {
    const rt = this.rt, k = this.k, { latents: B, group: G, h, w, cells } = this.layout;
    const ch = k.decoder.channels, n = ch.length - 1;
    const cb = this.weights.get('codebook');
    codebookLookup(rt, batch, { B, N: cells, D: k.code_dim, K: k.codebook_size, tokens: this.tokens, codebook: cb.buffer, codebookOffset: cb.offset, z: this.z });
    const c = new ConvChain(rt, batch, this.weights, k.decoder.groups, this.bufs, B);
    c.conv('dec.conv_in', this.z, c.h, k.code_dim, ch[0], h, w);
    c.res('dec.res0', ch[0], h, w);
    for (let i = 1; i <= n; i++) {
      c.up(`dec.up${i}`, ch[i - 1], ch[i], h << i, w << i);
      if (i < n) c.res(`dec.res${i}`, ch[i], h << i, w << i);
    }
    const H = h << n, W = w << n;
    c.norm('dec.norm_out', c.h, c.t1, ch[n], H * W);
    c.conv('dec.conv_out', c.t1, this.y, ch[n], G, H, W);
    // [B, G, H, W] is B·G single-channel planes: one packed gray image each.
    packImage(rt, batch, { B: B * G, H, W, pad: k.pad, x: this.y, gray: this.gray });
    this.bufs = c.bufs;
    this.flops = c.flops;
    return c.flops;
  }

  /** Decodes a clip's tokens to gray8 frames: one submit, one readback. */
  async decode(tokens: ArrayLike<number>): Promise<DecodedClip> {
    const { latents: B, group: G, frames, cells } = this.layout;
    if (tokens.length !== B * cells) throw new MgntError('shape', `decoder: ${tokens.length} tokens given, a clip has ${B * cells}`);
    this.rt.device.queue.writeBuffer(this.tokens, 0, Uint32Array.from(tokens as ArrayLike<number>));
    const batch = this.rt.batch('decode');
    const flops = this.encode(batch);
    const n = this.size * this.size, words = Math.ceil(n / 4);
    const rb = batch.readback(this.gray, B * G * words * 4);
    batch.submit();
    const planes = new Uint8Array(await rb);
    // The causal padding planes of latent 0 are dropped; each plane starts on a word boundary.
    const gray = new Uint8Array(frames * n);
    const first = firstFramePlane(G);
    for (let f = 0; f < frames; f++) gray.set(planes.subarray((first + f) * words * 4, (first + f) * words * 4 + n), f * n);
    return { gray, frames, size: this.size, flops };
  }

  destroy(): void {
    this.rt.release(this.tokens, this.z, ...this.bufs, this.y, this.gray);
  }
}
