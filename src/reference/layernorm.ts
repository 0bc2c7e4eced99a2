/** CPU reference of shaders/layernorm.wgsl: same slicing, strides, gather; f64 statistics. */
export interface LayernormRefArgs {
  rows: number;
  d: number;
  x: Float32Array;
  ldx: number;
  xOffset?: number;
  gamma: Float32Array;
  gammaOffset?: number;
  beta: Float32Array;
  betaOffset?: number;
  y: Float32Array; // written in place (only rows × d)
  ldy: number;
  yOffset?: number;
  gatherX?: Uint32Array;
  eps?: number;
}

export function layernormRef(a: LayernormRefArgs): void {
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0, go = a.gammaOffset ?? 0, bo = a.betaOffset ?? 0;
  const eps = a.eps ?? 1e-5;
  for (let r = 0; r < a.rows; r++) {
    const xb = xo + (a.gatherX ? a.gatherX[r] : r) * a.ldx;
    const yb = yo + r * a.ldy;
    let s = 0;
    for (let c = 0; c < a.d; c++) s += a.x[xb + c];
    const mean = s / a.d;
    let q = 0;
    for (let c = 0; c < a.d; c++) q += (a.x[xb + c] - mean) ** 2;
    const rstd = 1 / Math.sqrt(q / a.d + eps);
    for (let c = 0; c < a.d; c++) a.y[yb + c] = (a.x[xb + c] - mean) * rstd * a.gamma[go + c] + a.beta[bo + c];
  }
}
