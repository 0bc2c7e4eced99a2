// Kernel 5 of matmul (contract in matmul_common.wgsl), for the aligned case the model always meets
// (K, N, row strides and offsets multiples of 4: D, MLP and vocabulary sizes are). X and W are
// read as vec4: one 16-byte load where kernels 1–4 issue four scalar ones — on SwiftShader every
// load is a bounds-checked per-lane gather, so this quarters the dominant cost; on a GPU it
// is the wide load the memory system wants. Each invocation owns a 4-row × 8-column block in
// registers; 12 vec4 loads feed 128 FMAs per 4 steps of k. No workgroup memory, no barrier.
// Entry `main`: W is [K, N] (row stride ldw); entry `main_t`: W is [N, K] (tied output head).

@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

// Row bases of X in vec4 units, clamped so edge blocks read valid memory.
fn x_bases(r0: u32) -> array<u32, 4> {
  var xb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = min(r0 + i, p.M - 1u);
    xb[i] = (p.x_off + x_row(r) * p.ldx) >> 2u;
  }
  return xb;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }
  let xb = x_bases(r0);
  // The second 4 columns may lie past N (N is a multiple of 4): read the first 4 again instead.
  let c1 = select(c0, c0 + 4u, c0 + 4u < p.N);
  let wq = p.sk >> 2u;
  var wa = (p.w_off + c0) >> 2u;
  var wb = (p.w_off + c1) >> 2u;
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k += 4u) {
    let kq = k >> 2u;
    let x0 = X[xb[0] + kq]; let x1 = X[xb[1] + kq]; let x2 = X[xb[2] + kq]; let x3 = X[xb[3] + kq];
    for (var kk = 0u; kk < 4u; kk++) {
      let w0 = W[wa]; let w1 = W[wb];
      wa += wq; wb += wq;
      a0 += x0[kk] * w0; a1 += x0[kk] * w1;
      a2 += x1[kk] * w0; a3 += x1[kk] * w1;
      a4 += x2[kk] * w0; a5 += x2[kk] * w1;
      a6 += x3[kk] * w0; a7 += x3[kk] * w1;
    }
  }
  store_block(r0, c0, 1u, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_t(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }
  let xb = x_bases(r0);
  var wb: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) { wb[j] = (p.w_off + min(c0 + j, p.N - 1u) * p.sn) >> 2u; }
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  for (var kq = 0u; kq < (p.K >> 2u); kq++) {
    let x0 = X[xb[0] + kq]; let x1 = X[xb[1] + kq]; let x2 = X[xb[2] + kq]; let x3 = X[xb[3] + kq];
    let e0 = W[wb[0] + kq]; let e1 = W[wb[1] + kq]; let e2 = W[wb[2] + kq]; let e3 = W[wb[3] + kq];
    let e4 = W[wb[4] + kq]; let e5 = W[wb[5] + kq]; let e6 = W[wb[6] + kq]; let e7 = W[wb[7] + kq];
    a0 += vec4<f32>(dot(x0, e0), dot(x0, e1), dot(x0, e2), dot(x0, e3));
    a1 += vec4<f32>(dot(x0, e4), dot(x0, e5), dot(x0, e6), dot(x0, e7));
    a2 += vec4<f32>(dot(x1, e0), dot(x1, e1), dot(x1, e2), dot(x1, e3));
    a3 += vec4<f32>(dot(x1, e4), dot(x1, e5), dot(x1, e6), dot(x1, e7));
    a4 += vec4<f32>(dot(x2, e0), dot(x2, e1), dot(x2, e2), dot(x2, e3));
    a5 += vec4<f32>(dot(x2, e4), dot(x2, e5), dot(x2, e6), dot(x2, e7));
    a6 += vec4<f32>(dot(x3, e0), dot(x3, e1), dot(x3, e2), dot(x3, e3));
    a7 += vec4<f32>(dot(x3, e4), dot(x3, e5), dot(x3, e6), dot(x3, e7));
  }
  store_block(r0, c0, 1u, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7));
}
