import { kvScatter } from '../../../src/gpu/kernels/kv_scatter';
import { compare, randn, rng } from '../../../src/reference/compare';
import { kvScatterRef } from '../../../src/reference/kv_scatter';
import type { CaseFn } from '../types';
import { expectShapeError } from './layernorm';

export interface KvScatterSpec {
  n: number;
  d: number;
  /** Full row width D (cache and source stride). */
  D: number;
  cacheRows: number;
  /** Also write V in the same dispatch. */
  v?: boolean;
  /** K and V caches as one [cacheRows, 2D] buffer (K in the first half of each row). */
  shared?: boolean;
  /** Append this many out-of-range indices (must be skipped). */
  outOfRange?: number;
  seed?: number;
}

const kvScatterCase: CaseFn = async (rt, s: KvScatterSpec) => {
  const seed = s.seed ?? 1;
  const r = rng(seed + 9);
  const perm = Array.from({ length: s.cacheRows }, (_, i) => i).sort(() => r() - 0.5).slice(0, s.n - (s.outOfRange ?? 0));
  for (let i = 0; i < (s.outOfRange ?? 0); i++) perm.push(s.cacheRows + i * 7);
  const idx = Uint32Array.from([12345, ...perm]); // idxOffset 1
  const lds = s.D + 3; // compact source with its own stride
  const sk = randn(2 + s.n * lds, seed), sv = randn(2 + s.n * lds, seed + 1);
  const ldc = s.shared ? 2 * s.D : s.D;
  const ck0 = randn(s.cacheRows * ldc, seed + 2);
  const cv0 = s.shared ? ck0 : randn(s.cacheRows * ldc, seed + 3);
  const refK = ck0.slice();
  const refV = s.shared ? refK : cv0.slice();
  const vOff = s.shared ? s.D : 0;
  kvScatterRef({
    n: s.n, d: s.d, idx, idxOffset: 1, cacheRows: s.cacheRows,
    k: { src: sk, lds, srcOffset: 2, dst: refK, ldc },
    v: s.v ? { src: sv, lds, srcOffset: 2, dst: refV, ldc, dstOffset: vOff } : undefined,
  });
  const SK = rt.upload(sk), SV = rt.upload(sv), I = rt.upload(idx), CK = rt.upload(ck0);
  const CV = s.shared ? CK : rt.upload(cv0);
  const batch = rt.batch();
  kvScatter(rt, batch, {
    n: s.n, d: s.d, idx: I, idxOffset: 1, cacheRows: s.cacheRows,
    k: { src: SK, lds, srcOffset: 2, dst: CK, ldc },
    v: s.v ? { src: SV, lds, srcOffset: 2, dst: CV, ldc, dstOffset: vOff } : undefined,
  });
  const outK = batch.readback(CK, ck0.byteLength);
  const outV = s.shared ? outK : batch.readback(CV, cv0.byteLength);
  batch.submit();
  const gotK = new Float32Array(await outK), gotV = new Float32Array(await outV);
  rt.release(SK, SV, I, CK, ...(s.shared ? [] : [CV]));
  // A copy: exact. Whole caches compared, so untouched rows/channels must keep their values.
  return s.shared ? compare(gotK, refK, 0, 0) : { parts: { K: compare(gotK, refK, 0, 0), V: compare(gotV, refV, 0, 0) } };
};

const kvScatterBadShape: CaseFn = async (rt, s: { what: string }) => {
  const S = rt.upload(new Float32Array(64)), I = rt.upload(new Uint32Array(4)), C = rt.storage(64 * 4 * 4), C2 = rt.storage(64 * 4 * 4);
  const pair = { src: S, lds: 16, dst: C, ldc: 16 };
  const r = await expectShapeError(() => {
    const batch = rt.batch();
    if (s.what === 'd-over-stride') kvScatter(rt, batch, { n: 4, d: 17, idx: I, cacheRows: 4, k: pair });
    else if (s.what === 'cache-too-small') kvScatter(rt, batch, { n: 4, d: 16, idx: I, cacheRows: 17, k: pair });
    else if (s.what === 'idx-too-small') kvScatter(rt, batch, { n: 4, d: 16, idx: I, idxOffset: 61, cacheRows: 4, k: pair });
    else if (s.what === 'kv-overlap') kvScatter(rt, batch, { n: 2, d: 16, idx: I, cacheRows: 4, k: { ...pair, ldc: 32 }, v: { ...pair, ldc: 32, dstOffset: 8 } });
    else if (s.what === 'alias') kvScatter(rt, batch, { n: 2, d: 16, idx: I, cacheRows: 4, k: { ...pair, dst: C2 }, v: { ...pair, dst: S } });
    else kvScatter(rt, batch, { n: 0, d: 16, idx: I, cacheRows: 4, k: pair });
  });
  rt.release(S, I, C, C2);
  return r;
};

export const cases = { kvScatter: kvScatterCase, kvScatterBadShape };
