import { expect, expectParity, test } from './harness';

// Transformer kernels besides matmul (SPEC §2, §5): layernorm, attention, kv_scatter, embed.
// Shapes: awkward (1 row, 1 key, sizes not multiples of 4, d 12 of stride 13), width-1/8 slices of
// full-stride tensors (d 16 of D 128, 1 head of 8), incremental KV-cache passes (9 queries
// against 65 cached keys), the model's full shapes (batch 2 for CFG, seq 65, 8 heads of 16) and
// MaskGIT-base (257 tokens, D 768, 12 heads of 64).
// Tolerances (|gpu − ref| ≤ atol + rtol·|ref|, reference in f64):
//   layernorm rtol 1e-4 atol 1e-5; attention rtol 1e-4 atol 1e-5 (softmax in f32, max-subtracted);
//   kv_scatter and embed exact (a copy; one f32 add).
// attention has two K/V load paths (vec4 when HD, offsets and strides are multiples of 4, else
// scalar); the shapes below cover both (offset 5 / 7 / 1 and head size 7 are unaligned). It also
// has two row mappings (two query rows per invocation when a sequence has ≥ 2 rows and the head
// fits: ≤ 64 channels on a CPU adapter, ≤ 32 on a GPU; else one): odd row counts, head sizes 32,
// 33 and 64, one query, and 'single' forced at 16 and 64.

const bad = async (harness: { run: (n: string, s: unknown) => Promise<{ error?: { type?: string; message: string } }> }, name: string, what: string, prefix: string) => {
  const r = await harness.run(name, { what });
  expect(r.error?.type, `${what}: ${r.error?.message}`).toBe('shape');
  expect(r.error?.message).toMatch(new RegExp(`^${prefix}: `));
  console.log(`  ${prefix} ${what}: ${r.error?.message}`);
};

test.describe('layernorm', () => {
  const SHAPES = [
    { name: '1 row, d 1', rows: 1, d: 1 },
    { name: 'awkward d 12 of ld 13, 7 rows, offsets', rows: 7, d: 12, ld: 13, ldy: 15, xOffset: 3, yOffset: 5 },
    { name: 'width 1/8: d 16 of 128, 130 rows', rows: 130, d: 16, ld: 128 },
    { name: 'full: d 128, 130 rows', rows: 130, d: 128, ld: 128 },
    { name: 'final LN on 18 gathered rows of 130, d 64 of 128', rows: 18, d: 64, ld: 128, gather: 130 },
    { name: 'large mean (centred variance)', rows: 9, d: 33, ld: 40, shift: 100 },
    { name: 'MaskGIT-base: 257 rows, d 768', rows: 257, d: 768 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(`layernorm ${s.name}`, await harness.run('layernorm', s)));
  }
  test('bad shapes', async ({ harness }) => {
    for (const what of ['d-over-stride', 'x-too-small', 'gamma-too-small', 'alias', 'zero-rows']) await bad(harness, 'layernormBadShape', what, 'layernorm');
  });
});

