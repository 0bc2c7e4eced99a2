/**
 * CPU reference of shaders/avgpool2x.wgsl: N planes Hin×Win → Hin/2 × Win/2, each output the f32
 * sum of its 2×2 block in row-major order times 1/4 (what the shader and PyTorch's avg_pool2d
 * compute, so the comparison is exact).
 */
export function avgpool2xRef(N: number, Hin: number, Win: number, x: Float32Array, y: Float32Array, xOffset = 0, yOffset = 0): void {
  const f = Math.fround, Ho = Hin / 2, Wo = Win / 2;
  for (let n = 0; n < N; n++) {
    for (let r = 0; r < Ho; r++) {
      for (let c = 0; c < Wo; c++) {
        const s = xOffset + (n * Hin + 2 * r) * Win + 2 * c;
        y[yOffset + (n * Ho + r) * Wo + c] = f(f(f(x[s] + x[s + 1]) + x[s + Win]) + x[s + Win + 1]) * 0.25;
      }
    }
  }
}
