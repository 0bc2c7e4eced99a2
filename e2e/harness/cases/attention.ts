import { attention, attentionFlops } from '../../../src/gpu/kernels/attention';
import { compare, randn } from '../../../src/reference/compare';
import { attentionRef } from '../../../src/reference/attention';
import type { CaseFn } from '../types';
import { expectShapeError } from './layernorm';

export interface AttentionSpec {
  batch: number;
  nq: number;
  nkv: number;
  /** Active heads of H, head size hd; rows are H·hd wide (D). */
  heads: number;
  H: number;
  hd: number;
  /** Allocated cache rows per sequence (≥ nkv); default nkv. */
  kvSeq?: number;
  /** Q, K, V as one fused [rows, 3D] buffer (needs nq == nkv == kvSeq). */
  fused?: boolean;
  /** Multiplies the scores: large values test the max-subtracted softmax. */
  sharpness?: number;
  /** Extra element offset of every tensor and extra output stride. */
  offset?: number;
  /** K and V in exact-size (non-pooled) buffers one f32 longer than needed: size not a multiple of 16 B. */
  oddBuffers?: boolean;
  /** 'scalar' forces the scalar K/V loads on an aligned layout; 'single' one query row per invocation. */
  variant?: 'auto' | 'scalar' | 'single';
  seed?: number;
}

const attentionCase: CaseFn = async (rt, s: AttentionSpec) => {
  const seed = s.seed ?? 1;
  const D = s.H * s.hd, off = s.offset ?? 0;
  const kvSeq = s.kvSeq ?? s.nkv;
  const rows = s.batch * s.nq, kvRows = s.batch * kvSeq;
  const scale = (s.sharpness ?? 1) / Math.sqrt(s.hd);
  let q: Float32Array, k: Float32Array, v: Float32Array;
  let ldq: number, ldk: number, ldv: number, qo: number, ko: number, vo: number;
  if (s.fused) {
    if (s.nq !== s.nkv || kvSeq !== s.nkv) throw new Error('fused QKV needs nq == nkv == kvSeq');
    q = k = v = randn(off + rows * 3 * D, seed);
    ldq = ldk = ldv = 3 * D;
    qo = off; ko = off + D; vo = off + 2 * D;
  } else {
    q = randn(off + rows * D, seed);
    k = randn(off + kvRows * D, seed + 1);
    v = randn(off + kvRows * D, seed + 2);
    ldq = ldk = ldv = D;
    qo = ko = vo = off;
  }
  const ldo = D + off;
  const o0 = randn(off + rows * ldo, seed + 3);
  const ref = o0.slice();
  const common = { batch: s.batch, nq: s.nq, nkv: s.nkv, heads: s.heads, headDim: s.hd, scale, kvRowsPerSeq: kvSeq, ldq, ldk, ldv, qOffset: qo, kOffset: ko, vOffset: vo, ldo, oOffset: off };
  attentionRef({ ...common, q, k, v, o: ref });
  const odd = (data: Float32Array) => {
    const b = rt.device.createBuffer({ size: (data.length + 1) * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    rt.device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const Q = rt.upload(q);
  const K = s.fused ? Q : s.oddBuffers ? odd(k) : rt.upload(k);
  const V = s.fused ? Q : s.oddBuffers ? odd(v) : rt.upload(v);
  const O = rt.upload(o0);
  const batch = rt.batch();
  attention(rt, batch, { ...common, q: Q, k: K, v: V, o: O, variant: s.variant });
  const out = batch.readback(O, o0.byteLength);
  batch.submit();
  const got = new Float32Array(await out);
  rt.release(Q, ...(s.fused || s.oddBuffers ? [] : [K, V]), O);
  if (s.oddBuffers) {
    K.destroy();
    V.destroy();
  }
  // Whole O compared: inactive heads' channels and the padding must keep their values.
  return compare(got, ref, 1e-4, 1e-5);
};

const attentionBadShape: CaseFn = async (rt, s: { what: string }) => {
  const Q = rt.upload(new Float32Array(4 * 32)), K = rt.upload(new Float32Array(4 * 32)), O = rt.storage(4 * 32 * 4);
  const base = { batch: 1, nq: 4, nkv: 4, heads: 2, headDim: 16, scale: 0.25, q: Q, ldq: 32, k: K, ldk: 32, v: K, ldv: 32, o: O, ldo: 32 };
  const r = await expectShapeError(() => {
    const batch = rt.batch();
    if (s.what === 'head-too-big') attention(rt, batch, { ...base, heads: 1, headDim: 65, ldq: 65, ldk: 65, ldv: 65, ldo: 65 });
    else if (s.what === 'heads-over-stride') attention(rt, batch, { ...base, heads: 3 });
    else if (s.what === 'kv-too-small') attention(rt, batch, { ...base, batch: 2, nq: 2 });
    else if (s.what === 'kv-seq-short') attention(rt, batch, { ...base, kvRowsPerSeq: 3 });
    else if (s.what === 'alias') attention(rt, batch, { ...base, o: K });
    else attention(rt, batch, { ...base, nkv: 0 });
  });
  rt.release(Q, K, O);
  return r;
};

const attentionFlopsCase: CaseFn = async (_rt, s: { args: [number, number, number, number, number] }) => ({
  count: attentionFlops(...s.args), // the FLOP count, returned in `count`
});

export const cases = { attention: attentionCase, attentionBadShape, attentionFlops: attentionFlopsCase };
