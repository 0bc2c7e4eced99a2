/**
 * CPU reference of shaders/pack_image.wgsl. gray8 = round((clamp(y, −1, 1) + 1) · 127.5) with
 * both operations rounded to f32 and round half to even — exactly numpy's
 * np.round((np.clip(x, -1, 1) + 1) * 127.5) on float32 (train/data.py to_gray8).
 */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function gray8(y: number): number {
  const c = Math.min(1, Math.max(-1, y));
  const v = roundHalfEven(Math.fround(Math.fround(c + 1) * 127.5));
  return Math.min(255, Math.max(0, v));
}

/** Returns the cropped gray bytes (B·outH·outW) and RGBA words (one u32 per pixel). */
export function packImageRef(B: number, H: number, W: number, pad: number, x: Float32Array, xOffset = 0): { gray: Uint8Array; rgba: Uint32Array } {
  const oh = H - 2 * pad, ow = W - 2 * pad, n = oh * ow;
  const gray = new Uint8Array(B * n);
  const rgba = new Uint32Array(B * n);
  for (let b = 0; b < B; b++) {
    for (let q = 0; q < n; q++) {
      const yy = Math.floor(q / ow) + pad, xx = (q % ow) + pad;
      const g = gray8(x[xOffset + (b * H + yy) * W + xx]);
      gray[b * n + q] = g;
      rgba[b * n + q] = (g * 0x010101 + 0xff000000) >>> 0;
    }
  }
  return { gray, rgba };
}
