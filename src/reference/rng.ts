/**
 * Counter-based RNG of SPEC §4, bit-exact with train/rng.py and shaders/rng.wgsl.
 * All arithmetic on u32, wrapping mod 2^32 (Math.imul + `>>> 0`).
 */

/** One PCG-hash round (PCG-RXS-M-XS output function on an LCG step). */
export function pcg(x: number): number {
  const s = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

/** rng_u32(seed, step, pos, stream) = pcg(pcg(pcg(pcg(seed) ^ step) ^ pos) ^ stream); seed taken mod 2^32. */
export function rngU32(seed: number, step: number, pos: number, stream: number): number {
  return pcg((pcg((pcg((pcg(seed >>> 0) ^ step) >>> 0) ^ pos) >>> 0) ^ stream) >>> 0);
}

const TWO_M24 = 2 ** -24;
const TWO_M25 = 2 ** -25;

/**
 * (rng_u32 >> 8) · 2^-24 + 2^-25, rounded to f32 (as the f32 add does in numpy and WGSL).
 * Note: for (r >> 8) ≥ 2^23 the sum needs 25 bits and rounds to even; (r >> 8) = 2^24 − 1 rounds
 * to exactly 1.0 (probability 2^-24), where gumbel() is +Infinity.
 */
export function uniform(seed: number, step: number, pos: number, stream: number): number {
  return Math.fround((rngU32(seed, step, pos, stream) >>> 8) * TWO_M24 + TWO_M25);
}

/** −log(−log(u)) with every operation rounded to f32, as numpy float32 and WGSL compute it. */
export function gumbelFromUniform(u: number): number {
  const inner = Math.fround(Math.log(u));
  return Math.fround(-Math.fround(Math.log(-inner)));
}

export function gumbel(seed: number, step: number, pos: number, stream: number): number {
  return gumbelFromUniform(uniform(seed, step, pos, stream));
}
