// VQ quantisation (docs/SPEC.md §1): for every cell n of image b of z (NCHW [B, D, N]), the index
// of the nearest codebook row (rows at cb_off + k·ldc) by squared Euclidean distance, ties to the
// smaller index. tokens[tok_off + b·N + n] = argmin_k Σ_d (z[b, d, n] − C[k, d])².
//
// One workgroup per cell. Invocation lid scans k = lid, lid + WG, … in increasing order with a
// strict `<` (so its best is the smallest index among its minima); a log2(WG) tree then merges
// (distance, index) pairs with the same rule (smaller distance, or equal distance and smaller
// index). The result does not depend on WG or on the hardware's subgroup size, and every
// distance is the same f32 sum over d = 0..D−1 in order whoever computes it. Distances that are
// NaN never win (on GPUs that honour NaN); a cell without any candidate gets token 0.

struct Params {
  B: u32, N: u32, D: u32, K: u32,
  ldc: u32, z_off: u32, cb_off: u32, tok_off: u32,
}
const NONE = 0xffffffffu;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> CB: array<f32>;
@group(0) @binding(3) var<storage, read_write> TOK: array<u32>;

override WG: u32 = 64u;  // power of two

var<workgroup> sh_d: array<f32, WG>;
var<workgroup> sh_i: array<u32, WG>;

fn better(d: f32, i: u32, bd: f32, bi: u32) -> bool {
  return i != NONE && (bi == NONE || d < bd || (d == bd && i < bi));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let cell = wid.x + wid.y * nwg.x;   // uniform per workgroup: the early return keeps barriers uniform
  if (cell >= p.B * p.N) { return; }
  let lid = lid3.x;
  let b = cell / p.N;
  let zb = p.z_off + b * p.D * p.N + cell % p.N;
  var bd = 0.0;
  var bi = NONE;
  for (var k = lid; k < p.K; k += WG) {
    let cb = p.cb_off + k * p.ldc;
    var s = 0.0;
    for (var d = 0u; d < p.D; d++) {
      let t = Z[zb + d * p.N] - CB[cb + d];
      s += t * t;
    }
    if (s >= 0.0 && (bi == NONE || s < bd)) { bd = s; bi = k; }
  }
  sh_d[lid] = bd;
  sh_i[lid] = bi;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let od = sh_d[lid + stride];
      let oi = sh_i[lid + stride];
      if (better(od, oi, sh_d[lid], sh_i[lid])) { sh_d[lid] = od; sh_i[lid] = oi; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { TOK[p.tok_off + cell] = select(sh_i[0], 0u, sh_i[0] == NONE); }
}
