// Batched generation: many requests decode together, one transformer pass, one sample dispatch,
// one submit and one readback per step for a whole group, each image with its own tokens, mask
// schedule and result. The loop is generate.ts's (a solo run is a group of one), so every image's
// tokens equal its solo run's. Here: checking a batch, splitting it into groups that can share
// passes (batch-groups.ts), sizing the transformer for the largest and giving the memory back.
import { MgntError } from '../gpu/errors';
import type { Runtime } from '../gpu/runtime';
import { batchLimit } from '../model/limits';
import type { MgntModel } from '../model/model';
import { batchKey, DEFAULT_BATCH, groupRequests, sequencesPerImage } from './batch-groups';
import { checkRequest, decodeGroup, type GenerateRequest, type GenerateResult } from './generate';

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
      g.forEach((i, k) => (results[i] = { ...res[k], batch: { size: g.length, index: k } }));
      done += g.length;
      opts.onGroup?.(done, requests.length);
    }
  } finally {
    if (tf.maxBatch !== tf.baseBatch) tf.resize(tf.baseBatch);
  }
  return results;
}
