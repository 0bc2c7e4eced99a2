// The MaGNeTS decode loop (docs/SPEC.md §5): MaskGIT sampling with a width per step, classifier-
// free guidance batched with the conditional pass, and the KV cache. One submit and one small
// readback per step; the CPU only picks which sampled tokens to keep.
//
// One loop for one image and for a group of images decoded together (generate-batch.ts): a solo
// generation is a group of one. Within a group every image has the same number of masked tokens at
// every step (same steps, same number of fixed tokens) and, with the KV cache, the same number of
// computed positions (masked ∪ just fixed), so a pass is one rectangular [sequences, n] block with
// per-sequence tokens and positions. Sequences are ordered [conditional of every image, then
// unconditional of every image], so the guidance rows sit at one offset. The kernels compute each
// row independently of the others and the sample kernel reads each row's seed, so an image's tokens
// do not depend on the group it ran in.
import { MgntError } from '../gpu/errors';
import { sample, SAMPLE_WORDS } from '../gpu/kernels/sample';
import type { Runtime } from '../gpu/runtime';
import { splitFrames } from '../model/clip';
import type { MgntModel } from '../model/model';
import type { SequenceInput } from '../model/transformer';
import { captureFirstStep, fitsFirstStep, restoreFirstStep, sliceFirstStep, type FirstStepCache, type FirstStepState } from './first-step';
import { choiceNoise, guidanceScale, maskCounts, selectFixed } from './schedule';

export interface GenerateRequest {
  /** Class index, or null for the unconditional (null-class) model. */
  classIndex: number | null;
  seed: number;
  steps: number;
  /** One width per step. */
  widths: number[];
  temperature: number;
  choiceTemperature: number;
  guidance: number;
  cache: boolean;
  /** Tokens given in advance (inpainting, frame prediction): never masked, never resampled. */
  fixed?: { positions: number[]; tokens: number[] };
  /** Decode the current prediction to pixels after every step (costs a decoder pass each). */
  preview?: boolean;
  signal?: AbortSignal;
  onStep?: (s: StepInfo) => void;
  /** Serves step 0 from a cache / fills it (first-step.ts). Not used with fixed tokens. */
  firstStep?: FirstStepCache;
}

export interface StepInfo {
  step: number;
  steps: number;
  width: number;
  /** Sequence positions computed (per sequence of the batch) and whether it was a full pass. */
  computed: number;
  full: boolean;
  /** The pass was skipped: its output came from the first-step cache. */
  cached?: boolean;
  /** Still masked after this step. */
  masked: number;
  gflops: number;
  gflopsTotal: number;
  dispatches: number;
  ms: number;
  tokens: Uint32Array;
  /** Current prediction (fixed tokens + argmax elsewhere) as gray8 frames ([frames, size, size]), when preview is on. */
  preview?: Uint8Array;
}

export interface GenerateResult {
  /** Every token of the clip (an image: its h·w tokens), latent frame after latent frame. */
  tokens: Uint32Array;
  /** Gray8 pixels of every frame one after another, [frames, size, size] (an image: one frame). */
  gray: Uint8Array;
  /** The frames as size×size views of `gray` (SPEC §8 order; an image: one). */
  frames: Uint8Array[];
  /** Playback rate of the clip (manifest video.fps). */
  fps: number;
  size: number;
  widths: number[];
  gflops: number;
  /** GFLOPs of the transformer passes alone and of the final decoder pass. */
  gflopsTransformer: number;
  gflopsDecoder: number;
  ms: number;
  steps: StepInfo[];
  dispatches: number;
  submits: number;
  readbacks: number;
}

