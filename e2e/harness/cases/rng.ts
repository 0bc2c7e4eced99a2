// The WGSL RNG against src/reference/rng.ts: rng_u32 and uniform bit-exact, gumbel to a few ulp,
// on many draws plus the draws nearest u = 1 (the largest noise, the one that wins argmaxes).
import rngWgsl from '../../../shaders/rng.wgsl?raw';
import { Params, type KernelDef } from '../../../src/gpu/kernel';
import { compare } from '../../../src/reference/compare';
import { gumbelFromUniform, rngU32, uniform } from '../../../src/reference/rng';
import type { CaseFn } from '../types';

const RNG_TEST: KernelDef = {
  name: 'rng_test',
  code: rngWgsl + `
struct Params { n: u32, seed: u32, step: u32, _p: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> U: array<u32>;       // extra uniforms' top-24-bit codes
@group(0) @binding(2) var<storage, read_write> O: array<u32>; // 4 words per draw
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.n) { return; }
  let r = rng_u32(p.seed, p.step, i % 64u, 1u + i / 64u);
  O[4u * i] = r;
  O[4u * i + 1u] = bitcast<u32>(rng_uniform(r));
  O[4u * i + 2u] = bitcast<u32>(gumbel(p.seed, p.step, i % 64u, 1u + i / 64u));
  O[4u * i + 3u] = bitcast<u32>(gumbel_from_u32(U[i] << 8u));
}`,
  bindings: ['uniform', 'read', 'rw'],
};

const rngCase: CaseFn = async (rt, s: { n: number; seed: number; step: number }) => {
  // Codes for the 4th word: the top of the range (u → 1), the bottom, and a sweep.
  const codes = new Uint32Array(s.n);
  for (let i = 0; i < s.n; i++) {
    codes[i] = i < 2048 ? 2 ** 24 - 1 - i : i < 4096 ? i - 2048 : Math.floor(((i * 2654435761) >>> 0) / 256);
  }
  const C = rt.upload(codes), O = rt.storage(s.n * 16);
  const batch = rt.batch();
  batch.dispatch(RNG_TEST, new Params().u(s.n).u(s.seed).u(s.step).u(0).pack(), [C, O], [Math.ceil(s.n / 64)]);
  const rb = batch.readback(O, s.n * 16);
  batch.submit();
  const w = new Uint32Array(await rb);
  const f = new Float32Array(w.buffer);
  rt.release(C, O);
  const col = (a: ArrayLike<number>, j: number) => Array.from({ length: s.n }, (_, i) => a[4 * i + j]);
  const want = { r: [] as number[], u: [] as number[], g: [] as number[], gu: [] as number[] };
  for (let i = 0; i < s.n; i++) {
    want.r.push(rngU32(s.seed, s.step, i % 64, 1 + Math.floor(i / 64)));
    want.u.push(uniform(s.seed, s.step, i % 64, 1 + Math.floor(i / 64)));
    want.g.push(gumbelFromUniform(want.u[i]));
    const u = Math.fround(codes[i] * 2 ** -24 + 2 ** -25);
    want.gu.push(u === 1 ? 3e38 : gumbelFromUniform(u));
  }
  const gu = col(f, 3).map((x) => (x >= 1e38 ? 3e38 : x));
  return {
    parts: {
      rng_u32: compare(col(w, 0), want.r, 0, 0),
      uniform: compare(col(f, 1), want.u, 0, 0),
      // Absolute error is what matters for an argmax over l/τ + g.
      gumbel: compare(col(f, 2), want.g, 1e-6, 1e-6),
      'gumbel near u=0, u=1 and sweep': compare(gu, want.gu, 1e-6, 1e-6),
    },
  };
};

export const cases = { rng: rngCase };
