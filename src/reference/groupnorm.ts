/** CPU reference of shaders/groupnorm.wgsl: GroupNorm (biased variance, eps) + affine (+ SiLU), f64. */
export interface GroupnormRefArgs {
  B?: number;
  C: number;
  HW: number;
  G: number;
  x: Float32Array;
  xOffset?: number;
  gamma: Float32Array;
  gammaOffset?: number;
  beta: Float32Array;
  betaOffset?: number;
  y: Float32Array; // written in place (may be x)
  yOffset?: number;
  eps?: number;
  silu?: boolean;
}

export function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}

export function groupnormRef(a: GroupnormRefArgs): void {
  const B = a.B ?? 1, eps = a.eps ?? 1e-5, cpg = a.C / a.G, n = cpg * a.HW;
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0, go = a.gammaOffset ?? 0, bo = a.betaOffset ?? 0;
  for (let b = 0; b < B; b++) {
    for (let g = 0; g < a.G; g++) {
      const base = (b * a.C + g * cpg) * a.HW;
      let s = 0;
      for (let i = 0; i < n; i++) s += a.x[xo + base + i];
      const mean = s / n;
      let m2 = 0;
      for (let i = 0; i < n; i++) m2 += (a.x[xo + base + i] - mean) ** 2;
      const rstd = 1 / Math.sqrt(m2 / n + eps);
      const vals = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = g * cpg + Math.floor(i / a.HW);
        const v = (a.x[xo + base + i] - mean) * rstd * a.gamma[go + c] + a.beta[bo + c];
        vals[i] = a.silu ? silu(v) : v;
      }
      for (let i = 0; i < n; i++) a.y[yo + base + i] = vals[i];
    }
  }
}
