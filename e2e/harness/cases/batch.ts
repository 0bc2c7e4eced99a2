// Batched generation against solo runs: every image of a batch (mixed classes, the null class,
// fixed tokens, guidance on and off, several groups) must have the very tokens of its own
// generate() run after every step, with one submit and one readback per step for its group.
import type { Runtime } from '../../../src/gpu/runtime';
import { loadCheckpoint } from '../../../src/model/checkpoint';
import { MgntModel } from '../../../src/model/model';
import { generate, type GenerateRequest } from '../../../src/pipeline/generate';
import { generateBatch } from '../../../src/pipeline/generate-batch';
import { resolveRequest, type SessionRequest } from '../../../src/pipeline/request';
import { compare, type Comparison } from '../../../src/reference/compare';
import type { CaseFn } from '../types';

/** One model resident at a time (the liveBytes check of a case sees no load). */
let loaded: { name: string; promise: Promise<MgntModel> } | null = null;
function load(rt: Runtime, name: string): Promise<MgntModel> {
  if (loaded?.name === name) return loaded.promise;
  const previous = loaded?.promise;
  const promise = (async () => {
    await previous?.then((m) => m.destroy(), () => {});
    return MgntModel.fromCheckpoint(rt, await loadCheckpoint(`/models/${name}/manifest.json`));
  })();
  loaded = { name, promise };
  return promise;
}

export interface BatchSpec {
  name: string;
  requests: Array<SessionRequest & { fixedFrom?: { count: number; seed: number } }>;
  batch?: number;
}

const batchModel: CaseFn = async (rt, s: { name: string }) => {
  const m = await load(rt, s.name);
  return { ok: true, extra: { tokens: m.layout.tokens, baseBatch: m.transformer.baseBatch } };
};

const batchVsSolo: CaseFn = async (rt, s: BatchSpec) => {
  const model = await load(rt, s.name);
  const N = model.layout.tokens, V = model.cfg.codebook_size;
  const reqs: GenerateRequest[] = s.requests.map((q) => {
    const { fixedFrom, ...rest } = q;
    let fixed = rest.fixed;
    if (fixedFrom) {
      // `count` fixed tokens at pseudo-random positions with pseudo-random values: each image its own.
      let x = fixedFrom.seed * 2654435761 >>> 0;
      const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
      const positions = new Set<number>();
      while (positions.size < fixedFrom.count) positions.add(next() % N);
      fixed = { positions: [...positions], tokens: [...positions].map(() => next() % V) };
    }
    return resolveRequest(model.manifest, { ...rest, fixed });
  });
  const stats0 = { ...rt.stats };
  const batched = await generateBatch(rt, model, reqs, { batch: s.batch });
  const stats = { dispatches: rt.stats.dispatches - stats0.dispatches, submits: rt.stats.submits - stats0.submits, readbacks: rt.stats.readbacks - stats0.readbacks };
  const parts: Record<string, Comparison> = {};
  const groups = new Map<number, number>();
  for (const [i, r] of reqs.entries()) {
    const solo = await generate(rt, model, r);
    const b = batched[i];
    const label = `image ${i} (class ${r.classIndex}, seed ${r.seed}, ${r.fixed?.positions.length ?? 0} fixed, g ${r.guidance}, cache ${r.cache}, batch ${b.batch.index}/${b.batch.size})`;
    parts[`${label} tokens per step`] = compare(b.steps.flatMap((st) => Array.from(st.tokens)), solo.steps.flatMap((st) => Array.from(st.tokens)), 0, 0);
    parts[`${label} pixels`] = compare(b.gray, solo.gray, 0, 0);
    parts[`${label} gflops`] = compare([b.gflops], [solo.gflops], 1e-9, 0);
    groups.set(b.submits, (groups.get(b.submits) ?? 0) + 1);
  }
  return {
    parts,
    extra: {
      sizes: batched.map((b) => b.batch.size),
      stepsPerImage: batched.map((b) => b.steps.length),
      submits: batched.map((b) => b.submits),
      readbacks: batched.map((b) => b.readbacks),
      total: stats,
      maxBatchAfter: model.transformer.maxBatch,
      baseBatch: model.transformer.baseBatch,
    },
  };
};

/** The error a bad batch gets (empty, too large, a bad request inside): before any GPU work. */
const batchFault: CaseFn = async (rt, s: { name: string; what: 'empty' | 'too-large' | 'bad-request' | 'too-many' }) => {
  const model = await load(rt, s.name);
  const one = resolveRequest(model.manifest, { classIndex: 1, seed: 1 });
  const stats0 = rt.stats.submits;
  try {
    if (s.what === 'empty') await generateBatch(rt, model, []);
    else if (s.what === 'too-large') await generateBatch(rt, model, [one, one], { batch: 100000 });
    else if (s.what === 'too-many') await generateBatch(rt, model, Array(5000).fill(one));
    else await generateBatch(rt, model, [one, { ...one, classIndex: 99 }]);
    return { error: undefined };
  } catch (e) {
    return { error: { type: (e as { type?: string }).type, message: String((e as Error).message) }, extra: { submits: rt.stats.submits - stats0, maxBatch: model.transformer.maxBatch } };
  }
};

export const cases = { batchModel, batchVsSolo, batchFault };
