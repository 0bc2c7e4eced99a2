// Kernel 6 of matmul: one launch for up to three products that share their input rows, with an
// optional LayerNorm folded in. Workgroup z picks the product: Q, K and V of a layer are one
// launch (z = 0, 1, 2) writing three outputs, K and V scattered straight into the cache rows.
//
//   Y_z[o_z(m), n] = act( LN ? rstd_m · (Σ_k (X[m,k] − μ_m) · W_z[k,n]) + B_z[n]
//                             : Σ_k X[m,k] · W_z[k,n] + B_z[n] )   (+ Y_z[o_z(m), n] with ACC)
//
// over slices of full-stride tensors, as the other kernels (k < K ≤ ldx, n < N ≤ ldw). μ_m and
// rstd_m are the LayerNorm statistics of row m over its K active channels, accumulated from the X
// values the product loads anyway; the LayerNorm's gamma is pre-multiplied into W and its beta
// into B at upload (src/model/fold.ts), and C_z[n] = Σ_{k<K} W_z[k,n] turns the centred product
// into the raw one minus μ·C, so no normalised copy of X is ever written. Rows are shifted by
// their first element while accumulating, which keeps the one-pass variance and the subtraction
// well conditioned when |μ| ≫ σ. The launcher declares the output bindings Y0..Y2, copies the
// per-output store for each (see store_block_Z) and appends one of the two bodies (vec4 or scalar).

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  ldx: u32, ldw: u32, ldy: u32, x_off: u32,
  eps: f32, scatter: u32, _p0: u32, _p1: u32,
  w_off: vec4<u32>, b_off: vec4<u32>, c_off: vec4<u32>, y_off: vec4<u32>,
}
const BIAS = 1u;  // add B_z[n]
const GELU = 2u;  // tanh-approximated GELU after the bias
const ACC = 4u;   // Y += result
// Pipeline constant, not a flag, so the plain product's loop carries no statistics.
override LN: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
// Biases and column sums C (both small vectors of the layer's weight buffer).
@group(0) @binding(3) var<storage, read> B: array<f32>;
// Output row of input row m for the products whose bit is set in p.scatter.
@group(0) @binding(4) var<storage, read> idx: array<u32>;

fn gelu(u: f32) -> f32 {
  return 0.5 * u * (1.0 + tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)));
}

// mean (of the shifted row) and rstd from a row's shifted sum and sum of squares.
fn row_stats(s: f32, q: f32) -> vec2<f32> {
  let n = f32(p.K);
  let m = s / n;
  return vec2<f32>(m, inverseSqrt(max(q / n - m * m, 0.0) + p.eps));
}

// This product's offsets, picked once per invocation (no dynamic index into the uniform vectors).
struct Sel { z: u32, w: u32, b: u32, c: u32, y: u32, scatter: bool }
fn pick(v: vec4<u32>, z: u32) -> u32 { return select(select(v.x, v.y, z == 1u), v.z, z == 2u); }
fn sel(z: u32) -> Sel {
  return Sel(z, pick(p.w_off, z), pick(p.b_off, z), pick(p.c_off, z), pick(p.y_off, z), ((p.scatter >> z) & 1u) != 0u);
}

// A 4-row × 8-column register block: acc[2i + j/4][j%4] is row r0+i, column c0+j. The output row
// (scatter) and the statistics are resolved once per row, not per element. The launcher copies
// this function once per output binding (store_block_0 writes Y0, …) and store_block picks one per
// invocation: a branch around the whole block rather than around every element's store, which a
// CPU implementation would otherwise run masked for all three bindings.
// @per-output begin
fn store_block_Z(o: Sel, r0: u32, c0: u32, acc: array<vec4<f32>, 8>, st: array<vec2<f32>, 4>) {
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= p.M) { break; }
    var yr = r;
    if (o.scatter) { yr = idx[r]; }
    let yb = o.y + yr * p.ldy;
    let s = st[i];
    for (var j = 0u; j < 8u; j++) {
      let c = c0 + j;
      if (c >= p.N) { break; }
      var v = acc[i * 2u + j / 4u][j % 4u];
      if (LN) { v = s.y * (v - s.x * B[o.c + c]); }
      if ((p.flags & BIAS) != 0u) { v += B[o.b + c]; }
      if ((p.flags & GELU) != 0u) { v = gelu(v); }
      if ((p.flags & ACC) != 0u) { v += Y_Z[yb + c]; }
      Y_Z[yb + c] = v;
    }
  }
}
// @per-output end
