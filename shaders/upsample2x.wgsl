// Nearest ×2 upsampling of NCHW planes: Y[n, y, x] = X[n, y >> 1, x >> 1] for N = B·C planes of
// Hin×Win. conv2d fuses this into its input read (UPSAMPLE); this standalone form exists for
// chains that need the upsampled tensor itself. One invocation per output row quad (4 pixels).

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
  let W = 2u * p.Win;
  let qpr = (W + 3u) / 4u;             // quads per output row
  let rows = p.N * 2u * p.Hin;          // output rows over all planes
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= rows * qpr) { return; }
  let r = i / qpr;                      // output row index over all planes
  let x0 = (i % qpr) * 4u;
  let n = r / (2u * p.Hin);
  let y = r % (2u * p.Hin);
  let src = p.x_off + (n * p.Hin + (y >> 1u)) * p.Win;
  let dst = p.y_off + r * W;
  for (var k = 0u; k < 4u; k++) {
    let x = x0 + k;
    if (x >= W) { break; }
    Y[dst + x] = X[src + (x >> 1u)];
  }
}
