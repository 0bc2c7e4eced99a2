import { describe, expect, it } from 'vitest';
import { gumbel, gumbelFromUniform, pcg, rngU32, uniform } from '../src/reference/rng';

// Known answers computed with the Python reference (train/rng.py, numpy 1.24) via /usr/bin/python3:
//   rng.pcg(seed & 0xffffffff), rng.rng_u32(*c), rng.uniform(*c), rng.gumbel(*c) (f32 bits).
// Columns: [seed, step, pos, stream], pcg(seed), rng_u32, uniform, gumbel f32 bit pattern.
const KNOWN: Array<[[number, number, number, number], number, number, number, number]> = [
  [[0, 0, 0, 0], 129708002, 2368882721, 0.5515484809875488, 1057285908],
  [[1, 0, 0, 0], 2831084092, 555269243, 0.12928369641304016, 3208068151],
  [[42, 3, 17, 1], 1223963391, 4141408479, 0.9642467498779297, 1079248800],
  [[12345, 11, 63, 513], 4099845390, 2500733655, 0.5822473764419556, 1058887194],
  [[0xffffffff, 7, 5, 0], 3861530882, 2178852301, 0.5073035955429077, 1053194973],
  [[2 ** 32 + 5, 1, 2, 3], 2161170183, 324538617, 0.0755625069141388, 3211979082],
  [[987654321, 0, 1, 1], 2520997377, 3186368289, 0.7418842315673828, 1067104568],
];

const bitsToF32 = (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0];

describe('rng (SPEC §4)', () => {
  it('matches the Python reference bit for bit on u32 and uniform', () => {
    for (const [[seed, step, pos, stream], p, r, u] of KNOWN) {
      expect(pcg(seed >>> 0)).toBe(p);
      expect(rngU32(seed, step, pos, stream)).toBe(r);
      expect(uniform(seed, step, pos, stream)).toBe(u);
    }
  });

  it('matches the Python gumbel to a few f32 ulp', () => {
    // numpy's float32 log (SIMD) is not correctly rounded, nor is WGSL's log; TypeScript rounds
    // the exact log to f32. Over 65536 draws they differ by at most 1 ulp (measured: 9.5e-7).
    for (const [[seed, step, pos, stream], , , , g] of KNOWN) {
      const want = bitsToF32(g);
      const got = gumbel(seed, step, pos, stream);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(want)));
      expect(got).toBe(Math.fround(got));
    }
  });

  it('is u32 arithmetic: results are unsigned and seed wraps mod 2^32', () => {
    expect(rngU32(2 ** 32 + 9, 1, 2, 3)).toBe(rngU32(9, 1, 2, 3));
    for (let x = 0; x < 1000; x++) {
      const v = pcg(x * 2654435761);
      expect(Number.isInteger(v) && v >= 0 && v <= 0xffffffff).toBe(true);
    }
  });

  it('uniform lies in (0, 1] and is an f32; u = 1 only from the top code', () => {
    expect(gumbelFromUniform(Math.fround((2 ** 24 - 2) * 2 ** -24 + 2 ** -25))).toBeGreaterThan(15);
    // (2^24 − 1)·2^-24 + 2^-25 = 1 − 2^-25 rounds to even, i.e. to 1.0 in f32.
    expect(Math.fround((2 ** 24 - 1) * 2 ** -24 + 2 ** -25)).toBe(1);
    expect(gumbelFromUniform(1)).toBe(Infinity);
    expect(Math.fround(2 ** -25)).toBe(2 ** -25);
    let lo = 1, hi = 0;
    for (let s = 0; s < 20000; s++) {
      const u = uniform(5, 2, s, 7);
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      expect(u).toBe(Math.fround(u));
    }
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(1);
  });

  it('gumbel noise has the Gumbel mean (Euler–Mascheroni) and variance π²/6', () => {
    let s = 0, s2 = 0;
    const n = 50000;
    for (let i = 0; i < n; i++) {
      const g = gumbel(3, 0, i % 64, 1 + Math.floor(i / 64));
      s += g;
      s2 += g * g;
    }
    const mean = s / n, variance = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5772156649)).toBeLessThan(0.03);
    expect(Math.abs(variance - Math.PI ** 2 / 6)).toBeLessThan(0.06);
  });
});
