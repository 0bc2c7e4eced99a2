import { expect, expectParity, test } from './harness';

// Kernel 6 (shaders/matmul_fused.wgsl): Q, K and V in one launch (K and V scattered into cache
// rows) and LayerNorm folded into the product, checked against the unfused CPU operations
// (LayerNorm with gamma/beta, then the matmul with the original weights). Shapes: awkward (odd d,
// one row, unaligned weight offsets: the scalar body), width-1/8 slices of full-stride weights,
// the model's full shapes with the CFG batch of 2 scattered into 2·65 cache rows, a large row
// mean, and MaskGIT-base.
const SHAPES = [
  { name: 'qkv 1 row, d 1', M: 1, N: 1, K: 1, outputs: 3, bias: true },
  { name: 'qkv odd d 13 of 17, LN, scatter into 40 rows, unaligned W offsets', M: 11, N: 13, K: 13, Kfull: 17, Nfull: 17, outputs: 3, ln: true, bias: true, scatter: 40, wGap: 3 },
  { name: 'qkv odd d 7, no LN, x offset 1', M: 5, N: 7, K: 7, outputs: 3, bias: true, xOffset: 1 },
  { name: 'qkv width 1/8: d 24 of 192, LN, batch-2 scatter into 130 rows', M: 130, N: 24, K: 24, Kfull: 192, Nfull: 192, outputs: 3, ln: true, bias: true, scatter: 130 },
  { name: 'qkv width 1/8 d 16 of 128, cached pass 9 rows', M: 9, N: 16, K: 16, Kfull: 128, Nfull: 128, outputs: 3, ln: true, bias: true, scatter: 130 },
  { name: 'qkv full d 192, LN, batch-2 scatter', M: 130, N: 192, K: 192, outputs: 3, ln: true, bias: true, scatter: 130 },
  { name: 'qkv LN, large row mean', M: 9, N: 32, K: 48, Kfull: 64, Nfull: 64, outputs: 3, ln: true, bias: true, scatter: 20, shift: 100 },
  { name: 'mlp-up LN + GELU, width 1/8: 96 of 768 from 24 of 192', M: 130, N: 96, K: 24, Kfull: 192, Nfull: 768, outputs: 1, ln: true, bias: true, gelu: true },
  { name: 'mlp-up LN + GELU, odd: 29 of 31 from 13 of 15', M: 7, N: 29, K: 13, Kfull: 15, Nfull: 31, outputs: 1, ln: true, bias: true, gelu: true },
  { name: 'one product, accumulate, no bias', M: 10, N: 16, K: 24, outputs: 1, accumulate: true },
  { name: 'MaskGIT-base qkv 257 rows, d 768, LN', M: 257, N: 768, K: 768, outputs: 3, ln: true, bias: true },
] as const;

test.describe('matmul_fused', () => {
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => {
      const variants = ['auto', 'scalar'] as const;
      for (const variant of variants) {
        if (variant === 'scalar' && s.M * s.N * s.K > 2e7) continue;
        expectParity(`${s.name} (${variant})`, await harness.run('matmulFused', { ...s, variant }));
      }
    });
  }

  for (const what of ['two-outputs', 'same-output', 'ln-without-colsum', 'scatter-without-index', 'vec4-unaligned', 'k-over-stride']) {
    test(`bad shape: ${what}`, async ({ harness }) => {
      const r = await harness.run('matmulFusedBadShape', { what });
      expect(r.error?.type).toBe('shape');
      expect(r.error?.message).toMatch(/^matmul_fused: /);
      console.log(`  ${what}: ${r.error?.message}`);
    });
  }
});
