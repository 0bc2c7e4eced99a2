// Token + position embedding, over slices of full-stride tables (SPEC §2):
//   Y[r, 0:d] = T[id_r, 0:d] + P[pos_r, 0:d]
// where T is the token table (rows 0..n_tok-1, i.e. tok_emb with its [MASK] row) for
// id_r < n_tok and the class table (row id_r − n_tok of cls_emb, its null class included)
// for n_tok ≤ id_r < n_tok + n_cls. Tables are read with their full stride (D) at element
// offsets, so all three may be views into one weight buffer. An id or position out of range
// yields NaN in its row, loudly, instead of reading some other row.
//
// One invocation per output element, flattened over (row, channel) with the channel fastest:
// coalesced reads of a table row, no barriers.

struct Params {
  rows: u32, d: u32, ldy: u32, y_off: u32,
  n_tok: u32, ld_tok: u32, tok_off: u32, n_cls: u32,
  ld_cls: u32, cls_off: u32, n_pos: u32, ld_pos: u32,
  pos_off: u32, ids_off: u32, pids_off: u32, nan_bits: u32,  // nan_bits = 0x7fc00000 (a NaN literal is not valid WGSL)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> TOK: array<f32>;
@group(0) @binding(2) var<storage, read> CLS: array<f32>;
@group(0) @binding(3) var<storage, read> POS: array<f32>;
@group(0) @binding(4) var<storage, read> ids: array<u32>;
@group(0) @binding(5) var<storage, read> pids: array<u32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

const WG = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(num_workgroups) nw: vec3<u32>) {
  let e = (wg.y * nw.x + wg.x) * WG + li;
  if (e >= p.rows * p.d) { return; }
  let r = e / p.d;
  let c = e - r * p.d;
  let id = ids[p.ids_off + r];
  let pos = pids[p.pids_off + r];
  let y = p.y_off + r * p.ldy + c;
  if (pos >= p.n_pos || id >= p.n_tok + p.n_cls) {
    Y[y] = bitcast<f32>(p.nan_bits);
    return;
  }
  var t: f32;
  if (id < p.n_tok) {
    t = TOK[p.tok_off + id * p.ld_tok + c];
  } else {
    t = CLS[p.cls_off + (id - p.n_tok) * p.ld_cls + c];
  }
  Y[y] = t + POS[p.pos_off + pos * p.ld_pos + c];
}
