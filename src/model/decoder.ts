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
  private tokens!: GPUBuffer;
  private z!: GPUBuffer;
  private bufs!: GPUBuffer[];
  private y!: GPUBuffer;
  private gray!: GPUBuffer;
  /** Side of a frame (padding removed). */
  readonly size: number;
  /** FLOPs of one decode (constant: the shapes never change). */
  flops = 0;

  /** Clips the buffers hold (decodeMany resizes; decode uses one). */
  private clips = 0;

  constructor(private rt: Runtime, readonly k: TokenizerConfig, readonly layout: ClipLayout, readonly weights: WeightStore) {
    const n = k.decoder.channels.length - 1;
    this.size = (layout.h << n) - 2 * k.pad;
    this.allocate(1);
  }

  /** Sizes the buffers for `clips` clips (their latent frames side by side). */
  private allocate(clips: number): void {
    const rt = this.rt, k = this.k, { group: G, h, w, cells } = this.layout;
    const B = clips * this.layout.latents;
    const ch = k.decoder.channels;
    const most = B * Math.max(...ch.map((c, i) => c * cells * 4 ** i));
    const n = ch.length - 1, H = h << n, W = w << n;
    this.tokens = rt.storage(B * cells * 4, 'dec-tokens');
    this.z = rt.storage(B * k.code_dim * cells * 4, 'dec-z');
    this.bufs = [0, 1, 2].map((i) => rt.storage(most * 4, `dec-h${i}`));
    this.y = rt.storage(B * G * H * W * 4, 'dec-y');
    this.gray = rt.storage(B * G * grayWords(H, W, k.pad) * 4, 'dec-gray');
    this.clips = clips;
  }

  private resize(clips: number): void {
    if (clips === this.clips) return;
    this.rt.release(this.tokens, this.z, ...this.bufs, this.y, this.gray);
    this.allocate(clips);
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
    const rt = this.rt, k = this.k, { group: G, h, w, cells } = this.layout;
    const B = this.clips * this.layout.latents;
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
    this.flops = c.flops / this.clips;
    return c.flops;
  }

  /** Decodes a clip's tokens to gray8 frames: one submit, one readback. */
  async decode(tokens: ArrayLike<number>): Promise<DecodedClip> {
    this.resize(1);
    return (await this.run([tokens]))[0];
  }

  /**
   * Decodes several clips (or images) in one submit and one readback: their latent frames run
   * side by side, each exactly as decoded alone (SPEC §8: every latent frame independently). The
   * buffers grow for the call and shrink back after. FLOPs are per clip.
   */
  async decodeMany(list: ArrayLike<number>[]): Promise<DecodedClip[]> {
    if (list.length === 0) return [];
    try {
      this.resize(list.length);
      return await this.run(list);
    } finally {
      this.resize(1);
    }
  }

  private async run(list: ArrayLike<number>[]): Promise<DecodedClip[]> {
    const { latents: B, group: G, frames, cells } = this.layout;
    const all = new Uint32Array(list.length * B * cells);
    list.forEach((tokens, i) => {
      if (tokens.length !== B * cells) throw new MgntError('shape', `decoder: ${tokens.length} tokens given, a clip has ${B * cells}`);
      all.set(tokens, i * B * cells);
    });
    this.rt.device.queue.writeBuffer(this.tokens, 0, all);
    const batch = this.rt.batch('decode');
    const flops = this.encode(batch) / list.length;
    const n = this.size * this.size, words = Math.ceil(n / 4);
    const rb = batch.readback(this.gray, list.length * B * G * words * 4);
    batch.submit();
    const planes = new Uint8Array(await rb);
    // The causal padding planes of each clip's latent 0 are dropped; each plane starts on a word boundary.
    const first = firstFramePlane(G);
    return list.map((_, i) => {
      const gray = new Uint8Array(frames * n);
      const p0 = i * B * G + first;
      for (let f = 0; f < frames; f++) gray.set(planes.subarray((p0 + f) * words * 4, (p0 + f) * words * 4 + n), f * n);
      return { gray, frames, size: this.size, flops };
    });
  }

  destroy(): void {
    this.rt.release(this.tokens, this.z, ...this.bufs, this.y, this.gray);
  }
}
