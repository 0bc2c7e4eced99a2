import { expect, expectParity, test } from './harness';

// VQ encoder ops (SPEC §1, train/tokenizer.py Encoder). avgpool2x exact (the reference sums in f32
// in the shader's order); vq_nearest exact except near-ties (0 < best/second-best gap < 1e-4 in
// the f64 reference), which are counted and printed; exact ties from duplicated codebook rows
// must go to the smaller index. conv2d on the encoder's shapes with the decoder's tolerance
// (1e-4 relative + 2e-5·sqrt(Cin·K²) absolute). Every buffer is used at an element offset and
// compared whole, so writes outside the output are caught.
test.describe('conv2d (encoder shapes)', () => {
  const SHAPES = [
    // The shipped encoder's shapes (channels [32, 64, 96], code_dim 16).
    { name: 'conv_in 1→32 @32×32 (Cin 1)', Cin: 1, Cout: 32, H: 32, W: 32, kernel: 3, bias: true },
    { name: 'res conv 32→32 @32×32 + residual', Cin: 32, Cout: 32, H: 32, W: 32, kernel: 3, bias: true, residual: true },
    { name: 'down1 32→64 @16×16', Cin: 32, Cout: 64, H: 16, W: 16, kernel: 3, bias: true },
    { name: 'down2 64→96 @8×8', Cin: 64, Cout: 96, H: 8, W: 8, kernel: 3, bias: true },
    { name: 'conv_out 1×1 96→16 @8×8', Cin: 96, Cout: 16, H: 8, W: 8, kernel: 1, bias: true },
    // Awkward ones.
    { name: 'Cin 1, Cout 5 @7×9', Cin: 1, Cout: 5, H: 7, W: 9, kernel: 3, bias: true },
    { name: 'batch 2, 1×1 Cin 13 → Cout 7 @5×3', B: 2, Cin: 13, Cout: 7, H: 5, W: 3, kernel: 1, bias: true },
    // Video (SPEC §8): G frames in, a clip's latent frames as the batch.
    { name: 'video conv_in G 2 → 8 @32×32, batch 3 latents', B: 3, Cin: 2, Cout: 8, H: 32, W: 32, kernel: 3, bias: true },
    { name: 'video conv_in G 3 → 3 @16×16, batch 2 latents', B: 2, Cin: 3, Cout: 3, H: 16, W: 16, kernel: 3, bias: true },
    { name: 'video conv_out 1×1 16→8 @4×4, batch 3', B: 3, Cin: 16, Cout: 8, H: 4, W: 4, kernel: 1, bias: true },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(s.name, await harness.run('conv2d', s)));
  }
});

test.describe('avgpool2x', () => {
  const SHAPES = [
    { name: 'encoder pool 32 planes 32×32 → 16×16', N: 32, Hin: 32, Win: 32 },
    { name: 'encoder pool 64 planes 16×16 → 8×8', N: 64, Hin: 16, Win: 16 },
    { name: '3 planes 6×10 (odd output sizes 3×5)', N: 3, Hin: 6, Win: 10 },
    { name: 'one 2×2 plane', N: 1, Hin: 2, Win: 2 },
    { name: '5 planes 2×14', N: 5, Hin: 2, Win: 14 },
    { name: 'video: 3 latents × 8 channels 32×32', N: 24, Hin: 32, Win: 32 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(s.name, await harness.run('avgpool2x', s)));
  }
});

test.describe('vq_nearest', () => {
  const SHAPES = [
    { name: '8×8 grid, code_dim 16, K 512 (the shipped tokenizer)', N: 64, D: 16, K: 512, dupes: 8 },
    { name: 'batch 3, 3×5 grid, D 7 of stride 9, K 37', B: 3, N: 15, D: 7, K: 37, ldc: 9, dupes: 4 },
    { name: 'K 1', N: 5, D: 3, K: 1 },
    { name: 'K 2 with the rows equal: always token 0', N: 9, D: 4, K: 2, dupes: 1 },
    { name: 'D 1, K 300, workgroup 1', N: 11, D: 1, K: 300, workgroupSize: 1 },
    { name: 'K 513 (one row past a workgroup multiple), workgroup 256', N: 6, D: 5, K: 513, workgroupSize: 256, dupes: 3 },
    { name: 'batch 2, 8×8, code_dim 16, K 512, workgroup 64', B: 2, N: 64, D: 16, K: 512, workgroupSize: 64, dupes: 16 },
    { name: 'video: 2 latents of 4×4, code_dim 8, K 512', B: 2, N: 16, D: 8, K: 512, dupes: 4 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => {
      const r = await harness.run('vqNearest', s);
      const e = r.extra as { nearTies: unknown[]; nearTieCells: number; exactTies: number };
      console.log(`  ${s.name}: ${e.exactTies} exact ties, ${e.nearTieCells} near-tie cells (${e.nearTies.length} differ: ${JSON.stringify(e.nearTies)})`);
      expectParity(s.name, r);
      if (s.dupes) expect(e.exactTies, 'the data holds exact ties').toBeGreaterThan(0);
    });
  }
});

test.describe('encoder ops: bad shapes', () => {
  const BAD: Array<[string, string]> = [
    ['avgpool-odd', 'avgpool2x'], ['avgpool-x-too-small', 'avgpool2x'], ['avgpool-alias', 'avgpool2x'],
    ['vq-stride', 'vq_nearest'], ['vq-codebook-too-small', 'vq_nearest'], ['vq-tokens-too-small', 'vq_nearest'],
    ['vq-alias', 'vq_nearest'], ['vq-workgroup', 'vq_nearest'],
  ];
  for (const [what, kernel] of BAD) {
    test(what, async ({ harness }) => {
      const r = await harness.run('encoderBadShape', { what });
      expect(r.error?.type).toBe('shape');
      expect(r.error?.message).toMatch(new RegExp(`^${kernel}: `));
      console.log(`  ${what}: ${r.error?.message}`);
    });
  }
});
