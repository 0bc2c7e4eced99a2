// Browser vs PyTorch: the shipped checkpoint against the golden files train/export.py wrote
// (docs/SPEC.md §6): logits at every width with and without the KV cache, decoder pixels, the
// encoder's z and tokens, and whole generations token for token.
import { MgntError } from '../../../src/gpu/errors';
import type { Runtime } from '../../../src/gpu/runtime';
import { findTensor, loadCheckpoint, loadEncoderFile } from '../../../src/model/checkpoint';
import { MgntModel } from '../../../src/model/model';
import type { Fusion } from '../../../src/model/transformer';
import { parseSafetensors, tensorF32, type SafetensorsFile } from '../../../src/model/safetensors';
import { generate } from '../../../src/pipeline/generate';
import { compare } from '../../../src/reference/compare';
import type { CaseFn } from '../types';

interface Golden {
  model: string;
  model_files: Record<string, string>;
  tensors_file: string;
  decoder: Array<{ tokens: number[]; image: string; gray8: number[] }>;
  logits: Array<{ class: number; width: number; tokens: number[]; logits: string; shape: number[] }>;
  cached: Array<{ class: number; width: number; tokens_a: number[]; tokens_b: number[]; positions: number[]; out_positions: number[]; logits: string; shape: number[] }>;
  /**
   * gray8 test images → z [code_dim, 8, 8] before quantisation, tokens, best/second-best gaps.
   * Video goldens (SPEC §8) may give `frames` (k gray8 frames, row-major each) instead of `gray8`.
   */
  encoder?: Array<{ gray8?: number[]; frames?: number[][]; z: string; shape: number[]; tokens: number[]; margin: number[] }>;
  generation: Array<{
    class: number; seed: number; steps: number; temperature: number; choice_temperature: number; guidance: number;
    schedule: string; widths: number[]; cache: boolean; tokens_per_step: number[][]; tokens: number[]; gray8: number[];
    /** Frame prediction cases of a video model (assumed key; SPEC §6 does not name one yet): tokens given, never masked. */
    fixed?: { positions: number[]; tokens: number[] };
  }>;
}

type Loaded = { model: MgntModel; golden: Golden; tensors: SafetensorsFile };
/** One model resident at a time: a case for another name frees the previous one first. */
let loaded: { name: string; promise: Promise<Loaded> } | null = null;

function load(rt: Runtime, name: string): Promise<Loaded> {
  if (loaded?.name === name) return loaded.promise;
  const previous = loaded?.promise;
  const promise = (async () => {
    await previous?.then((p) => p.model.destroy(), () => {});
    const ck = await loadCheckpoint(`/models/${name}/manifest.json`);
    const golden = (await (await fetch(`/e2e/golden/${name}/golden.json`)).json()) as Golden;
    for (const f of ck.manifest.files) {
      if (golden.model_files[f.path] !== f.sha256) {
        throw new MgntError('integrity', `golden files are stale: ${f.path} has sha256 ${f.sha256.slice(0, 12)}… but the goldens were made from ${String(golden.model_files[f.path]).slice(0, 12)}…; rerun train/export.py`);
      }
    }
    const tensors = parseSafetensors(await (await fetch(`/e2e/golden/${name}/${golden.tensors_file}`)).arrayBuffer(), golden.tensors_file);
    const model = MgntModel.fromCheckpoint(rt, ck);
    // Attached here, once, so the encoder's buffers are resident before any case measures the pool.
    if (ck.manifest.tokenizer.encoder) {
      const enc = await loadEncoderFile(ck.url, ck.manifest);
      model.attachEncoder((n, shape) => tensorF32(findTensor(enc, n, shape).file, n));
    }
    return { model, golden, tensors };
  })();
  loaded = { name, promise };
  return promise;
}

async function passLogits(rt: Runtime, model: MgntModel, width: number, cls: number, tokens: number[], positions: number[], logitTokens: number[]) {
  const b = rt.batch();
  const p = model.transformer.encode(b, { width, classes: [cls], tokens, positions, logitTokens });
  const rb = b.readback(p.logits, p.rows * model.cfg.codebook_size * 4);
  b.submit();
  return new Float32Array(await rb);
}

const ATOL = 1e-3;

const goldenLogits: CaseFn = async (rt, s: { name: string; fusion?: Fusion }) => {
  const { model, golden, tensors } = await load(rt, s.name);
  const fusion = model.transformer.fusion;
  model.transformer.fusion = s.fusion ?? fusion;
  try {
    return await logitsParts(rt, model, golden, tensors);
  } finally {
    model.transformer.fusion = fusion;
  }
};

