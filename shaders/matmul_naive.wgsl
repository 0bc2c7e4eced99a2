// Kernel 1 of matmul: one invocation per output element. Contract in matmul_common.wgsl; kept as
// the baseline the micro-benchmark measures kernel 2 against.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let r = gid.y;
  if (c >= p.N || r >= p.M) { return; }
  let xr = x_row(r);
  var s = 0.0;
  for (var k = 0u; k < p.K; k++) {
    s += X[p.x_off + xr * p.ldx + k] * W[p.w_off + k * p.sk + c * p.sn];
  }
  epilogue(r, c, s);
}
