/** CPU reference of shaders/matmul.wgsl: same slicing, strides, flags; f64 accumulation. */
export interface MatmulRefArgs {
  M: number;
  N: number;
  K: number;
  x: Float32Array;
  ldx: number;
  xOffset?: number;
  w: Float32Array;
  ldw: number;
  wOffset?: number;
  transposeW?: boolean;
  y: Float32Array; // written in place
  ldy: number;
  yOffset?: number;
  bias?: Float32Array;
  biasOffset?: number;
  gelu?: boolean;
  accumulate?: boolean;
  gatherX?: Uint32Array;
  scatterY?: Uint32Array;
}

export function geluTanh(u: number): number {
  return 0.5 * u * (1 + Math.tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)));
}

export function matmulRef(a: MatmulRefArgs): void {
  const xo = a.xOffset ?? 0, wo = a.wOffset ?? 0, yo = a.yOffset ?? 0, bo = a.biasOffset ?? 0;
  const sk = a.transposeW ? 1 : a.ldw;
  const sn = a.transposeW ? a.ldw : 1;
  for (let m = 0; m < a.M; m++) {
    const xr = a.gatherX ? a.gatherX[m] : m;
    const yr = a.scatterY ? a.scatterY[m] : m;
    for (let n = 0; n < a.N; n++) {
      let s = 0;
      for (let k = 0; k < a.K; k++) s += a.x[xo + xr * a.ldx + k] * a.w[wo + k * sk + n * sn];
      if (a.bias) s += a.bias[bo + n];
      if (a.gelu) s = geluTanh(s);
      const yi = yo + yr * a.ldy + n;
      if (a.accumulate) s += a.y[yi];
      a.y[yi] = s;
    }
  }
}
