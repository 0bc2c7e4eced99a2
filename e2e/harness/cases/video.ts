// Video models (docs/SPEC.md §8) on random weights: the batched n-level decoder and encoder
// against the per-latent-frame CPU references, the KV cache over a clip's sequence, and whole
// generations and frame predictions through the one decode loop.
import type { Runtime } from '../../../src/gpu/runtime';
import type { Manifest } from '../../../src/model/manifest';
import { MgntModel } from '../../../src/model/model';
import { randomTensors } from '../../../src/model/random';
import { syntheticManifest, syntheticVideoManifest } from '../../../src/model/synthetic';
import { generate } from '../../../src/pipeline/generate';
import { contextFixed } from '../../../src/pipeline/context';
import { compare, rng } from '../../../src/reference/compare';
import { decoderRef, encoderRef } from '../../../src/reference/encoder';
import type { CaseFn } from '../types';

/** The configurations: the tiny video model, one with G = 3 and 2 latents, and an image model at n = 2. */
function manifestOf(kind: string): Manifest {
  if (kind === 'video') return syntheticVideoManifest();
  if (kind === 'video-g3') {
    // 7 frames of 16×16 in latent frames of 3 ([3, 2, 2] tokens), 3 levels, odd channel counts.
    return syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128, grid: [3, 2, 2] }, {
      code_dim: 5, frames: 7, group: 3, image_size: 12, pad: 2,
      decoder: { channels: [9, 6, 6, 3], groups: 3 }, encoder: { channels: [3, 6, 9, 6], groups: 3, file: 'encoder.safetensors' },
    });
  }
  return syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }, { encoder: { channels: [8, 12, 16], groups: 4, file: 'encoder.safetensors' }, decoder: { channels: [16, 12, 8], groups: 4 } });
}

function memo(get: (name: string, shape: number[]) => Float32Array) {
  const seen = new Map<string, Float32Array>();
  return (name: string, shape: number[] = []) => {
    if (!seen.has(name)) seen.set(name, get(name, shape));
    return seen.get(name)!;
  };
}

/** A moving bright blob, as the Moving Fashion-MNIST frames look. */
function testFrames(n: number, S: number, seed: number): Uint8Array[] {
  const r = rng(seed);
  const cx = S / 4 + r() * S / 2, cy = S / 4 + r() * S / 2, vx = r() * 3 - 1.5, vy = r() * 3 - 1.5, rad = S / 5;
  return Array.from({ length: n }, (_, f) => Uint8Array.from({ length: S * S }, (_, i) => {
    const x = i % S, y = Math.floor(i / S), d = Math.hypot(x - cx - vx * f, y - cy - vy * f) / rad;
    return d < 1 ? Math.round(150 + 100 * r()) : 0;
  }));
}

function build(rt: Runtime, kind: string, seed: number) {
  const m = manifestOf(kind);
  const get = memo(randomTensors(seed));
  const model = MgntModel.fromTensors(rt, m, get);
  return { m, get, model };
}

/** GPU decode of random tokens (every latent frame in one batch) vs the CPU reference, latent by latent. */
const decoderClip: CaseFn = async (rt, s: { kind: string }) => {
  const { m, get, model } = build(rt, s.kind, 21);
  try {
    const r = rng(22), l = model.layout;
    const tokens = Uint32Array.from({ length: l.tokens }, () => Math.floor(r() * m.transformer.codebook_size));
    const s0 = { ...rt.stats };
    const got = await model.decoder.decode(tokens);
    const stats = { submits: rt.stats.submits - s0.submits, readbacks: rt.stats.readbacks - s0.readbacks };
    const ref = decoderRef(m.tokenizer, m.transformer.grid, (n) => get(n), tokens);
    return {
      // gray8 = round((x + 1)·127.5): an f32 difference at a .5 boundary moves one level.
      parts: { [`gray8 ${ref.frames}×${ref.size}²`]: compare(got.gray, ref.gray, 0, 1) },
      extra: { frames: got.frames, size: got.size, refFrames: ref.frames, length: got.gray.length, flops: got.flops, ...stats },
    };
  } finally {
    model.destroy();
  }
};

