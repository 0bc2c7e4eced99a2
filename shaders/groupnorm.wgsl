// GroupNorm over NCHW: for image b and group g (channels g·C/G .. (g+1)·C/G − 1, contiguous in
// memory), y = (x − mean) / sqrt(var + eps) · gamma[c] + beta[c], var biased (PyTorch), then
// optionally SiLU y·sigmoid(y). One workgroup per (group, image).
//
// Each invocation strides over the group (coalesced): first its own sum of x − x[first] → local mean, then a
// second pass over the same (cache-hot) elements for its local M2 around that mean — exact
// two-pass statistics, no per-element division — and a log2(WG) tree merges (n, mean, M2) with
// Chan's formula. The workgroup size is an override: 64 on real GPUs, small on SwiftShader where
// each barrier step is costly. IN_PLACE reads Y (X is an unused dummy); all reads of a group
// happen before the barrier that precedes its writes.

struct Params {
  B: u32, C: u32, HW: u32, G: u32,
  flags: u32, x_off: u32, y_off: u32, g_off: u32,
  b_off: u32, _pad0: u32, _pad1: u32, eps: f32,
}
const SILU = 1u;
const IN_PLACE = 2u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Gamma: array<f32>;
@group(0) @binding(3) var<storage, read> Beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

override WG: u32 = 64u;  // power of two

var<workgroup> sh_n: array<f32, WG>;
var<workgroup> sh_mean: array<f32, WG>;
var<workgroup> sh_m2: array<f32, WG>;

fn load(i: u32) -> f32 {
  if ((p.flags & IN_PLACE) != 0u) { return Y[p.y_off + i]; }
  return X[p.x_off + i];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let g = wid.x;
  let b = wid.y;
  let lid = lid3.x;
  let cpg = p.C / p.G;
  let count = cpg * p.HW;
  let base = (b * p.C + g * cpg) * p.HW;

  // Statistics of x − x[first]: a shift near the data keeps f32 sums accurate when |mean| ≫ std.
  let shift = load(base);
  var n = 0.0; var s = 0.0;
  for (var i = lid; i < count; i += WG) { s += load(base + i) - shift; n += 1.0; }
  var mean = 0.0;
  if (n > 0.0) { mean = s / n; }
  var m2 = 0.0;
  for (var i = lid; i < count; i += WG) { let d = (load(base + i) - shift) - mean; m2 += d * d; }
  sh_n[lid] = n; sh_mean[lid] = mean; sh_m2[lid] = m2;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let na = sh_n[lid]; let nb = sh_n[lid + stride];
      let nn = na + nb;
      if (nb > 0.0) {
        let d = sh_mean[lid + stride] - sh_mean[lid];
        sh_mean[lid] = sh_mean[lid] + d * (nb / nn);
        sh_m2[lid] = sh_m2[lid] + sh_m2[lid + stride] + d * d * (na * nb / nn);
        sh_n[lid] = nn;
      }
    }
    workgroupBarrier();
  }
  let mu = sh_mean[0];
  let rstd = inverseSqrt(sh_m2[0] / f32(count) + p.eps);
  for (var i = lid; i < count; i += WG) {
    let c = g * cpg + i / p.HW;
    var v = ((load(base + i) - shift) - mu) * rstd * Gamma[p.g_off + c] + Beta[p.b_off + c];
    if ((p.flags & SILU) != 0u) { v = v / (1.0 + exp(-v)); }
    Y[p.y_off + base + i] = v;
  }
}
