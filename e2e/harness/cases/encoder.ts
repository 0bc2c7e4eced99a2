// The VQ encoder's kernels (avgpool2x, vq_nearest) against their CPU references, and the whole
// encoder on random weights against the composed reference (src/reference/encoder.ts).
import { MgntError } from '../../../src/gpu/errors';
import { avgpool2x } from '../../../src/gpu/kernels/avgpool2x';
import { vqNearest } from '../../../src/gpu/kernels/vq_nearest';
import type { Runtime } from '../../../src/gpu/runtime';
import { MgntModel } from '../../../src/model/model';
import { randomTensors } from '../../../src/model/random';
import { syntheticManifest } from '../../../src/model/synthetic';
import { avgpool2xRef } from '../../../src/reference/avgpool2x';
import { compare, randn, rng } from '../../../src/reference/compare';
import { encoderRef } from '../../../src/reference/encoder';
import { vqNearestRef } from '../../../src/reference/vq_nearest';
import type { CaseFn } from '../types';

const avgpoolCase: CaseFn = async (rt, s: { N: number; Hin: number; Win: number }) => {
  const xo = 5, yo = 3, n = s.N * s.Hin * s.Win;
  const x = randn(xo + n, 71, 3);
  const y0 = randn(yo + n / 4 + 2, 72);
  const ref = y0.slice();
  avgpool2xRef(s.N, s.Hin, s.Win, x, ref, xo, yo);
  const X = rt.upload(x), Y = rt.upload(y0);
  const batch = rt.batch();
  avgpool2x(rt, batch, { N: s.N, Hin: s.Hin, Win: s.Win, x: X, xOffset: xo, y: Y, yOffset: yo });
  const rb = batch.readback(Y, y0.byteLength);
  batch.submit();
  const got = new Float32Array(await rb);
  rt.release(X, Y);
  return compare(got, ref, 0, 0);
};

export interface VqSpec {
  B?: number; N: number; D: number; K: number; ldc?: number; workgroupSize?: number;
  /** Codebook rows duplicated at a higher index (exact ties: the smaller index must win). */
  dupes?: number;
}

/** Near-ties (0 < margin < this) may flip on f32 sums; exact ties (margin 0) may not. */
const NEAR_TIE = 1e-4;

const vqCase: CaseFn = async (rt, s: VqSpec) => {
  const B = s.B ?? 1, ldc = s.ldc ?? s.D, zo = 3, co = 7, to = 2, cells = B * s.N;
  const r = rng(81);
  const z = randn(zo + B * s.D * s.N, 82);
  const cb = randn(co + s.K * ldc, 83);
  // Duplicates: row a copied to row b > a; some cells are set exactly on a duplicated row
  // (distance 0 to both) and some exactly on a plain row.
  const dupRows: number[] = [];
  for (let i = 0; i < (s.dupes ?? 0) && s.K > 1; i++) {
    const a = Math.floor(r() * (s.K - 1)), b = a + 1 + Math.floor(r() * (s.K - 1 - a));
    for (let d = 0; d < s.D; d++) cb[co + b * ldc + d] = cb[co + a * ldc + d];
    dupRows.push(a);
  }
  for (let c = 0; c < cells; c++) {
    const u = r();
    const row = u < 0.15 && dupRows.length ? dupRows[c % dupRows.length] : u < 0.3 ? Math.floor(r() * s.K) : -1;
    if (row < 0) continue;
    const b = Math.floor(c / s.N), n = c % s.N;
    for (let d = 0; d < s.D; d++) z[zo + (b * s.D + d) * s.N + n] = cb[co + row * ldc + d];
  }
  const { tokens, margin } = vqNearestRef({ B, N: s.N, D: s.D, K: s.K, z, zOffset: zo, codebook: cb, codebookOffset: co, ldc });
  const Z = rt.upload(z), C = rt.upload(cb), T = rt.upload(new Uint32Array(to + cells + 3).fill(0xdeadbeef));
  const batch = rt.batch();
  vqNearest(rt, batch, { B, N: s.N, D: s.D, K: s.K, z: Z, zOffset: zo, codebook: C, codebookOffset: co, ldc, tokens: T, tokensOffset: to, workgroupSize: s.workgroupSize });
  const rb = batch.readback(T, (to + cells + 3) * 4);
  batch.submit();
  const got = new Uint32Array(await rb);
  rt.release(Z, C, T);
  // The whole buffer: the words around the tokens must still hold the fill.
  const want = new Uint32Array(to + cells + 3).fill(0xdeadbeef);
  want.set(tokens, to);
  const nearTies: Array<{ cell: number; got: number; want: number; margin: number }> = [];
  for (let c = 0; c < cells; c++) {
    if (margin[c] > 0 && margin[c] < NEAR_TIE) {
      if (got[to + c] !== tokens[c]) nearTies.push({ cell: c, got: got[to + c], want: tokens[c], margin: margin[c] });
      want[to + c] = got[to + c];
    }
  }
  const exactTies = Array.from(margin).filter((m) => m === 0).length;
  return { ...compare(got, want, 0, 0), extra: { nearTies, nearTieCells: Array.from(margin).filter((m) => m > 0 && m < NEAR_TIE).length, exactTies } };
};

