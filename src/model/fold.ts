// LayerNorm folded into the matmul that follows it (shaders/matmul_fused.wgsl). With x̂ the
// normalised row, LN(x)·W + b = x̂·(diag(γ)·W) + (β·W + b), so the kernel needs W' = diag(γ)·W and,
// per width (the active K channels differ), the folded bias b'[n] = b[n] + Σ_{k<K} β_k W[k,n] and
// the column sums C[n] = Σ_{k<K} W'[k,n] that turn its raw product into the centred one. Pure.

export interface Folded {
  /** diag(γ)·W, same layout as W ([Kfull, ldw]). */
  w: Float32Array;
  /** Per active K (one row of ldw per entry of ks): b + βᵀW over the first K rows. */
  bias: Float32Array;
  /** Per active K: column sums of W' over the first K rows (of the f32 W' the kernel reads). */
  colSum: Float32Array;
}

export function foldLayerNorm(gamma: Float32Array, beta: Float32Array, w: Float32Array, b: Float32Array, ldw: number, ks: number[]): Folded {
  const Kfull = gamma.length;
  if (beta.length !== Kfull || w.length < Kfull * ldw || b.length < ldw) throw new RangeError('foldLayerNorm: gamma, beta, W and b do not agree in size');
  const wf = new Float32Array(w.length);
  for (let k = 0; k < Kfull; k++) for (let n = 0; n < ldw; n++) wf[k * ldw + n] = gamma[k] * w[k * ldw + n];
  const bias = new Float32Array(ks.length * ldw), colSum = new Float32Array(ks.length * ldw);
  const order = ks.map((K, i) => [K, i]).sort((a, c) => a[0] - c[0]);
  // Prefix sums over k in f64, read off at each active K in increasing order.
  const sb = Float64Array.from(b.subarray(0, ldw)), sc = new Float64Array(ldw);
  let k = 0;
  for (const [K, i] of order) {
    if (!(Number.isInteger(K) && K >= 1 && K <= Kfull)) throw new RangeError(`foldLayerNorm: active K ${K} outside 1..${Kfull}`);
    for (; k < K; k++) for (let n = 0; n < ldw; n++) {
      sb[n] += beta[k] * w[k * ldw + n];
      sc[n] += wf[k * ldw + n];
    }
    bias.set(sb, i * ldw);
    colSum.set(sc, i * ldw);
  }
  return { w: wf, bias, colSum };
}
