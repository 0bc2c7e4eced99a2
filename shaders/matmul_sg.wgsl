// Kernel 4 of matmul (contract in matmul_common.wgsl; the launcher prepends `enable subgroups;`
// and that file), for GPUs with subgroups of at
// least 4 invocations. The invocations of a subgroup share one 8-column block of W and own
// different 4-row blocks of X: lanes 0..3 load the 8 W values of a k step (2 loads each) and
// subgroupBroadcast hands them to every lane, so a lane issues 6 loads per 32 FMAs instead of 12,
// with no workgroup memory and no barrier.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;

override WG: u32 = 32u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(subgroup_invocation_id) sl: u32) {
  // No early return: every lane must reach the broadcasts.
  let r0 = gid.x * 4u;
  let c0 = wid.y * 8u;
  let lane = sl & 3u;
  var xb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = min(r0 + i, p.M - 1u);
    xb[i] = p.x_off + x_row(r) * p.ldx;
  }
  let wa = p.w_off + min(c0 + lane, p.N - 1u) * p.sn;
  let wb = p.w_off + min(c0 + 4u + lane, p.N - 1u) * p.sn;

  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let wk = k * p.sk;
    let la = W[wa + wk];
    let lb = W[wb + wk];
    let w0 = vec4<f32>(subgroupBroadcast(la, 0u), subgroupBroadcast(la, 1u), subgroupBroadcast(la, 2u), subgroupBroadcast(la, 3u));
    let w1 = vec4<f32>(subgroupBroadcast(lb, 0u), subgroupBroadcast(lb, 1u), subgroupBroadcast(lb, 2u), subgroupBroadcast(lb, 3u));
    let x0 = X[xb[0] + k]; let x1 = X[xb[1] + k];
    let x2 = X[xb[2] + k]; let x3 = X[xb[3] + k];
    a0 += x0 * w0; a1 += x0 * w1;
    a2 += x1 * w0; a3 += x1 * w1;
    a4 += x2 * w0; a5 += x2 * w1;
    a6 += x3 * w0; a7 += x3 * w1;
  }

  store_block(r0, c0, 1u, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7));
}