test.describe('attention', () => {
  const SHAPES = [
    { name: '1 query, 1 key, 1 head', batch: 1, nq: 1, nkv: 1, heads: 1, H: 1, hd: 16 },
    { name: 'width 1/8: 1 head of 8, batch 2, seq 65', batch: 2, nq: 65, nkv: 65, heads: 1, H: 8, hd: 16 },
    { name: 'incremental: batch 2, 9 queries vs 65 keys, 8 heads of 16', batch: 2, nq: 9, nkv: 65, heads: 8, H: 8, hd: 16 },
    { name: 'incremental, scalar K/V loads forced', batch: 2, nq: 9, nkv: 65, heads: 8, H: 8, hd: 16, variant: 'scalar' },
    { name: 'incremental, one row per invocation forced', batch: 2, nq: 9, nkv: 65, heads: 8, H: 8, hd: 16, variant: 'single' },
    { name: 'row pairs: odd rows per sequence (3 sequences of 7), 3 of 5 heads of 24, cache rows > nkv', batch: 3, nq: 7, nkv: 19, kvSeq: 21, heads: 3, H: 5, hd: 24, offset: 3 },
    { name: 'row pairs: largest paired head size 32, 2 queries, sharp softmax', batch: 2, nq: 2, nkv: 40, heads: 2, H: 2, hd: 32, sharpness: 40 },
    { name: 'row pairs: head size 33 (paired on a CPU adapter, one row per invocation on a GPU)', batch: 1, nq: 4, nkv: 9, heads: 1, H: 2, hd: 33 },
    { name: 'largest head size 64, one row per invocation forced', batch: 1, nq: 6, nkv: 33, heads: 2, H: 3, hd: 64, variant: 'single' },
    { name: 'K/V buffers of a size not a multiple of 16 B (scalar path)', batch: 2, nq: 3, nkv: 5, heads: 2, H: 2, hd: 16, oddBuffers: true },
    { name: 'incremental width 1/2: 4 heads of 8, 3 queries vs 65', batch: 2, nq: 3, nkv: 65, heads: 4, H: 8, hd: 16 },
    { name: 'full: batch 2, 65 rows, 8 heads of 16, fused QKV buffer', batch: 2, nq: 65, nkv: 65, heads: 8, H: 8, hd: 16, fused: true, offset: 5 },
    { name: 'cache rows per sequence > nkv, offsets', batch: 3, nq: 5, nkv: 11, kvSeq: 16, heads: 2, H: 3, hd: 16, offset: 7 },
    { name: 'awkward head size 12 (3 of 5 heads)', batch: 2, nq: 7, nkv: 13, heads: 3, H: 5, hd: 12 },
    { name: 'awkward head size 7 (partial vec4)', batch: 1, nq: 5, nkv: 9, heads: 2, H: 3, hd: 7, offset: 1 },
    { name: 'head size 1', batch: 1, nq: 3, nkv: 5, heads: 2, H: 2, hd: 1 },
    { name: 'largest head size 64, awkward 6 queries vs 33', batch: 1, nq: 6, nkv: 33, heads: 2, H: 3, hd: 64 },
    { name: 'sharp softmax (scores ×40)', batch: 2, nq: 9, nkv: 65, heads: 8, H: 8, hd: 16, sharpness: 40 },
    { name: 'MaskGIT-base: 257×257, 12 heads of 64', batch: 1, nq: 257, nkv: 257, heads: 12, H: 12, hd: 64 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(`attention ${s.name}`, await harness.run('attention', s)));
  }
  test('attentionFlops counts QK^T and PV at 2 FLOPs per MAC', async ({ harness }) => {
    expect((await harness.run('attentionFlops', { args: [2, 65, 65, 8, 16] })).count).toBe(2 * 2 * 2 * 65 * 65 * 8 * 16);
    expect((await harness.run('attentionFlops', { args: [2, 9, 65, 1, 16] })).count).toBe(2 * 2 * 2 * 9 * 65 * 16);
  });
  test('bad shapes', async ({ harness }) => {
    for (const what of ['head-too-big', 'heads-over-stride', 'kv-too-small', 'kv-seq-short', 'alias', 'zero-keys']) await bad(harness, 'attentionBadShape', what, 'attention');
  });
});

test.describe('kv_scatter', () => {
  const SHAPES = [
    { name: '1 row, K only, d 16 of 128', n: 1, d: 16, D: 128, cacheRows: 130 },
    { name: 'incremental: 9+9 rows of batch 2, K and V, d 16 of 128', n: 18, d: 16, D: 128, cacheRows: 130, v: true },
    { name: 'full: 130 rows d 128, K|V halves of one buffer', n: 130, d: 128, D: 128, cacheRows: 130, v: true, shared: true },
    { name: 'awkward d 12 of 13, out-of-range indices skipped', n: 5, d: 12, D: 13, cacheRows: 9, v: true, outOfRange: 2 },
    { name: 'MaskGIT-base: 257 rows d 768 into 514', n: 257, d: 768, D: 768, cacheRows: 514, v: true },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(`kv_scatter ${s.name}`, await harness.run('kvScatter', s)));
  }
  test('bad shapes', async ({ harness }) => {
    for (const what of ['d-over-stride', 'cache-too-small', 'idx-too-small', 'kv-overlap', 'alias', 'zero-rows']) await bad(harness, 'kvScatterBadShape', what, 'kv_scatter');
  });
});

test.describe('embed', () => {
  const SHAPES = [
    { name: 'width 1/8: batch 2 × 65, d 16 of 128', batch: 2, seq: 65, d: 16, D: 128, V: 512, C: 10 },
    { name: 'full: batch 2 × 65, d 128', batch: 2, seq: 65, d: 128, D: 128, V: 512, C: 10 },
    { name: 'incremental row subset', batch: 2, seq: 65, d: 64, D: 128, V: 512, C: 10, every: 7 },
    { name: 'awkward: 1 row, d 12 of 13', batch: 1, seq: 1, d: 12, D: 13, V: 5, C: 2 },
    { name: 'out-of-range id / position → NaN row', batch: 2, seq: 9, d: 8, D: 8, V: 5, C: 2, outOfRange: true },
    { name: 'MaskGIT-base: batch 2 × 257, d 768', batch: 2, seq: 257, d: 768, D: 768, V: 1024, C: 1000 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(`embed ${s.name}`, await harness.run('embed', s)));
  }
  test('bad shapes', async ({ harness }) => {
    for (const what of ['d-over-stride', 'table-too-small', 'ids-too-small', 'alias', 'zero-rows']) await bad(harness, 'embedBadShape', what, 'embed');
  });
});
