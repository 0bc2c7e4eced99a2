/**
 * CPU reference of shaders/matmul_fused.wgsl for one of its products, written as the unfused
 * operations it replaces: optional LayerNorm of each X row over its K channels (f64 statistics,
 * gamma and beta unfolded), then the plain matmul reference (bias, GELU, residual, scatter).
 */
import { layernormRef } from './layernorm';
import { matmulRef, type MatmulRefArgs } from './matmul';

export interface FusedRefArgs extends Omit<MatmulRefArgs, 'gatherX' | 'transposeW'> {
  /** LayerNorm before the product: gamma[0:K], beta[0:K]. */
  ln?: { gamma: Float32Array; beta: Float32Array; eps?: number };
}

export function matmulFusedRef(a: FusedRefArgs): void {
  if (!a.ln) return matmulRef(a);
  const xo = a.xOffset ?? 0;
  const xn = new Float32Array(a.M * a.K);
  layernormRef({ rows: a.M, d: a.K, x: a.x, ldx: a.ldx, xOffset: xo, gamma: a.ln.gamma, beta: a.ln.beta, y: xn, ldy: a.K, eps: a.ln.eps });
  matmulRef({ ...a, x: xn, ldx: a.K, xOffset: 0 });
}
