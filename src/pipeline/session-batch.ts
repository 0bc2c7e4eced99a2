// The session's half of batched generation: requests resolved as generate() resolves them, the
// result cache consulted per image (hits are returned without decoding), the rest decoded by
// generateBatch (each with its first-step cache entry), and each result stored and shaped as a
// SessionResult.
import { MgntError } from '../gpu/errors';
import { splitFrames } from '../model/clip';
import type { MgntModel } from '../model/model';
import type { ActivationCache } from '../store';
import { storedFirstStep } from './first-step';
import { generateBatch } from './generate-batch';
import { requestKey, resolveRequest, type ResolvedRequest, type SessionRequest } from './request';
import type { BatchRequestOptions, SessionResult } from './session-types';

export interface BatchItem {
  req: SessionRequest;
  context?: SessionResult['context'];
}

function abortError(): DOMException {
  return new DOMException('The generation was aborted', 'AbortError');
}

/** Checks what generateBatch() was given before anything is resolved or run. */
export function checkBatchInput(reqs: unknown): asserts reqs is SessionRequest[] {
  if (!Array.isArray(reqs)) throw new MgntError('bad-attribute', `generateBatch(): give an array of requests, got ${Object.prototype.toString.call(reqs)}`);
  if (reqs.length === 0) throw new MgntError('bad-attribute', 'generateBatch(): the batch is empty; pass an array of one or more requests');
  const timed = reqs.findIndex((r) => r?.timeBudget !== undefined && r?.timeBudget !== null);
  // The dial predicts one image alone on this device; a batch shares its passes, so it would not hold.
  if (timed >= 0) throw new MgntError('bad-attribute', `generateBatch(): request ${timed} has a timeBudget, which is predicted for one image alone; use generate() for it, or give a schedule or budget`);
}

export async function runBatch(
  rt: Parameters<typeof generateBatch>[0], model: MgntModel, cache: ActivationCache | null,
  items: BatchItem[], opts: BatchRequestOptions, signal: AbortSignal,
): Promise<SessionResult[]> {
  const resolved: ResolvedRequest[] = items.map(({ req }, i) => {
    try {
      return resolveRequest(model.manifest, req);
    } catch (e) {
      if (e instanceof MgntError) throw new MgntError(e.type, `request ${i}: ${e.message}`, { cause: e });
      throw e;
    }
  });
  const base = (r: ResolvedRequest, i: number) => ({
    classIndex: r.classIndex, seed: r.seed, steps: r.steps, fps: model.layout.fps, schedule: r.schedule, notices: r.notices,
    ...(items[i].context ? { context: items[i].context } : {}),
  });
  const out: SessionResult[] = new Array(items.length);
  const todo: number[] = [];
  for (const [i, r] of resolved.entries()) {
    const hit = r.reuse && cache ? await cache.result(model.id, requestKey(r)) : undefined;
    if (signal.aborted) throw abortError();
    if (hit) {
      out[i] = {
        ...base(r, i), tokens: hit.tokens, gray: hit.gray, frames: splitFrames(hit.gray, hit.size), size: hit.size, widths: hit.widths, gflops: hit.gflops,
        gflopsTransformer: hit.gflopsTransformer, gflopsDecoder: hit.gflopsDecoder, ms: 0,
        dispatches: 0, submits: 0, readbacks: 0, stepInfo: [], reused: 'result',
      };
    } else todo.push(i);
  }
  if (todo.length === 0) return out;
  const res = await generateBatch(rt, model, todo.map((i) => ({ ...resolved[i], firstStep: storedFirstStep(cache, model, resolved[i]) })), { batch: opts.batch, signal });
  todo.forEach((i, k) => {
    const r = resolved[i], x = res[k];
    if (r.reuse && cache) {
      void cache.saveResult(model.id, requestKey(r), {
        tokens: x.tokens.slice(), gray: x.gray.slice(), size: x.size, widths: x.widths.slice(), gflops: x.gflops,
        gflopsTransformer: x.gflopsTransformer, gflopsDecoder: x.gflopsDecoder, ms: x.ms,
      });
    }
    const { steps, ...rest } = x;
    out[i] = {
      ...rest, ...base(r, i),
      stepInfo: steps.map((s) => ({ step: s.step, width: s.width, computed: s.computed, full: s.full, gflops: s.gflops, ms: s.ms, cached: s.cached })),
      reused: steps[0]?.cached ? 'first-step' : null,
    };
  });
  return out;
}
