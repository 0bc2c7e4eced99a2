// RGBA pixels (ImageData order) to the models' gray8. Pure: the element scales images before it,
// the session converts ImageData context frames with it (in the worker, which has no canvas).

/**
 * RGBA8 (ImageData order) → gray8: Rec. 601 luma (0.299 R + 0.587 G + 0.114 B) composited over
 * black by alpha; `invert` maps v → 255 − v afterwards (a dark object on a light background).
 */
export function rgbaToGray(rgba: ArrayLike<number>, invert = false): Uint8Array {
  const n = Math.floor(rgba.length / 4);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) * (rgba[4 * i + 3] / 255);
    const v = Math.min(255, Math.max(0, Math.round(y)));
    out[i] = invert ? 255 - v : v;
  }
  return out;
}
