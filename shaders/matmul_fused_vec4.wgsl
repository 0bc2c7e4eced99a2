// Body of kernel 6 (matmul_fused.wgsl) for the aligned case: kernel 5's loop (X and W as vec4, a
// 4-row × 8-column block per invocation, no workgroup memory), plus the row statistics when LN.

@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

fn x_base(r0: u32, i: u32) -> u32 {
  return (p.x_off + min(r0 + i, p.M - 1u) * p.ldx) >> 2u;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = sel(gid.z);
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }
  let xb0 = x_base(r0, 0u); let xb1 = x_base(r0, 1u); let xb2 = x_base(r0, 2u); let xb3 = x_base(r0, 3u);
  let c1 = select(c0, c0 + 4u, c0 + 4u < p.N);
  let wq = p.ldw >> 2u;
  var wa = (o.w + c0) >> 2u;
  var wb = (o.w + c1) >> 2u;
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  var st = array<vec2<f32>, 4>();
  // Two copies of the loop rather than one with conditional statistics: the plain one must be
  // exactly kernel 5's (no shift, no extra work).
  if (LN) {
    // Each row shifted by its first element.
    let h0 = vec4<f32>(X[xb0].x); let h1 = vec4<f32>(X[xb1].x); let h2 = vec4<f32>(X[xb2].x); let h3 = vec4<f32>(X[xb3].x);
    var s0 = vec4<f32>(0.0); var s1 = vec4<f32>(0.0); var s2 = vec4<f32>(0.0); var s3 = vec4<f32>(0.0);
    var q0 = vec4<f32>(0.0); var q1 = vec4<f32>(0.0); var q2 = vec4<f32>(0.0); var q3 = vec4<f32>(0.0);
    for (var kq = 0u; kq < (p.K >> 2u); kq++) {
      let x0 = X[xb0 + kq] - h0; let x1 = X[xb1 + kq] - h1; let x2 = X[xb2 + kq] - h2; let x3 = X[xb3 + kq] - h3;
      s0 += x0; s1 += x1; s2 += x2; s3 += x3;
      q0 += x0 * x0; q1 += x1 * x1; q2 += x2 * x2; q3 += x3 * x3;
      var w0 = W[wa]; var w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.x * w0; a1 += x0.x * w1; a2 += x1.x * w0; a3 += x1.x * w1;
      a4 += x2.x * w0; a5 += x2.x * w1; a6 += x3.x * w0; a7 += x3.x * w1;
      w0 = W[wa]; w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.y * w0; a1 += x0.y * w1; a2 += x1.y * w0; a3 += x1.y * w1;
      a4 += x2.y * w0; a5 += x2.y * w1; a6 += x3.y * w0; a7 += x3.y * w1;
      w0 = W[wa]; w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.z * w0; a1 += x0.z * w1; a2 += x1.z * w0; a3 += x1.z * w1;
      a4 += x2.z * w0; a5 += x2.z * w1; a6 += x3.z * w0; a7 += x3.z * w1;
      w0 = W[wa]; w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.w * w0; a1 += x0.w * w1; a2 += x1.w * w0; a3 += x1.w * w1;
      a4 += x2.w * w0; a5 += x2.w * w1; a6 += x3.w * w0; a7 += x3.w * w1;
    }
    let one = vec4<f32>(1.0);
    st = array<vec2<f32>, 4>(row_stats(dot(s0, one), dot(q0, one)), row_stats(dot(s1, one), dot(q1, one)),
                             row_stats(dot(s2, one), dot(q2, one)), row_stats(dot(s3, one), dot(q3, one)));
  } else {
    for (var kq = 0u; kq < (p.K >> 2u); kq++) {
      let x0 = X[xb0 + kq]; let x1 = X[xb1 + kq]; let x2 = X[xb2 + kq]; let x3 = X[xb3 + kq];
      var w0 = W[wa]; var w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.x * w0; a1 += x0.x * w1; a2 += x1.x * w0; a3 += x1.x * w1;
      a4 += x2.x * w0; a5 += x2.x * w1; a6 += x3.x * w0; a7 += x3.x * w1;
      w0 = W[wa]; w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.y * w0; a1 += x0.y * w1; a2 += x1.y * w0; a3 += x1.y * w1;
      a4 += x2.y * w0; a5 += x2.y * w1; a6 += x3.y * w0; a7 += x3.y * w1;
      w0 = W[wa]; w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.z * w0; a1 += x0.z * w1; a2 += x1.z * w0; a3 += x1.z * w1;
      a4 += x2.z * w0; a5 += x2.z * w1; a6 += x3.z * w0; a7 += x3.z * w1;
      w0 = W[wa]; w1 = W[wb]; wa += wq; wb += wq;
      a0 += x0.w * w0; a1 += x0.w * w1; a2 += x1.w * w0; a3 += x1.w * w1;
      a4 += x2.w * w0; a5 += x2.w * w1; a6 += x3.w * w0; a7 += x3.w * w1;
    }
  }
  store_block(o, r0, c0, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7), st);
}
