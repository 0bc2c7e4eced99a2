import { MgntError } from '../../../src/gpu/errors';
import { layernorm } from '../../../src/gpu/kernels/layernorm';
import { compare, randn, rng } from '../../../src/reference/compare';
import { layernormRef } from '../../../src/reference/layernorm';
import type { CaseFn, CaseResult } from '../types';

export interface LayernormSpec {
  rows: number;
  d: number;
  /** Full row stride of X and Y (D); defaults to d. */
  ld?: number;
  ldy?: number;
  /** Normalise `rows` rows gathered from this many rows of X. */
  gather?: number;
  /** Element offsets of X / Y / gamma / beta (gamma and beta live in one weight buffer). */
  xOffset?: number;
  yOffset?: number;
  /** Added to every X value: a large mean tests the centred variance. */
  shift?: number;
  seed?: number;
}

const layernormCase: CaseFn = async (rt, s: LayernormSpec) => {
  const seed = s.seed ?? 1;
  const ld = s.ld ?? s.d, ldy = s.ldy ?? ld;
  const rowsX = s.gather ?? s.rows;
  const xo = s.xOffset ?? 0, yo = s.yOffset ?? 0;
  const x = randn(xo + rowsX * ld, seed, 2);
  if (s.shift) for (let i = 0; i < x.length; i++) x[i] += s.shift;
  // One weight blob: [pad 5 | gamma (ld) | beta (ld)], read at offsets.
  const wts = randn(5 + 2 * ld, seed + 1);
  for (let i = 0; i < ld; i++) wts[5 + i] += 1;
  const y0 = randn(yo + s.rows * ldy, seed + 2);
  let idx: Uint32Array | undefined;
  if (s.gather) {
    const r = rng(seed + 3);
    idx = Uint32Array.from({ length: s.rows }, () => Math.floor(r() * rowsX));
  }
  const ref = y0.slice();
  layernormRef({ rows: s.rows, d: s.d, x, ldx: ld, xOffset: xo, gamma: wts, gammaOffset: 5, beta: wts, betaOffset: 5 + ld, y: ref, ldy, yOffset: yo, gatherX: idx });
  const X = rt.upload(x), Wt = rt.upload(wts), Y = rt.upload(y0);
  const I = idx ? rt.upload(idx) : undefined;
  const batch = rt.batch();
  layernorm(rt, batch, {
    rows: s.rows, d: s.d, x: X, ldx: ld, xOffset: xo, gamma: Wt, gammaOffset: 5, beta: Wt, betaOffset: 5 + ld,
    y: Y, ldy, yOffset: yo, gatherX: I, rowsX,
  });
  const out = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await out);
  rt.release(X, Wt, Y, I);
  // Whole Y is compared: channels d..ld and rows outside the launch must keep their values.
  return compare(got, ref, 1e-4, 1e-5);
};

export async function expectShapeError(fn: () => void): Promise<CaseResult> {
  try {
    fn();
    return { error: undefined };
  } catch (e) {
    return { error: { type: e instanceof MgntError ? e.type : undefined, message: String((e as Error).message) } };
  }
}

const layernormBadShape: CaseFn = async (rt, s: { what: string }) => {
  const X = rt.upload(new Float32Array(64)), G = rt.upload(new Float32Array(16)), Y = rt.storage(256);
  const base = { rows: 4, d: 16, x: X, ldx: 16, gamma: G, beta: G, y: Y, ldy: 16 };
  const r = await expectShapeError(() => {
    const batch = rt.batch();
    if (s.what === 'd-over-stride') layernorm(rt, batch, { ...base, d: 17 });
    else if (s.what === 'x-too-small') layernorm(rt, batch, { ...base, rows: 5 });
    else if (s.what === 'gamma-too-small') layernorm(rt, batch, { ...base, gammaOffset: 60 });
    else if (s.what === 'alias') layernorm(rt, batch, { ...base, y: X });
    else layernorm(rt, batch, { ...base, rows: 0 });
  });
  rt.release(X, G, Y);
  return r;
};

export const cases = { layernorm: layernormCase, layernormBadShape };
