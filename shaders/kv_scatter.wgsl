// KV-cache row scatter: for i < n and c < d,
//   DK[idx[i], c] = SK[i, c]   (workgroup z = 0)      DV[idx[i], c] = SV[i, c]   (z = 1)
// Rows are slices of full-stride tensors (d active channels of rows with stride ld*), so a
// width-r pass writes the first d channels of its cache rows and leaves the rest untouched.
// K and V go in one dispatch (z selects the pair; entry main_shared when both caches are one
// buffer). Indices ≥ cache_rows are skipped rather than
// written out of bounds; duplicate indices are the caller's error (the last writer wins, in no
// defined order).
//
// One invocation per element, flattened over (row, channel) with the channel fastest: coalesced
// on a real GPU, no idle lanes when d is small (d = 16 at width 1/8), no barriers anywhere.

struct Params {
  n: u32, d: u32, cache_rows: u32, idx_off: u32,
  ldsk: u32, sk_off: u32, ldck: u32, ck_off: u32,
  ldsv: u32, sv_off: u32, ldcv: u32, cv_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> SK: array<f32>;
@group(0) @binding(2) var<storage, read> SV: array<f32>;
@group(0) @binding(3) var<storage, read> idx: array<u32>;
@group(0) @binding(4) var<storage, read_write> DK: array<f32>;
@group(0) @binding(5) var<storage, read_write> DV: array<f32>;

const WG = 64u;
const NONE = 0xffffffffu;

// (source element, cache element) of this invocation, or NONE when it has nothing to write.
fn addr(wg: vec3<u32>, li: u32, nw: vec3<u32>) -> vec2<u32> {
  // Large launches fold the element range over x and y (maxComputeWorkgroupsPerDimension).
  let e = (wg.y * nw.x + wg.x) * WG + li;
  if (e >= p.n * p.d) { return vec2<u32>(NONE); }
  let i = e / p.d;
  let c = e - i * p.d;
  let r = idx[p.idx_off + i];
  if (r >= p.cache_rows) { return vec2<u32>(NONE); }
  if (wg.z == 0u) { return vec2<u32>(p.sk_off + i * p.ldsk + c, p.ck_off + r * p.ldck + c); }
  return vec2<u32>(p.sv_off + i * p.ldsv + c, p.cv_off + r * p.ldcv + c);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(num_workgroups) nw: vec3<u32>) {
  let a = addr(wg, li, nw);
  if (a.x == NONE) { return; }
  if (wg.z == 0u) { DK[a.y] = SK[a.x]; } else { DV[a.y] = SV[a.x]; }
}

// K and V caches in one buffer (WebGPU forbids binding one buffer to two writable bindings):
// only DK is bound, and V's cache offset/stride address V's part of it.
@compute @workgroup_size(WG)
fn main_shared(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32,
               @builtin(num_workgroups) nw: vec3<u32>) {
  let a = addr(wg, li, nw);
  if (a.x == NONE) { return; }
  if (wg.z == 0u) { DK[a.y] = SK[a.x]; } else { DK[a.y] = SV[a.x]; }
}
