/**
 * CPU reference of shaders/vq_nearest.wgsl in f64: per cell of z [B, D, N] the nearest codebook
 * row by squared Euclidean distance (ties → smaller index), and the margin (second-best minus
 * best distance). A margin below ~1e-4 may legitimately flip on the GPU's f32 sums.
 */
export interface VqNearestRefArgs {
  B?: number;
  N: number;
  D: number;
  K: number;
  z: Float32Array;
  zOffset?: number;
  codebook: Float32Array;
  codebookOffset?: number;
  ldc?: number;
}

export function vqNearestRef(a: VqNearestRefArgs): { tokens: Uint32Array; margin: Float64Array } {
  const B = a.B ?? 1, ldc = a.ldc ?? a.D, zo = a.zOffset ?? 0, co = a.codebookOffset ?? 0;
  const tokens = new Uint32Array(B * a.N);
  const margin = new Float64Array(B * a.N);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < a.N; n++) {
      let best = Infinity, second = Infinity, idx = -1;
      for (let k = 0; k < a.K; k++) {
        let s = 0;
        for (let d = 0; d < a.D; d++) {
          const t = a.z[zo + (b * a.D + d) * a.N + n] - a.codebook[co + k * ldc + d];
          s += t * t;
        }
        if (!(s >= 0)) continue; // NaN never wins
        if (idx < 0 || s < best) {
          second = best;
          best = s;
          idx = k;
        } else if (s < second) second = s;
      }
      tokens[b * a.N + n] = Math.max(idx, 0);
      margin[b * a.N + n] = second - best;
    }
  }
  return { tokens, margin };
}
