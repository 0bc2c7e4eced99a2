import attentionWgsl from '../../../shaders/attention.wgsl?raw';
import attentionCommonWgsl from '../../../shaders/attention_common.wgsl?raw';
import attentionPairsWgsl from '../../../shaders/attention_pairs.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { dim, distinct, fits } from './guards';

const BINDINGS: KernelDef['bindings'] = ['uniform', 'read', 'read', 'read', 'rw', 'read', 'read'];
// WGSL has no #include: each kernel is the shared contract, loaders and registers plus its body.
/** Kernel 1: one query row per invocation. */
export const ATTENTION: KernelDef = { name: 'attention', code: `${attentionCommonWgsl}\n${attentionWgsl}`, bindings: BINDINGS };
/** Kernel 2: two query rows per invocation, each K/V chunk loaded once for both. */
export const ATTENTION_PAIRS: KernelDef = { name: 'attention_pairs', code: `${attentionCommonWgsl}\n${attentionPairsWgsl}`, bindings: BINDINGS };

/** Largest head size the register-resident query/accumulator of attention_common.wgsl hold (16 vec4s). */
export const ATTENTION_MAX_HEAD = 64;
/**
 * Largest head size kernel 2 (row pairs) takes: both rows' query and accumulator are 4·headDim live
 * floats. On a CPU implementation (SwiftShader) those live in L1 anyway and halving the K/V loads
 * wins at every head size (1.45× at MaskGIT-base's 64, Node/Dawn); on a GPU 256 floats would spill
 * out of the register file, so pairs stop at 32 there.
 */
export function pairsMaxHead(rt: Runtime): number {
  return rt.gpu.software ? ATTENTION_MAX_HEAD : 32;
}

export interface AttentionArgs {
  /** Sequences; query rows per sequence; keys/values per sequence. */
  batch: number;
  nq: number;
  nkv: number;
  /** Active heads (the first `heads` heads of each row) and the head size (fixed for all widths). */
  heads: number;
  headDim: number;
  /** Score scale, normally 1/sqrt(headDim). */
  scale: number;
  /** Query row q (q < batch·nq) belongs to sequence floor(q / nq). */
  q: GPUBuffer;
  ldq: number;
  qOffset?: number;
  /** Keys/values of sequence b are rows b·kvRowsPerSeq + j, j < nkv. Q, K, V may share a buffer. */
  k: GPUBuffer;
  ldk: number;
  kOffset?: number;
  v: GPUBuffer;
  ldv: number;
  vOffset?: number;
  /** Row stride between sequences in K and V, in rows (the cache's allocated positions); default nkv. */
  kvRowsPerSeq?: number;
  o: GPUBuffer;
  ldo: number;
  oOffset?: number;
  /**
   * 'scalar' forces scalar K/V loads even when aligned; 'single' one query row per invocation even
   * where two fit (benchmarks and tests of those paths). 'auto' pairs rows up to `pairsMaxHead`.
   */
  variant?: 'auto' | 'scalar' | 'single';
}

/** QK^T and PV, 2 FLOPs per multiply-add (softmax exps not counted). */
export function attentionFlops(batch: number, nq: number, nkv: number, heads: number, hd: number): number {
  return 2 * 2 * batch * nq * nkv * heads * hd;
}

export function attention(rt: Runtime, batch: Batch, a: AttentionArgs): void {
  const k = 'attention';
  dim(k, 'batch', a.batch);
  dim(k, 'nq', a.nq);
  dim(k, 'nkv', a.nkv);
  dim(k, 'heads', a.heads);
  dim(k, 'headDim', a.headDim);
  guard(a.headDim <= ATTENTION_MAX_HEAD, k, () => `headDim=${a.headDim} exceeds the largest supported head size ${ATTENTION_MAX_HEAD}`);
  guard(Number.isFinite(a.scale), k, () => `scale must be a finite number, got ${a.scale}`);
  const w = a.heads * a.headDim;
  guard(w <= a.ldq, k, () => `heads·headDim=${w} exceeds the row stride of Q (ldq=${a.ldq})`);
  guard(w <= a.ldk, k, () => `heads·headDim=${w} exceeds the row stride of K (ldk=${a.ldk})`);
  guard(w <= a.ldv, k, () => `heads·headDim=${w} exceeds the row stride of V (ldv=${a.ldv})`);
  guard(w <= a.ldo, k, () => `heads·headDim=${w} exceeds the row stride of O (ldo=${a.ldo})`);
  const kvSeq = a.kvRowsPerSeq ?? a.nkv;
  guard(Number.isInteger(kvSeq) && kvSeq >= a.nkv, k, () => `kvRowsPerSeq=${kvSeq} must be an integer ≥ nkv=${a.nkv}`);
  const qo = a.qOffset ?? 0, ko = a.kOffset ?? 0, vo = a.vOffset ?? 0, oo = a.oOffset ?? 0;
  const rows = a.batch * a.nq;
  const kvLast = (a.batch - 1) * kvSeq + a.nkv - 1;
  fits(k, 'Q', a.q, qo + (rows - 1) * a.ldq + w);
  fits(k, 'K', a.k, ko + kvLast * a.ldk + w);
  fits(k, 'V', a.v, vo + kvLast * a.ldv + w);
  fits(k, 'O', a.o, oo + (rows - 1) * a.ldo + w);
  distinct(k, a.o, { Q: a.q, K: a.k, V: a.v });

  const params = new Params()
    .u(a.nq).u(a.nkv).u(kvSeq).u(a.heads)
    .u(a.ldq).u(a.ldk).u(a.ldv).u(a.ldo)
    .u(qo).u(ko).u(vo).u(oo)
    .u(rows).f(a.scale).u(0).u(0)
    .pack();
  // K/V as vec4s when every head starts 16-byte aligned (the model: D and head size multiples of 4).
  // (A vec4 view of a buffer whose size is not a multiple of 16 B would lose its tail, so such
  // buffers take the scalar path; the unused vec4 bindings then get the dummy buffer.)
  const aligned =
    a.variant !== 'scalar' &&
    [a.headDim, a.ldk, a.ldv, ko, vo].every((x) => x % 4 === 0) &&
    a.k.size % 16 === 0 &&
    a.v.size % 16 === 0;
  const k4 = aligned ? a.k : rt.dummy, v4 = aligned ? a.v : rt.dummy;
  // Pairs of query rows when both rows' registers fit and a sequence has two rows to pair.
  const pairs = a.variant !== 'single' && a.headDim <= pairsMaxHead(rt) && a.nq > 1;
  const invocations = pairs ? a.batch * Math.ceil(a.nq / 2) * a.heads : rows * a.heads;
  batch.dispatch(pairs ? ATTENTION_PAIRS : ATTENTION, params, [a.q, a.k, a.v, a.o, k4, v4], [Math.ceil(invocations / 64)], {
    HD: a.headDim,
    ALIGNED: aligned ? 1 : 0,
  });
}
