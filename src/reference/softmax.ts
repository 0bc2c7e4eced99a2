/** CPU reference of shaders/softmax.wgsl: Y[r, 0:N] = softmax(X[r, 0:N] / τ), f64 inside. */
export interface SoftmaxRefArgs {
  R: number;
  N: number;
  x: Float32Array;
  ldx: number;
  xOffset?: number;
  y: Float32Array; // written in place (may be x)
  ldy: number;
  yOffset?: number;
  temperature?: number;
}

export function softmaxRef(a: SoftmaxRefArgs): void {
  const xo = a.xOffset ?? 0, yo = a.yOffset ?? 0;
  const inv = Math.fround(1 / (a.temperature ?? 1));
  const t = new Float64Array(a.N);
  for (let r = 0; r < a.R; r++) {
    let m = -Infinity;
    for (let c = 0; c < a.N; c++) {
      t[c] = a.x[xo + r * a.ldx + c] * inv;
      m = Math.max(m, t[c]);
    }
    let s = 0;
    for (let c = 0; c < a.N; c++) s += Math.exp(t[c] - m);
    for (let c = 0; c < a.N; c++) a.y[yo + r * a.ldy + c] = Math.exp(t[c] - m) / s;
  }
}
