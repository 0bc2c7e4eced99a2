// Body of kernel 6 (matmul_fused.wgsl) for any shape (odd K, N, strides or offsets): kernel 2's
// loop (scalar loads, a contiguous 4-row × 8-column block per invocation), plus the row
// statistics when LN.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = sel(gid.z);
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }
  let xb = vec4<u32>(p.x_off) + vec4<u32>(min(vec4<u32>(r0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.M - 1u))) * p.ldx;
  var h = vec4<f32>(0.0);
  if (LN) { h = vec4<f32>(X[xb.x], X[xb.y], X[xb.z], X[xb.w]); }
  let n1 = p.N - 1u;
  let wo = o.w;
  let wc0 = wo + min(c0, n1); let wc1 = wo + min(c0 + 1u, n1); let wc2 = wo + min(c0 + 2u, n1); let wc3 = wo + min(c0 + 3u, n1);
  let wc4 = wo + min(c0 + 4u, n1); let wc5 = wo + min(c0 + 5u, n1); let wc6 = wo + min(c0 + 6u, n1); let wc7 = wo + min(c0 + 7u, n1);
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  var s = vec4<f32>(0.0); var q = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let wk = k * p.ldw;
    let w0 = vec4<f32>(W[wc0 + wk], W[wc1 + wk], W[wc2 + wk], W[wc3 + wk]);
    let w1 = vec4<f32>(W[wc4 + wk], W[wc5 + wk], W[wc6 + wk], W[wc7 + wk]);
    // xs holds rows r0..r0+3 at channel k.
    let xs = vec4<f32>(X[xb.x + k], X[xb.y + k], X[xb.z + k], X[xb.w + k]) - h;
    if (LN) { s += xs; q += xs * xs; }
    a0 += xs.x * w0; a1 += xs.x * w1; a2 += xs.y * w0; a3 += xs.y * w1;
    a4 += xs.z * w0; a5 += xs.z * w1; a6 += xs.w * w0; a7 += xs.w * w1;
  }
  let st = array<vec2<f32>, 4>(row_stats(s.x, q.x), row_stats(s.y, q.y), row_stats(s.z, q.z), row_stats(s.w, q.w));
  store_block(o, r0, c0, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7), st);
}
