import { embed } from '../../../src/gpu/kernels/embed';
import { compare, randn, rng } from '../../../src/reference/compare';
import { embedRef } from '../../../src/reference/embed';
import type { CaseFn } from '../types';
import { expectShapeError } from './layernorm';

export interface EmbedSpec {
  /** Sequences of `seq` rows (position 0 = class token, then image tokens), or explicit rows. */
  batch: number;
  seq: number;
  d: number;
  D: number;
  /** Codebook size V (token table has V+1 rows) and classes C (class table C+1 rows). */
  V: number;
  C: number;
  /** Only every `stride`-th position of each sequence (an incremental pass's row subset). */
  every?: number;
  /** Corrupt one id and one position: those rows must come out NaN. */
  outOfRange?: boolean;
  seed?: number;
}

const embedCase: CaseFn = async (rt, s: EmbedSpec) => {
  const seed = s.seed ?? 1;
  const r = rng(seed + 5);
  const S = s.seq, D = s.D;
  // One weight blob: [pad 3 | tok (V+1)·D | cls (C+1)·D | pos S·D].
  const tokOffset = 3, clsOffset = tokOffset + (s.V + 1) * D, posOffset = clsOffset + (s.C + 1) * D;
  const blob = randn(posOffset + S * D, seed);
  const ids: number[] = [], pos: number[] = [];
  for (let b = 0; b < s.batch; b++) {
    const cls = b === 1 ? s.C : Math.floor(r() * s.C); // sequence 1: the null class (CFG)
    for (let p = 0; p < S; p += s.every ?? 1) {
      pos.push(p);
      ids.push(p === 0 ? s.V + 1 + cls : Math.floor(r() * (s.V + 1))); // may be [MASK] = V
    }
  }
  if (s.outOfRange) {
    ids[ids.length - 1] = s.V + 1 + s.C + 1;
    pos[0] = S;
  }
  const rows = ids.length;
  const ldy = D + 1;
  const y0 = randn(2 + rows * ldy, seed + 1);
  const idsPos = Uint32Array.from([...ids, ...pos]); // one u32 buffer at two offsets
  const args = { rows, d: s.d, tokOffset, tokRows: s.V + 1, clsOffset, clsRows: s.C + 1, posOffset, posRows: S, ld: D, ldy, yOffset: 2 };
  const ref = y0.slice();
  embedRef({ ...args, ids: Uint32Array.from(ids), positions: Uint32Array.from(pos), tokTable: blob, clsTable: blob, posTable: blob, y: ref });
  const Bl = rt.upload(blob), IP = rt.upload(idsPos), Y = rt.upload(y0);
  const batch = rt.batch();
  embed(rt, batch, { ...args, ids: IP, positions: IP, positionsOffset: rows, tokTable: Bl, clsTable: Bl, posTable: Bl, y: Y });
  const out = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await out);
  rt.release(Bl, IP, Y);
  // NaN rows must match exactly in place; compare the rest numerically (a sum of two f32: exact).
  let nanMismatch = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]) !== Number.isNaN(got[i])) nanMismatch++;
    if (Number.isNaN(ref[i])) ref[i] = got[i] = 0;
  }
  const c = compare(got, ref, 0, 0);
  return { ...c, ok: c.ok && nanMismatch === 0, bad: (c.bad ?? 0) + nanMismatch };
};

const embedBadShape: CaseFn = async (rt, s: { what: string }) => {
  const T = rt.upload(new Float32Array(20 * 16)), I = rt.upload(new Uint32Array(8)), Y = rt.storage(8 * 16 * 4);
  const base = { rows: 4, d: 16, ids: I, positions: I, positionsOffset: 4, tokTable: T, tokRows: 10, clsTable: T, clsOffset: 160, clsRows: 5, posTable: T, posRows: 20, ld: 16, y: Y, ldy: 16 };
  const r = await expectShapeError(() => {
    const batch = rt.batch();
    if (s.what === 'd-over-stride') embed(rt, batch, { ...base, d: 17 });
    else if (s.what === 'table-too-small') embed(rt, batch, { ...base, clsRows: 11 });
    else if (s.what === 'ids-too-small') embed(rt, batch, { ...base, positionsOffset: 61 });
    else if (s.what === 'alias') embed(rt, batch, { ...base, y: T });
    else embed(rt, batch, { ...base, rows: 0 });
  });
  rt.release(T, I, Y);
  return r;
};

export const cases = { embed: embedCase, embedBadShape };
