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

// Row base of X in vec4 units for block row i (clamped so edge blocks read valid memory).
// Bases live in named values, not arrays: SwiftShader keeps private arrays in memory.
fn x_base(r0: u32, i: u32) -> u32 {
  return (p.x_off + x_row(min(r0 + i, p.M - 1u)) * p.ldx) >> 2u;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  block(gid.x * 8u, gid.y * 4u);
}

// The same blocks, launched with the workgroup grid transposed (x: row blocks, y: column blocks):
// consecutively numbered workgroups, which run side by side, then share one column panel of W
// (K × 64 floats) instead of one row panel of X, so a W far larger than the caches (wide N, e.g.
// MaskGIT-base's 768 × 3072 MLP) is streamed from memory once per column panel rather than once
// per 32-row block of X.
@compute @workgroup_size(WG_X, WG_Y)
fn main_cm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  block((wid.y * WG_X + lid.x) * 8u, (wid.x * WG_Y + lid.y) * 4u);
}

// Lanes over rows: neighbouring invocations (one SIMD group on a CPU) own different 4-row blocks
// of the same 8 columns, so for each k they read one 32-byte piece of W (the same address: a cache
// hit after the first lane) and 4 contiguous streams of X, instead of 128 bytes of W strided by
// ldw. With a wide W (ldw·4 bytes a multiple of the 4 KiB page) every k step of W lands in the
// same L1 set, so W is what must be read least; grid as main_cm.
@compute @workgroup_size(WG_X, WG_Y)
fn main_rl(@builtin(global_invocation_id) gid: vec3<u32>) {
  block(gid.y * 8u, gid.x * 4u);
}

fn block(c0: u32, r0: u32) {
  if (c0 >= p.N || r0 >= p.M) { return; }
  let xb0 = x_base(r0, 0u); let xb1 = x_base(r0, 1u); let xb2 = x_base(r0, 2u); let xb3 = x_base(r0, 3u);
  // The second 4 columns may lie past N (N is a multiple of 4): read the first 4 again instead.
  let c1 = select(c0, c0 + 4u, c0 + 4u < p.N);
  let wq = p.sk >> 2u;
  var wa = (p.w_off + c0) >> 2u;
  var wb = (p.w_off + c1) >> 2u;
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  // The 4 steps of k inside a vec4 are written out: a dynamic component index would also put the
  // vector in memory on SwiftShader.
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
  store_block(r0, c0, 1u, array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_t(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }
  let xb0 = x_base(r0, 0u); let xb1 = x_base(r0, 1u); let xb2 = x_base(r0, 2u); let xb3 = x_base(r0, 3u);
  let n1 = p.N - 1u;
  let wb0 = (p.w_off + min(c0, n1) * p.sn) >> 2u;      let wb1 = (p.w_off + min(c0 + 1u, n1) * p.sn) >> 2u;
  let wb2 = (p.w_off + min(c0 + 2u, n1) * p.sn) >> 2u; let wb3 = (p.w_off + min(c0 + 3u, n1) * p.sn) >> 2u;
  let wb4 = (p.w_off + min(c0 + 4u, n1) * p.sn) >> 2u; let wb5 = (p.w_off + min(c0 + 5u, n1) * p.sn) >> 2u;
  let wb6 = (p.w_off + min(c0 + 6u, n1) * p.sn) >> 2u; let wb7 = (p.w_off + min(c0 + 7u, n1) * p.sn) >> 2u;
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  for (var kq = 0u; kq < (p.K >> 2u); kq++) {
    let x0 = X[xb0 + kq]; let x1 = X[xb1 + kq]; let x2 = X[xb2 + kq]; let x3 = X[xb3 + kq];
    let e0 = W[wb0 + kq]; let e1 = W[wb1 + kq]; let e2 = W[wb2 + kq]; let e3 = W[wb3 + kq];
    let e4 = W[wb4 + kq]; let e5 = W[wb5 + kq]; let e6 = W[wb6 + kq]; let e7 = W[wb7 + kq];
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

