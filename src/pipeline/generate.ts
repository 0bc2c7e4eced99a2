// The MaGNeTS decode loop (docs/SPEC.md §5): MaskGIT sampling with a width per step, classifier-
// free guidance batched with the conditional pass, and the KV cache. One submit and one small
// readback per step; the CPU only picks which sampled tokens to keep.
import { MgntError } from '../gpu/errors';
import { sample, SAMPLE_WORDS } from '../gpu/kernels/sample';
import type { Runtime } from '../gpu/runtime';
import { splitFrames } from '../model/clip';
import type { MgntModel } from '../model/model';
import { captureFirstStep, fitsFirstStep, restoreFirstStep, type FirstStepCache, type FirstStepState } from './first-step';
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
  const c = model.cfg;
  const N = model.layout.tokens;
  const MASK = c.mask_token;
  const t0 = performance.now();
  const stats0 = { ...rt.stats };
  const tokens = new Uint32Array(N).fill(MASK);
  r.fixed?.positions.forEach((p, k) => (tokens[p] = r.fixed!.tokens[k]));
  const U = N - (r.fixed?.positions.length ?? 0);
  const counts = maskCounts(U, r.steps);
  const cfg = r.guidance > 0;
  const cls = r.classIndex ?? c.null_class;
  const classes = cfg ? [cls, c.null_class] : [cls];

  const out = rt.storage(N * SAMPLE_WORDS * 4, 'sample-out');
  const posBuf = rt.storage(N * 4, 'sample-pos');
  const steps: StepInfo[] = [];
  let gflopsT = 0;
  let prevWidth = -1;
  let justFixed: number[] = [];
  try {
    for (let t = 0; t < r.steps; t++) {
      if (r.signal?.aborted) throw abortError();
      const ts = performance.now();
      const width = r.widths[t];
      const masked: number[] = [];
      for (let i = 0; i < N; i++) if (tokens[i] === MASK) masked.push(i);
      const full = !r.cache || t === 0 || width !== prevWidth;
      const positions = full
        ? Array.from({ length: c.seq_len }, (_, s) => s)
        : [...new Set([...masked, ...justFixed])].sort((a, b) => a - b).map((i) => i + 1);

      const P = masked.length;
      const first = t === 0 && !r.fixed?.positions.length ? r.firstStep : undefined;
      let saved: FirstStepState | undefined = first ? await first.load() : undefined;
      if (saved && !fitsFirstStep(model, saved, classes.length, classes.length * P)) saved = undefined;
      if (r.signal?.aborted) throw abortError();
      const batch = rt.batch(`step ${t}`);
      let pass: { logits: GPUBuffer; flops: number };
      if (saved) {
        restoreFirstStep(rt, model, saved, classes.length);
        pass = { logits: model.transformer.logits, flops: 0 };
      } else pass = model.transformer.encode(batch, { width, classes, tokens, positions, logitTokens: masked });
      const capture = first && !saved ? captureFirstStep(rt, batch, model, classes.length, classes.length * P) : undefined;
      rt.device.queue.writeBuffer(posBuf, 0, Uint32Array.from(masked));
      sample(rt, batch, {
        P, V: c.codebook_size, logits: pass.logits, ld: c.codebook_size,
        guidance: cfg ? { scale: guidanceScale(r.guidance, t, r.steps), offset: P * c.codebook_size } : undefined,
        positions: posBuf, seed: r.seed, step: t, temperature: r.temperature,
        kappa: choiceNoise(r.choiceTemperature, t, r.steps), out,
      });
      const dispatches = batch.dispatchCount;
      const readback = batch.readback(out, P * SAMPLE_WORDS * 4);
      batch.submit();
      const words = new Uint32Array(await readback);
      if (capture) first!.save(await capture);
      const conf = new Float32Array(words.buffer);
      const sampled = new Map<number, number>();
      const confidence: number[] = [];
      for (let k = 0; k < P; k++) {
        sampled.set(masked[k], words[k * SAMPLE_WORDS]);
        confidence.push(conf[k * SAMPLE_WORDS + 1]);
      }
      const fix = selectFixed(masked, confidence, counts[t]);
      for (const i of fix) tokens[i] = sampled.get(i)!;
      justFixed = fix;
      prevWidth = width;
      gflopsT += pass.flops / 1e9;

      let preview: Uint8Array | undefined;
      if (r.preview) {
        const pt = tokens.slice();
        for (let k = 0; k < P; k++) if (pt[masked[k]] === MASK) pt[masked[k]] = words[k * SAMPLE_WORDS + 3];
        preview = (await model.decoder.decode(pt)).gray;
      }
      const info: StepInfo = {
        step: t, steps: r.steps, width, computed: saved ? 0 : positions.length, full, cached: !!saved, masked: counts[t],
        gflops: pass.flops / 1e9, gflopsTotal: gflopsT, dispatches, ms: performance.now() - ts,
        tokens: tokens.slice(), preview,
      };
      steps.push(info);
      r.onStep?.(info);
    }
    if (r.signal?.aborted) throw abortError();
    const img = await model.decoder.decode(tokens);
    return {
      tokens, gray: img.gray, frames: splitFrames(img.gray, img.size), fps: model.layout.fps, size: img.size, widths: r.widths.slice(),
      gflops: gflopsT + img.flops / 1e9, gflopsTransformer: gflopsT, gflopsDecoder: img.flops / 1e9,
      ms: performance.now() - t0, steps,
      dispatches: rt.stats.dispatches - stats0.dispatches,
      submits: rt.stats.submits - stats0.submits,
      readbacks: rt.stats.readbacks - stats0.readbacks,
    };
  } finally {
    rt.release(out, posBuf);
  }
}
