// Shared part of the attention kernels (attention.wgsl: one query row per invocation;
// attention_pairs.wgsl: two). The launcher prepends it to each (WGSL has no #include).
//
// Multi-head attention, bidirectional, over *slices* of full-stride tensors:
//   O[qi, h*HD : (h+1)*HD] = softmax(scale · Q_h[qi] · K_h[b]^T) · V_h[b]
// for query rows qi < batch·nq and active heads h < heads. Query row qi belongs to sequence
// b = qi / nq; the keys/values of sequence b are rows b·kv_seq + j (j < nkv) of K and V (the
// per-layer KV cache, kv_seq ≥ nkv rows per sequence). Head h of a row is the HD channels at
// h·HD, so a width-r model (first r·H heads) reads its prefix of each full-width row in place.
// Q, K and V may be one buffer (e.g. a fused QKV projection) at different offsets and strides.
//
// Registers, not arrays: the query and the accumulator are 16 *named* vec4s each (HD ≤ 64).
// A loop over a private array with a runtime index keeps the array in memory on SwiftShader (about
// 4× slower here) and may spill on a GPU; named vec4s behind `NV4 > c` guards, which are
// constants once the pipeline fixes HD, stay in registers and the unused ones are dead code.
// (The repetition below is that unrolling, written out because WGSL has no unroll attribute.)

