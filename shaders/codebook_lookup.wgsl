// VQ decoder input: z[b, d, n] = codebook[tok[b·N + n], d] for a grid of N = h·w cells, i.e. the
// token embeddings transposed to NCHW [code_dim, h, w]. Codebook rows at cb_off + t·ldc (ldc ≥ D).
// A token ≥ K (e.g. [MASK]) is clamped to K − 1 so a bad token never reads out of bounds.
// One invocation per output element: consecutive invocations write consecutive cells (coalesced
// stores); the codebook gather is tiny (K·D ≤ a few K floats, cache-resident).

struct Params {
  B: u32, N: u32, D: u32, K: u32,
  ldc: u32, tok_off: u32, cb_off: u32, z_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> TOK: array<u32>;
@group(0) @binding(2) var<storage, read> CB: array<f32>;
@group(0) @binding(3) var<storage, read_write> Z: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.B * p.D * p.N) { return; }
  let n = i % p.N;
  let d = (i / p.N) % p.D;
  let b = i / (p.N * p.D);
  let t = min(TOK[p.tok_off + b * p.N + n], p.K - 1u);
  Z[p.z_off + i] = CB[p.cb_off + t * p.ldc + d];
}
