/**
 * CPU references of the whole VQ encoder and decoder (docs/SPEC.md §1, §8; src/model/encoder.ts,
 * decoder.ts) composed of the kernel references: f64 accumulation inside each op, f32 tensors
 * between ops (as on the GPU). One latent frame at a time, as the SPEC states them; the GPU runs
 * a clip's latent frames as one batch, which these check.
 */
import { firstFramePlane, frameOf } from '../model/clip';
import { encoderInput } from '../model/encoder-input';
import type { TokenizerConfig } from '../model/manifest';
import { avgpool2xRef } from './avgpool2x';
import { codebookLookupRef } from './codebook';
import { conv2dRef, upsample2xRef } from './conv2d';
import { groupnormRef } from './groupnorm';
import { packImageRef } from './pack_image';
import { vqNearestRef } from './vq_nearest';

type Get = (name: string) => Float32Array;

/** conv, GroupNorm+SiLU and the residual block over named weights. */
function ops(get: Get, groups: number) {
  const conv = (name: string, x: Float32Array, Cin: number, Cout: number, h: number, w: number, kernel: 1 | 3 = 3, residual?: Float32Array) => {
    const y = new Float32Array(Cout * h * w);
    conv2dRef({ Cin, Cout, H: h, W: w, kernel, x, w: get(`${name}.weight`), bias: get(`${name}.bias`), residual, y });
    return y;
  };
  const norm = (name: string, x: Float32Array, C: number, hw: number) => {
    const y = new Float32Array(C * hw);
    groupnormRef({ C, HW: hw, G: groups, x, gamma: get(`${name}.weight`), beta: get(`${name}.bias`), y, silu: true });
    return y;
  };
  const res = (name: string, x: Float32Array, C: number, h: number, w: number) => {
    const a = conv(`${name}.conv1`, norm(`${name}.norm1`, x, C, h * w), C, C, h, w);
    return conv(`${name}.conv2`, norm(`${name}.norm2`, a, C, h * w), C, C, h, w, 3, x);
  };
  return { conv, norm, res };
}

/**
 * The encoder on the first k = 1 + G·(j − 1) frames of a clip (one frame for an image): z
 * [j, code_dim, h, w], tokens and best/second-best margins of the j latent frames.
 */
export function encoderRef(
  k: TokenizerConfig,
  grid: number[],
  get: Get,
  frames: ArrayLike<number> | ArrayLike<number>[],
): { z: Float32Array; tokens: Uint32Array; margin: Float64Array } {
  if (!k.encoder) throw new Error('encoderRef: the config has no encoder');
  const list = isFrameList(frames) ? frames : [frames];
  const ch = k.encoder.channels, n = ch.length - 1, G = k.group ?? 1;
  const [gh, gw] = grid.slice(-2), H = gh << n, W = gw << n, N = gh * gw;
  const { conv, norm, res } = ops(get, k.encoder.groups);
  const pool = (x: Float32Array, C: number, h: number, w: number) => {
    const y = new Float32Array((C * h * w) / 4);
    avgpool2xRef(C, h, w, x, y);
    return y;
  };
  const B = 1 + (list.length - 1) / G;
  const z = new Float32Array(B * k.code_dim * N), tokens = new Uint32Array(B * N), margin = new Float64Array(B * N);
  for (let g = 0; g < B; g++) {
    const x = new Float32Array(G * H * W);
    for (let c = 0; c < G; c++) x.set(encoderInput(list[frameOf(G, g, c)], H - 2 * k.pad, k.pad), c * H * W);
    let h = res('enc.res0', conv('enc.conv_in', x, G, ch[0], H, W), ch[0], H, W);
    for (let i = 1; i <= n; i++) {
      const hi = H >> i, wi = W >> i;
      h = res(`enc.res${i}`, conv(`enc.down${i}`, pool(h, ch[i - 1], hi * 2, wi * 2), ch[i - 1], ch[i], hi, wi), ch[i], hi, wi);
    }
    const zg = conv('enc.conv_out', norm('enc.norm_out', h, ch[n], N), ch[n], k.code_dim, gh, gw, 1);
    const q = vqNearestRef({ N, D: k.code_dim, K: k.codebook_size, z: zg, codebook: get('codebook') });
    z.set(zg, g * k.code_dim * N);
    tokens.set(q.tokens, g * N);
    margin.set(q.margin, g * N);
  }
  return { z, tokens, margin };
}

function isFrameList(f: ArrayLike<number> | ArrayLike<number>[]): f is ArrayLike<number>[] {
  return Array.isArray(f) && f.length > 0 && typeof f[0] !== 'number';
}

/** The decoder on a clip's tokens: gray8 frames [frames, size, size] (SPEC §8; an image: one). */
export function decoderRef(k: TokenizerConfig, grid: number[], get: Get, tokens: ArrayLike<number>): { gray: Uint8Array; frames: number; size: number } {
  const ch = k.decoder.channels, n = ch.length - 1, G = k.group ?? 1, T = k.frames ?? 1;
  const [gh, gw] = grid.slice(-2), L = grid.length === 3 ? grid[0] : 1, N = gh * gw, H = gh << n, W = gw << n;
  const { conv, norm, res } = ops(get, k.decoder.groups);
  const size = H - 2 * k.pad, px = size * size;
  const planes = new Uint8Array(L * G * px);
  for (let g = 0; g < L; g++) {
    const z = new Float32Array(k.code_dim * N);
    codebookLookupRef({ N, D: k.code_dim, K: k.codebook_size, tokens: Uint32Array.from(Array.from({ length: N }, (_, i) => tokens[g * N + i])), codebook: get('codebook'), z });
    let h = res('dec.res0', conv('dec.conv_in', z, k.code_dim, ch[0], gh, gw), ch[0], gh, gw);
    for (let i = 1; i <= n; i++) {
      const hi = gh << i, wi = gw << i, up = new Float32Array(ch[i - 1] * hi * wi);
      upsample2xRef(ch[i - 1], hi / 2, wi / 2, h, up);
      h = conv(`dec.up${i}`, up, ch[i - 1], ch[i], hi, wi);
      if (i < n) h = res(`dec.res${i}`, h, ch[i], hi, wi);
    }
    const y = conv('dec.conv_out', norm('dec.norm_out', h, ch[n], H * W), ch[n], G, H, W);
    planes.set(packImageRef(G, H, W, k.pad, y).gray, g * G * px);
  }
  const first = firstFramePlane(G);
  return { gray: planes.slice(first * px, (first + T) * px), frames: T, size };
}
