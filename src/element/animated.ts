// Gray8 frames → an animated GIF that loops forever. gifenc (zero dependencies, ESM) writes the
// container; a fixed palette of the 256 gray levels makes the GIF exact (index = gray value), so
// no quantisation is needed. Pure (no DOM): the CLI uses it in Node as well.
import * as gifenc from 'gifenc';

// gifenc ships ESM ("module") and CommonJS ("main", "browser"); Node's ESM loader sees only a
// default export in the CommonJS build, bundlers see named ones: take whichever is there.
const GIFEncoder = (gifenc as unknown as { GIFEncoder?: typeof gifenc.GIFEncoder }).GIFEncoder
  ?? (gifenc as unknown as { default: typeof gifenc }).default.GIFEncoder;

const GRAY_PALETTE: number[][] = Array.from({ length: 256 }, (_, v) => [v, v, v]);

/** Frames of size×size gray8 (each scaled by an integer factor, nearest) at `fps`, as GIF bytes. */
export function grayFramesToGif(frames: Uint8Array[], size: number, fps: number, scale = 1): Uint8Array {
  const gif = GIFEncoder();
  const out = size * scale, delay = 1000 / fps;
  for (const f of frames) {
    const index = scale === 1 ? f : upscale(f, size, scale);
    gif.writeFrame(index, out, out, { palette: GRAY_PALETTE, delay, repeat: 0 });
  }
  gif.finish();
  return gif.bytes();
}

function upscale(f: Uint8Array, size: number, scale: number): Uint8Array {
  const out = size * scale, y = new Uint8Array(out * out);
  for (let r = 0; r < out; r++) for (let c = 0; c < out; c++) y[r * out + c] = f[Math.floor(r / scale) * size + Math.floor(c / scale)];
  return y;
}
