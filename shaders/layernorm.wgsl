// Y[r, 0:d] = (X[g(r), 0:d] − mean) / sqrt(var + eps) · gamma[0:d] + beta[0:d]
// over *slices* of full-stride tensors: the statistics use only the first d active channels of a
// row (d ≤ ldx), rows are read with their full stride, and g(r) = idx[r] with GATHER_X (a final
// LayerNorm runs only on the rows whose logits are wanted) or r otherwise.
//
// One invocation per row, no workgroup memory and no barriers: rows are short (d ≤ 768 or so) and
// barriers are expensive on CPU implementations such as SwiftShader, so a register-only loop beats
// a cooperative reduction there. Two passes over the row (mean, then centred sum of squares) keep
// the variance accurate when |mean| ≫ std; the row stays in cache between the passes.

struct Params {
  rows: u32, d: u32, ldx: u32, ldy: u32,
  x_off: u32, y_off: u32, g_off: u32, b_off: u32,
  flags: u32, eps: f32, _p0: u32, _p1: u32,
}
const GATHER_X = 1u;  // input row of output row r is idx[r]

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;   // gamma (weight)
@group(0) @binding(3) var<storage, read> B: array<f32>;   // beta (bias); may be G's buffer
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= p.rows) { return; }
  var xr = r;
  if ((p.flags & GATHER_X) != 0u) { xr = idx[r]; }
  let xb = p.x_off + xr * p.ldx;
  let yb = p.y_off + r * p.ldy;
  let n = f32(p.d);

  var s = 0.0;
  for (var c = 0u; c < p.d; c++) { s += X[xb + c]; }
  let mean = s / n;
  var q = 0.0;
  for (var c = 0u; c < p.d; c++) {
    let t = X[xb + c] - mean;
    q += t * t;
  }
  let rstd = inverseSqrt(q / n + p.eps);   // biased variance, as torch.nn.LayerNorm
  for (var c = 0u; c < p.d; c++) {
    Y[yb + c] = (X[xb + c] - mean) * rstd * G[p.g_off + c] + B[p.b_off + c];
  }
}
