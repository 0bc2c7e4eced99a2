// Any image → the model's input: size×size gray8 pixels, white object on black as in
// Fashion-MNIST. The image is drawn to a size×size canvas (aspect kept, centred, smoothing on);
// its RGBA pixels become luminance. The pixel arithmetic is pure (unit-tested in Node).
import { MgntError } from '../gpu/errors';
import { rgbaToGray } from '../pipeline/pixels';

// Lives with the pipeline (frame-prediction context converts ImageData in the worker too).
export { rgbaToGray };

export type ImageInput = ImageData | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | ImageBitmap | Blob;

/** Mean of the outermost ring of a size×size gray image: above ~128 the background is light. */
export function borderMean(gray: ArrayLike<number>, size: number): number {
  if (size < 2) return size === 1 ? gray[0] : 0;
  let s = 0, n = 0;
  for (let i = 0; i < size; i++) {
    s += gray[i] + gray[(size - 1) * size + i];
    n += 2;
    if (i > 0 && i < size - 1) {
      s += gray[i * size] + gray[i * size + size - 1];
      n += 2;
    }
  }
  return s / n;
}

/** Where a w×h image goes in a size×size square: scaled to fit (aspect kept), centred. */
export function fitRect(w: number, h: number, size: number): { x: number; y: number; w: number; h: number } {
  const s = size / Math.max(w, h);
  const dw = w * s, dh = h * s;
  return { x: (size - dw) / 2, y: (size - dh) / 2, w: dw, h: dh };
}

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

function surface(w: number, h: number): { canvas: HTMLCanvasElement | OffscreenCanvas; ctx: Ctx } {
  const canvas = typeof document !== 'undefined' ? Object.assign(document.createElement('canvas'), { width: w, height: h }) : new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as Ctx | null;
  if (!ctx) throw new MgntError('bad-attribute', 'encode(): no 2D canvas is available to scale the image');
  return { canvas, ctx };
}

function sizeOf(src: Exclude<ImageInput, Blob>): [number, number] {
  if (typeof HTMLImageElement !== 'undefined' && src instanceof HTMLImageElement) return [src.naturalWidth, src.naturalHeight];
  return [src.width, src.height];
}

/** Scales any image to size×size gray8 (see the file comment); `invert` for dark-on-light images. */
export async function imageToGray(image: ImageInput, size: number, opts: { invert?: boolean } = {}): Promise<Uint8Array> {
  let src: Exclude<ImageInput, Blob | ImageData> | ImageData = image as Exclude<ImageInput, Blob>;
  let bitmap: ImageBitmap | null = null;
  if (typeof Blob !== 'undefined' && image instanceof Blob) {
    try {
      src = bitmap = await createImageBitmap(image);
    } catch (e) {
      throw new MgntError('bad-attribute', `encode(): the ${image.type || 'untyped'} file could not be decoded as an image (${String(e)}); pass a PNG, JPEG, GIF or WebP`, { cause: e });
    }
  }
  try {
    if (src instanceof ImageData) {
      const tmp = surface(src.width, src.height);
      tmp.ctx.putImageData(src, 0, 0);
      src = tmp.canvas;
    }
    const [w, h] = sizeOf(src);
    if (!(w > 0 && h > 0)) throw new MgntError('bad-attribute', `encode(): the image is ${w}×${h} pixels (not loaded yet, or empty)`);
    const { ctx } = surface(size, size);
    // The uncovered margin is the background: black, or white when the colours get inverted.
    ctx.fillStyle = opts.invert ? '#fff' : '#000';
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const r = fitRect(w, h, size);
    ctx.drawImage(src, r.x, r.y, r.w, r.h);
    return rgbaToGray(ctx.getImageData(0, 0, size, size).data, !!opts.invert);
  } finally {
    bitmap?.close();
  }
}