struct Params {
  nq: u32, nkv: u32, kv_seq: u32, heads: u32,
  ldq: u32, ldk: u32, ldv: u32, ldo: u32,
  q_off: u32, k_off: u32, v_off: u32, o_off: u32,
  rows: u32, scale: f32, _p0: u32, _p1: u32,   // rows = batch · nq
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> Q: array<f32>;
@group(0) @binding(2) var<storage, read> K: array<f32>;
@group(0) @binding(3) var<storage, read> V: array<f32>;
@group(0) @binding(4) var<storage, read_write> O: array<f32>;
// K and V again as vec4s (the same buffers): with ALIGNED, one 16-byte load per four channels.
@group(0) @binding(5) var<storage, read> K4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> V4: array<vec4<f32>>;

override WG: u32 = 64u;
override HD: u32 = 16u;              // head size; the launcher allows 1..64
override NV4: u32 = (HD + 3u) / 4u;  // vec4 chunks per head (the last may be partial)
// Set by the launcher when HD and every K/V offset and row stride are multiples of 4 (and the K/V
// buffers are sized in 16-byte units, so the vec4 views cover them).
override ALIGNED: bool = false;

// Four channels t..t+3 of a head starting at element b. A partial last chunk (HD % 4 ≠ 0) re-reads
// the head's last channel instead of stepping past the head; the query's extra lanes are zero so
// they add nothing to a score, and the accumulator's extra lanes are never stored.
fn ldq(b: u32, t: u32) -> vec4<f32> {
  if (t + 4u <= HD) { return vec4<f32>(Q[b + t], Q[b + t + 1u], Q[b + t + 2u], Q[b + t + 3u]); }
  let l = HD - 1u;
  let v = vec4<f32>(Q[b + min(t, l)], Q[b + min(t + 1u, l)], Q[b + min(t + 2u, l)], Q[b + min(t + 3u, l)]);
  return select(vec4<f32>(0.0), v, vec4<u32>(t, t + 1u, t + 2u, t + 3u) < vec4<u32>(HD));
}
fn ldk(b: u32, t: u32) -> vec4<f32> {
  if (ALIGNED) { return K4[(b + t) / 4u]; }
  if (t + 4u <= HD) { return vec4<f32>(K[b + t], K[b + t + 1u], K[b + t + 2u], K[b + t + 3u]); }
  let l = HD - 1u;
  return vec4<f32>(K[b + min(t, l)], K[b + min(t + 1u, l)], K[b + min(t + 2u, l)], K[b + min(t + 3u, l)]);
}
fn ldv(b: u32, t: u32) -> vec4<f32> {
  if (ALIGNED) { return V4[(b + t) / 4u]; }
  if (t + 4u <= HD) { return vec4<f32>(V[b + t], V[b + t + 1u], V[b + t + 2u], V[b + t + 3u]); }
  let l = HD - 1u;
  return vec4<f32>(V[b + min(t, l)], V[b + min(t + 1u, l)], V[b + min(t + 2u, l)], V[b + min(t + 3u, l)]);
}
fn sto(b: u32, t: u32, v: vec4<f32>) {
  if (t + 4u <= HD) { O[b + t] = v.x; O[b + t + 1u] = v.y; O[b + t + 2u] = v.z; O[b + t + 3u] = v.w; return; }
  O[b + t] = v.x;
  if (t + 1u < HD) { O[b + t + 1u] = v.y; }
  if (t + 2u < HD) { O[b + t + 2u] = v.z; }
}

var<private> q0: vec4<f32>;
var<private> q1: vec4<f32>;
var<private> q2: vec4<f32>;
var<private> q3: vec4<f32>;
var<private> q4: vec4<f32>;
var<private> q5: vec4<f32>;
var<private> q6: vec4<f32>;
var<private> q7: vec4<f32>;
var<private> q8: vec4<f32>;
var<private> q9: vec4<f32>;
var<private> q10: vec4<f32>;
var<private> q11: vec4<f32>;
var<private> q12: vec4<f32>;
var<private> q13: vec4<f32>;
var<private> q14: vec4<f32>;
var<private> q15: vec4<f32>;
var<private> a0: vec4<f32>;
var<private> a1: vec4<f32>;
var<private> a2: vec4<f32>;
var<private> a3: vec4<f32>;
var<private> a4: vec4<f32>;
var<private> a5: vec4<f32>;
var<private> a6: vec4<f32>;
var<private> a7: vec4<f32>;
var<private> a8: vec4<f32>;
var<private> a9: vec4<f32>;
var<private> a10: vec4<f32>;
var<private> a11: vec4<f32>;
var<private> a12: vec4<f32>;
var<private> a13: vec4<f32>;
var<private> a14: vec4<f32>;
var<private> a15: vec4<f32>;

fn load_q(b: u32, scale: f32) {
  q0 = ldq(b, 0u) * scale;
  if (NV4 > 1u) { q1 = ldq(b, 4u) * scale; }
  if (NV4 > 2u) { q2 = ldq(b, 8u) * scale; }
  if (NV4 > 3u) { q3 = ldq(b, 12u) * scale; }
  if (NV4 > 4u) { q4 = ldq(b, 16u) * scale; }
  if (NV4 > 5u) { q5 = ldq(b, 20u) * scale; }
  if (NV4 > 6u) { q6 = ldq(b, 24u) * scale; }
  if (NV4 > 7u) { q7 = ldq(b, 28u) * scale; }
  if (NV4 > 8u) { q8 = ldq(b, 32u) * scale; }
  if (NV4 > 9u) { q9 = ldq(b, 36u) * scale; }
  if (NV4 > 10u) { q10 = ldq(b, 40u) * scale; }
  if (NV4 > 11u) { q11 = ldq(b, 44u) * scale; }
  if (NV4 > 12u) { q12 = ldq(b, 48u) * scale; }
  if (NV4 > 13u) { q13 = ldq(b, 52u) * scale; }
  if (NV4 > 14u) { q14 = ldq(b, 56u) * scale; }
  if (NV4 > 15u) { q15 = ldq(b, 60u) * scale; }
}

fn scale_acc(r: f32) {
  a0 *= r;
  if (NV4 > 1u) { a1 *= r; }
  if (NV4 > 2u) { a2 *= r; }
  if (NV4 > 3u) { a3 *= r; }
  if (NV4 > 4u) { a4 *= r; }
  if (NV4 > 5u) { a5 *= r; }
  if (NV4 > 6u) { a6 *= r; }
  if (NV4 > 7u) { a7 *= r; }
  if (NV4 > 8u) { a8 *= r; }
  if (NV4 > 9u) { a9 *= r; }
  if (NV4 > 10u) { a10 *= r; }
  if (NV4 > 11u) { a11 *= r; }
  if (NV4 > 12u) { a12 *= r; }
  if (NV4 > 13u) { a13 *= r; }
  if (NV4 > 14u) { a14 *= r; }
  if (NV4 > 15u) { a15 *= r; }
}
fn store_acc(b: u32, r: f32) {
  sto(b, 0u, a0 * r);
  if (NV4 > 1u) { sto(b, 4u, a1 * r); }
  if (NV4 > 2u) { sto(b, 8u, a2 * r); }
  if (NV4 > 3u) { sto(b, 12u, a3 * r); }
  if (NV4 > 4u) { sto(b, 16u, a4 * r); }
  if (NV4 > 5u) { sto(b, 20u, a5 * r); }
  if (NV4 > 6u) { sto(b, 24u, a6 * r); }
  if (NV4 > 7u) { sto(b, 28u, a7 * r); }
  if (NV4 > 8u) { sto(b, 32u, a8 * r); }
  if (NV4 > 9u) { sto(b, 36u, a9 * r); }
  if (NV4 > 10u) { sto(b, 40u, a10 * r); }
  if (NV4 > 11u) { sto(b, 44u, a11 * r); }
  if (NV4 > 12u) { sto(b, 48u, a12 * r); }
  if (NV4 > 13u) { sto(b, 52u, a13 * r); }
  if (NV4 > 14u) { sto(b, 56u, a14 * r); }
  if (NV4 > 15u) { sto(b, 60u, a15 * r); }
}
