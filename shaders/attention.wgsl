// Kernel 1 of attention (contract and registers in attention_common.wgsl).
//
// One invocation per (query row, head). The query (pre-scaled) and the output accumulator live in
// registers, and the softmax is streamed over the keys (online softmax: running max m, running
// sum l, the accumulator rescaled only when the max grows), so there is no score row in memory,
// no workgroup memory and no barrier: fast on SwiftShader, and on a real GPU neighbouring
// invocations are neighbouring query rows of one head that read the same K/V row (a broadcast).
// All arithmetic is f32; exp() is only ever taken of values ≤ 0.

// q · k for the key row starting at element b (two partial sums for a shorter dependency chain).
fn score(b: u32) -> f32 {
  var s0 = dot(q0, ldk(b, 0u));
  var s1 = 0.0;
  if (NV4 > 1u) { s1 += dot(q1, ldk(b, 4u)); }
  if (NV4 > 2u) { s0 += dot(q2, ldk(b, 8u)); }
  if (NV4 > 3u) { s1 += dot(q3, ldk(b, 12u)); }
  if (NV4 > 4u) { s0 += dot(q4, ldk(b, 16u)); }
  if (NV4 > 5u) { s1 += dot(q5, ldk(b, 20u)); }
  if (NV4 > 6u) { s0 += dot(q6, ldk(b, 24u)); }
  if (NV4 > 7u) { s1 += dot(q7, ldk(b, 28u)); }
  if (NV4 > 8u) { s0 += dot(q8, ldk(b, 32u)); }
  if (NV4 > 9u) { s1 += dot(q9, ldk(b, 36u)); }
  if (NV4 > 10u) { s0 += dot(q10, ldk(b, 40u)); }
  if (NV4 > 11u) { s1 += dot(q11, ldk(b, 44u)); }
  if (NV4 > 12u) { s0 += dot(q12, ldk(b, 48u)); }
  if (NV4 > 13u) { s1 += dot(q13, ldk(b, 52u)); }
  if (NV4 > 14u) { s0 += dot(q14, ldk(b, 56u)); }
  if (NV4 > 15u) { s1 += dot(q15, ldk(b, 60u)); }
  return s0 + s1;
}
fn set_acc(b: u32) {
  a0 = ldv(b, 0u);
  if (NV4 > 1u) { a1 = ldv(b, 4u); }
  if (NV4 > 2u) { a2 = ldv(b, 8u); }
  if (NV4 > 3u) { a3 = ldv(b, 12u); }
  if (NV4 > 4u) { a4 = ldv(b, 16u); }
  if (NV4 > 5u) { a5 = ldv(b, 20u); }
  if (NV4 > 6u) { a6 = ldv(b, 24u); }
  if (NV4 > 7u) { a7 = ldv(b, 28u); }
  if (NV4 > 8u) { a8 = ldv(b, 32u); }
  if (NV4 > 9u) { a9 = ldv(b, 36u); }
  if (NV4 > 10u) { a10 = ldv(b, 40u); }
  if (NV4 > 11u) { a11 = ldv(b, 44u); }
  if (NV4 > 12u) { a12 = ldv(b, 48u); }
  if (NV4 > 13u) { a13 = ldv(b, 52u); }
  if (NV4 > 14u) { a14 = ldv(b, 56u); }
  if (NV4 > 15u) { a15 = ldv(b, 60u); }
}
fn add_acc(e: f32, b: u32) {
  a0 += e * ldv(b, 0u);
  if (NV4 > 1u) { a1 += e * ldv(b, 4u); }
  if (NV4 > 2u) { a2 += e * ldv(b, 8u); }
  if (NV4 > 3u) { a3 += e * ldv(b, 12u); }
  if (NV4 > 4u) { a4 += e * ldv(b, 16u); }
  if (NV4 > 5u) { a5 += e * ldv(b, 20u); }
  if (NV4 > 6u) { a6 += e * ldv(b, 24u); }
  if (NV4 > 7u) { a7 += e * ldv(b, 28u); }
  if (NV4 > 8u) { a8 += e * ldv(b, 32u); }
  if (NV4 > 9u) { a9 += e * ldv(b, 36u); }
  if (NV4 > 10u) { a10 += e * ldv(b, 40u); }
  if (NV4 > 11u) { a11 += e * ldv(b, 44u); }
  if (NV4 > 12u) { a12 += e * ldv(b, 48u); }
  if (NV4 > 13u) { a13 += e * ldv(b, 52u); }
  if (NV4 > 14u) { a14 += e * ldv(b, 56u); }
  if (NV4 > 15u) { a15 += e * ldv(b, 60u); }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // Query rows vary fastest, so a workgroup is many rows of one head (shared K/V reads), and
  // small problems (a few incremental rows × heads) still fill whole workgroups.
  let i = gid.x;
  if (i >= p.rows * p.heads) { return; }
  let qi = i % p.rows;
  let h = i / p.rows;
  let b = qi / p.nq;
  let hc = h * HD;
  let kb0 = p.k_off + b * p.kv_seq * p.ldk + hc;
  let vb0 = p.v_off + b * p.kv_seq * p.ldv + hc;

  load_q(p.q_off + qi * p.ldq + hc, p.scale);
  // Key 0 starts the running max and sum, so no −∞ sentinel is needed.
  var m = score(kb0);
  var l = 1.0;
  set_acc(vb0);
  for (var j = 1u; j < p.nkv; j++) {
    let s = score(kb0 + j * p.ldk);
    if (s > m) {
      // New running max: rescale what has been summed so far (rare after the first keys).
      let r = exp(m - s);
      l *= r;
      scale_acc(r);
      m = s;
    }
    let e = exp(s - m);
    l += e;
    add_acc(e, vb0 + j * p.ldv);
  }
  store_acc(p.o_off + qi * p.ldo + hc, 1.0 / l);
}
