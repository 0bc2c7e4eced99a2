// Batched generation: many requests decode together, one transformer pass, one sample dispatch,
// one submit and one readback per step for a whole group, each image with its own tokens, mask
// schedule and result. Every image's tokens equal its solo run's (generate.ts): the kernels
// compute each row independently of the others, the sample kernel reads each row's seed, and the
// bookkeeping below is generate.ts's, per image.
//
// Requests that cannot share passes are grouped (batch-groups.ts) and the groups decode one after
// another. Within a group every image has the same number of masked tokens at every step (same
// steps, same number of fixed tokens), and with the KV cache the same number of computed
// positions (masked ∪ just fixed), so the pass is one rectangular [sequences, n] block with
// per-sequence positions and tokens. Sequences are ordered [conditional of every image, then
// unconditional of every image], so the guidance rows sit at one offset, as in the solo run.
//
// The decoder runs once per group too (decoder.ts decodeMany). Not used in batches: the
// first-step cache (step 0 would need one restore per image and class; skipped, every image
// computes step 0). Previews, when asked, are decoded per image as generate.ts does.
import { MgntError } from '../gpu/errors';
import { sample, SAMPLE_WORDS } from '../gpu/kernels/sample';
import type { Runtime } from '../gpu/runtime';
import { splitFrames } from '../model/clip';
import { batchLimit } from '../model/limits';
import type { MgntModel } from '../model/model';
import type { SequenceInput } from '../model/transformer';
import { batchKey, DEFAULT_BATCH, groupRequests, sequencesPerImage } from './batch-groups';
import { checkRequest, type GenerateRequest, type GenerateResult, type StepInfo } from './generate';
import { choiceNoise, guidanceScale, maskCounts, selectFixed } from './schedule';

/** Requests one batched call accepts (they decode in groups of at most the batch size). */
export const MAX_BATCH_REQUESTS = 4096;
export { DEFAULT_BATCH };

export interface BatchOptions {
  /** Images decoded together at most (per group); default DEFAULT_BATCH, capped by the GPU (model/limits.ts batchLimit). */
  batch?: number;
  signal?: AbortSignal;
  /** Called after every group finishes: results so far (by request index). */
  onGroup?: (done: number, total: number) => void;
}

/** Where an image was decoded: its group's size and its index in it (dispatch, submit and readback counts are the group's). */
export interface BatchPlace {
  size: number;
  index: number;
}

export type BatchResult = GenerateResult & { batch: BatchPlace };

function abortError(): DOMException {
  return new DOMException('The generation was aborted', 'AbortError');
}

/** Checks a batch before any GPU work; returns the images per group the GPU allows. */
export function checkBatch(model: MgntModel, requests: readonly GenerateRequest[], limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>, batch?: number): number {
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new MgntError('bad-attribute', 'generateBatch(): the batch is empty; pass an array of one or more requests');
  }
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw new MgntError('bad-attribute', `generateBatch(): ${requests.length} requests exceed the limit of ${MAX_BATCH_REQUESTS} per call; split them over several calls`);
  }
  requests.forEach((r, i) => {
    try {
      checkRequest(model, r);
    } catch (e) {
      if (e instanceof MgntError) throw new MgntError(e.type, `request ${i}: ${e.message}`, { cause: e });
      throw e;
    }
  });
  const seqs = Math.max(...requests.map(sequencesPerImage));
  const most = Math.max(1, Math.floor(batchLimit(model.cfg, limits) / seqs));
  const want = batch ?? DEFAULT_BATCH;
  if (!(Number.isInteger(want) && want >= 1)) throw new MgntError('bad-attribute', `batch size must be an integer ≥ 1, got ${want}`);
  if (want > most) {
    throw new MgntError('bad-attribute', `batch size ${want} is too large for ${model.manifest.name} on this GPU: at most ${most} images decode together${seqs > 1 ? ' with guidance (two sequences each)' : ''}; use a batch of ${most} or less`);
  }
  return want;
}

/** Decodes every request; results in request order. */
export async function generateBatch(rt: Runtime, model: MgntModel, requests: readonly GenerateRequest[], opts: BatchOptions = {}): Promise<BatchResult[]> {
  const size = checkBatch(model, requests, rt.gpu.limits, opts.batch);
  const groups = groupRequests(requests, batchKey, size);
  const results: BatchResult[] = new Array(requests.length);
  const tf = model.transformer;
  const need = Math.max(...groups.map((g) => g.length * sequencesPerImage(requests[g[0]])));
  try {
    // Sized once for the largest group, given back after the last (the memory is the batch's only).
    if (need > tf.maxBatch) tf.resize(need);
    let done = 0;
    for (const g of groups) {
      const res = await decodeGroup(rt, model, g.map((i) => requests[i]), opts.signal);
      g.forEach((i, k) => (results[i] = res[k]));
      done += g.length;
      opts.onGroup?.(done, requests.length);
    }
  } finally {
    if (tf.maxBatch !== tf.baseBatch) tf.resize(tf.baseBatch);
  }
  return results;
}