export function checkRequest(model: MgntModel, r: GenerateRequest): void {
  const c = model.cfg;
  const N = model.layout.tokens;
  const U = N - (r.fixed?.positions.length ?? 0);
  if (!Number.isInteger(r.steps) || r.steps < 1 || r.steps > U) {
    throw new MgntError('bad-attribute', `steps must be an integer between 1 and ${U} (the number of tokens to generate), got ${r.steps}`);
  }
  if (!Array.isArray(r.widths) || r.widths.length !== r.steps) throw new MgntError('bad-attribute', `schedule: it has ${r.widths?.length} widths for ${r.steps} steps; give one width per step`);
  for (const w of r.widths) {
    if (!c.widths.some((x) => Math.abs(x - w) < 1e-9)) throw new MgntError('bad-attribute', `schedule: width ${w} is not one of this model's widths (${c.widths.join(', ')})`);
  }
  if (r.classIndex !== null && !(Number.isInteger(r.classIndex) && r.classIndex >= 0 && r.classIndex < c.num_classes)) {
    throw new MgntError('bad-attribute', `class ${r.classIndex} is not one of 0..${c.num_classes - 1}`);
  }
  if (!(r.temperature > 0) || !Number.isFinite(r.temperature)) throw new MgntError('bad-attribute', `temperature must be a positive number, got ${r.temperature}`);
  if (!Number.isFinite(r.guidance) || r.guidance < 0) throw new MgntError('bad-attribute', `guidance must be a number ≥ 0, got ${r.guidance}`);
  if (!Number.isFinite(r.choiceTemperature) || r.choiceTemperature < 0) throw new MgntError('bad-attribute', `choice temperature must be ≥ 0, got ${r.choiceTemperature}`);
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw new MgntError('bad-attribute', `seed must be a non-negative integer, got ${r.seed}`);
  if (r.fixed) {
    if (r.fixed.positions.length !== r.fixed.tokens.length) throw new MgntError('bad-attribute', 'fixed positions and tokens differ in length');
    for (const [k, p] of r.fixed.positions.entries()) {
      if (!(Number.isInteger(p) && p >= 0 && p < N)) throw new MgntError('bad-attribute', `fixed position ${p} is outside 0..${N - 1}`);
      const t = r.fixed.tokens[k];
      if (!(Number.isInteger(t) && t >= 0 && t < c.codebook_size)) throw new MgntError('bad-attribute', `fixed token ${t} is outside 0..${c.codebook_size - 1}`);
    }
  }
}

function abortError(): DOMException {
  return new DOMException('The generation was aborted', 'AbortError');
}

/** Runs one generation to the final image or clip (the same loop: the manifest's grid sets its length). */
export async function generate(rt: Runtime, model: MgntModel, r: GenerateRequest): Promise<GenerateResult> {
  checkRequest(model, r);
  return (await decodeGroup(rt, model, [r]))[0];
}

/**
 * Decodes a group of checked requests that share every pass (batch-groups.ts batchKey equal; the
 * transformer sized for their sequences). Results in request order; ms, dispatches, submits and
 * readbacks are the group's.
 */
