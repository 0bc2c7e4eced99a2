// Video models as data (docs/SPEC.md §8), the pure parts: manifest validation of the grid and the
// causal frame grouping, the clip layout, tensor names at n levels, frame-prediction context
// checks, and the animated GIF.
import { describe, expect, it } from 'vitest';
import { clipLayout, contextCounts, defaultContextFrames, firstFramePlane, frameOf, splitFrames } from '../src/model/clip';
import { validateManifest, type Manifest } from '../src/model/manifest';
import { syntheticManifest, syntheticVideoManifest } from '../src/model/synthetic';
import { decoderTensors, encoderTensors } from '../src/model/tensors';
import { randomTensors } from '../src/model/random';
import { decoderRef, encoderRef } from '../src/reference/encoder';
import { parseContext } from '../src/pipeline/context';
import { grayFramesToGif } from '../src/element/animated';

const files = [
  { path: 'transformer.safetensors', bytes: 1, sha256: 'a'.repeat(64) },
  { path: 'encoder.safetensors', bytes: 1, sha256: 'b'.repeat(64), optional: true },
];
const video = (): Manifest => ({ ...syntheticVideoManifest(), files: files.map((f) => ({ ...f })) });
const image = (): Manifest => ({ ...syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }), files: files.slice(0, 1) });

function rejects(m: Manifest, msg: RegExp): void {
  expect(() => validateManifest(m)).toThrow(msg);
}

describe('manifest: grid, frames and group', () => {
  it('accepts the image and the video model', () => {
    expect(() => validateManifest(image())).not.toThrow();
    expect(() => validateManifest(video())).not.toThrow();
  });

  it('names a bad grid, seq_len, frames/group and level count', () => {
    const a = video();
    a.transformer.grid = [3, 4];
    a.transformer.seq_len = 13;
    rejects(a, /make 3 latent frame\(s\), but transformer.grid \[3,4\] has 1 \(a video grid is \[3, h, w\]\)/);
    const b = video();
    b.transformer.grid = [2, 3, 4, 4];
    rejects(b, /transformer.grid must be \[h, w\] \(image\) or \[L, h, w\]/);
    const c = video();
    c.transformer.seq_len = 48;
    rejects(c, /seq_len 48 must be 1 \+ 3·4·4 = 49/);
    const d = video();
    d.tokenizer.frames = 6;
    rejects(d, /frames 6 and group 2: \(frames − 1\) must be a multiple of group/);
    const e = video();
    e.tokenizer.frames = 7; // L = 4, grid says 3
    rejects(e, /frames 7 with group 2 make 4 latent frame\(s\), but transformer.grid \[3,4,4\] has 3/);
    const f = video();
    f.tokenizer.decoder.channels = [16, 12, 8];
    rejects(f, /tokenizer.decoder.channels has 3 entries \(2 ×2 levels\): a 4×4 token grid becomes 16×16, but image_size 32 \+ 2·pad 0 is 32/);
    const g = video();
    g.tokenizer.encoder!.channels = [8];
    rejects(g, /tokenizer.encoder.channels must list at least 2/);
    const h = video();
    h.tokenizer.test_clips = 'clips.safetensors';
    rejects(h, /tokenizer.test_clips "clips.safetensors" must name a files entry marked "optional": true/);
    const i = video();
    i.video = { fps: 0 };
    rejects(i, /video.fps must be a number in \(0, 120\]/);
  });
});

