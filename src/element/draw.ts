// Gray8 pixels to RGBA ImageData, canvases and PNG blobs (nearest-neighbour scaling keeps the
// 28×28 pixels crisp).
import { grayToImageData } from '../api/result';
import type { MgntResult } from '../api/types';
import { grayFramesToGif } from './animated';

export function drawGray(canvas: HTMLCanvasElement, gray: Uint8Array, size: number): void {
  if (canvas.width !== size) canvas.width = canvas.height = size;
  canvas.getContext('2d')!.putImageData(grayToImageData(gray, size), 0, 0);
}

/** A PNG (or `type`) of the image, scaled by an integer factor. */
export function grayToBlob(gray: Uint8Array, size: number, scale = 1, type = 'image/png'): Promise<Blob> {
  const src = document.createElement('canvas');
  drawGray(src, gray, size);
  const out = document.createElement('canvas');
  out.width = out.height = size * scale;
  const ctx = out.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, out.width, out.height);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob failed'))), type));
}

/** A result as a file: PNG (or `type`) for an image, a looping GIF at the model's fps for a clip. */
export function resultToBlob(r: MgntResult, options: { type?: string; scale?: number } = {}): Promise<Blob> {
  const scale = Math.max(1, Math.round(options.scale ?? 1));
  if (r.frames.length > 1) return Promise.resolve(new Blob([grayFramesToGif(r.frames, r.size, r.fps, scale) as Uint8Array<ArrayBuffer>], { type: 'image/gif' }));
  return grayToBlob(r.gray, r.size, scale, options.type);
}
