import { MgntError } from '../../../src/gpu/errors';
import { codebookLookup } from '../../../src/gpu/kernels/codebook';
import { conv2d, upsample2x } from '../../../src/gpu/kernels/conv2d';
import { groupnorm } from '../../../src/gpu/kernels/groupnorm';
import { grayWords, packImage } from '../../../src/gpu/kernels/pack_image';
import { codebookLookupRef } from '../../../src/reference/codebook';
import { compare, randn, rng } from '../../../src/reference/compare';
import { conv2dRef, upsample2xRef } from '../../../src/reference/conv2d';
import { groupnormRef } from '../../../src/reference/groupnorm';
import { packImageRef } from '../../../src/reference/pack_image';
import type { CaseFn } from '../types';

function padded(n: number, off: number, seed: number, scale = 1): Float32Array {
  return randn(off + n, seed, scale);
}

export interface Conv2dSpec {
  B?: number; Cin: number; Cout: number; H: number; W: number; kernel: 1 | 3;
  upsample?: boolean; bias?: boolean; residual?: boolean; seed?: number;
}

const conv2dCase: CaseFn = async (rt, s: Conv2dSpec) => {
  const B = s.B ?? 1, seed = s.seed ?? 1, kk = s.kernel * s.kernel;
  const Hin = s.upsample ? s.H / 2 : s.H, Win = s.upsample ? s.W / 2 : s.W;
  // Every tensor sits at an odd element offset inside a larger buffer, as in a packed checkpoint.
  const xo = 3, wo = 7, bo = 5, ro = 2, yo = 1;
  const nOut = B * s.Cout * s.H * s.W;
  const x = padded(B * s.Cin * Hin * Win, xo, seed);
  const w = padded(s.Cout * s.Cin * kk + 11, wo, seed + 1, 1 / Math.sqrt(s.Cin * kk));
  const bias = padded(s.Cout, bo, seed + 2);
  const res = padded(nOut, ro, seed + 3);
  const y0 = padded(nOut + 4, yo, seed + 4);
  const ref = y0.slice();
  conv2dRef({
    B, Cin: s.Cin, Cout: s.Cout, H: s.H, W: s.W, kernel: s.kernel, upsample: s.upsample,
    x, xOffset: xo, w, wOffset: wo, bias: s.bias ? bias : undefined, biasOffset: bo,
    residual: s.residual ? res : undefined, residualOffset: ro, y: ref, yOffset: yo,
  });
  const X = rt.upload(x), Wb = rt.upload(w), Bb = rt.upload(bias), R = rt.upload(res), Y = rt.upload(y0);
  const batch = rt.batch();
  conv2d(rt, batch, {
    B, Cin: s.Cin, Cout: s.Cout, H: s.H, W: s.W, kernel: s.kernel, upsample: s.upsample,
    x: X, xOffset: xo, w: Wb, wOffset: wo, bias: s.bias ? Bb : undefined, biasOffset: bo,
    residual: s.residual ? R : undefined, residualOffset: ro, y: Y, yOffset: yo,
  });
  const rb = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await rb);
  rt.release(X, Wb, Bb, R, Y);
  // Whole Y compared: the elements around the output must be untouched.
  return compare(got, ref, 1e-4, 2e-5 * Math.sqrt(s.Cin * kk));
};

const upsampleCase: CaseFn = async (rt, s: { N: number; Hin: number; Win: number }) => {
  const xo = 5, yo = 3, n = s.N * s.Hin * s.Win;
  const x = padded(n, xo, 31);
  const y0 = padded(4 * n + 2, yo, 32);
  const ref = y0.slice();
  upsample2xRef(s.N, s.Hin, s.Win, x, ref, xo, yo);
  const X = rt.upload(x), Y = rt.upload(y0);
  const batch = rt.batch();
  upsample2x(rt, batch, { N: s.N, Hin: s.Hin, Win: s.Win, x: X, xOffset: xo, y: Y, yOffset: yo });
  const rb = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await rb);
  rt.release(X, Y);
  return compare(got, ref, 0, 0);
};

export interface GroupnormSpec {
  B?: number; C: number; HW: number; G: number; silu?: boolean; inPlace?: boolean; workgroupSize?: number;
  /** Mean offset of the data (numerical stability of the variance). */
  shift?: number;
}

