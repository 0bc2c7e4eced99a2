// 2×2 average pooling (stride 2) of NCHW planes: Y[n, y, x] = mean of X[n, 2y..2y+1, 2x..2x+1] for
// N = B·C planes of Hin×Win (both even). The VQ encoder's downsampling, in front of the conv that
// follows it. The four values are summed in row-major order and scaled by 1/4 (exact), as
// PyTorch's avg_pool2d does, so the result is the same f32 value. One invocation per output.

struct Params {
  N: u32, Hin: u32, Win: u32, x_off: u32,
  y_off: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let Ho = p.Hin / 2u;
  let Wo = p.Win / 2u;
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * Ho * Wo) { return; }
  let n = i / (Ho * Wo);
  let r = (i / Wo) % Ho;
  let c = i % Wo;
  let src = p.x_off + (n * p.Hin + 2u * r) * p.Win + 2u * c;
  let s = ((X[src] + X[src + 1u]) + X[src + p.Win]) + X[src + p.Win + 1u];
  Y[p.y_off + i] = s * 0.25;
}
