// Decoder output [B, 1, H, W] → displayable pixels of the centre crop (pad pixels off each side,
// outH = H − 2·pad, outW = W − 2·pad):
//   gray8 = round((clamp(y, −1, 1) + 1) · 127.5)   (f32 ops, round half to even — as numpy)
//   GRAY: 4 pixels per u32, pixel k of a word in byte k (little-endian: the buffer read as bytes is
//         the 8-bit image); image b at gray_off + b·ceil(outH·outW / 4) words.
//   RGBA: one u32 per pixel, r = g = b = gray8 in bytes 0..2 and a = 255 in byte 3 (ImageData
//         byte order); image b at rgba_off + b·outH·outW words.
// The constants 1 and 127.5 come from the uniform block: as literals, a fast-math compiler
// (SwiftShader's LLVM) may rewrite (y + 1)·127.5 as y·127.5 + 127.5, which rounds differently
// and would move pixels that sit near a .5 boundary by one gray level.
// One invocation per 4 pixels (one gray word).

struct Params {
  B: u32, H: u32, W: u32, pad: u32,
  x_off: u32, gray_off: u32, rgba_off: u32, flags: u32,
  one: f32, half255: f32, _pad0: f32, _pad1: f32,
}
const GRAY = 1u;
const RGBA = 2u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> GRAY8: array<u32>;
@group(0) @binding(3) var<storage, read_write> RGBA8: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let oh = p.H - 2u * p.pad;
  let ow = p.W - 2u * p.pad;
  let n = oh * ow;
  let words = (n + 3u) / 4u;
  let i = gid.x;
  if (i >= p.B * words) { return; }
  let b = i / words;
  let w = i % words;
  var packed = 0u;
  for (var k = 0u; k < 4u; k++) {
    let q = w * 4u + k;
    if (q >= n) { break; }
    let y = q / ow + p.pad;
    let x = q % ow + p.pad;
    let v = clamp(X[p.x_off + (b * p.H + y) * p.W + x], -1.0, 1.0);
    let g = u32(clamp(round((v + p.one) * p.half255), 0.0, 255.0));
    packed |= g << (8u * k);
    if ((p.flags & RGBA) != 0u) { RGBA8[p.rgba_off + b * n + q] = g * 0x010101u + 0xff000000u; }
  }
  if ((p.flags & GRAY) != 0u) { GRAY8[p.gray_off + i] = packed; }
}
