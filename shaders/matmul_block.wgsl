// Kernel 2 of matmul (contract in matmul_common.wgsl; kernel 1 is matmul_naive.wgsl): each
// invocation owns a 4×8 output block in registers and reads no workgroup memory — barriers and
// workgroup memory are slow on CPU implementations such as SwiftShader, while 32 FMAs per 12
// loads keep a real GPU's ALUs fed.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }

  // Input rows (clamped so edge blocks read valid memory; their results are not stored).
  var xb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = min(r0 + i, p.M - 1u);
    xb[i] = p.x_off + x_row(r) * p.ldx;
  }
  // Column bases (clamped likewise).
  var wb: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) {
    wb[j] = p.w_off + min(c0 + j, p.N - 1u) * p.sn;
  }

  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let wk = k * p.sk;
    let w0 = vec4<f32>(W[wb[0] + wk], W[wb[1] + wk], W[wb[2] + wk], W[wb[3] + wk]);
    let w1 = vec4<f32>(W[wb[4] + wk], W[wb[5] + wk], W[wb[6] + wk], W[wb[7] + wk]);
    let x0 = X[xb[0] + k]; let x1 = X[xb[1] + k];
    let x2 = X[xb[2] + k]; let x3 = X[xb[3] + k];
    a0 += x0 * w0; a1 += x0 * w1;
    a2 += x1 * w0; a3 += x1 * w1;
    a4 += x2 * w0; a5 += x2 * w1;
    a6 += x3 * w0; a7 += x3 * w1;
  }

  store_block(r0, c0, 1u, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7));
}
