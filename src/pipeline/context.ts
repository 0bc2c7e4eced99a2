// Frame prediction's input (docs/SPEC.md §8): the first k frames of a clip — given as gray8 arrays
// or ImageData, or as the index of a test clip shipped with the model — checked against the
// model's clip layout, then (after the encoder has run) turned into fixed tokens for the decode
// loop. Every bad input is a `bad-attribute` error naming the problem and the allowed values.
import { MgntError } from '../gpu/errors';
import { contextCounts, defaultContextFrames, latentsOfContext, type ClipLayout } from '../model/clip';
import type { Checkpoint } from '../model/checkpoint';
import { findTensor } from '../model/checkpoint';
import { tensorF32 } from '../model/safetensors';
import { rgbaToGray } from './pixels';

import type { ContextFrame, FrameContext, RgbaFrame } from './context-types';

export type { ContextFrame, FrameContext, RgbaFrame } from './context-types';

export type ParsedContext = { kind: 'frames'; frames: Uint8Array[] } | { kind: 'clip'; clip: number; count: number };

const bad = (msg: string) => new MgntError('bad-attribute', `frame prediction: ${msg}`);

/** "1, 3, 5 or 7". */
export function listOr(xs: number[]): string {
  return xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of ${(v as Uint8Array).length}`;
  return Object.prototype.toString.call(v);
}

/** Checks what can be checked before any GPU work; `model` says what the checkpoint can do. */
export function parseContext(
  model: { name: string; layout: ClipLayout; encoder: boolean; testClips: boolean },
  ctx: unknown,
): ParsedContext {
  const l = model.layout, S = l.size, allowed = contextCounts(l);
  if (l.latents < 2) throw bad(`${model.name} makes ${l.frames === 1 ? 'single images' : `clips of one latent frame`} (transformer.grid [${l.latents > 1 ? `${l.latents}, ` : ''}${l.h}, ${l.w}]); frame prediction needs a video model with at least 2 latent frames`);
  if (!model.encoder) throw bad(`checkpoint ${model.name} has no encoder (no tokenizer.encoder in its manifest), so context frames cannot be turned into tokens; re-export it with train/export.py`);
  if (!ctx || typeof ctx !== 'object') throw bad(`context must be an object { frames } or { clip, count }, got ${describe(ctx)}`);
  const c = ctx as FrameContext;
  const countMsg = (k: number) => `${k} context frame(s) given; ${model.name} takes ${listOr(allowed)} (the frames of the first 1..${l.latents - 1} of its ${l.latents} latent frames: k = 1 + ${l.group}·(j − 1); a clip has ${l.frames} frames and at least the last latent frame must be left to predict)`;
  if (c.frames !== undefined && c.clip !== undefined) throw bad('give context frames or a test clip index, not both');
  if (c.frames !== undefined) {
    if (!Array.isArray(c.frames)) throw bad(`context.frames must be an array of frames, got ${describe(c.frames)}`);
    if (c.count !== undefined && c.count !== c.frames.length) throw bad(`context.count ${c.count} differs from the ${c.frames.length} frames given; leave count out`);
    if (!allowed.includes(c.frames.length)) throw bad(c.frames.length >= l.frames ? `too many frames: ${countMsg(c.frames.length)}` : countMsg(c.frames.length));
    const frames = c.frames.map((f, i) => toGray(f, i, S));
    return { kind: 'frames', frames };
  }
  if (c.clip === undefined) throw bad('context needs frames (an array of frames) or clip (a test clip index)');
  if (!Number.isSafeInteger(c.clip) || c.clip < 0) throw bad(`context.clip must be a test clip index ≥ 0, got ${describe(c.clip)}`);
  if (!model.testClips) throw bad(`checkpoint ${model.name} ships no test clips (no tokenizer.test_clips in its manifest); pass context frames instead`);
  const count = c.count ?? defaultContextFrames(l);
  if (!allowed.includes(count)) throw bad(count >= l.frames ? `too many frames: ${countMsg(count)}` : countMsg(count));
  return { kind: 'clip', clip: c.clip, count };
}

function toGray(f: ContextFrame, i: number, S: number): Uint8Array {
  const want = `${S}×${S} (${S * S} gray8 pixels, or an ImageData of ${S}×${S})`;
  if (f instanceof Uint8Array || f instanceof Uint8ClampedArray) {
    if (f.length !== S * S) throw bad(`context frame ${i} has ${f.length} pixels; this model's frames are ${want}`);
    return Uint8Array.from(f);
  }
  const r = f as RgbaFrame;
  if (r && typeof r === 'object' && ArrayBuffer.isView(r.data) && Number.isInteger(r.width) && Number.isInteger(r.height)) {
    if (r.width !== S || r.height !== S) throw bad(`context frame ${i} is ${r.width}×${r.height}; this model's frames are ${want}; scale it first`);
    if (r.data.length !== 4 * S * S) throw bad(`context frame ${i}: its RGBA data has ${r.data.length} bytes, ${S}×${S} needs ${4 * S * S}`);
    return rgbaToGray(r.data);
  }
  throw bad(`context frame ${i} must be a Uint8Array of gray8 pixels or an ImageData, got ${describe(f)}`);
}

/** The tokens of the first j latent frames as the decode loop's fixed tokens (positions 0 … j·h·w − 1). */
export function contextFixed(tokens: ArrayLike<number>): { positions: number[]; tokens: number[] } {
  return { positions: Array.from({ length: tokens.length }, (_, i) => i), tokens: Array.from(tokens) };
}

/** Latent frames a context of k frames fills. */
export function contextLatents(l: ClipLayout, k: number): number {
  return latentsOfContext(l.group, k);
}

/** Checks the test clips file: tensor `clips` [n, frames, size, size], n ≥ 1. */
export function checkTestClips(ck: Pick<Checkpoint, 'files'>, l: ClipLayout): number {
  for (const file of ck.files.values()) {
    const t = file.tensors.get('clips');
    if (!t) continue;
    findTensor(ck, 'clips', [Math.max(1, t.shape[0] ?? 1), l.frames, l.size, l.size]); // names the wrong shape
    return t.shape[0];
  }
  throw new MgntError('format', `the test clips file has no tensor clips of shape [n, ${l.frames}, ${l.size}, ${l.size}]`);
}

/** Clip `index` of the test clips file as gray8 frames [frames, size, size]. */
export function testClipFrames(ck: Pick<Checkpoint, 'files'>, l: ClipLayout, index: number): { frames: Uint8Array; count: number } {
  const n = checkTestClips(ck, l);
  if (!(Number.isSafeInteger(index) && index >= 0 && index < n)) throw bad(`test clip ${index} does not exist; this model ships clips 0..${n - 1}`);
  const { file } = findTensor(ck, 'clips', [n, l.frames, l.size, l.size]);
  const all = tensorF32(file, 'clips'), len = l.frames * l.size * l.size;
  const frames = new Uint8Array(len);
  for (let i = 0; i < len; i++) frames[i] = Math.min(255, Math.max(0, Math.round(all[index * len + i])));
  return { frames, count: n };
}
