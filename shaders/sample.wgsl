// MaskGIT sampling of SPEC §5 for P rows (the masked positions), one workgroup per row.
// Needs shaders/rng.wgsl in front (the launcher concatenates it).
//
//   l    = lc + s·(lc − lu)           (GUIDE; else l = lc)
//   lt   = l · (1/τ)
//   x    = argmax_v (lt_v + gumbel(seed, step, pos_i, 1+v))   ties → smaller v
//   logp = lt_x − logsumexp(lt)
//   conf = logp + κ·gumbel(seed, step, pos_i, 0)              (term skipped when κ = 0, so a
//                                                               +inf noise never makes 0·inf)
//   amax = argmax_v l_v                                        ties → smaller v (previews)
// out[4i..4i+3] = (x, conf, logp, amax): one small buffer the decode loop reads back per step.
// `seed` is one value for all rows, or (SEEDS) read per row from a buffer: a batch of images with
// different seeds samples in one dispatch, each row with exactly the noise of its own image.
//
// One pass over the row: each invocation strides over v (coalesced across the workgroup) and
// keeps a running Gumbel-max, plain max and online (max, Σexp) in registers; a log2(WG) tree
// merges them. The workgroup size is an override: 64 on real GPUs; a small one on CPU
// implementations (SwiftShader), where every barrier step is expensive and one row per
// invocation group is plenty of parallelism.

struct Params {
  P: u32, V: u32, ld: u32, ldu: u32,
  lc_off: u32, lu_off: u32, pos_off: u32, out_off: u32,
  seed: u32, step: u32, flags: u32, seed_off: u32,
  inv_tau: f32, kappa: f32, scale: f32, _pad1: f32,
}
const GUIDE = 1u;
const SEEDS = 2u;
const NEG_BIG: f32 = -3.0e38;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> LC: array<f32>;
@group(0) @binding(2) var<storage, read> LU: array<f32>;
@group(0) @binding(3) var<storage, read> POS: array<u32>;
@group(0) @binding(4) var<storage, read> SEED: array<u32>;
@group(0) @binding(5) var<storage, read_write> OUT: array<u32>;

override WG: u32 = 64u;  // power of two

var<workgroup> sh_bs: array<f32, WG>;  // best Gumbel score
var<workgroup> sh_bi: array<u32, WG>;  // its v
var<workgroup> sh_am: array<f32, WG>;  // max raw logit
var<workgroup> sh_ai: array<u32, WG>;  // its v
var<workgroup> sh_m: array<f32, WG>;   // running max of lt
var<workgroup> sh_s: array<f32, WG>;   // Σ exp(lt − m)

fn logit(row: u32, v: u32) -> f32 {
  let lc = LC[p.lc_off + row * p.ld + v];
  if ((p.flags & GUIDE) != 0u) {
    let lu = LU[p.lu_off + row * p.ldu + v];
    return lc + p.scale * (lc - lu);
  }
  return lc;
}

// (score, index) merge with ties → smaller index.
fn better(a: f32, ai: u32, b: f32, bi: u32) -> bool {
  return b > a || (b == a && bi < ai);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = wid.x;  // uniform across the workgroup; P is the dispatch size, no bounds check needed
  let lid = lid3.x;
  let pos = POS[p.pos_off + row];
  var seed = p.seed;
  if ((p.flags & SEEDS) != 0u) { seed = SEED[p.seed_off + row]; }

  var bs = NEG_BIG; var bi = 0xffffffffu;
  var am = NEG_BIG; var ai = 0xffffffffu;
  var m = NEG_BIG; var s = 0.0;
  for (var v = lid; v < p.V; v += WG) {
    let l = logit(row, v);
    let lt = l * p.inv_tau;
    let sc = lt + gumbel(seed, p.step, pos, 1u + v);
    // v increases within an invocation, so strict > keeps the smaller v on ties.
    if (sc > bs) { bs = sc; bi = v; }
    if (l > am) { am = l; ai = v; }
    if (lt > m) { s = s * exp(m - lt) + 1.0; m = lt; } else { s += exp(lt - m); }
  }
  sh_bs[lid] = bs; sh_bi[lid] = bi;
  sh_am[lid] = am; sh_ai[lid] = ai;
  sh_m[lid] = m; sh_s[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let o = lid + stride;
      if (better(sh_bs[lid], sh_bi[lid], sh_bs[o], sh_bi[o])) { sh_bs[lid] = sh_bs[o]; sh_bi[lid] = sh_bi[o]; }
      if (better(sh_am[lid], sh_ai[lid], sh_am[o], sh_ai[o])) { sh_am[lid] = sh_am[o]; sh_ai[lid] = sh_ai[o]; }
      let m1 = sh_m[lid]; let m2 = sh_m[o];
      let mm = max(m1, m2);
      sh_s[lid] = sh_s[lid] * exp(m1 - mm) + sh_s[o] * exp(m2 - mm);
      sh_m[lid] = mm;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let x = sh_bi[0];
    // Recomputed exactly as in the loop, so logp uses the very logit that won.
    let logp = logit(row, x) * p.inv_tau - (sh_m[0] + log(sh_s[0]));
    var conf = logp;
    if (p.kappa != 0.0) { conf += p.kappa * gumbel(seed, p.step, pos, 0u); }
    let o = p.out_off + row * 4u;
    OUT[o] = x;
    OUT[o + 1u] = bitcast<u32>(conf);
    OUT[o + 2u] = bitcast<u32>(logp);
    OUT[o + 3u] = sh_ai[0];
  }
}