describe('clip layout', () => {
  it('image: one frame, one latent; video: T, G, L from the manifest', () => {
    expect(clipLayout(image())).toMatchObject({ frames: 1, group: 1, latents: 1, h: 8, w: 8, cells: 64, tokens: 64, size: 28, pad: 2, fps: 8 });
    expect(clipLayout(video())).toMatchObject({ frames: 5, group: 2, latents: 3, h: 4, w: 4, cells: 16, tokens: 48, size: 32, pad: 0, fps: 8 });
  });

  it('causal grouping: latent 0 is frame 0 repeated, then G frames each; planes G−1.. are the frames', () => {
    const G = 2;
    expect([0, 1].map((c) => frameOf(G, 0, c))).toEqual([0, 0]);
    expect([0, 1].map((c) => frameOf(G, 1, c))).toEqual([1, 2]);
    expect([0, 1].map((c) => frameOf(G, 2, c))).toEqual([3, 4]);
    expect(firstFramePlane(G)).toBe(1);
    // Plane g·G + c holds frame frameOf(G, g, c): from plane G − 1 on, plane p − (G − 1) is frame p − (G − 1).
    for (let p = firstFramePlane(G); p < 3 * G; p++) expect(frameOf(G, Math.floor(p / G), p % G)).toBe(p - firstFramePlane(G));
    expect(firstFramePlane(1)).toBe(0);
  });

  it('context counts: the frames of 1..L−1 whole latent frames', () => {
    expect(contextCounts({ group: 2, latents: 5 })).toEqual([1, 3, 5, 7]);
    expect(contextCounts({ group: 2, latents: 3 })).toEqual([1, 3]);
    expect(contextCounts({ group: 1, latents: 1 })).toEqual([]);
    expect(defaultContextFrames({ group: 2, latents: 5 })).toBe(5);
  });

  it('splitFrames: views of each frame', () => {
    const g = Uint8Array.from({ length: 12 }, (_, i) => i);
    const f = splitFrames(g, 2);
    expect(f.map((x) => Array.from(x))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(f[1].buffer).toBe(g.buffer);
  });
});

describe('tokenizer tensors at n levels', () => {
  it('n = 2, G = 1 gives exactly the image checkpoint names and shapes (SPEC §1)', () => {
    const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }, { encoder: { channels: [8, 12, 16], groups: 4, file: 'e' } });
    const dec = decoderTensors(m.tokenizer).map((t) => `${t.name}:${t.shape.join('x')}`);
    expect(dec.filter((n) => !/res\d/.test(n))).toEqual([
      'codebook:512x16', 'dec.conv_in.weight:64x16x3x3', 'dec.conv_in.bias:64', 'dec.up1.weight:48x64x3x3', 'dec.up1.bias:48',
      'dec.up2.weight:32x48x3x3', 'dec.up2.bias:32', 'dec.norm_out.weight:32', 'dec.norm_out.bias:32', 'dec.conv_out.weight:1x32x3x3', 'dec.conv_out.bias:1',
    ]);
    expect(new Set(dec.filter((n) => /res\d/.test(n)).map((n) => n.split('.')[1]))).toEqual(new Set(['res0', 'res1']));
    const enc = encoderTensors(m.tokenizer).map((t) => t.name);
    expect(enc.filter((n) => !/res\d/.test(n) && n.endsWith('.weight'))).toEqual(['enc.conv_in.weight', 'enc.down1.weight', 'enc.down2.weight', 'enc.norm_out.weight', 'enc.conv_out.weight']);
    expect(new Set(enc.filter((n) => /res\d/.test(n)).map((n) => n.split('.')[1]))).toEqual(new Set(['res0', 'res1', 'res2']));
  });

  it('video: 3 levels, G input and output channels', () => {
    const m = video();
    const shape = (list: Array<{ name: string; shape: number[] }>, n: string) => list.find((t) => t.name === n)?.shape;
    const dec = decoderTensors(m.tokenizer), enc = encoderTensors(m.tokenizer);
    expect(shape(dec, 'dec.up3.weight')).toEqual([8, 8, 3, 3]);
    expect(shape(dec, 'dec.res3.norm1.weight')).toBeUndefined(); // no res block after the last up-level
    expect(shape(dec, 'dec.conv_out.weight')).toEqual([2, 8, 3, 3]);
    expect(shape(enc, 'enc.conv_in.weight')).toEqual([8, 2, 3, 3]);
    expect(shape(enc, 'enc.down3.weight')).toEqual([16, 12, 3, 3]);
    expect(shape(enc, 'enc.res3.conv2.weight')).toEqual([16, 16, 3, 3]);
    expect(shape(enc, 'enc.conv_out.weight')).toEqual([8, 16, 1, 1]);
  });

  it('references: the context latents depend on the context frames only (causal), the decoder drops latent 0 padding', () => {
    const m = video(), get0 = randomTensors(4), seen = new Map<string, Float32Array>();
    const get = (n: string) => {
      if (!seen.has(n)) seen.set(n, get0(n, [...decoderTensors(m.tokenizer), ...encoderTensors(m.tokenizer)].find((t) => t.name === n)!.shape));
      return seen.get(n)!;
    };
    const S = 32, frames = Array.from({ length: 5 }, (_, f) => Uint8Array.from({ length: S * S }, (_, i) => ((i * 7 + f * 31) % 256)));
    const three = encoderRef(m.tokenizer, m.transformer.grid, get, frames.slice(0, 3));
    const five = encoderRef(m.tokenizer, m.transformer.grid, get, frames);
    expect(three.tokens.length).toBe(32);
    expect(five.tokens.length).toBe(48);
    expect(Array.from(five.tokens.slice(0, 32))).toEqual(Array.from(three.tokens));
    const clip = decoderRef(m.tokenizer, m.transformer.grid, get, five.tokens);
    expect(clip.frames).toBe(5);
    expect(clip.gray.length).toBe(5 * S * S);
  });
});

