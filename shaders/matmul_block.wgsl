// Y[m, 0:n] = act(X[g(m), 0:k] · W[0:k, 0:n] + b[0:n]) (+ Y[m, 0:n])
// over *slices* of full-stride tensors: k ≤ K_full, n ≤ N_full, rows read with their full stride
// (ldx, ldw, ldy), so a width-r sub-model reads its prefix of the full weights in place.
//
// Kernel 2 of matmul (kernel 1 is matmul_naive.wgsl, kernel 3 matmul.wgsl): each invocation owns a 4×8 output block in
// registers and reads no workgroup memory — barriers and workgroup memory are slow on CPU
// implementations such as SwiftShader, while 32 FMAs per 12 loads keep a real GPU's ALUs fed.
// W is addressed as W[k*sk + n*sn]: (sk, sn) = (ldw, 1) for the plain form and (1, ldw) for the
// transposed form that a tied output head uses (Y = X · E^T).

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  ldx: u32, sk: u32, sn: u32, ldy: u32,
  x_off: u32, w_off: u32, b_off: u32, y_off: u32,
}
const BIAS = 1u;      // add b[n]
const GELU = 2u;      // tanh-approximated GELU after the bias
const ACC = 4u;       // Y += result (residual add into the output in place)
const GATHER_X = 8u;  // input row of output row m is idx[m]
const SCATTER_Y = 16u;// output row m is written at row idx[m]

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> B: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

fn gelu(u: f32) -> f32 {
  return 0.5 * u * (1.0 + tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let r0 = gid.y * 4u;
  if (c0 >= p.N || r0 >= p.M) { return; }

  // Input rows (clamped so edge blocks read valid memory; their results are not stored).
  var xb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = min(r0 + i, p.M - 1u);
    var xr = r;
    if ((p.flags & GATHER_X) != 0u) { xr = idx[r]; }
    xb[i] = p.x_off + xr * p.ldx;
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

  var acc: array<vec4<f32>, 8> = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= p.M) { break; }
    var yr = r;
    if ((p.flags & SCATTER_Y) != 0u) { yr = idx[r]; }
    let yb = p.y_off + yr * p.ldy;
    for (var j = 0u; j < 8u; j++) {
      let c = c0 + j;
      if (c >= p.N) { break; }
      var v = acc[i * 2u + j / 4u][j % 4u];
      if ((p.flags & BIAS) != 0u) { v += B[p.b_off + c]; }
      if ((p.flags & GELU) != 0u) { v = gelu(v); }
      if ((p.flags & ACC) != 0u) { v += Y[yb + c]; }
      Y[yb + c] = v;
    }
  }
}
