// Counter-based RNG of SPEC §4 (functions only). Launchers prepend this file to the kernels that
// need it (`rngWgsl + bodyWgsl`) because WGSL has no #include. u32 arithmetic wraps mod 2^32 in
// WGSL exactly as in the TypeScript (Math.imul) and Python references, so rng_u32 and uniform are
// bit-exact; gumbel goes through WGSL's f32 log (a few ulp, like numpy's), see src/reference/rng.ts.

fn pcg(x: u32) -> u32 {
  let s = x * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

fn rng_u32(seed: u32, step: u32, pos: u32, stream: u32) -> u32 {
  return pcg(pcg(pcg(pcg(seed) ^ step) ^ pos) ^ stream);
}

// (r >> 8)·2^-24 is exact; the + 2^-25 rounds to even in f32, as numpy and Math.fround do.
fn rng_uniform(r: u32) -> f32 {
  return f32(r >> 8u) * 5.9604644775390625e-8 + 2.98023223876953125e-8;
}

// A finite stand-in for +inf: u rounds to exactly 1.0 with probability 2^-24, where the exact
// gumbel is +inf, but WGSL lets implementations assume no infinities exist.
const GUMBEL_INF: f32 = 3.0e38;

fn gumbel_from_uniform(u: f32) -> f32 {
  if (u >= 1.0) { return GUMBEL_INF; }
  return -log(-log(u));
}

fn gumbel(seed: u32, step: u32, pos: u32, stream: u32) -> f32 {
  return gumbel_from_uniform(rng_uniform(rng_u32(seed, step, pos, stream)));
}