describe('frame prediction context', () => {
  const l = clipLayout(video());
  const model = { name: 'v', layout: l, encoder: true, testClips: true };
  const frame = () => new Uint8Array(32 * 32);
  const err = (ctx: unknown, m = model) => {
    try {
      parseContext(m, ctx);
    } catch (e) {
      return `${(e as { type: string }).type}: ${(e as Error).message}`;
    }
    return 'ok';
  };

  it('accepts 1 or 3 frames, gray8 or RGBA, and a test clip index', () => {
    expect(err({ frames: [frame()] })).toBe('ok');
    expect(err({ frames: [frame(), frame(), { data: new Uint8ClampedArray(4 * 1024), width: 32, height: 32 }] })).toBe('ok');
    expect(parseContext(model, { clip: 2 })).toEqual({ kind: 'clip', clip: 2, count: 3 });
  });

  it('names every bad input and the allowed values', () => {
    expect(err({ frames: [frame(), frame()] })).toMatch(/^bad-attribute: frame prediction: 2 context frame\(s\) given; v takes 1 or 3 \(the frames of the first 1..2 of its 3 latent frames/);
    expect(err({ frames: Array.from({ length: 5 }, frame) })).toMatch(/too many frames: 5 context frame\(s\) given; v takes 1 or 3/);
    expect(err({ frames: [new Uint8Array(784)] })).toMatch(/context frame 0 has 784 pixels; this model's frames are 32×32/);
    expect(err({ frames: [{ data: new Uint8ClampedArray(4 * 784), width: 28, height: 28 }] })).toMatch(/context frame 0 is 28×28; this model's frames are 32×32/);
    expect(err({ frames: ['x'] })).toMatch(/context frame 0 must be a Uint8Array of gray8 pixels or an ImageData, got \[object String\]/);
    expect(err({ frames: [] })).toMatch(/0 context frame\(s\) given/);
    expect(err({ clip: 1, frames: [frame()] })).toMatch(/not both/);
    expect(err({ clip: -1 })).toMatch(/context.clip must be a test clip index ≥ 0/);
    expect(err({ clip: 0, count: 2 })).toMatch(/2 context frame\(s\) given; v takes 1 or 3/);
    expect(err({})).toMatch(/context needs frames/);
    expect(err({ clip: 0 }, { ...model, testClips: false })).toMatch(/ships no test clips/);
    expect(err({ frames: [frame()] }, { ...model, encoder: false })).toMatch(/has no encoder/);
    expect(err({ frames: [frame()] }, { ...model, layout: clipLayout(image()) })).toMatch(/v makes single images .*frame prediction needs a video model/);
  });
});

describe('animated GIF', () => {
  it('GIF89a, looping (NETSCAPE2.0), one image per frame, exact gray palette', () => {
    const frames = [0, 1, 2].map((f) => Uint8Array.from({ length: 16 }, (_, i) => (i * 16 + f) % 256));
    const gif = grayFramesToGif(frames, 4, 8, 2);
    const text = new TextDecoder('latin1').decode(gif);
    expect(text.slice(0, 6)).toBe('GIF89a');
    expect(gif[6] | (gif[7] << 8)).toBe(8); // logical width = 4 · scale 2
    expect(text).toContain('NETSCAPE2.0');
    // One graphic control extension (0x21 0xF9) per frame.
    let gce = 0;
    for (let i = 0; i + 1 < gif.length; i++) if (gif[i] === 0x21 && gif[i + 1] === 0xf9) gce++;
    expect(gce).toBe(3);
    // The global palette is the 256 gray levels: entry v = (v, v, v).
    expect(Array.from(gif.slice(13 + 3 * 200, 13 + 3 * 201))).toEqual([200, 200, 200]);
    expect(gif[gif.length - 1]).toBe(0x3b);
  });
});
