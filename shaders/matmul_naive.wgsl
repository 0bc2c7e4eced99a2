// Kernel 1 of matmul: one invocation per output element. Same contract as matmul.wgsl; kept as
// the baseline the micro-benchmark measures kernel 2 against.

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  ldx: u32, sk: u32, sn: u32, ldy: u32,
  x_off: u32, w_off: u32, b_off: u32, y_off: u32,
}
const BIAS = 1u; const GELU = 2u; const ACC = 4u; const GATHER_X = 8u; const SCATTER_Y = 16u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> B: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

fn gelu(u: f32) -> f32 {
  return 0.5 * u * (1.0 + tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let r = gid.y;
  if (c >= p.N || r >= p.M) { return; }
  var xr = r;
  if ((p.flags & GATHER_X) != 0u) { xr = idx[r]; }
  var s = 0.0;
  for (var k = 0u; k < p.K; k++) {
    s += X[p.x_off + xr * p.ldx + k] * W[p.w_off + k * p.sk + c * p.sn];
  }
  if ((p.flags & BIAS) != 0u) { s += B[p.b_off + c]; }
  if ((p.flags & GELU) != 0u) { s = gelu(s); }
  var yr = r;
  if ((p.flags & SCATTER_Y) != 0u) { yr = idx[r]; }
  let y = p.y_off + yr * p.ldy + c;
  if ((p.flags & ACC) != 0u) { s += Y[y]; }
  Y[y] = s;
}
