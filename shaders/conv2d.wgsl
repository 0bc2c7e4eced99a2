// Y[b, co, y, x] = bias[co] + Σ_ci Σ_ky,kx W[co, ci, ky, kx] · X̃[b, ci, y + ky − pad, x + kx − pad]
//                  (+ R[b, co, y, x])
// NCHW, stride 1, K ∈ {1, 3} with pad = K/2 (zero padding), weights in PyTorch layout
// [Cout, Cin, K, K] at an element offset of a big weight buffer. With UPSAMPLE the input is the
// half-size image and X̃[y, x] = X[y >> 1, x >> 1] (nearest ×2 fused into the read: no dispatch and
// no buffer for the upsampled tensor).
//
// Each invocation owns CB = 8 output channels × 4 consecutive pixels of one row in registers (eight
// vec4 accumulators) and reads no workgroup memory: per input channel and kernel row it loads 6
// input values (shared by all 8 channels and 3 taps) and 8·K weights (the same for every
// invocation of a workgroup row, so they broadcast from cache), for 32·K FMAs.

struct Params {
  B: u32, Cin: u32, Cout: u32, K: u32,
  H: u32, W: u32, Hin: u32, Win: u32,
  flags: u32, x_off: u32, w_off: u32, b_off: u32,
  r_off: u32, y_off: u32, _pad0: u32, _pad1: u32,
}
const BIAS = 1u;
const RESIDUAL = 2u;
const UPSAMPLE = 4u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read> R: array<f32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

