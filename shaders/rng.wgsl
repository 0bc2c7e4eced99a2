// Counter-based RNG of SPEC §4 (functions only). Launchers prepend this file to the kernels that
// need it (`rngWgsl + bodyWgsl`) because WGSL has no #include. u32 arithmetic wraps mod 2^32 in
// WGSL exactly as in the TypeScript (Math.imul) and Python references, so rng_u32 and uniform are
// bit-exact; gumbel is within a few f32 ulp of the reference (numpy's f32 log is not exact either).

fn pcg(x: u32) -> u32 {
  let s = x * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

fn rng_u32(seed: u32, step: u32, pos: u32, stream: u32) -> u32 {
  return pcg(pcg(pcg(pcg(seed) ^ step) ^ pos) ^ stream);
}

// uniform(r) = (r >> 8)·2^-24 + 2^-25 rounded to f32 (ties to even), built from integers so that
// no float rounding is left for a compiler to reassociate: SwiftShader's LLVM folded the + 2^-25
// into a following − 1 and rounded differently. With k = r >> 8: for k < 2^23 the value
// (2k+1)·2^-25 is exact; above, the 25-bit value ties to even, i.e. k' = k + (k & 1) times 2^-24
// (k' = 2^24 gives exactly 1.0, probability 2^-24).
fn rng_uniform(r: u32) -> f32 {
  let k = r >> 8u;
  if (k < 0x800000u) { return f32(2u * k + 1u) * 2.98023223876953125e-8; }
  return f32(k + (k & 1u)) * 5.9604644775390625e-8;
}

// A finite stand-in for +inf: u rounds to exactly 1.0 with probability 2^-24, where the exact
// gumbel is +inf, but WGSL lets implementations assume no infinities exist.
const GUMBEL_INF: f32 = 3.0e38;

// gumbel = −log(w), w = −log(u). WGSL only promises an absolute error of 2^-21 for log on
// [0.5, 2]; near u → 1, where w ≈ 1 − u is tiny and −log(w) is the largest draw (the one that
// wins an argmax), that would shift the noise by up to ~1. So for u ≥ 0.5, e = 1 − u is taken
// exactly from the integer code and log(u) = 2·atanh(s), s = (u − 1)/(u + 1) = −e/(2 − e) ∈
// [−1/3, 0), by its odd series to s^17 (truncation < 1e-9 relative): w to a few ulp relative.
fn gumbel_from_u32(r: u32) -> f32 {
  let k = r >> 8u;
  if (k < 0x800000u) {
    return -log(-log(f32(2u * k + 1u) * 2.98023223876953125e-8));
  }
  let kk = k + (k & 1u);
  if (kk >= 0x1000000u) { return GUMBEL_INF; }
  let e = f32(0x1000000u - kk) * 5.9604644775390625e-8;  // exact
  let s = -e / (2.0 - e);
  let s2 = s * s;
  var q = 1.0 / 17.0;
  q = q * s2 + 1.0 / 15.0;
  q = q * s2 + 1.0 / 13.0;
  q = q * s2 + 1.0 / 11.0;
  q = q * s2 + 1.0 / 9.0;
  q = q * s2 + 1.0 / 7.0;
  q = q * s2 + 1.0 / 5.0;
  q = q * s2 + 1.0 / 3.0;
  q = q * s2 + 1.0;
  return -log(-2.0 * s * q);
}

fn gumbel(seed: u32, step: u32, pos: u32, stream: u32) -> f32 {
  return gumbel_from_u32(rng_u32(seed, step, pos, stream));
}
