// Temperature softmax of R rows: Y[r, 0:N] = softmax(X[r, 0:N] · (1/τ)), f32, max-subtracted.
// Rows are slices of full-stride tensors (ldx, ldy ≥ N). One workgroup per row: each invocation
// strides over the row keeping an online (max, Σexp) in registers, a log2(WG) tree merges them,
// then every invocation writes its own columns. IN_PLACE reads Y (X is then an unused dummy):
// all reads of a row happen before the barrier that precedes its writes.

struct Params {
  R: u32, N: u32, ldx: u32, ldy: u32,
  x_off: u32, y_off: u32, flags: u32, _pad0: u32,
  inv_tau: f32, _pad1: f32, _pad2: f32, _pad3: f32,
}
const IN_PLACE = 1u;
const NEG_BIG: f32 = -3.0e38;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

override WG: u32 = 64u;  // power of two

var<workgroup> sh_m: array<f32, WG>;
var<workgroup> sh_s: array<f32, WG>;

fn load(row: u32, c: u32) -> f32 {
  if ((p.flags & IN_PLACE) != 0u) { return Y[p.y_off + row * p.ldy + c] * p.inv_tau; }
  return X[p.x_off + row * p.ldx + c] * p.inv_tau;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = wid.x + wid.y * 65535u;  // uniform across the workgroup
  if (row >= p.R) { return; }
  let lid = lid3.x;
  var m = NEG_BIG; var s = 0.0;
  for (var c = lid; c < p.N; c += WG) {
    let t = load(row, c);
    if (t > m) { s = s * exp(m - t) + 1.0; m = t; } else { s += exp(t - m); }
  }
  sh_m[lid] = m; sh_s[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let m1 = sh_m[lid]; let m2 = sh_m[lid + stride];
      let mm = max(m1, m2);
      sh_s[lid] = sh_s[lid] * exp(m1 - mm) + sh_s[lid + stride] * exp(m2 - mm);
      sh_m[lid] = mm;
    }
    workgroupBarrier();
  }
  let mx = sh_m[0];
  let inv = 1.0 / sh_s[0];
  for (var c = lid; c < p.N; c += WG) {
    Y[p.y_off + row * p.ldy + c] = exp(load(row, c) - mx) * inv;
  }
}
