// Kernel 3 of matmul (contract in matmul_common.wgsl; 1: matmul_naive.wgsl, one output per
// invocation; 2: matmul_block.wgsl, a contiguous 4×8 block). Each invocation owns a 4-row ×
// 8-column block in registers with no workgroup memory (barriers and workgroup memory are slow on
// CPU implementations such as SwiftShader). Its 8 columns are interleaved with its 3 neighbours' —
// invocation i of a group of 4 owns columns base + i + 4j — so for every load instruction the 4
// neighbouring invocations read 4 consecutive floats: one vector load on a SIMD CPU, a coalesced
// access on a GPU.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let lane = gid.x & 3u;
  let cb = (gid.x >> 2u) * 32u + lane;   // this invocation's columns: cb + 4j, j = 0..7
  let r0 = gid.y * 4u;
  if (cb >= p.N || r0 >= p.M) { return; }

  // Input rows (clamped so edge blocks read valid memory; their results are not stored).
  var xb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = min(r0 + i, p.M - 1u);
    xb[i] = p.x_off + x_row(r) * p.ldx;
  }
  var wb: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) {
    wb[j] = p.w_off + min(cb + 4u * j, p.N - 1u) * p.sn;
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

  store_block(r0, cb, 4u, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7));
}
