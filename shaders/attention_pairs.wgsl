// Kernel 2 of attention (contract and first-row registers in attention_common.wgsl): two query
// rows of one sequence and head per invocation. Every K and V chunk loaded serves both rows,
// halving the loads per multiply-add (on SwiftShader each load is a bounds-checked per-lane
// gather: the dominant cost). The second row keeps its own running max, sum and accumulator in
// the named vec4s below: 4·HD live floats in all, so the launcher pairs rows only where they fit
// (HD ≤ 32 on a GPU's register file, up to 64 on a CPU implementation). Each row's arithmetic is
// kernel 1's (attention.wgsl) in the same order: the outputs are identical.
var<private> u0: vec4<f32>;
var<private> u1: vec4<f32>;
var<private> u2: vec4<f32>;
var<private> u3: vec4<f32>;
var<private> u4: vec4<f32>;
var<private> u5: vec4<f32>;
var<private> u6: vec4<f32>;
var<private> u7: vec4<f32>;
var<private> u8: vec4<f32>;
var<private> u9: vec4<f32>;
var<private> u10: vec4<f32>;
var<private> u11: vec4<f32>;
var<private> u12: vec4<f32>;
var<private> u13: vec4<f32>;
var<private> u14: vec4<f32>;
var<private> u15: vec4<f32>;
var<private> c0: vec4<f32>;
var<private> c1: vec4<f32>;
var<private> c2: vec4<f32>;
var<private> c3: vec4<f32>;
var<private> c4: vec4<f32>;
var<private> c5: vec4<f32>;
var<private> c6: vec4<f32>;
var<private> c7: vec4<f32>;
var<private> c8: vec4<f32>;
var<private> c9: vec4<f32>;
var<private> c10: vec4<f32>;
var<private> c11: vec4<f32>;
var<private> c12: vec4<f32>;
var<private> c13: vec4<f32>;
var<private> c14: vec4<f32>;
var<private> c15: vec4<f32>;
fn load_u(b: u32, scale: f32) {
  u0 = ldq(b, 0u) * scale;
  if (NV4 > 1u) { u1 = ldq(b, 4u) * scale; }
  if (NV4 > 2u) { u2 = ldq(b, 8u) * scale; }
  if (NV4 > 3u) { u3 = ldq(b, 12u) * scale; }
  if (NV4 > 4u) { u4 = ldq(b, 16u) * scale; }
  if (NV4 > 5u) { u5 = ldq(b, 20u) * scale; }
  if (NV4 > 6u) { u6 = ldq(b, 24u) * scale; }
  if (NV4 > 7u) { u7 = ldq(b, 28u) * scale; }
  if (NV4 > 8u) { u8 = ldq(b, 32u) * scale; }
  if (NV4 > 9u) { u9 = ldq(b, 36u) * scale; }
  if (NV4 > 10u) { u10 = ldq(b, 40u) * scale; }
  if (NV4 > 11u) { u11 = ldq(b, 44u) * scale; }
  if (NV4 > 12u) { u12 = ldq(b, 48u) * scale; }
  if (NV4 > 13u) { u13 = ldq(b, 52u) * scale; }
  if (NV4 > 14u) { u14 = ldq(b, 56u) * scale; }
  if (NV4 > 15u) { u15 = ldq(b, 60u) * scale; }
}
// Scores of the key row at b against both query rows, each chunk of K loaded once.
fn score2(b: u32) -> vec2<f32> {
  var k = ldk(b, 0u);
  var s0 = vec2<f32>(dot(q0, k), dot(u0, k));
  var s1 = vec2<f32>(0.0);
  if (NV4 > 1u) { k = ldk(b, 4u); s1 += vec2<f32>(dot(q1, k), dot(u1, k)); }
  if (NV4 > 2u) { k = ldk(b, 8u); s0 += vec2<f32>(dot(q2, k), dot(u2, k)); }
  if (NV4 > 3u) { k = ldk(b, 12u); s1 += vec2<f32>(dot(q3, k), dot(u3, k)); }
  if (NV4 > 4u) { k = ldk(b, 16u); s0 += vec2<f32>(dot(q4, k), dot(u4, k)); }
  if (NV4 > 5u) { k = ldk(b, 20u); s1 += vec2<f32>(dot(q5, k), dot(u5, k)); }
  if (NV4 > 6u) { k = ldk(b, 24u); s0 += vec2<f32>(dot(q6, k), dot(u6, k)); }
  if (NV4 > 7u) { k = ldk(b, 28u); s1 += vec2<f32>(dot(q7, k), dot(u7, k)); }
  if (NV4 > 8u) { k = ldk(b, 32u); s0 += vec2<f32>(dot(q8, k), dot(u8, k)); }
  if (NV4 > 9u) { k = ldk(b, 36u); s1 += vec2<f32>(dot(q9, k), dot(u9, k)); }
  if (NV4 > 10u) { k = ldk(b, 40u); s0 += vec2<f32>(dot(q10, k), dot(u10, k)); }
  if (NV4 > 11u) { k = ldk(b, 44u); s1 += vec2<f32>(dot(q11, k), dot(u11, k)); }
  if (NV4 > 12u) { k = ldk(b, 48u); s0 += vec2<f32>(dot(q12, k), dot(u12, k)); }
  if (NV4 > 13u) { k = ldk(b, 52u); s1 += vec2<f32>(dot(q13, k), dot(u13, k)); }
  if (NV4 > 14u) { k = ldk(b, 56u); s0 += vec2<f32>(dot(q14, k), dot(u14, k)); }
  if (NV4 > 15u) { k = ldk(b, 60u); s1 += vec2<f32>(dot(q15, k), dot(u15, k)); }
  return s0 + s1;
}
fn set_acc2(b: u32) {
  { let v = ldv(b, 0u); a0 = v; c0 = v; }
  if (NV4 > 1u) { let v = ldv(b, 4u); a1 = v; c1 = v; }
  if (NV4 > 2u) { let v = ldv(b, 8u); a2 = v; c2 = v; }
  if (NV4 > 3u) { let v = ldv(b, 12u); a3 = v; c3 = v; }
  if (NV4 > 4u) { let v = ldv(b, 16u); a4 = v; c4 = v; }
  if (NV4 > 5u) { let v = ldv(b, 20u); a5 = v; c5 = v; }
  if (NV4 > 6u) { let v = ldv(b, 24u); a6 = v; c6 = v; }
  if (NV4 > 7u) { let v = ldv(b, 28u); a7 = v; c7 = v; }
  if (NV4 > 8u) { let v = ldv(b, 32u); a8 = v; c8 = v; }
  if (NV4 > 9u) { let v = ldv(b, 36u); a9 = v; c9 = v; }
  if (NV4 > 10u) { let v = ldv(b, 40u); a10 = v; c10 = v; }
  if (NV4 > 11u) { let v = ldv(b, 44u); a11 = v; c11 = v; }
  if (NV4 > 12u) { let v = ldv(b, 48u); a12 = v; c12 = v; }
  if (NV4 > 13u) { let v = ldv(b, 52u); a13 = v; c13 = v; }
  if (NV4 > 14u) { let v = ldv(b, 56u); a14 = v; c14 = v; }
  if (NV4 > 15u) { let v = ldv(b, 60u); a15 = v; c15 = v; }
}
fn scale_c(r: f32) {
  c0 *= r;
  if (NV4 > 1u) { c1 *= r; }
  if (NV4 > 2u) { c2 *= r; }
  if (NV4 > 3u) { c3 *= r; }
  if (NV4 > 4u) { c4 *= r; }
  if (NV4 > 5u) { c5 *= r; }
  if (NV4 > 6u) { c6 *= r; }
  if (NV4 > 7u) { c7 *= r; }
  if (NV4 > 8u) { c8 *= r; }
  if (NV4 > 9u) { c9 *= r; }
  if (NV4 > 10u) { c10 *= r; }
  if (NV4 > 11u) { c11 *= r; }
  if (NV4 > 12u) { c12 *= r; }
  if (NV4 > 13u) { c13 *= r; }
  if (NV4 > 14u) { c14 *= r; }
  if (NV4 > 15u) { c15 *= r; }
}
// Both accumulators from one load of each V chunk.
fn add_acc2(e: vec2<f32>, b: u32) {
  { let v = ldv(b, 0u); a0 += e.x * v; c0 += e.y * v; }
  if (NV4 > 1u) { let v = ldv(b, 4u); a1 += e.x * v; c1 += e.y * v; }
  if (NV4 > 2u) { let v = ldv(b, 8u); a2 += e.x * v; c2 += e.y * v; }
  if (NV4 > 3u) { let v = ldv(b, 12u); a3 += e.x * v; c3 += e.y * v; }
  if (NV4 > 4u) { let v = ldv(b, 16u); a4 += e.x * v; c4 += e.y * v; }
  if (NV4 > 5u) { let v = ldv(b, 20u); a5 += e.x * v; c5 += e.y * v; }
  if (NV4 > 6u) { let v = ldv(b, 24u); a6 += e.x * v; c6 += e.y * v; }
  if (NV4 > 7u) { let v = ldv(b, 28u); a7 += e.x * v; c7 += e.y * v; }
  if (NV4 > 8u) { let v = ldv(b, 32u); a8 += e.x * v; c8 += e.y * v; }
  if (NV4 > 9u) { let v = ldv(b, 36u); a9 += e.x * v; c9 += e.y * v; }
  if (NV4 > 10u) { let v = ldv(b, 40u); a10 += e.x * v; c10 += e.y * v; }
  if (NV4 > 11u) { let v = ldv(b, 44u); a11 += e.x * v; c11 += e.y * v; }
  if (NV4 > 12u) { let v = ldv(b, 48u); a12 += e.x * v; c12 += e.y * v; }
  if (NV4 > 13u) { let v = ldv(b, 52u); a13 += e.x * v; c13 += e.y * v; }
  if (NV4 > 14u) { let v = ldv(b, 56u); a14 += e.x * v; c14 += e.y * v; }
  if (NV4 > 15u) { let v = ldv(b, 60u); a15 += e.x * v; c15 += e.y * v; }
}
fn store_c(b: u32, r: f32) {
  sto(b, 0u, c0 * r);
  if (NV4 > 1u) { sto(b, 4u, c1 * r); }
  if (NV4 > 2u) { sto(b, 8u, c2 * r); }
  if (NV4 > 3u) { sto(b, 12u, c3 * r); }
  if (NV4 > 4u) { sto(b, 16u, c4 * r); }
  if (NV4 > 5u) { sto(b, 20u, c5 * r); }
  if (NV4 > 6u) { sto(b, 24u, c6 * r); }
  if (NV4 > 7u) { sto(b, 28u, c7 * r); }
  if (NV4 > 8u) { sto(b, 32u, c8 * r); }
  if (NV4 > 9u) { sto(b, 36u, c9 * r); }
  if (NV4 > 10u) { sto(b, 40u, c10 * r); }
  if (NV4 > 11u) { sto(b, 44u, c11 * r); }
  if (NV4 > 12u) { sto(b, 48u, c12 * r); }
  if (NV4 > 13u) { sto(b, 52u, c13 * r); }
  if (NV4 > 14u) { sto(b, 56u, c14 * r); }
  if (NV4 > 15u) { sto(b, 60u, c15 * r); }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // Row pairs (2r, 2r + 1) within each sequence; an odd last row is paired with itself and stored once.
  let pairs = (p.nq + 1u) / 2u;
  let np = (p.rows / p.nq) * pairs;
  let i = gid.x;
  if (i >= np * p.heads) { return; }
  let pi = i % np;
  let h = i / np;
  let b = pi / pairs;
  let r0 = b * p.nq + (pi % pairs) * 2u;
  let two = r0 + 1u < (b + 1u) * p.nq;
  let r1 = select(r0, r0 + 1u, two);
  let hc = h * HD;
  let kb0 = p.k_off + b * p.kv_seq * p.ldk + hc;
  let vb0 = p.v_off + b * p.kv_seq * p.ldv + hc;

  load_q(p.q_off + r0 * p.ldq + hc, p.scale);
  load_u(p.q_off + r1 * p.ldq + hc, p.scale);
  var m = score2(kb0);
  var l = vec2<f32>(1.0);
  set_acc2(vb0);
  for (var j = 1u; j < p.nkv; j++) {
    let s = score2(kb0 + j * p.ldk);
    if (s.x > m.x) {
      let r = exp(m.x - s.x);
      l.x *= r;
      scale_acc(r);
      m.x = s.x;
    }
    if (s.y > m.y) {
      let r = exp(m.y - s.y);
      l.y *= r;
      scale_c(r);
      m.y = s.y;
    }
    let e = exp(s - m);
    l += e;
    add_acc2(e, vb0 + j * p.ldv);
  }
  store_acc(p.o_off + r0 * p.ldo + hc, 1.0 / l.x);
  if (two) { store_c(p.o_off + r1 * p.ldo + hc, 1.0 / l.y); }
}
