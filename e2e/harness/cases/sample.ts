import { MgntError } from '../../../src/gpu/errors';
import { sample, SAMPLE_WORDS } from '../../../src/gpu/kernels/sample';
import { softmax } from '../../../src/gpu/kernels/softmax';
import { compare, randn, rng, type Comparison } from '../../../src/reference/compare';
import { sampleRef } from '../../../src/reference/sample';
import { softmaxRef } from '../../../src/reference/softmax';
import type { Runtime } from '../../../src/gpu/runtime';
import type { CaseFn, CaseResult } from '../types';

export interface SampleSpec {
  P: number;
  V: number;
  /** Row stride (≥ V); default V. */
  ld?: number;
  /** Guidance scale; cond rows 0..P−1 and uncond rows P..2P−1 of one buffer unless `separate`. */
  guidance?: number;
  separate?: boolean;
  seed?: number;
  step?: number;
  temperature?: number;
  kappa?: number;
  /** Logit scale of the random data. */
  scale?: number;
  workgroupSize?: number;
  dataSeed?: number;
  /** Per-row seeds (batched generation): row i gets a seed of its own, read at an offset. */
  rowSeeds?: boolean;
}

/** Per-row seeds for a batch: runs of rows share a seed, as the rows of one image do; one exceeds 2^31. */
function rowSeeds(P: number): Uint32Array {
  return Uint32Array.from({ length: P }, (_, i) => [5, 2 ** 32 - 3, 1234, 0][Math.floor((i * 4) / P) % 4]);
}
const SEEDS_OFFSET = 2;

function positions(P: number, seed: number): Uint32Array {
  const r = rng(seed);
  const n = Math.max(P, 64);
  const perm = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
  return Uint32Array.from(perm.slice(0, P));
}

async function runSample(rt: Runtime, s: SampleSpec, logits: Float32Array, pos: Uint32Array, uncond?: Float32Array) {
  const ld = s.ld ?? s.V;
  const L = rt.upload(logits), U = uncond ? rt.upload(uncond) : undefined, PB = rt.upload(pos);
  const SB = s.rowSeeds ? rt.upload(Uint32Array.from([9, 9, ...rowSeeds(s.P)])) : undefined;
  const outOffset = 3; // an element offset into the output, as a decode loop might use
  const O = rt.storage((outOffset + s.P * SAMPLE_WORDS) * 4);
  const batch = rt.batch();
  sample(rt, batch, {
    P: s.P, V: s.V, logits: L, ld, logitsOffset: 0,
    guidance: s.guidance !== undefined ? { scale: s.guidance, offset: U ? 0 : s.P * ld, buffer: U } : undefined,
    positions: PB, seed: s.seed ?? 1234, step: s.step ?? 0, temperature: s.temperature ?? 1, kappa: s.kappa ?? 0,
    out: O, outOffset, workgroupSize: s.workgroupSize,
    ...(SB ? { seeds: SB, seedsOffset: SEEDS_OFFSET } : {}),
  });
  const rb = batch.readback(O, s.P * SAMPLE_WORDS * 4, outOffset * 4);
  batch.submit();
  const words = new Uint32Array(await rb);
  rt.release(L, U, PB, O, SB);
  return words;
}

function exact(got: ArrayLike<number>, want: ArrayLike<number>): Comparison {
  return compare(got, want, 0, 0);
}

const sampleCase: CaseFn = async (rt, s: SampleSpec) => {
  const ld = s.ld ?? s.V;
  const seed = s.dataSeed ?? 7;
  const rows = s.guidance !== undefined && !s.separate ? 2 * s.P : s.P;
  const logits = randn(rows * ld, seed, s.scale ?? 3);
  const uncond = s.guidance !== undefined && s.separate ? randn(s.P * ld, seed + 1, s.scale ?? 3) : undefined;
  const pos = positions(s.P, seed + 2);
  const words = await runSample(rt, s, logits, pos, uncond);
  const ref = sampleRef({
    P: s.P, V: s.V, logits, ld,
    guidance: s.guidance !== undefined ? { scale: s.guidance, offset: uncond ? 0 : s.P * ld, logits: uncond } : undefined,
    positions: pos, seed: s.seed ?? 1234, step: s.step ?? 0, temperature: s.temperature ?? 1, kappa: s.kappa ?? 0,
    seeds: s.rowSeeds ? rowSeeds(s.P) : undefined,
  });
  const f = new Float32Array(words.buffer);
  const pick = (j: number) => Array.from({ length: s.P }, (_, i) => words[i * 4 + j]);
  const pickF = (j: number) => Array.from({ length: s.P }, (_, i) => f[i * 4 + j]);
  const tok = pick(0);
  // Tokens must match exactly. If one ever differs, say whether the reference had a near-tie
  // there (runner-up within 1e-5 of the best score: f32 log differences can flip it).
  const minGap = Math.min(...ref.gap);
  const diff = tok.map((t, i) => i).filter((i) => tok[i] !== ref.token[i]);
  const nearTie = diff.filter((i) => ref.gap[i] < 1e-5 * Math.max(1, Math.abs(ref.logp[i])));
  const tokName = diff.length
    ? `tokens (${diff.length} differ, ${nearTie.length} of them near-ties: rows ${diff.slice(0, 8).join(',')}, gaps ${diff.slice(0, 8).map((i) => ref.gap[i].toExponential(1)).join(',')})`
    : `tokens (min top-2 gap ${minGap.toExponential(1)})`;
  const res: CaseResult = {
    parts: {
      [tokName]: exact(tok, ref.token),
      argmax: exact(pick(3), ref.argmax),
      conf: compare(pickF(1), ref.conf, 1e-4, 1e-4),
      logp: compare(pickF(2), ref.logp, 1e-4, 1e-4),
    },
  };
  return res;
};