/** One group: requests that share every pass (batchKey equal). */
async function decodeGroup(rt: Runtime, model: MgntModel, rs: GenerateRequest[], signal?: AbortSignal): Promise<BatchResult[]> {
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
  const U = N - (r0.fixed?.positions.length ?? 0);
  const counts = maskCounts(U, T);
  const cfg = r0.guidance > 0;
  const cond = rs.map((r) => r.classIndex ?? c.null_class);
  const classes = cfg ? [...cond, ...rs.map(() => c.null_class)] : cond;
  const seeds = rs.map((r) => ((r.seed % 2 ** 32) + 2 ** 32) % 2 ** 32);
  const full = Array.from({ length: c.seq_len }, (_, s) => s);

  const out = rt.storage(I * N * SAMPLE_WORDS * 4, 'batch-sample-out');
  const posBuf = rt.storage(I * N * 4, 'batch-sample-pos');
  const seedBuf = rt.storage(I * N * 4, 'batch-sample-seeds');
  const steps: StepInfo[][] = rs.map(() => []);
  let gflopsT = 0;
  let prevWidth = -1;
  let justFixed: number[][] = rs.map(() => []);
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
      if (masked.some((m) => m.length !== P)) throw new MgntError('shape', 'batched generation: images of one group have different masked counts (a grouping bug)');
      const isFull = !r0.cache || t === 0 || width !== prevWidth;
      const seqs: SequenceInput[] = tokens.map((x, i) => ({
        tokens: x,
        positions: isFull ? full : [...new Set([...masked[i], ...justFixed[i]])].sort((a, b) => a - b).map((p) => p + 1),
        logitTokens: masked[i],
      }));
      const all = cfg ? [...seqs, ...seqs] : seqs;
      const batch = rt.batch(`batch step ${t}`);
      const pass = model.transformer.encode(batch, { width, classes, ...seqs[0], seqs: all });
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
      const conf = new Float32Array(words.buffer);
      const ms = performance.now() - ts;
      gflopsT += pass.flops / 1e9 / I;
      for (let i = 0; i < I; i++) {
        const base = i * P;
        const confidence = Array.from({ length: P }, (_, k) => conf[(base + k) * SAMPLE_WORDS + 1]);
        const fix = selectFixed(masked[i], confidence, counts[t]);
        const sampled = new Map<number, number>();
        masked[i].forEach((p, k) => sampled.set(p, words[(base + k) * SAMPLE_WORDS]));
        for (const p of fix) tokens[i][p] = sampled.get(p)!;
        justFixed[i] = fix;
        let preview: Uint8Array | undefined;
        if (rs[i].preview) {
          const pt = tokens[i].slice();
          masked[i].forEach((p, k) => {
            if (pt[p] === MASK) pt[p] = words[(base + k) * SAMPLE_WORDS + 3];
          });
          preview = (await model.decoder.decode(pt)).gray;
        }
        const info: StepInfo = {
          step: t, steps: T, width, computed: seqs[i].positions.length, full: isFull, masked: counts[t],
          gflops: pass.flops / 1e9 / I, gflopsTotal: gflopsT, dispatches, ms,
          tokens: tokens[i].slice(), preview,
        };
        steps[i].push(info);
        rs[i].onStep?.(info);
      }
      prevWidth = width;
    }
    justFixed = [];
    if (aborted()) throw abortError();
    // Every image of the group through the decoder in one submit, each as decoded alone.
    const imgs = await model.decoder.decodeMany(tokens);
    const results: BatchResult[] = imgs.map((img, i) => ({
      tokens: tokens[i], gray: img.gray, frames: splitFrames(img.gray, img.size), fps: model.layout.fps, size: img.size, widths: rs[i].widths.slice(),
      gflops: gflopsT + img.flops / 1e9, gflopsTransformer: gflopsT, gflopsDecoder: img.flops / 1e9,
      ms: 0, steps: steps[i], dispatches: 0, submits: 0, readbacks: 0, batch: { size: I, index: i },
    }));
    // The group's wall time and GPU work, shared: per image it is this divided by the group size.
    const ms = performance.now() - t0;
    for (const r of results) {
      r.ms = ms;
      r.dispatches = rt.stats.dispatches - stats0.dispatches;
      r.submits = rt.stats.submits - stats0.submits;
      r.readbacks = rt.stats.readbacks - stats0.readbacks;
    }
    return results;
  } finally {
    rt.release(out, posBuf, seedBuf);
  }
}
