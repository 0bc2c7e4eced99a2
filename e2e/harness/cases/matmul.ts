import { MgntError } from '../../../src/gpu/errors';
import { matmul } from '../../../src/gpu/kernels/matmul';
import { compare, randn, rng } from '../../../src/reference/compare';
import { matmulRef } from '../../../src/reference/matmul';
import type { CaseFn } from '../types';

export interface MatmulSpec {
  M: number; N: number; K: number;
  /** Full tensor sizes the slice is taken from (strides). */
  Kfull?: number; Nfull?: number;
  transposeW?: boolean; bias?: boolean; gelu?: boolean; accumulate?: boolean;
  gather?: number; // gather M rows out of this many
  scatter?: number; // scatter M rows into this many
  variant?: import('../../../src/gpu/kernels/matmul').MatmulVariant;
  seed?: number;
}

const matmulCase: CaseFn = async (rt, s: MatmulSpec) => {
  const seed = s.seed ?? 1;
  const Kf = s.Kfull ?? s.K, Nf = s.Nfull ?? s.N;
  const rowsX = s.gather ?? s.M;
  const rowsY = s.scatter ?? s.M;
  const x = randn(rowsX * Kf, seed);
  const w = randn(Kf * Nf, seed + 1, 1 / Math.sqrt(s.K));
  const b = randn(Nf, seed + 2);
  const y0 = randn(rowsY * Nf, seed + 3);
  let idx: Uint32Array | undefined;
  if (s.gather || s.scatter) {
    const n = (s.gather ?? s.scatter)!;
    const r = rng(seed + 4);
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
    idx = Uint32Array.from(perm.slice(0, s.M));
  }
  // Transposed form: W stored [Nf, Kf], ldw = Kf.
  const ldw = s.transposeW ? Kf : Nf;
  const ref = y0.slice();
  matmulRef({
    M: s.M, N: s.N, K: s.K, x, ldx: Kf, w, ldw, transposeW: s.transposeW, y: ref, ldy: Nf,
    bias: s.bias ? b : undefined, gelu: s.gelu, accumulate: s.accumulate,
    gatherX: s.gather ? idx : undefined, scatterY: s.scatter ? idx : undefined,
  });
  const X = rt.upload(x), Wb = rt.upload(w), B = rt.upload(b), Y = rt.upload(y0);
  const I = idx ? rt.upload(idx) : undefined;
  const batch = rt.batch();
  matmul(rt, batch, {
    M: s.M, N: s.N, K: s.K, x: X, ldx: Kf, w: Wb, ldw, transposeW: s.transposeW, y: Y, ldy: Nf,
    bias: s.bias ? B : undefined, gelu: s.gelu, accumulate: s.accumulate,
    gatherX: s.gather ? I : undefined, scatterY: s.scatter ? I : undefined,
    rowsX, rowsY, variant: s.variant,
  });
  const out = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await out);
  rt.release(X, Wb, B, Y, I);
  // Whole Y is compared: untouched rows/columns must keep their values.
  return compare(got, ref, 1e-4, 2e-5 * Math.sqrt(s.K));
};

const matmulBadShape: CaseFn = async (rt, s: { what: string }) => {
  const X = rt.upload(new Float32Array(64)), W = rt.upload(new Float32Array(64)), Y = rt.storage(256);
  try {
    const batch = rt.batch();
    if (s.what === 'k-over-stride') matmul(rt, batch, { M: 4, N: 4, K: 9, x: X, ldx: 8, w: W, ldw: 4, y: Y, ldy: 4 });
    else if (s.what === 'w-too-small') matmul(rt, batch, { M: 2, N: 8, K: 16, x: X, ldx: 16, w: W, ldw: 8, y: Y, ldy: 8 });
    else if (s.what === 'alias') matmul(rt, batch, { M: 2, N: 4, K: 4, x: Y, ldx: 4, w: W, ldw: 4, y: Y, ldy: 4 });
    else if (s.what === 'vec4-unaligned') matmul(rt, batch, { M: 2, N: 4, K: 3, x: X, ldx: 3, w: W, ldw: 4, y: Y, ldy: 4, variant: 'vec4' });
    else matmul(rt, batch, { M: 0, N: 4, K: 4, x: X, ldx: 4, w: W, ldw: 4, y: Y, ldy: 4 });
    return { error: undefined };
  } catch (e) {
    return { error: { type: e instanceof MgntError ? e.type : undefined, message: String((e as Error).message) } };
  } finally {
    rt.release(X, W, Y);
  }
};

export const cases = { matmul: matmulCase, matmulBadShape };