const groupnormCase: CaseFn = async (rt, s: GroupnormSpec) => {
  const B = s.B ?? 1, n = B * s.C * s.HW;
  const xo = 6, yo = s.inPlace ? 6 : 1, go = 3, bo = 4;
  const x = padded(n, xo, 41, 2);
  for (let i = xo; i < x.length; i++) x[i] += s.shift ?? 0.5;
  const gamma = padded(s.C, go, 42), beta = padded(s.C, bo, 43);
  const y0 = s.inPlace ? x.slice() : padded(n + 3, yo, 44);
  const ref = y0.slice();
  groupnormRef({ B, C: s.C, HW: s.HW, G: s.G, x, xOffset: xo, gamma, gammaOffset: go, beta, betaOffset: bo, y: ref, yOffset: yo, silu: s.silu });
  const X = rt.upload(x), Gm = rt.upload(gamma), Bt = rt.upload(beta), Y = s.inPlace ? X : rt.upload(y0);
  const batch = rt.batch();
  groupnorm(rt, batch, {
    B, C: s.C, HW: s.HW, G: s.G, x: X, xOffset: xo, gamma: Gm, gammaOffset: go, beta: Bt, betaOffset: bo,
    y: Y, yOffset: yo, silu: s.silu, workgroupSize: s.workgroupSize,
  });
  const rb = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await rb);
  rt.release(X, Gm, Bt, s.inPlace ? undefined : Y);
  return compare(got, ref, 1e-4, 1e-5);
};

const codebookCase: CaseFn = async (rt, s: { B?: number; N: number; D: number; K: number; ldc?: number }) => {
  const B = s.B ?? 1, ldc = s.ldc ?? s.D, to = 1, co = 9, zo = 2;
  const r = rng(51);
  const tokens = new Uint32Array(to + B * s.N);
  for (let i = to; i < tokens.length; i++) tokens[i] = Math.floor(r() * s.K);
  tokens[to] = s.K; // a [MASK] token: clamped to K − 1
  tokens[tokens.length - 1] = s.K - 1;
  const cb = padded(s.K * ldc, co, 52);
  const z0 = padded(B * s.D * s.N + 3, zo, 53);
  const ref = z0.slice();
  codebookLookupRef({ B, N: s.N, D: s.D, K: s.K, tokens, tokensOffset: to, codebook: cb, codebookOffset: co, ldc, z: ref, zOffset: zo });
  const T = rt.upload(tokens), C = rt.upload(cb), Z = rt.upload(z0);
  const batch = rt.batch();
  codebookLookup(rt, batch, { B, N: s.N, D: s.D, K: s.K, tokens: T, tokensOffset: to, codebook: C, codebookOffset: co, ldc, z: Z, zOffset: zo });
  const rb = batch.readback(Z, z0.byteLength);
  batch.submit();
  const got = new Float32Array(await rb);
  rt.release(T, C, Z);
  return compare(got, ref, 0, 0);
};