async function logitsParts(rt: Runtime, model: MgntModel, golden: Awaited<ReturnType<typeof load>>['golden'], tensors: Awaited<ReturnType<typeof load>>['tensors']) {
  const parts: Record<string, ReturnType<typeof compare>> = {};
  const all = Array.from({ length: model.cfg.seq_len }, (_, i) => i);
  const image = Array.from({ length: model.cfg.seq_len - 1 }, (_, i) => i);
  for (const g of golden.logits) {
    const got = await passLogits(rt, model, g.width, g.class, g.tokens, all, image);
    parts[`full w${g.width}`] = compare(got, tensorF32(tensors, g.logits), 0, ATOL);
  }
  for (const g of golden.cached) {
    await passLogits(rt, model, g.width, g.class, g.tokens_a, all, image); // fills the cache
    const got = await passLogits(rt, model, g.width, g.class, g.tokens_b, g.positions, g.out_positions);
    parts[`cached w${g.width} c${g.class}`] = compare(got, tensorF32(tensors, g.logits), 0, ATOL);
  }
  return { parts };
}

const goldenDecoder: CaseFn = async (rt, s: { name: string }) => {
  const { model, golden } = await load(rt, s.name);
  const parts: Record<string, ReturnType<typeof compare>> = {};
  const cases = [...golden.decoder.map((d, i) => ({ key: `decoder ${i}`, ...d })), ...golden.generation.slice(0, 2).map((g, i) => ({ key: `generation ${i} image`, tokens: g.tokens, gray8: g.gray8 }))];
  for (const d of cases) {
    const img = await model.decoder.decode(d.tokens);
    // gray8 = round((x+1)·127.5): a float difference of ~1e-6 at a .5 boundary moves one level.
    parts[d.key] = compare(img.gray, d.gray8, 0, 1);
  }
  return { parts };
};

/** Near-ties (gap ≤ this in PyTorch's f64 distances) may flip on the browser's f32 path. */
const TOKEN_MARGIN = 1e-3;

const goldenEncoder: CaseFn = async (rt, s: { name: string }) => {
  const { model, golden, tensors } = await load(rt, s.name);
  if (!golden.encoder?.length) {
    return { ok: false, extra: { problem: 'golden.json has no "encoder" list; regenerate the goldens with train/export.py' } };
  }
  if (!model.encoder) {
    return { ok: false, extra: { problem: `the checkpoint ${model.manifest.name} has no encoder (no tokenizer.encoder in its manifest); re-export it with train/export.py` } };
  }
  const parts: Record<string, ReturnType<typeof compare>> = {};
  let nearTies = 0, flipped = 0;
  for (const [i, g] of golden.encoder.entries()) {
    const got = await model.encoder.encodeFrames(g.frames ?? [g.gray8!]);
    const z = tensorF32(tensors, g.z);
    parts[`z ${i} [${g.shape.join(', ')}]`] = compare(got.z, z, 0, ATOL);
    const want = Uint32Array.from(g.tokens);
    g.margin.forEach((m, c) => {
      if (m > TOKEN_MARGIN) return;
      nearTies++;
      if (got.tokens[c] !== want[c]) flipped++;
      want[c] = got.tokens[c];
    });
    parts[`tokens ${i} (exact where margin > ${TOKEN_MARGIN})`] = compare(got.tokens, want, 0, 0);
  }
  return { parts, extra: { images: golden.encoder.length, nearTies, flipped } };
};

const goldenGeneration: CaseFn = async (rt, s: { name: string; index: number }) => {
  const { model, golden } = await load(rt, s.name);
  const g = golden.generation[s.index];
  const res = await generate(rt, model, {
    classIndex: g.class === model.cfg.null_class ? null : g.class, seed: g.seed, steps: g.steps, widths: g.widths,
    temperature: g.temperature, choiceTemperature: g.choice_temperature, guidance: g.guidance, cache: g.cache, fixed: g.fixed,
  });
  let firstMismatch: { step: number; position: number; got: number; want: number } | null = null;
  res.steps.forEach((st, t) => {
    if (firstMismatch) return;
    for (let i = 0; i < st.tokens.length; i++) {
      if (st.tokens[i] !== g.tokens_per_step[t][i]) {
        firstMismatch = { step: t, position: i, got: st.tokens[i], want: g.tokens_per_step[t][i] };
        return;
      }
    }
  });
  const pixels = compare(res.gray, g.gray8, 0, 1);
  return {
    ok: firstMismatch === null && pixels.ok,
    parts: { pixels },
    extra: { label: `${g.schedule} cache=${g.cache} class=${g.class} seed=${g.seed}`, firstMismatch, gflops: res.gflops },
  };
};

const goldenInfo: CaseFn = async (rt, s: { name: string }) => {
  const { golden } = await load(rt, s.name);
  return { ok: true, extra: { generations: golden.generation.length, encoder: golden.encoder?.length ?? 0 } };
};

export const cases = { goldenLogits, goldenDecoder, goldenEncoder, goldenGeneration, goldenInfo };