override WG_X: u32 = 16u;  // pixel blocks
override WG_Y: u32 = 4u;   // channel blocks
// Output channels per invocation: 8, or 1/2/4 when Cout is that small (conv_out has Cout = 1).
// A pipeline constant, so the accumulators of absent channels are compiled away.
override CB: u32 = 8u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let wb = (p.W + 3u) / 4u;
  let pb = gid.x;
  let c0 = gid.y * CB;
  let b = gid.z;
  if (pb >= p.H * wb || c0 >= p.Cout) { return; }
  let y = pb / wb;
  let x0 = (pb % wb) * 4u;
  let pad = i32(p.K / 2u);
  let kk = p.K * p.K;
  let wstride = p.Cin * kk;

  // Weight bases of the 8 channels (clamped, so edge blocks read valid memory; not stored).
  var wbase: array<u32, 8>;
  for (var j = 0u; j < CB; j++) { wbase[j] = p.w_off + min(c0 + j, p.Cout - 1u) * wstride; }

  // Column offsets and validity of the 6 input columns this block reads (x0 − pad .. x0 + 5 − pad),
  // and row offsets/validity of its K input rows: computed once, outside the channel loop.
  let up = (p.flags & UPSAMPLE) != 0u;
  let xi0 = i32(x0) - pad;
  var cx: array<u32, 6>;
  var cm: array<bool, 6>;
  for (var t = 0; t < 6; t++) {
    let ix = xi0 + t;
    cm[t] = ix >= 0 && ix < i32(p.W);
    let cix = u32(clamp(ix, 0, i32(p.W) - 1));
    cx[t] = select(cix, cix >> 1u, up);
  }
  let c0x = cx[0]; let c1x = cx[1]; let c2x = cx[2]; let c3x = cx[3]; let c4x = cx[4]; let c5x = cx[5];
  let m0 = cm[0]; let m1 = cm[1]; let m2 = cm[2]; let m3 = cm[3]; let m4 = cm[4]; let m5 = cm[5];

  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  let hw_in = p.Hin * p.Win;
  for (var ky = 0u; ky < p.K; ky++) {
    let iy = i32(y) + i32(ky) - pad;
    if (iy < 0 || iy >= i32(p.H)) { continue; }
    let ry = select(u32(iy), u32(iy) >> 1u, up) * p.Win;
    for (var ci = 0u; ci < p.Cin; ci++) {
      let row = p.x_off + (b * p.Cin + ci) * hw_in + ry;
      let wi = (ci * p.K + ky) * p.K;
      if (p.K == 3u) {
        let v0 = select(0.0, X[row + c0x], m0); let v1 = select(0.0, X[row + c1x], m1);
        let v2 = select(0.0, X[row + c2x], m2); let v3 = select(0.0, X[row + c3x], m3);
        let v4 = select(0.0, X[row + c4x], m4); let v5 = select(0.0, X[row + c5x], m5);
        let s0 = vec4<f32>(v0, v1, v2, v3);
        let s1 = vec4<f32>(v1, v2, v3, v4);
        let s2 = vec4<f32>(v2, v3, v4, v5);
        a0 += Wt[wbase[0] + wi] * s0 + Wt[wbase[0] + wi + 1u] * s1 + Wt[wbase[0] + wi + 2u] * s2;
        if (CB > 1u) { a1 += Wt[wbase[1] + wi] * s0 + Wt[wbase[1] + wi + 1u] * s1 + Wt[wbase[1] + wi + 2u] * s2; }
        if (CB > 2u) { a2 += Wt[wbase[2] + wi] * s0 + Wt[wbase[2] + wi + 1u] * s1 + Wt[wbase[2] + wi + 2u] * s2; }
        if (CB > 3u) { a3 += Wt[wbase[3] + wi] * s0 + Wt[wbase[3] + wi + 1u] * s1 + Wt[wbase[3] + wi + 2u] * s2; }
        if (CB > 4u) { a4 += Wt[wbase[4] + wi] * s0 + Wt[wbase[4] + wi + 1u] * s1 + Wt[wbase[4] + wi + 2u] * s2; }
        if (CB > 5u) { a5 += Wt[wbase[5] + wi] * s0 + Wt[wbase[5] + wi + 1u] * s1 + Wt[wbase[5] + wi + 2u] * s2; }
        if (CB > 6u) { a6 += Wt[wbase[6] + wi] * s0 + Wt[wbase[6] + wi + 1u] * s1 + Wt[wbase[6] + wi + 2u] * s2; }
        if (CB > 7u) { a7 += Wt[wbase[7] + wi] * s0 + Wt[wbase[7] + wi + 1u] * s1 + Wt[wbase[7] + wi + 2u] * s2; }
      } else {
        // K = 1, pad 0: columns x0 .. x0 + 3 are entries 0..3.
        let s0 = vec4<f32>(select(0.0, X[row + c0x], m0), select(0.0, X[row + c1x], m1),
                           select(0.0, X[row + c2x], m2), select(0.0, X[row + c3x], m3));
        a0 += Wt[wbase[0] + wi] * s0;
        if (CB > 1u) { a1 += Wt[wbase[1] + wi] * s0; }
        if (CB > 2u) { a2 += Wt[wbase[2] + wi] * s0; a3 += Wt[wbase[3] + wi] * s0; }
        if (CB > 4u) { a4 += Wt[wbase[4] + wi] * s0; a5 += Wt[wbase[5] + wi] * s0;
                       a6 += Wt[wbase[6] + wi] * s0; a7 += Wt[wbase[7] + wi] * s0; }
      }
    }
  }

  var acc = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
  let hw = p.H * p.W;
  for (var j = 0u; j < CB; j++) {
    let c = c0 + j;
    if (c >= p.Cout) { break; }
    var bias = 0.0;
    if ((p.flags & BIAS) != 0u) { bias = Bias[p.b_off + c]; }
    let ob = (b * p.Cout + c) * hw + y * p.W;
    for (var i = 0u; i < 4u; i++) {
      let x = x0 + i;
      if (x >= p.W) { break; }
      var v = acc[j][i] + bias;
      if ((p.flags & RESIDUAL) != 0u) { v += R[p.r_off + ob + x]; }
      Y[p.y_off + ob + x] = v;
    }
  }
}
