import kvScatterWgsl from '../../../shaders/kv_scatter.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { grid1d } from './grid';
import { dim, distinct, fits } from './guards';

export const KV_SCATTER: KernelDef = {
  name: 'kv_scatter',
  code: kvScatterWgsl,
  bindings: ['uniform', 'read', 'read', 'read', 'rw', 'rw'],
};
/** Same shader, K and V caches in one buffer (one writable binding; WebGPU forbids aliasing two). */
export const KV_SCATTER_SHARED: KernelDef = {
  name: 'kv_scatter_shared',
  code: kvScatterWgsl,
  entry: 'main_shared',
  bindings: ['uniform', 'read', 'read', 'read', 'rw'],
};

/** One source → cache pair: rows i of `src` (stride lds) go to rows idx[i] of `dst` (stride ldc). */
export interface KvScatterPair {
  src: GPUBuffer;
  lds: number;
  srcOffset?: number;
  dst: GPUBuffer;
  ldc: number;
  dstOffset?: number;
}

export interface KvScatterArgs {
  /** New rows; active channels written per row. */
  n: number;
  d: number;
  /** u32 destination rows, n of them from element idxOffset; each must be distinct. */
  idx: GPUBuffer;
  idxOffset?: number;
  /** Rows of the cache (per pair); indices ≥ cacheRows are skipped by the kernel. */
  cacheRows: number;
  k: KvScatterPair;
  /** Optional second pair (V), written by the same dispatch. May target the same buffer as k.dst. */
  v?: KvScatterPair;
}

export function kvScatter(rt: Runtime, batch: Batch, a: KvScatterArgs): void {
  const k = 'kv_scatter';
  dim(k, 'n', a.n);
  dim(k, 'd', a.d);
  dim(k, 'cacheRows', a.cacheRows);
  const io = a.idxOffset ?? 0;
  fits(k, 'idx', a.idx, io + a.n);
  const pairs: Array<[string, KvScatterPair]> = [['K', a.k]];
  if (a.v) pairs.push(['V', a.v]);
  for (const [name, pr] of pairs) {
    guard(a.d <= pr.lds, k, () => `d=${a.d} exceeds the row stride of the ${name} source (lds=${pr.lds})`);
    guard(a.d <= pr.ldc, k, () => `d=${a.d} exceeds the row stride of the ${name} cache (ldc=${pr.ldc})`);
    fits(k, `${name} source`, pr.src, (pr.srcOffset ?? 0) + (a.n - 1) * pr.lds + a.d);
    fits(k, `${name} cache`, pr.dst, (pr.dstOffset ?? 0) + (a.cacheRows - 1) * pr.ldc + a.d);
  }
  const v = a.v ?? a.k; // absent V: K's pair again, through the one-cache entry (z = 0 only)
  const ins = { 'K source': a.k.src, 'V source': v.src, idx: a.idx };
  distinct(k, a.k.dst, ins);
  distinct(k, v.dst, ins);
  if (a.v && a.v.dst === a.k.dst) {
    // Same cache buffer for K and V (one allocation per layer): their row ranges must not overlap.
    const span = (pr: KvScatterPair): [number, number] => [pr.dstOffset ?? 0, (pr.dstOffset ?? 0) + (a.cacheRows - 1) * pr.ldc + a.d];
    const [k0, k1] = span(a.k), [v0, v1] = span(a.v);
    const gap = Math.abs((a.k.dstOffset ?? 0) - (a.v.dstOffset ?? 0));
    const interleaved = a.k.ldc === a.v.ldc && gap >= a.d && gap + a.d <= a.k.ldc; // [K | V] halves of each row
    guard(interleaved || k1 <= v0 || v1 <= k0, k, () => 'the K and V cache regions overlap in their shared buffer');
  }

  const params = new Params()
    .u(a.n).u(a.d).u(a.cacheRows).u(io)
    .u(a.k.lds).u(a.k.srcOffset ?? 0).u(a.k.ldc).u(a.k.dstOffset ?? 0)
    .u(v.lds).u(v.srcOffset ?? 0).u(v.ldc).u(v.dstOffset ?? 0)
    .pack();
  const [x, y] = grid1d(a.n * a.d, 64, rt.gpu.limits.maxComputeWorkgroupsPerDimension);
  const z = a.v ? 2 : 1;
  if (v.dst === a.k.dst) batch.dispatch(KV_SCATTER_SHARED, params, [a.k.src, v.src, a.idx, a.k.dst], [x, y, z]);
  else batch.dispatch(KV_SCATTER, params, [a.k.src, v.src, a.idx, a.k.dst, v.dst], [x, y, z]);
}
