// Multi-head attention, bidirectional, over *slices* of full-stride tensors:
//   O[qi, h*HD : (h+1)*HD] = softmax(scale · Q_h[qi] · K_h[b]^T) · V_h[b]
// for query rows qi < batch·nq and active heads h < heads. Query row qi belongs to sequence
// b = qi / nq; the keys/values of sequence b are rows b·kv_seq + j (j < nkv) of K and V (the
// per-layer KV cache, kv_seq ≥ nkv rows per sequence). Head h of a row is the HD channels at
// h·HD, so a width-r model (first r·H heads) reads its prefix of each full-width row in place.
// Q, K and V may be one buffer (e.g. a fused QKV projection) at different offsets and strides.
//
// One invocation per (query row, head). The query (pre-scaled) and the output accumulator live in
// registers (HD is an override constant, so every loop over the head has a constant trip count a
// compiler can unroll), and the softmax is streamed over the keys (online softmax: running max m,
// running sum l, the accumulator rescaled only when the max grows), so there is no score row in
// memory, no workgroup memory and no barrier: fast on SwiftShader, and on a real GPU neighbouring
// invocations are neighbouring query rows of one head that read the same K/V row (a broadcast).
// All arithmetic is f32; exp() is only ever taken of values ≤ 0.

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

override WG: u32 = 64u;
override HD: u32 = 16u;          // head size; the launcher allows 1..MAX_HD
const MAX_HD4 = 32u;             // MAX_HD = 128 channels as vec4s
override NV4: u32 = (HD + 3u) / 4u;  // vec4 chunks per head (the last may be partial)

// Four channels t..t+3 of a head starting at element b. A partial last chunk (HD % 4 ≠ 0, known
// when the pipeline is built) re-reads the head's last channel instead of stepping past the head;
// the query's extra lanes are zero so those lanes add nothing to a score, and the accumulator's
// extra lanes are never stored.
fn ldq(b: u32, t: u32) -> vec4<f32> {
  if (t + 4u <= HD) { return vec4<f32>(Q[b + t], Q[b + t + 1u], Q[b + t + 2u], Q[b + t + 3u]); }
  let l = HD - 1u;
  let v = vec4<f32>(Q[b + min(t, l)], Q[b + min(t + 1u, l)], Q[b + min(t + 2u, l)], Q[b + min(t + 3u, l)]);
  return select(vec4<f32>(0.0), v, vec4<u32>(t, t + 1u, t + 2u, t + 3u) < vec4<u32>(HD));
}
fn ldk(b: u32, t: u32) -> vec4<f32> {
  if (t + 4u <= HD) { return vec4<f32>(K[b + t], K[b + t + 1u], K[b + t + 2u], K[b + t + 3u]); }
  let l = HD - 1u;
  return vec4<f32>(K[b + min(t, l)], K[b + min(t + 1u, l)], K[b + min(t + 2u, l)], K[b + min(t + 3u, l)]);
}
fn ldv(b: u32, t: u32) -> vec4<f32> {
  if (t + 4u <= HD) { return vec4<f32>(V[b + t], V[b + t + 1u], V[b + t + 2u], V[b + t + 3u]); }
  let l = HD - 1u;
  return vec4<f32>(V[b + min(t, l)], V[b + min(t + 1u, l)], V[b + min(t + 2u, l)], V[b + min(t + 3u, l)]);
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

  var q: array<vec4<f32>, MAX_HD4>;
  var acc: array<vec4<f32>, MAX_HD4>;
  let qb = p.q_off + qi * p.ldq + hc;
  for (var c = 0u; c < NV4; c++) { q[c] = ldq(qb, c * 4u) * p.scale; }

  // Key 0 starts the running max/sum, so no −∞ sentinel is needed.
  var s = 0.0;
  for (var c = 0u; c < NV4; c++) { s += dot(q[c], ldk(kb0, c * 4u)); }
  var m = s;
  var l = 1.0;
  for (var c = 0u; c < NV4; c++) { acc[c] = ldv(vb0, c * 4u); }

  for (var j = 1u; j < p.nkv; j++) {
    let kb = kb0 + j * p.ldk;
    s = 0.0;
    for (var c = 0u; c < NV4; c++) { s += dot(q[c], ldk(kb, c * 4u)); }
    if (s > m) {
      // New running max: rescale what has been summed so far (rare after the first keys).
      let r = exp(m - s);
      l *= r;
      for (var c = 0u; c < NV4; c++) { acc[c] *= r; }
      m = s;
    }
    let e = exp(s - m);
    l += e;
    let vb = vb0 + j * p.ldv;
    for (var c = 0u; c < NV4; c++) { acc[c] += e * ldv(vb, c * 4u); }
  }

  let inv = 1.0 / l;
  let ob = p.o_off + qi * p.ldo + hc;
  for (var c = 0u; c < NV4; c++) {
    let a = acc[c] * inv;
    for (var t = 0u; t < 4u; t++) {
      let ch = c * 4u + t;
      if (ch < HD) { O[ob + ch] = a[t]; }
    }
  }
}
