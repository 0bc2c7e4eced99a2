/** CPU reference of the attention kernels (shaders/attention.wgsl, attention_pairs.wgsl): same layout, plain (two-pass) softmax in f64. */
export interface AttentionRefArgs {
  batch: number;
  nq: number;
  nkv: number;
  heads: number;
  headDim: number;
  scale: number;
  q: Float32Array;
  ldq: number;
  qOffset?: number;
  k: Float32Array;
  ldk: number;
  kOffset?: number;
  v: Float32Array;
  ldv: number;
  vOffset?: number;
  kvRowsPerSeq?: number;
  o: Float32Array; // written in place (rows × heads·headDim)
  ldo: number;
  oOffset?: number;
}

export function attentionRef(a: AttentionRefArgs): void {
  const qo = a.qOffset ?? 0, ko = a.kOffset ?? 0, vo = a.vOffset ?? 0, oo = a.oOffset ?? 0;
  const hd = a.headDim, kvSeq = a.kvRowsPerSeq ?? a.nkv;
  const s = new Float64Array(a.nkv);
  const acc = new Float64Array(hd);
  for (let qi = 0; qi < a.batch * a.nq; qi++) {
    const b = Math.floor(qi / a.nq);
    for (let h = 0; h < a.heads; h++) {
      const qb = qo + qi * a.ldq + h * hd;
      let m = -Infinity;
      for (let j = 0; j < a.nkv; j++) {
        const kb = ko + (b * kvSeq + j) * a.ldk + h * hd;
        let d = 0;
        for (let t = 0; t < hd; t++) d += a.q[qb + t] * a.k[kb + t];
        s[j] = d * a.scale;
        if (s[j] > m) m = s[j];
      }
      let l = 0;
      acc.fill(0);
      for (let j = 0; j < a.nkv; j++) {
        const e = Math.exp(s[j] - m);
        l += e;
        const vb = vo + (b * kvSeq + j) * a.ldv + h * hd;
        for (let t = 0; t < hd; t++) acc[t] += e * a.v[vb + t];
      }
      const ob = oo + qi * a.ldo + h * hd;
      for (let t = 0; t < hd; t++) a.o[ob + t] = acc[t] / l;
    }
  }
}
