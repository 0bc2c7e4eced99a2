// The VQ tokenizer's encoder (docs/SPEC.md §1, train/tokenizer.py Encoder) on the GPU: 28×28 gray
// pixels → padded [1, 32, 32] input (CPU) → convs, residual blocks with GroupNorm+SiLU and 2×2
// average pooling → z [code_dim, 8, 8] → the nearest codebook entry of every cell → 64 tokens.
import { avgpool2x, avgpool2xFlops } from '../gpu/kernels/avgpool2x';
import { vqNearest, vqNearestFlops } from '../gpu/kernels/vq_nearest';
import { MgntError } from '../gpu/errors';
import type { Batch, Runtime } from '../gpu/runtime';
import { ConvChain } from './conv-chain';
import { encoderInput } from './encoder-input';
import type { EncoderConfig, TokenizerConfig } from './manifest';
import { encoderTensors } from './tensors';
import { WeightStore, type TensorSource, type WeightRef } from './weights';

export interface EncodedTokens {
  /** One token per grid cell, row-major (cell r·gw + c). */
  tokens: Uint32Array;
  /** The encoder's output before quantisation, [code_dim, gh, gw]. */
  z: Float32Array;
  flops: number;
}

export class VqEncoder {
  private x: GPUBuffer;
  private bufs: GPUBuffer[];
  private z: GPUBuffer;
  /** Tokens, then a copy of z: what one readback returns. */
  private out: GPUBuffer;
  private readonly e: EncoderConfig;
  readonly gh: number;
  readonly gw: number;
  /** Side of the square input image (28: the padded 32 less 2·pad). */
  readonly size: number;
  /** FLOPs of one encode (constant: the shapes never change). */
  flops = 0;

  /** `codebook`: the decoder's codebook on the GPU (the encoder quantises against the same rows). */
  constructor(private rt: Runtime, readonly k: TokenizerConfig, grid: [number, number], readonly weights: WeightStore, private codebook: WeightRef) {
    if (!k.encoder) throw new MgntError('bad-attribute', 'this checkpoint has no encoder (no tokenizer.encoder in its manifest); re-export it with train/export.py');
    this.e = k.encoder;
    [this.gh, this.gw] = grid;
    const [e0, e1, e2] = this.e.channels;
    const H = this.gh * 4, W = this.gw * 4, N = this.gh * this.gw;
    const most = Math.max(e0 * H * W, (e1 * H * W) / 4, (e2 * H * W) / 16);
    this.x = rt.storage(H * W * 4, 'enc-x');
    this.bufs = [0, 1, 2].map((i) => rt.storage(most * 4, `enc-h${i}`));
    this.z = rt.storage(k.code_dim * N * 4, 'enc-z');
    this.out = rt.storage((N + k.code_dim * N) * 4, 'enc-out');
    this.size = H - 2 * k.pad;
  }

  static upload(rt: Runtime, k: TokenizerConfig, get: (name: string, shape: number[]) => Float32Array): WeightStore {
    const store = new WeightStore(rt);
    store.uploadGroup('encoder', encoderTensors(k).map((t): TensorSource => ({ ...t, data: get(t.name, t.shape) })));
    return store;
  }

  /** Records the encoder on the input in `this.x`: z into `this.z`, tokens into `this.out`. */
  record(batch: Batch): number {
    const rt = this.rt, k = this.k;
    const [e0, e1, e2] = this.e.channels;
    const c = new ConvChain(rt, batch, this.weights, this.e.groups, this.bufs);
    // Pool h into t1, convolve into t2; t2 becomes h.
    const down = (name: string, Cin: number, Cout: number, H: number, W: number) => {
      avgpool2x(rt, batch, { N: Cin, Hin: H, Win: W, x: c.h, y: c.t1 });
      c.flops += avgpool2xFlops(Cin, H, W);
      c.conv(name, c.t1, c.t2, Cin, Cout, H / 2, W / 2);
      [c.h, c.t2] = [c.t2, c.h];
    };
    const H = this.gh * 4, W = this.gw * 4, N = this.gh * this.gw;
    c.conv('enc.conv_in', this.x, c.h, 1, e0, H, W);
    c.res('enc.res0', e0, H, W);
    down('enc.down1', e0, e1, H, W);
    c.res('enc.res1', e1, H / 2, W / 2);
    down('enc.down2', e1, e2, H / 2, W / 2);
    c.res('enc.res2', e2, H / 4, W / 4);
    c.norm('enc.norm_out', c.h, c.t1, e2, N);
    c.conv('enc.conv_out', c.t1, this.z, e2, k.code_dim, this.gh, this.gw, { kernel: 1 });
    const cb = this.codebook;
    vqNearest(rt, batch, { N, D: k.code_dim, K: k.codebook_size, z: this.z, codebook: cb.buffer, codebookOffset: cb.offset, tokens: this.out });
    c.flops += vqNearestFlops(N, k.code_dim, k.codebook_size);
    this.bufs = c.bufs;
    this.flops = c.flops;
    return c.flops;
  }

  /** Encodes size×size gray8 pixels (row-major) to tokens: one submit, one readback. */
  async encode(gray: ArrayLike<number>): Promise<EncodedTokens> {
    const k = this.k, N = this.gh * this.gw, zWords = k.code_dim * N;
    this.rt.device.queue.writeBuffer(this.x, 0, encoderInput(gray, this.size, k.pad));
    const batch = this.rt.batch('encode');
    const flops = this.record(batch);
    batch.copy(this.z, 0, this.out, N * 4, zWords * 4);
    const rb = batch.readback(this.out, (N + zWords) * 4);
    batch.submit();
    const buf = await rb;
    return { tokens: new Uint32Array(buf, 0, N).slice(), z: new Float32Array(buf, N * 4, zWords).slice(), flops };
  }

  destroy(): void {
    this.rt.release(this.x, ...this.bufs, this.z, this.out);
  }
}
