import { describe, expect, it } from 'vitest';
import { foldLayerNorm } from '../src/model/fold';
import { randn } from '../src/reference/compare';
import { layernormRef } from '../src/reference/layernorm';
import { matmulRef } from '../src/reference/matmul';

// LN(x)·W + b over the first K channels must equal rstd·(x·W' − μ·C) + b' with the folded tensors,
// at every active K (nested widths) of one full-stride weight.
describe('foldLayerNorm', () => {
  const Kf = 12, N = 7, ks = [12, 3, 6];
  const gamma = randn(Kf, 1).map((v) => 1 + 0.5 * v), beta = randn(Kf, 2), w = randn(Kf * N, 3), b = randn(N, 4);
  const f = foldLayerNorm(gamma, beta, w, b, N, ks);
  const x = randn(5 * Kf, 5).map((v) => v + 3);
  for (const [i, K] of ks.entries()) {
    it(`equals LayerNorm then matmul at K ${K} of ${Kf}`, () => {
      const xn = new Float32Array(5 * K), want = new Float32Array(5 * N);
      layernormRef({ rows: 5, d: K, x, ldx: Kf, gamma, beta, y: xn, ldy: K });
      matmulRef({ M: 5, N, K, x: xn, ldx: K, w, ldw: N, bias: b, y: want, ldy: N });
      for (let r = 0; r < 5; r++) {
        let s = 0, q = 0;
        for (let k = 0; k < K; k++) s += x[r * Kf + k];
        const mu = s / K;
        for (let k = 0; k < K; k++) q += (x[r * Kf + k] - mu) ** 2;
        const rstd = 1 / Math.sqrt(q / K + 1e-5);
        for (let n = 0; n < N; n++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += x[r * Kf + k] * f.w[k * N + n];
          const got = rstd * (acc - mu * f.colSum[i * N + n]) + f.bias[i * N + n];
          expect(got).toBeCloseTo(want[r * N + n], 4);
        }
      }
    });
  }
  it('refuses an active K outside 1..Kfull and mismatched sizes', () => {
    expect(() => foldLayerNorm(gamma, beta, w, b, N, [13])).toThrow(/active K 13/);
    expect(() => foldLayerNorm(gamma, beta.subarray(1), w, b, N, [3])).toThrow(/do not agree/);
  });
});