const encoderBadShape: CaseFn = async (rt, s: { what: string }) => {
  const A = rt.upload(new Float32Array(64)), Bf = rt.upload(new Float32Array(64)), Y = rt.storage(256), Big = rt.upload(new Float32Array(1024));
  try {
    const batch = rt.batch();
    const vq = { N: 4, D: 4, K: 4, z: A, codebook: Bf, tokens: Y };
    switch (s.what) {
      case 'avgpool-odd': avgpool2x(rt, batch, { N: 1, Hin: 5, Win: 4, x: A, y: Y }); break;
      case 'avgpool-x-too-small': avgpool2x(rt, batch, { N: 2, Hin: 6, Win: 6, x: A, y: Y }); break;
      case 'avgpool-alias': avgpool2x(rt, batch, { N: 1, Hin: 4, Win: 4, x: A, y: A }); break;
      case 'vq-stride': vqNearest(rt, batch, { ...vq, D: 8, ldc: 4 }); break;
      case 'vq-codebook-too-small': vqNearest(rt, batch, { ...vq, K: 20 }); break;
      case 'vq-tokens-too-small': vqNearest(rt, batch, { ...vq, B: 5, N: 16, D: 1, z: Big }); break;
      case 'vq-alias': vqNearest(rt, batch, { ...vq, tokens: A }); break;
      case 'vq-workgroup': vqNearest(rt, batch, { ...vq, workgroupSize: 3 }); break;
      default: throw new Error(`unknown bad shape ${s.what}`);
    }
    return { error: undefined };
  } catch (e) {
    return { error: { type: e instanceof MgntError ? e.type : undefined, message: String((e as Error).message) } };
  } finally {
    rt.release(A, Bf, Y, Big);
  }
};

/** A test image: a bright blob with soft edges and some texture, as a drawn garment might be. */
function testImage(seed: number, size = 28): Uint8Array {
  const r = rng(seed), g = new Uint8Array(size * size);
  const cx = 8 + r() * 12, cy = 8 + r() * 12, rx = 5 + r() * 7, ry = 5 + r() * 7;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      g[y * size + x] = d < 1 ? Math.round(120 + 135 * r()) : d < 1.4 ? Math.round(255 * (1.4 - d) / 0.4) : 0;
    }
  }
  return g;
}

function memo(get: (name: string, shape: number[]) => Float32Array) {
  const seen = new Map<string, Float32Array>();
  return (name: string, shape: number[] = []) => {
    if (!seen.has(name)) seen.set(name, get(name, shape));
    return seen.get(name)!;
  };
}

/** The whole encoder on random weights: GPU z and tokens against the CPU reference. */
const encoderRandom: CaseFn = async (rt: Runtime, s: { images: number; channels?: [number, number, number]; groups?: number }) => {
  const before = rt.pool.liveBytes;
  const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }, {
    encoder: { channels: s.channels ?? [16, 24, 32], groups: s.groups ?? 8, file: 'encoder.safetensors' },
  });
  const get = memo(randomTensors(13));
  const model = MgntModel.fromTensors(rt, m, get);
  const parts: Record<string, ReturnType<typeof compare>> = {};
  const extra: Record<string, unknown> = {};
  try {
    const enc = model.attachEncoder(get);
    const images = [testImage(1), new Uint8Array(784), new Uint8Array(784).fill(255), ...Array.from({ length: Math.max(0, s.images - 3) }, (_, i) => testImage(100 + i))];
    let mismatched = 0, excused = 0, submits = 0, readbacks = 0;
    for (const [i, img] of images.entries()) {
      const s0 = { ...rt.stats };
      const got = await enc.encode(img);
      submits += rt.stats.submits - s0.submits;
      readbacks += rt.stats.readbacks - s0.readbacks;
      const ref = encoderRef(m.tokenizer, m.transformer.grid, (n) => get(n), img);
      parts[`z ${i}`] = compare(got.z, ref.z, 1e-3, 1e-4);
      for (let c = 0; c < 64; c++) {
        if (ref.margin[c] < 1e-3) excused += got.tokens[c] !== ref.tokens[c] ? 1 : 0;
        else if (got.tokens[c] !== ref.tokens[c]) mismatched++;
      }
      extra.flops = got.flops;
      extra[`tokens ${i}`] = Array.from(got.tokens.slice(0, 8));
    }
    Object.assign(extra, { mismatched, excused, submits, readbacks, encodes: images.length });
  } finally {
    model.destroy();
  }
  return { parts, extra: { ...extra, liveAfter: rt.pool.liveBytes - before } };
};

export const cases = { avgpool2x: avgpoolCase, vqNearest: vqCase, encoderBadShape, encoderRandom };
