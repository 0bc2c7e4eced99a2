import { MgntError } from '../../../src/gpu/errors';
import { matmulFused, type FusedOutput } from '../../../src/gpu/kernels/matmul_fused';
import { foldLayerNorm } from '../../../src/model/fold';
import { compare, randn, rng } from '../../../src/reference/compare';
import { matmulFusedRef } from '../../../src/reference/matmul_fused';
import type { CaseFn } from '../types';

export interface FusedSpec {
  M: number; N: number; K: number;
  /** Full tensor sizes the slice is taken from (strides). */
  Kfull?: number; Nfull?: number;
  /** 1 product, or 3 (Q, K, V: products 1 and 2 scattered when `scatter` is set). */
  outputs: 1 | 3;
  ln?: boolean; bias?: boolean; gelu?: boolean; accumulate?: boolean;
  /** Scatter the scattered products' M rows into this many. */
  scatter?: number;
  /** Added to every X element: the folded LayerNorm must stay accurate when |mean| ≫ std. */
  shift?: number;
  /** Elements between the products' weights in the shared buffer (odd: unaligned offsets). */
  wGap?: number;
  xOffset?: number;
  variant?: 'auto' | 'vec4' | 'scalar';
  seed?: number;
}

// Every product is checked against the unfused operations (LayerNorm with gamma/beta, then the
// plain matmul with the original W and b), so the fold at upload is checked with the kernel.
const fusedCase: CaseFn = async (rt, s: FusedSpec) => {
  const seed = s.seed ?? 1;
  const Kf = s.Kfull ?? s.K, Nf = s.Nfull ?? s.N, n = s.outputs, xo = s.xOffset ?? 0, gap = s.wGap ?? 0;
  const x = randn(xo + s.M * Kf, seed).map((v) => v + (s.shift ?? 0));
  const gamma = randn(Kf, seed + 1, 0.5).map((v) => 1 + v), beta = randn(Kf, seed + 2, 0.5);
  const r = rng(seed + 3);
  const rowsY = (z: number) => (s.scatter && (n === 1 || z > 0) ? s.scatter : s.M);
  const idx = s.scatter ? Uint32Array.from(Array.from({ length: s.scatter }, (_, i) => i).sort(() => r() - 0.5).slice(0, s.M)) : undefined;
  const wAll = new Float32Array(n * (Kf * Nf + gap)), bAll = new Float32Array(2 * n * (Nf + gap));
  const outs: FusedOutput[] = [], refs: Float32Array[] = [], y0s: Float32Array[] = [];
  for (let z = 0; z < n; z++) {
    const w = randn(Kf * Nf, seed + 10 + z, 1 / Math.sqrt(s.K)), b = randn(Nf, seed + 20 + z);
    const y0 = randn(rowsY(z) * Nf, seed + 30 + z);
    const ref = y0.slice();
    const scatter = !!s.scatter && (n === 1 || z > 0);
    matmulFusedRef({
      M: s.M, N: s.N, K: s.K, x, ldx: Kf, xOffset: xo, w, ldw: Nf, y: ref, ldy: Nf,
      bias: s.bias ? b : undefined, gelu: s.gelu, accumulate: s.accumulate, scatterY: scatter ? idx : undefined,
      ln: s.ln ? { gamma, beta } : undefined,
    });
    const f = s.ln ? foldLayerNorm(gamma, beta, w, b, Nf, [s.K]) : { w, bias: b, colSum: new Float32Array(Nf) };
    const wo = z * (Kf * Nf + gap), bo = z * (Nf + gap), co = (n + z) * (Nf + gap);
    wAll.set(f.w, wo);
    bAll.set(f.bias.subarray(0, Nf), bo);
    bAll.set(f.colSum.subarray(0, Nf), co);
    outs.push({ wOffset: wo, biasOffset: s.bias ? bo : undefined, colSumOffset: s.ln ? co : undefined, y: rt.upload(y0), scatter, rowsY: rowsY(z) });
    refs.push(ref);
    y0s.push(y0);
  }
  // A folded LayerNorm always adds the folded bias (βᵀW); without a model bias b is 0 there.
  if (s.ln && !s.bias) throw new Error('fused case: ln implies bias (the folded βᵀW)');
  const X = rt.upload(x), Wb = rt.upload(wAll), B = rt.upload(bAll), I = idx ? rt.upload(idx) : undefined;
  const batch = rt.batch();
  matmulFused(rt, batch, {
    M: s.M, N: s.N, K: s.K, x: X, ldx: Kf, xOffset: xo, w: Wb, ldw: Nf, bias: B, ldy: Nf, outputs: outs,
    layernorm: s.ln, gelu: s.gelu, accumulate: s.accumulate, index: I, variant: s.variant,
  });
  const reads = outs.map((o, z) => batch.readback(o.y, y0s[z].byteLength));
  batch.submit();
  const got = await Promise.all(reads);
  rt.release(X, Wb, B, I, ...outs.map((o) => o.y));
  // Whole outputs are compared: untouched rows/columns must keep their values.
  return { parts: Object.fromEntries(got.map((g, z) => [`y${z}`, compare(new Float32Array(g), refs[z], 1e-4, 2e-5 * Math.sqrt(s.K))])) };
};

const fusedBadShape: CaseFn = async (rt, s: { what: string }) => {
  const X = rt.upload(new Float32Array(64)), W = rt.upload(new Float32Array(64)), Y = rt.storage(256), Y2 = rt.storage(256);
  const o = (y: GPUBuffer, extra: Partial<FusedOutput> = {}): FusedOutput => ({ wOffset: 0, y, ...extra });
  try {
    const batch = rt.batch();
    const base = { M: 2, N: 4, K: 4, x: X, ldx: 4, w: W, ldw: 4, ldy: 4 };
    if (s.what === 'two-outputs') matmulFused(rt, batch, { ...base, outputs: [o(Y), o(Y2)] });
    else if (s.what === 'same-output') matmulFused(rt, batch, { ...base, outputs: [o(Y), o(Y2), o(Y)] });
    else if (s.what === 'ln-without-colsum') matmulFused(rt, batch, { ...base, bias: W, layernorm: true, outputs: [o(Y, { biasOffset: 0 })] });
    else if (s.what === 'scatter-without-index') matmulFused(rt, batch, { ...base, outputs: [o(Y, { scatter: true })] });
    else if (s.what === 'vec4-unaligned') matmulFused(rt, batch, { ...base, K: 3, ldx: 3, variant: 'vec4', outputs: [o(Y)] });
    else matmulFused(rt, batch, { ...base, K: 9, outputs: [o(Y)] });
    return { error: undefined };
  } catch (e) {
    return { error: { type: e instanceof MgntError ? e.type : undefined, message: String((e as Error).message) } };
  } finally {
    rt.release(X, W, Y, Y2);
  }
};

export const cases = { matmulFused: fusedCase, matmulFusedBadShape: fusedBadShape };
