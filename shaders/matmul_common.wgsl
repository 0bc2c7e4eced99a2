// Shared by every matmul kernel (src/gpu/kernels/matmul.ts prepends it; WGSL has no #include).
// The contract: Y[m, 0:n] = act(X[g(m), 0:k] · W[0:k, 0:n] + b[0:n]) (+ Y[m, 0:n]) over *slices*
// of full-stride tensors: k ≤ K_full, n ≤ N_full, rows read with their full stride, so a width-r
// sub-model reads its prefix of the full weights in place. W is addressed as W[k*sk + n*sn]:
// (sk, sn) = (ldw, 1) plain, (1, ldw) transposed (the tied output head, Y = X · E^T).
// Each kernel declares X (binding 1) and W (binding 2) itself: f32 or vec4 views.

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  ldx: u32, sk: u32, sn: u32, ldy: u32,
  x_off: u32, w_off: u32, b_off: u32, y_off: u32,
}
const BIAS = 1u;       // add b[n]
const GELU = 2u;       // tanh-approximated GELU after the bias
const ACC = 4u;        // Y += result (the residual add, in place)
const GATHER_X = 8u;   // input row of output row m is idx[m]
const SCATTER_Y = 16u; // output row m is written at row idx[m] (e.g. K/V straight into the cache)

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read> B: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

fn gelu(u: f32) -> f32 {
  return 0.5 * u * (1.0 + tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)));
}

fn x_row(r: u32) -> u32 {
  if ((p.flags & GATHER_X) != 0u) { return idx[r]; }
  return r;
}

// Bias, activation and residual for output (r, c), then the store.
fn epilogue(r: u32, c: u32, s: f32) {
  var v = s;
  if ((p.flags & BIAS) != 0u) { v += B[p.b_off + c]; }
  if ((p.flags & GELU) != 0u) { v = gelu(v); }
  var yr = r;
  if ((p.flags & SCATTER_Y) != 0u) { yr = idx[r]; }
  let y = p.y_off + yr * p.ldy + c;
  if ((p.flags & ACC) != 0u) { v += Y[y]; }
  Y[y] = v;
}

// Stores a 4-row × 8-column register block: acc[2i + j/4][j%4] is row r0+i, column c0 + cs·j.
fn store_block(r0: u32, c0: u32, cs: u32, acc: array<vec4<f32>, 8>) {
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= p.M) { break; }
    for (var j = 0u; j < 8u; j++) {
      let c = c0 + cs * j;
      if (c >= p.N) { break; }
      epilogue(r, c, acc[i * 2u + j / 4u][j % 4u]);
    }
  }
}
