/** CPU references of shaders/conv2d.wgsl and shaders/upsample2x.wgsl (NCHW, f64 accumulation). */
export interface Conv2dRefArgs {
  B?: number;
  Cin: number;
  Cout: number;
  /** Output size; with upsample the input is H/2 × W/2 and read at (y >> 1, x >> 1). */
  H: number;
  W: number;
  kernel: 1 | 3;
  upsample?: boolean;
  x: Float32Array;
  xOffset?: number;
  w: Float32Array;
  wOffset?: number;
  bias?: Float32Array;
  biasOffset?: number;
  residual?: Float32Array;
  residualOffset?: number;
  y: Float32Array; // written in place
  yOffset?: number;
}

export function conv2dRef(a: Conv2dRefArgs): void {
  const B = a.B ?? 1, K = a.kernel, pad = K >> 1;
  const Hin = a.upsample ? a.H / 2 : a.H, Win = a.upsample ? a.W / 2 : a.W;
  const xo = a.xOffset ?? 0, wo = a.wOffset ?? 0, bo = a.biasOffset ?? 0, ro = a.residualOffset ?? 0, yo = a.yOffset ?? 0;
  for (let b = 0; b < B; b++) {
    for (let co = 0; co < a.Cout; co++) {
      for (let y = 0; y < a.H; y++) {
        for (let x = 0; x < a.W; x++) {
          let s = a.bias ? a.bias[bo + co] : 0;
          for (let ci = 0; ci < a.Cin; ci++) {
            for (let ky = 0; ky < K; ky++) {
              const iy = y + ky - pad;
              if (iy < 0 || iy >= a.H) continue;
              for (let kx = 0; kx < K; kx++) {
                const ix = x + kx - pad;
                if (ix < 0 || ix >= a.W) continue;
                const sy = a.upsample ? iy >> 1 : iy, sx = a.upsample ? ix >> 1 : ix;
                s += a.w[wo + ((co * a.Cin + ci) * K + ky) * K + kx] * a.x[xo + ((b * a.Cin + ci) * Hin + sy) * Win + sx];
              }
            }
          }
          const o = ((b * a.Cout + co) * a.H + y) * a.W + x;
          if (a.residual) s += a.residual[ro + o];
          a.y[yo + o] = s;
        }
      }
    }
  }
}

/** Nearest ×2: N planes of Hin×Win → 2Hin×2Win. */
export function upsample2xRef(N: number, Hin: number, Win: number, x: Float32Array, y: Float32Array, xOffset = 0, yOffset = 0): void {
  const H = 2 * Hin, W = 2 * Win;
  for (let n = 0; n < N; n++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) y[yOffset + (n * H + r) * W + c] = x[xOffset + (n * Hin + (r >> 1)) * Win + (c >> 1)];
    }
  }
}