/** GPU encode of the first k frames vs the CPU reference: z, and tokens where not a near-tie. */
const encoderClip: CaseFn = async (rt, s: { kind: string; k: number }) => {
  const { m, get, model } = build(rt, s.kind, 23);
  try {
    const enc = model.attachEncoder(get), l = model.layout;
    const frames = testFrames(s.k, l.size, 24);
    const got = await enc.encodeFrames(frames);
    const ref = encoderRef(m.tokenizer, m.transformer.grid, (n) => get(n), frames);
    let mismatched = 0, excused = 0;
    for (let c = 0; c < ref.tokens.length; c++) {
      if (ref.margin[c] < 1e-3) excused += got.tokens[c] !== ref.tokens[c] ? 1 : 0;
      else if (got.tokens[c] !== ref.tokens[c]) mismatched++;
    }
    return { parts: { z: compare(got.z, ref.z, 1e-3, 1e-4) }, extra: { latents: got.latents, tokens: got.tokens.length, mismatched, excused } };
  } finally {
    model.destroy();
  }
};

/** Full pass, then an incremental pass over a subset with nothing changed: same logits over the whole clip sequence. */
const videoCache: CaseFn = async (rt, s: { width: number }) => {
  const { model } = build(rt, 'video', 25);
  try {
    const c = model.cfg, N = model.layout.tokens;
    const tokens = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? c.mask_token : (i * 37) % c.codebook_size));
    const subset = [0, 5, 16, 17, 31, 32, N - 1];
    const run = async (positions: number[]) => {
      const b = rt.batch();
      const p = model.transformer.encode(b, { width: s.width, classes: [4, c.null_class], tokens, positions, logitTokens: subset });
      const rb = b.readback(p.logits, p.rows * c.codebook_size * 4);
      b.submit();
      return new Float32Array(await rb);
    };
    const full = await run(Array.from({ length: c.seq_len }, (_, i) => i));
    const inc = await run(subset.map((i) => i + 1));
    return { ...compare(inc, full, 1e-4, 1e-4), extra: { seqLen: c.seq_len } };
  } finally {
    model.destroy();
  }
};

/** A clip end to end, twice (determinism), and a frame prediction whose context tokens never change. */
const generateVideo: CaseFn = async (rt, s: { widths: number[]; cache: boolean; context: number }) => {
  const { get, model } = build(rt, 'video', 26);
  try {
    const l = model.layout;
    const req = { classIndex: 3, seed: 11, steps: s.widths.length, widths: s.widths, temperature: 1, choiceTemperature: 4.5, guidance: 2, cache: s.cache, preview: true };
    const previews: number[] = [];
    const a = await generate(rt, model, { ...req, onStep: (st) => previews.push(st.preview?.length ?? 0) });
    const b = await generate(rt, model, req);
    const same = a.tokens.every((t, i) => t === b.tokens[i]) && a.gray.every((v, i) => v === b.gray[i]);
    const enc = model.attachEncoder(get);
    const ctx = await enc.encodeFrames(testFrames(s.context, l.size, 27));
    const fixed = contextFixed(ctx.tokens);
    const p = await generate(rt, model, { ...req, classIndex: null, guidance: 0, steps: Math.min(s.widths.length, l.tokens - fixed.positions.length), widths: s.widths.slice(0, l.tokens - fixed.positions.length), fixed });
    // Every step's tokens keep the context latent frames' tokens exactly.
    const changed = p.steps.map((st) => fixed.positions.filter((pos, k) => st.tokens[pos] !== fixed.tokens[k]).length);
    const rest = Array.from(p.tokens.slice(fixed.positions.length));
    return {
      ok: same && changed.every((n) => n === 0) && rest.every((t) => t < model.cfg.codebook_size),
      extra: {
        same, frames: a.frames.length, frameLengths: a.frames.map((f) => f.length), grayLength: a.gray.length, size: a.size, fps: a.fps,
        tokens: a.tokens.length, previews, submits: a.submits, readbacks: a.readbacks, gflops: a.gflops,
        steps: a.steps.map((x) => ({ full: x.full, n: x.computed, masked: x.masked })),
        context: { latents: ctx.latents, fixed: fixed.positions.length, changed, predictedFrames: p.frames.length, masked0: p.steps[0].masked },
      },
    };
  } finally {
    model.destroy();
  }
};

export const cases = { decoderClip, encoderClip, videoCache, generateVideo };
