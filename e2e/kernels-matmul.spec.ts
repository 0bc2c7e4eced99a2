import { expect, expectParity, test } from './harness';

// Shapes: awkward (not multiples of 4 or of the 4×8 tile, one row), width-1/8 slices of the
// model's full-stride weights (D 128, MLP 512), the model's largest, and MaskGIT-base sized.
const SHAPES = [
  { M: 1, N: 1, K: 1 },
  { M: 3, N: 5, K: 7 },
  { M: 13, N: 29, K: 37 },
  { M: 65, N: 16, K: 16, Kfull: 128, Nfull: 128 }, // width 1/8 of D×D
  { M: 65, N: 64, K: 16, Kfull: 128, Nfull: 512 }, // width 1/8 of D×M
  { M: 130, N: 128, K: 512 }, // full-width MLP down, CFG batch
  { M: 17, N: 300, K: 100, Kfull: 131, Nfull: 509 },
  { M: 257, N: 768, K: 768 }, // MaskGIT-base shape
];
// Narrow products: fewer column blocks (3, 6, 1) than kernel 5's 4-wide workgroups hold
// (kernels/grid.ts blockGrid), so some lanes of every workgroup have no block and must not write.
const NARROW = [
  { M: 130, N: 24, K: 96, Kfull: 768, Nfull: 192 }, // width 1/8 MLP down of fmnist-s (D 192, MLP 768)
  { M: 61, N: 48, K: 48, Kfull: 192, Nfull: 192 }, // width 1/4, a cached pass
  { M: 33, N: 4, K: 8 },
];

type Shape = { K: number; N: number; Kfull?: number; Nfull?: number; transposeW?: boolean };
const aligned = (s: Shape) => [s.K, s.N, s.Kfull ?? s.K, s.transposeW ? (s.Kfull ?? s.K) : (s.Nfull ?? s.N)].every((v) => v % 4 === 0);

test.describe('matmul', () => {
  for (const variant of ['vec4', 'vec4-rl', 'vec4-cm', 'subgroup', 'interleaved', 'blocked', 'naive'] as const) {
    for (const s of SHAPES) {
      if (variant === 'naive' && s.M * s.N * s.K > 2e7) continue;
      if (variant.startsWith('vec4') && !aligned(s)) continue; // covered by the 'vec4 refuses' test below
      const label = `${variant} M${s.M} N${s.N} K${s.K}${s.Kfull ? ` of ${s.Kfull}×${s.Nfull}` : ''}`;
      test(label, async ({ harness }) => {
        expectParity(label, await harness.run('matmul', { ...s, variant, bias: true }));
      });
    }
  }

  for (const s of NARROW) {
    const label = `vec4 narrow M${s.M} N${s.N} K${s.K}${s.Kfull ? ` of ${s.Kfull}×${s.Nfull}` : ''}`;
    test(label, async ({ harness }) => {
      expectParity(label, await harness.run('matmul', { ...s, variant: 'vec4', bias: true }));
    });
  }

  const FUSED = [
    { name: 'bias+gelu', M: 37, N: 64, K: 16, Kfull: 128, Nfull: 512, bias: true, gelu: true },
    { name: 'residual accumulate', M: 11, N: 16, K: 64, Kfull: 512, Nfull: 128, bias: true, accumulate: true },
    { name: 'transposed W (tied head), width 1/8', M: 19, N: 512, K: 16, Kfull: 128, Nfull: 513, transposeW: true, bias: true },
    { name: 'transposed W, 24 columns (a narrowed workgroup)', M: 10, N: 24, K: 16, Kfull: 32, Nfull: 24, transposeW: true, bias: true },
    { name: 'transposed W, awkward', M: 5, N: 33, K: 27, Kfull: 29, Nfull: 35, transposeW: true },
    { name: 'gather rows', M: 23, N: 40, K: 48, gather: 130, bias: true },
    { name: 'scatter rows (KV cache write)', M: 9, N: 16, K: 16, Kfull: 128, Nfull: 128, scatter: 130, bias: true },
    { name: 'scatter rows + accumulate', M: 9, N: 12, K: 20, scatter: 31, accumulate: true },
  ];
  for (const f of FUSED) {
    test(f.name, async ({ harness }) => {
      if (aligned(f)) {
        expectParity(`${f.name} (vec4)`, await harness.run('matmul', { ...f, variant: 'vec4' }));
        if (!f.transposeW) expectParity(`${f.name} (vec4-rl)`, await harness.run('matmul', { ...f, variant: 'vec4-rl' }));
      }
      expectParity(`${f.name} (subgroup)`, await harness.run('matmul', { ...f, variant: 'subgroup' }));
      expectParity(`${f.name} (interleaved)`, await harness.run('matmul', { ...f, variant: 'interleaved' }));
      expectParity(`${f.name} (blocked)`, await harness.run('matmul', { ...f, variant: 'blocked' }));
      expectParity(`${f.name} (naive)`, await harness.run('matmul', { ...f, variant: 'naive' }));
    });
  }

  for (const what of ['k-over-stride', 'w-too-small', 'alias', 'zero-rows', 'vec4-unaligned']) {
    test(`bad shape: ${what}`, async ({ harness }) => {
      const r = await harness.run('matmulBadShape', { what });
      expect(r.error?.type).toBe('shape');
      expect(r.error?.message).toMatch(/^matmul: /);
      console.log(`  ${what}: ${r.error?.message}`);
    });
  }
});