/** Same seed twice → identical words; another step → other tokens. */
const sampleRepeat: CaseFn = async (rt, s: SampleSpec) => {
  const ld = s.ld ?? s.V;
  const logits = randn(s.P * ld, 11, s.scale ?? 1);
  const pos = positions(s.P, 12);
  const a = await runSample(rt, s, logits, pos);
  const b = await runSample(rt, s, logits, pos);
  const c = await runSample(rt, { ...s, step: (s.step ?? 0) + 1 }, logits, pos);
  const d = await runSample(rt, { ...s, seed: (s.seed ?? 1234) + 1 }, logits, pos);
  const tokens = (w: Uint32Array) => Array.from({ length: s.P }, (_, i) => w[i * 4]);
  const changed = (x: Uint32Array) => tokens(x).filter((t, i) => t !== tokens(a)[i]).length;
  // With flat-ish logits (scale 1 over V entries) almost every row changes with the noise.
  const expectChanged = (n: number): Comparison => ({ ok: n >= s.P / 2, count: s.P, bad: n >= s.P / 2 ? 0 : s.P - n, maxAbs: 0, maxRel: 0, worst: null });
  return {
    parts: {
      'same seed twice (all words)': exact(b, a),
      [`other step changes ${changed(c)}/${s.P} tokens`]: expectChanged(changed(c)),
      [`other seed changes ${changed(d)}/${s.P} tokens`]: expectChanged(changed(d)),
    },
  };
};

const sampleBadShape: CaseFn = async (rt, s: { what: string }) => {
  const L = rt.upload(new Float32Array(64)), PB = rt.upload(new Uint32Array(8)), O = rt.storage(256);
  const base = { P: 2, V: 8, logits: L, ld: 8, positions: PB, seed: 1, step: 0, temperature: 1, kappa: 0, out: O };
  try {
    const batch = rt.batch();
    if (s.what === 'v-over-stride') sample(rt, batch, { ...base, V: 9 });
    else if (s.what === 'logits-too-small') sample(rt, batch, { ...base, P: 9 });
    else if (s.what === 'guidance-too-small') sample(rt, batch, { ...base, guidance: { scale: 2, offset: 60 } });
    else if (s.what === 'alias') sample(rt, batch, { ...base, out: L });
    else if (s.what === 'zero-temperature') sample(rt, batch, { ...base, temperature: 0 });
    else if (s.what === 'softmax-over-stride') softmax(rt, batch, { R: 2, N: 9, x: L, ldx: 8, y: O, ldy: 16 });
    else sample(rt, batch, { ...base, P: 0 });
    return { error: undefined };
  } catch (e) {
    return { error: { type: e instanceof MgntError ? e.type : undefined, message: String((e as Error).message) } };
  } finally {
    rt.release(L, PB, O);
  }
};

export interface SoftmaxSpec {
  R: number;
  N: number;
  ldx?: number;
  ldy?: number;
  temperature?: number;
  inPlace?: boolean;
  scale?: number;
  workgroupSize?: number;
}

const softmaxCase: CaseFn = async (rt, s: SoftmaxSpec) => {
  const ldx = s.ldx ?? s.N, ldy = s.inPlace ? ldx : (s.ldy ?? s.N);
  const xOffset = 5, yOffset = s.inPlace ? 5 : 2;
  const x = randn(xOffset + s.R * ldx, 21, s.scale ?? 4);
  const y0 = s.inPlace ? x.slice() : randn(yOffset + s.R * ldy, 22);
  const ref = y0.slice();
  softmaxRef({ R: s.R, N: s.N, x, ldx, xOffset, y: ref, ldy, yOffset, temperature: s.temperature });
  const X = rt.upload(x), Y = s.inPlace ? X : rt.upload(y0);
  const batch = rt.batch();
  softmax(rt, batch, { R: s.R, N: s.N, x: X, ldx, xOffset, y: Y, ldy, yOffset, temperature: s.temperature, workgroupSize: s.workgroupSize });
  const rb = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await rb);
  rt.release(X, s.inPlace ? undefined : Y);
  // Whole Y compared: columns past N and the offset prefix must be untouched.
  return compare(got, ref, 1e-5, 1e-7);
};

export const cases = { sample: sampleCase, sampleRepeat, sampleBadShape, softmax: softmaxCase };