const packImageCase: CaseFn = async (rt, s: { B?: number; H: number; W: number; pad: number; only?: 'gray' | 'rgba' }) => {
  const B = s.B ?? 1, xo = 3, go = 2, ro = 5;
  const x = padded(B * s.H * s.W, xo, 61, 0.7);
  // Hard pixels: the clamp edges, out of range, exact 0 (127.5 → 128 by ties-to-even), and values
  // next to every gray level's .5 boundary, (2k+1)/255 − 1 and its f32 neighbours.
  const r = rng(62);
  const specials = [-1, 1, 0, -1.5, 2, -0, 1e-30, -1e-30, Math.fround(1 / 255 - 1)];
  for (let i = xo; i < x.length; i++) {
    const u = r();
    if (u < 0.1) x[i] = specials[Math.floor(r() * specials.length)];
    else if (u < 0.6) {
      const k = Math.floor(r() * 255);
      const t = Math.fround((2 * k + 1) / 255 - 1);
      const f = new Float32Array([t]);
      const bits = new Int32Array(f.buffer);
      bits[0] += Math.floor(r() * 7) - 3; // up to 3 ulp either side
      x[i] = f[0];
    }
  }
  const words = grayWords(s.H, s.W, s.pad), n = (s.H - 2 * s.pad) * (s.W - 2 * s.pad);
  const ref = packImageRef(B, s.H, s.W, s.pad, x, xo);
  const X = rt.upload(x);
  const G = s.only === 'rgba' ? undefined : rt.upload(new Uint32Array(go + B * words + 1).fill(0xdeadbeef));
  const R = s.only === 'gray' ? undefined : rt.upload(new Uint32Array(ro + B * n + 1).fill(0xdeadbeef));
  const batch = rt.batch();
  packImage(rt, batch, { B, H: s.H, W: s.W, pad: s.pad, x: X, xOffset: xo, gray: G, grayOffset: go, rgba: R, rgbaOffset: ro });
  const gp = G ? batch.readback(G, (go + B * words + 1) * 4) : undefined;
  const rp = R ? batch.readback(R, (ro + B * n + 1) * 4) : undefined;
  batch.submit();
  const parts: Record<string, ReturnType<typeof compare>> = {};
  if (gp) {
    const g = new Uint32Array(await gp);
    const want = new Uint32Array(go + B * words + 1).fill(0xdeadbeef);
    for (let b = 0; b < B; b++) {
      const bytes = new Uint8Array(words * 4);
      bytes.set(ref.gray.subarray(b * n, (b + 1) * n));
      want.set(new Uint32Array(bytes.buffer), go + b * words);
    }
    parts['gray8 (packed, exact)'] = compare(g, want, 0, 0);
  }
  if (rp) {
    const got = new Uint32Array(await rp);
    const want = new Uint32Array(ro + B * n + 1).fill(0xdeadbeef);
    want.set(ref.rgba, ro);
    parts['rgba8 (exact)'] = compare(got, want, 0, 0);
  }
  rt.release(X, G, R);
  return { parts };
};

const decoderBadShape: CaseFn = async (rt, s: { what: string }) => {
  const A = rt.upload(new Float32Array(64)), Bf = rt.upload(new Float32Array(64)), Y = rt.storage(256);
  try {
    const batch = rt.batch();
    const conv = { Cin: 2, Cout: 2, H: 2, W: 2, kernel: 3 as const, x: A, w: Bf, y: Y };
    switch (s.what) {
      case 'conv2d-w-too-small': conv2d(rt, batch, { ...conv, Cin: 4, Cout: 4 }); break;
      case 'conv2d-kernel-5': conv2d(rt, batch, { ...conv, kernel: 5 as unknown as 3 }); break;
      case 'conv2d-upsample-odd': conv2d(rt, batch, { ...conv, H: 3, upsample: true }); break;
      case 'conv2d-alias': conv2d(rt, batch, { ...conv, residual: Y }); break;
      case 'groupnorm-groups': groupnorm(rt, batch, { C: 6, HW: 4, G: 4, x: A, gamma: Bf, beta: Bf, y: Y }); break;
      case 'groupnorm-x-too-small': groupnorm(rt, batch, { C: 8, HW: 9, G: 2, x: A, gamma: Bf, beta: Bf, y: Y }); break;
      case 'codebook-stride': codebookLookup(rt, batch, { N: 4, D: 8, K: 4, ldc: 4, tokens: A, codebook: Bf, z: Y }); break;
      case 'codebook-alias': codebookLookup(rt, batch, { N: 4, D: 4, K: 4, tokens: A, codebook: Bf, z: Bf }); break;
      case 'pack-pad': packImage(rt, batch, { H: 4, W: 4, pad: 2, x: A, gray: Y }); break;
      case 'pack-no-output': packImage(rt, batch, { H: 4, W: 4, pad: 1, x: A }); break;
      case 'upsample-too-small': upsample2x(rt, batch, { N: 2, Hin: 4, Win: 4, x: A, y: Y }); break;
      default: throw new Error(`unknown bad shape ${s.what}`);
    }
    return { error: undefined };
  } catch (e) {
    return { error: { type: e instanceof MgntError ? e.type : undefined, message: String((e as Error).message) } };
  } finally {
    rt.release(A, Bf, Y);
  }
};

export const cases = {
  conv2d: conv2dCase, upsample2x: upsampleCase, groupnorm: groupnormCase, codebookLookup: codebookCase,
  packImage: packImageCase, decoderBadShape,
};
