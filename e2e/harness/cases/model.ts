// Whole-model cases on random weights: KV-cache consistency, determinism, bookkeeping.
import { MgntModel } from '../../../src/model/model';
import { syntheticManifest } from '../../../src/model/synthetic';
import { randomTensors } from '../../../src/model/random';
import { generate } from '../../../src/pipeline/generate';
import { compare } from '../../../src/reference/compare';
import type { CaseFn } from '../types';

const small = () => syntheticManifest({ layers: 2, dim: 128, heads: 8, mlp: 512 });

/** Full pass, then an incremental pass over a subset with nothing changed: same logits. */
const cacheConsistency: CaseFn = async (rt, s: { width: number; subset: number[] }) => {
  const model = MgntModel.fromTensors(rt, small(), randomTensors(3));
  try {
    const c = model.cfg;
    const tokens = Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? c.mask_token : (i * 37) % c.codebook_size));
    const all = Array.from({ length: 65 }, (_, i) => i);
    const classes = [4, c.null_class];
    const b1 = rt.batch();
    const p1 = model.transformer.encode(b1, { width: s.width, classes, tokens, positions: all, logitTokens: s.subset });
    const r1 = b1.readback(p1.logits, p1.rows * c.codebook_size * 4);
    b1.submit();
    const full = new Float32Array(await r1);
    const b2 = rt.batch();
    const p2 = model.transformer.encode(b2, { width: s.width, classes, tokens, positions: s.subset.map((i) => i + 1), logitTokens: s.subset });
    const r2 = b2.readback(p2.logits, p2.rows * c.codebook_size * 4);
    b2.submit();
    const inc = new Float32Array(await r2);
    return { ...compare(inc, full, 1e-4, 1e-4), extra: { fullFlops: p1.flops, incFlops: p2.flops } };
  } finally {
    model.destroy();
  }
};

/** Generation end to end on random weights: determinism, bookkeeping, no leaks. */
const generateRandom: CaseFn = async (rt, s: { widths: number[]; cache: boolean; guidance: number }) => {
  const model = MgntModel.fromTensors(rt, small(), randomTensors(5));
  try {
    const req = { classIndex: 2, seed: 77, steps: s.widths.length, widths: s.widths, temperature: 1, choiceTemperature: 4.5, guidance: s.guidance, cache: s.cache };
    const a = await generate(rt, model, req);
    const b = await generate(rt, model, req);
    const c = await generate(rt, model, { ...req, seed: 78 });
    const same = a.tokens.every((t, i) => t === b.tokens[i]);
    const differs = a.tokens.some((t, i) => t !== c.tokens[i]);
    const valid = a.tokens.every((t) => t < model.cfg.codebook_size);
    return {
      ok: same && differs && valid && a.gray.length === 784,
      extra: {
        same, differs, valid, gflops: a.gflops, steps: a.steps.map((x) => ({ w: x.width, n: x.computed, full: x.full, masked: x.masked })),
        submits: a.submits, readbacks: a.readbacks, dispatches: a.dispatches,
      },
    };
  } finally {
    model.destroy();
  }
};

export const cases = { cacheConsistency, generateRandom };