export async function decodeGroup(rt: Runtime, model: MgntModel, rs: readonly GenerateRequest[], signal?: AbortSignal): Promise<GenerateResult[]> {
  const c = model.cfg, N = model.layout.tokens, MASK = c.mask_token, V = c.codebook_size;
  const r0 = rs[0], I = rs.length, T = r0.steps;
  const aborted = () => !!signal?.aborted || rs.some((r) => r.signal?.aborted);
  const t0 = performance.now();
  const stats0 = { ...rt.stats };
  const tokens = rs.map((r) => {
    const x = new Uint32Array(N).fill(MASK);
    r.fixed?.positions.forEach((p, k) => (x[p] = r.fixed!.tokens[k]));
    return x;
  });
  const F = r0.fixed?.positions.length ?? 0;
  const counts = maskCounts(N - F, T);
  const cfg = r0.guidance > 0;
  const cond = rs.map((r) => r.classIndex ?? c.null_class);
  const classes = cfg ? [...cond, ...rs.map(() => c.null_class)] : cond;
  /** The pass's sequences that are image i's: its conditional one, with guidance its unconditional one too. */
  const slots = (i: number) => (cfg ? [i, I + i] : [i]);
  const seeds = rs.map((r) => ((r.seed % 2 ** 32) + 2 ** 32) % 2 ** 32);
  const all = Array.from({ length: c.seq_len }, (_, s) => s);

  const out = rt.storage(I * N * SAMPLE_WORDS * 4, 'sample-out');
  const posBuf = rt.storage(I * N * 4, 'sample-pos');
  const seedBuf = rt.storage(I * N * 4, 'sample-seeds');
  const steps: StepInfo[][] = rs.map(() => []);
  let gflopsT = 0;
  let prevWidth = -1;
  const justFixed: number[][] = rs.map(() => []);
  try {
    for (let t = 0; t < T; t++) {
      if (aborted()) throw abortError();
      const ts = performance.now();
      const width = r0.widths[t];
      const masked = tokens.map((x) => {
        const m: number[] = [];
        for (let i = 0; i < N; i++) if (x[i] === MASK) m.push(i);
        return m;
      });
      const P = masked[0].length;
      if (masked.some((m) => m.length !== P)) throw new MgntError('shape', 'decode loop: images of one group have different masked counts (a grouping bug)');
      const full = !r0.cache || t === 0 || width !== prevWidth;
      const seqs: SequenceInput[] = tokens.map((x, i) => ({
        tokens: x,
        positions: full ? all : [...new Set([...masked[i], ...justFixed[i]])].sort((a, b) => a - b).map((p) => p + 1),
        logitTokens: masked[i],
      }));

      // Step 0 from the first-step cache when every image of the group has its entry; otherwise
      // computed, and the entries that were missing are filled from it.
      const first = t === 0 && F === 0 ? rs.map((r) => r.firstStep) : undefined;
      const saved: Array<FirstStepState | undefined> = first
        ? (await Promise.all(first.map((f) => f?.load()))).map((s) => (s && fitsFirstStep(model, s, slots(0).length, slots(0).length * P) ? s : undefined))
        : [];
      const cached = !!first && saved.length === I && saved.every(Boolean);
      if (aborted()) throw abortError();
      const batch = rt.batch(`step ${t}`);
      let pass: { logits: GPUBuffer; flops: number };
      if (cached) {
        saved.forEach((s, i) => restoreFirstStep(rt, model, s!, slots(i), P));
        pass = { logits: model.transformer.logits, flops: 0 };
      } else pass = model.transformer.encode(batch, { width, classes, ...seqs[0], seqs: cfg ? [...seqs, ...seqs] : seqs });
      const fill = first && !cached && first.some((f, i) => f && !saved[i]);
      const capture = fill ? captureFirstStep(rt, batch, model, classes.length, classes.length * P) : undefined;

      const rowPos = new Uint32Array(I * P), rowSeed = new Uint32Array(I * P);
      masked.forEach((m, i) => {
        rowPos.set(m, i * P);
        rowSeed.fill(seeds[i], i * P, (i + 1) * P);
      });
      rt.device.queue.writeBuffer(posBuf, 0, rowPos);
      rt.device.queue.writeBuffer(seedBuf, 0, rowSeed);
      sample(rt, batch, {
        P: I * P, V, logits: pass.logits, ld: V,
        guidance: cfg ? { scale: guidanceScale(r0.guidance, t, T), offset: I * P * V } : undefined,
        positions: posBuf, seed: 0, seeds: seedBuf, step: t, temperature: r0.temperature,
        kappa: choiceNoise(r0.choiceTemperature, t, T), out,
      });
      const dispatches = batch.dispatchCount;
      const readback = batch.readback(out, I * P * SAMPLE_WORDS * 4);
      batch.submit();
      const words = new Uint32Array(await readback);
      if (capture) {
        const state = await capture;
        first!.forEach((f, i) => {
          if (f && !saved[i]) f.save(sliceFirstStep(model, state, classes.length, P, slots(i)));
        });
      }
      const conf = new Float32Array(words.buffer);
      gflopsT += pass.flops / 1e9 / I;

      const previews: number[] = [];
      for (let i = 0; i < I; i++) {
        const base = i * P;
        const confidence = Array.from({ length: P }, (_, k) => conf[(base + k) * SAMPLE_WORDS + 1]);
        const fix = selectFixed(masked[i], confidence, counts[t]);
        const sampled = new Map<number, number>();
        masked[i].forEach((p, k) => sampled.set(p, words[(base + k) * SAMPLE_WORDS]));
        for (const p of fix) tokens[i][p] = sampled.get(p)!;
        justFixed[i] = fix;
        if (rs[i].preview) previews.push(i);
      }
      // Previews: the current prediction (fixed tokens, argmax elsewhere) of every image that asked, in one decoder pass.
      const shown = await model.decoder.decodeMany(previews.map((i) => {
        const pt = tokens[i].slice();
        masked[i].forEach((p, k) => {
          if (pt[p] === MASK) pt[p] = words[(i * P + k) * SAMPLE_WORDS + 3];
        });
        return pt;
      }));
      const shownAt = new Map(previews.map((i, k) => [i, shown[k]]));
      const ms = performance.now() - ts;
      for (let i = 0; i < I; i++) {
        const info: StepInfo = {
          step: t, steps: T, width, computed: cached ? 0 : seqs[i].positions.length, full, cached, masked: counts[t],
          gflops: pass.flops / 1e9 / I, gflopsTotal: gflopsT, dispatches, ms,
          tokens: tokens[i].slice(), preview: shownAt.get(i)?.gray,
        };
        steps[i].push(info);
        rs[i].onStep?.(info);
      }
      prevWidth = width;
    }
    if (aborted()) throw abortError();
    // Every image of the group through the decoder in one submit, each as decoded alone.
    const imgs = await model.decoder.decodeMany(tokens);
    const ms = performance.now() - t0;
    return imgs.map((img, i) => ({
      tokens: tokens[i], gray: img.gray, frames: splitFrames(img.gray, img.size), fps: model.layout.fps, size: img.size, widths: rs[i].widths.slice(),
      gflops: gflopsT + img.flops / 1e9, gflopsTransformer: gflopsT, gflopsDecoder: img.flops / 1e9,
      ms, steps: steps[i],
      dispatches: rt.stats.dispatches - stats0.dispatches,
      submits: rt.stats.submits - stats0.submits,
      readbacks: rt.stats.readbacks - stats0.readbacks,
    }));
  } finally {
    rt.release(out, posBuf, seedBuf);
  }
}
