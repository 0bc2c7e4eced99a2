/** CPU reference of shaders/kv_scatter.wgsl (indices ≥ cacheRows are skipped, as on the GPU). */
export interface KvScatterRefPair {
  src: Float32Array;
  lds: number;
  srcOffset?: number;
  dst: Float32Array; // written in place
  ldc: number;
  dstOffset?: number;
}

export function kvScatterRef(a: { n: number; d: number; idx: Uint32Array; idxOffset?: number; cacheRows: number; k: KvScatterRefPair; v?: KvScatterRefPair }): void {
  for (const pr of a.v ? [a.k, a.v] : [a.k]) {
    const so = pr.srcOffset ?? 0, co = pr.dstOffset ?? 0;
    for (let i = 0; i < a.n; i++) {
      const r = a.idx[(a.idxOffset ?? 0) + i];
      if (r >= a.cacheRows) continue;
      for (let c = 0; c < a.d; c++) pr.dst[co + r * pr.ldc + c] = pr.src[so + i * pr.lds + c];
    }
  }
}
