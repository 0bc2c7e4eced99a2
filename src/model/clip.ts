// The shape of what a model makes, read from its manifest (docs/SPEC.md §8): T frames of S×S,
// grouped causally G frames per latent frame, L latent frames of h×w tokens. An image model is
// T = G = L = 1, so every caller runs one code path for both kinds. Pure: Node tests use it.
import type { Manifest } from './manifest';

export interface ClipLayout {
  /** Frames per clip (1 for an image model). */
  frames: number;
  /** Frames per latent frame (decoder output / encoder input channels). */
  group: number;
  /** Latent frames: 1 + (frames − 1)/group. */
  latents: number;
  /** Token rows and columns of one latent frame. */
  h: number;
  w: number;
  /** Tokens per latent frame (h·w) and per clip (latents·h·w). */
  cells: number;
  tokens: number;
  /** Side of a frame in pixels (padding removed) and the padding the decoder crops. */
  size: number;
  pad: number;
  /** Playback rate (manifest video.fps; 8 when absent). */
  fps: number;
}

export const DEFAULT_FPS = 8;

export function clipLayout(m: Pick<Manifest, 'transformer' | 'tokenizer' | 'video'>): ClipLayout {
  const g = m.transformer.grid, k = m.tokenizer;
  const [h, w] = g.slice(-2);
  const latents = g.length === 3 ? g[0] : 1;
  const frames = k.frames ?? 1, group = k.group ?? 1;
  return { frames, group, latents, h, w, cells: h * w, tokens: latents * h * w, size: k.image_size, pad: k.pad, fps: m.video?.fps ?? DEFAULT_FPS };
}

/**
 * Frame held by channel c of latent g: G·g − G + 1 + c, where an index below 0 means frame 0
 * (causal padding: latent 0 is frame 0 alone, repeated G times).
 */
export function frameOf(group: number, g: number, c: number): number {
  return Math.max(0, group * g - group + 1 + c);
}

/**
 * The decoder writes latents·group planes (plane g·G + c = channel c of latent g). Planes below
 * G − 1 are latent 0's causal padding copies; plane G − 1 + f is frame f, so the clip is the
 * contiguous planes G − 1 … latents·G − 1.
 */
export function firstFramePlane(group: number): number {
  return group - 1;
}

/**
 * Context frame counts frame prediction accepts: the frames of the first j latent frames, j = 1 …
 * L − 1 (at least one latent frame is left to predict), i.e. k = 1 + G·(j − 1). (train/
 * train_video_transformer.py gives j ∈ {1, 2, 3} latents, "the first 1, 3 or 5 frames" for G = 2.)
 */
export function contextCounts(l: Pick<ClipLayout, 'group' | 'latents'>): number[] {
  return Array.from({ length: Math.max(0, l.latents - 1) }, (_, j) => 1 + l.group * j);
}

/** Latent frames that k context frames fill (k must be one of contextCounts). */
export function latentsOfContext(group: number, k: number): number {
  return 1 + (k - 1) / group;
}

/** Default context for prediction from a test clip: about half the latent frames given. */
export function defaultContextFrames(l: Pick<ClipLayout, 'group' | 'latents'>): number {
  const counts = contextCounts(l);
  return counts[Math.floor(counts.length / 2)] ?? 1;
}

/** Views of each size×size frame of gray8 frames laid out one after another (no copy). */
export function splitFrames(gray: Uint8Array, size: number): Uint8Array[] {
  const n = size * size;
  return Array.from({ length: Math.floor(gray.length / n) }, (_, f) => gray.subarray(f * n, (f + 1) * n));
}
