// The VQ tokenizer's encoder (docs/SPEC.md §1, §8, train/tokenizer.py Encoder) on the GPU: gray
// frames → padded [latents, G, S, S] input (CPU, causal grouping) → convs, residual blocks with
// GroupNorm+SiLU and 2×2 average pooling per level → z [latents, code_dim, h, w] → the nearest
// codebook entry of every cell (an image: one latent of one frame, 28×28 → 64 tokens).
import { avgpool2x, avgpool2xFlops } from '../gpu/kernels/avgpool2x';
import { vqNearest, vqNearestFlops } from '../gpu/kernels/vq_nearest';
import { MgntError } from '../gpu/errors';
import type { Batch, Runtime } from '../gpu/runtime';
import { ConvChain } from './conv-chain';
import { frameOf, type ClipLayout } from './clip';
import { encoderInput } from './encoder-input';
import type { EncoderConfig, TokenizerConfig } from './manifest';
import { encoderTensors } from './tensors';
import { WeightStore, type TensorSource, type WeightRef } from './weights';

export interface EncodedTokens {
  /** One token per grid cell, latent frame after latent frame, row-major (cell g·h·w + r·w + c). */
  tokens: Uint32Array;
  /** The encoder's output before quantisation, [latents, code_dim, h, w]. */
  z: Float32Array;
  /** Latent frames encoded. */
  latents: number;
  flops: number;
}

export class VqEncoder {
  private x: GPUBuffer;
  private bufs: GPUBuffer[];
  private z: GPUBuffer;
  /** Tokens, then a copy of z: what one readback returns. */
  private out: GPUBuffer;
  private readonly e: EncoderConfig;
  /** Side of a square input frame (28 for the image model: the padded 32 less 2·pad). */
  readonly size: number;
  /** FLOPs of the last encode. */
  flops = 0;

  /** `codebook`: the decoder's codebook on the GPU (the encoder quantises against the same rows). */
  constructor(private rt: Runtime, readonly k: TokenizerConfig, readonly layout: ClipLayout, readonly weights: WeightStore, private codebook: WeightRef) {
    if (!k.encoder) throw new MgntError('bad-attribute', 'this checkpoint has no encoder (no tokenizer.encoder in its manifest); re-export it with train/export.py');
    this.e = k.encoder;
    // Sized for a whole clip (every latent frame); an encode of fewer latents uses a prefix.
    const { latents: L, group: G, h, w, cells: N } = layout;
    const ch = this.e.channels, n = ch.length - 1, H = h << n, W = w << n;
    const most = L * Math.max(...ch.map((c, i) => (c * H * W) / 4 ** i));
    this.x = rt.storage(L * G * H * W * 4, 'enc-x');
    this.bufs = [0, 1, 2].map((i) => rt.storage(most * 4, `enc-h${i}`));
    this.z = rt.storage(L * k.code_dim * N * 4, 'enc-z');
    this.out = rt.storage(L * (N + k.code_dim * N) * 4, 'enc-out');
    this.size = H - 2 * k.pad;
  }

  static upload(rt: Runtime, k: TokenizerConfig, get: (name: string, shape: number[]) => Float32Array): WeightStore {
    const store = new WeightStore(rt);
    store.uploadGroup('encoder', encoderTensors(k).map((t): TensorSource => ({ ...t, data: get(t.name, t.shape) })));
    return store;
  }

  /** Records the encoder on the first B latents' input in `this.x`: z into `this.z`, tokens into `this.out`. */
  record(batch: Batch, B = 1): number {
    const rt = this.rt, k = this.k, { group: G, h, w, cells: N } = this.layout;
    const ch = this.e.channels, n = ch.length - 1;
    const c = new ConvChain(rt, batch, this.weights, this.e.groups, this.bufs, B);
    // Pool h into t1, convolve into t2; t2 becomes h.
    const down = (name: string, Cin: number, Cout: number, H: number, W: number) => {
      avgpool2x(rt, batch, { N: B * Cin, Hin: H, Win: W, x: c.h, y: c.t1 });
      c.flops += avgpool2xFlops(B * Cin, H, W);
      c.conv(name, c.t1, c.t2, Cin, Cout, H / 2, W / 2);
      [c.h, c.t2] = [c.t2, c.h];
    };
    const H = h << n, W = w << n;
    c.conv('enc.conv_in', this.x, c.h, G, ch[0], H, W);
    c.res('enc.res0', ch[0], H, W);
    for (let i = 1; i <= n; i++) {
      down(`enc.down${i}`, ch[i - 1], ch[i], H >> (i - 1), W >> (i - 1));
      c.res(`enc.res${i}`, ch[i], H >> i, W >> i);
    }
    c.norm('enc.norm_out', c.h, c.t1, ch[n], N);
    c.conv('enc.conv_out', c.t1, this.z, ch[n], k.code_dim, h, w, { kernel: 1 });
    const cb = this.codebook;
    vqNearest(rt, batch, { B, N, D: k.code_dim, K: k.codebook_size, z: this.z, codebook: cb.buffer, codebookOffset: cb.offset, tokens: this.out });
    c.flops += vqNearestFlops(N, k.code_dim, k.codebook_size, B);
    this.bufs = c.bufs;
    this.flops = c.flops;
    return c.flops;
  }

  /** Encodes one size×size gray8 frame (row-major): an image's tokens, or a clip's first latent frame. */
  encode(gray: ArrayLike<number>): Promise<EncodedTokens> {
    return this.encodeFrames([gray]);
  }

  /**
   * Encodes the first k frames of a clip (k = 1 + G·(j − 1), 1 ≤ j ≤ L) into the tokens of the
   * first j latent frames (SPEC §8: causal, so they depend on these frames only). One submit,
   * one readback.
   */
  async encodeFrames(frames: ArrayLike<number>[]): Promise<EncodedTokens> {
    const k = this.k, { group: G, latents: L, cells: N } = this.layout;
    const B = 1 + (frames.length - 1) / G;
    if (!Number.isInteger(B) || B < 1 || B > L) {
      throw new MgntError('shape', `encoder: ${frames.length} frames do not fill whole latent frames (1 + ${G}·j frames, j < ${L}); allowed: ${Array.from({ length: L }, (_, j) => 1 + G * j).join(', ')}`);
    }
    const side = this.size + 2 * k.pad, plane = side * side, x = new Float32Array(B * G * plane);
    for (let g = 0; g < B; g++) for (let c = 0; c < G; c++) x.set(encoderInput(frames[frameOf(G, g, c)], this.size, k.pad), (g * G + c) * plane);
    this.rt.device.queue.writeBuffer(this.x, 0, x);
    const batch = this.rt.batch('encode');
    const flops = this.record(batch, B);
    const n = B * N, zWords = B * k.code_dim * N;
    batch.copy(this.z, 0, this.out, n * 4, zWords * 4);
    const rb = batch.readback(this.out, (n + zWords) * 4);
    batch.submit();
    const buf = await rb;
    return { tokens: new Uint32Array(buf, 0, n).slice(), z: new Float32Array(buf, n * 4, zWords).slice(), latents: B, flops };
  }
  destroy(): void {
    this.rt.release(this.x, ...this.bufs, this.z, this.out);
  }
}
