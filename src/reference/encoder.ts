/**
 * CPU reference of the whole VQ encoder (docs/SPEC.md §1, src/model/encoder.ts) composed of the
 * kernel references: f64 accumulation inside each op, f32 tensors between ops (as on the GPU).
 */
import { encoderInput } from '../model/encoder-input';
import type { TokenizerConfig } from '../model/manifest';
import { avgpool2xRef } from './avgpool2x';
import { conv2dRef } from './conv2d';
import { groupnormRef } from './groupnorm';
import { vqNearestRef } from './vq_nearest';

export function encoderRef(
  k: TokenizerConfig,
  grid: [number, number],
  get: (name: string) => Float32Array,
  gray: ArrayLike<number>,
): { z: Float32Array; tokens: Uint32Array; margin: Float64Array } {
  if (!k.encoder) throw new Error('encoderRef: the config has no encoder');
  const [e0, e1, e2] = k.encoder.channels, G = k.encoder.groups;
  const [gh, gw] = grid, H = gh * 4, W = gw * 4;
  const conv = (name: string, x: Float32Array, Cin: number, Cout: number, h: number, w: number, kernel: 1 | 3 = 3, residual?: Float32Array) => {
    const y = new Float32Array(Cout * h * w);
    conv2dRef({ Cin, Cout, H: h, W: w, kernel, x, w: get(`${name}.weight`), bias: get(`${name}.bias`), residual, y });
    return y;
  };
  const norm = (name: string, x: Float32Array, C: number, hw: number) => {
    const y = new Float32Array(C * hw);
    groupnormRef({ C, HW: hw, G, x, gamma: get(`${name}.weight`), beta: get(`${name}.bias`), y, silu: true });
    return y;
  };
  const res = (name: string, x: Float32Array, C: number, h: number, w: number) => {
    const a = conv(`${name}.conv1`, norm(`${name}.norm1`, x, C, h * w), C, C, h, w);
    return conv(`${name}.conv2`, norm(`${name}.norm2`, a, C, h * w), C, C, h, w, 3, x);
  };
  const pool = (x: Float32Array, C: number, h: number, w: number) => {
    const y = new Float32Array((C * h * w) / 4);
    avgpool2xRef(C, h, w, x, y);
    return y;
  };
  let h = conv('enc.conv_in', encoderInput(gray, H - 2 * k.pad, k.pad), 1, e0, H, W);
  h = res('enc.res0', h, e0, H, W);
  h = res('enc.res1', conv('enc.down1', pool(h, e0, H, W), e0, e1, H / 2, W / 2), e1, H / 2, W / 2);
  h = res('enc.res2', conv('enc.down2', pool(h, e1, H / 2, W / 2), e1, e2, H / 4, W / 4), e2, H / 4, W / 4);
  const z = conv('enc.conv_out', norm('enc.norm_out', h, e2, gh * gw), e2, k.code_dim, gh, gw, 1);
  const { tokens, margin } = vqNearestRef({ N: gh * gw, D: k.code_dim, K: k.codebook_size, z, codebook: get('codebook') });
  return { z, tokens, margin };
}
