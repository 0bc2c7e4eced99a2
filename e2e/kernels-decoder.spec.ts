import { expect, expectParity, test } from './harness';

// VQ decoder ops (SPEC §1). Tolerances: conv2d 1e-4 relative + 2e-5·sqrt(Cin·K²) absolute
// (f32 accumulation vs f64); groupnorm 1e-4 relative + 1e-5 absolute; upsample2x,
// codebook_lookup and pack_image exact. Every buffer is used at an element offset and compared
// whole, so writes outside the output are caught.
test.describe('conv2d', () => {
  const SHAPES = [
    // The decoder's real shapes (channels [64, 48, 32], code_dim 16).
    { name: 'conv_in 16→64 @8×8', Cin: 16, Cout: 64, H: 8, W: 8, kernel: 3, bias: true },
    { name: 'res conv 64→64 @8×8 + residual', Cin: 64, Cout: 64, H: 8, W: 8, kernel: 3, bias: true, residual: true },
    { name: 'up1 64→48 @16×16 from upsampled 8×8', Cin: 64, Cout: 48, H: 16, W: 16, kernel: 3, bias: true, upsample: true },
    { name: 'res conv 48→48 @16×16 + residual', Cin: 48, Cout: 48, H: 16, W: 16, kernel: 3, bias: true, residual: true },
    { name: 'up2 48→32 @32×32 from upsampled 16×16', Cin: 48, Cout: 32, H: 32, W: 32, kernel: 3, bias: true, upsample: true },
    { name: 'conv_out 32→1 @32×32', Cin: 32, Cout: 1, H: 32, W: 32, kernel: 3, bias: true },
    // Awkward ones.
    { name: '1×1 64→48 @16×16', Cin: 64, Cout: 48, H: 16, W: 16, kernel: 1, bias: true },
    { name: 'Cout 3 Cin 5 @7×5', Cin: 5, Cout: 3, H: 7, W: 5, kernel: 3, bias: true },
    { name: '1×1 Cout 3 Cin 5 @7×5 + residual', Cin: 5, Cout: 3, H: 7, W: 5, kernel: 1, residual: true },
    { name: 'Cout 2 Cin 3 @6×7 + residual (2 channels per invocation)', Cin: 3, Cout: 2, H: 6, W: 7, kernel: 3, bias: true, residual: true },
    { name: '1×1 image 3×3 kernel', Cin: 5, Cout: 3, H: 1, W: 1, kernel: 3, bias: true },
    { name: '1×1 image 1×1 kernel, Cout 9', Cin: 7, Cout: 9, H: 1, W: 1, kernel: 1 },
    { name: 'upsampled 2×6 from 1×3, Cout 11', Cin: 3, Cout: 11, H: 2, W: 6, kernel: 3, bias: true, upsample: true, residual: true },
    { name: 'batch 2, 13×9, Cout 10', B: 2, Cin: 6, Cout: 10, H: 13, W: 9, kernel: 3, bias: true, residual: true },
    { name: 'batch 3 upsampled 1×1 @10×14', B: 3, Cin: 4, Cout: 5, H: 10, W: 14, kernel: 1, upsample: true, bias: true },
    // Video (SPEC §8): a clip's latent frames as the batch, G = 2 or 3 frames in/out.
    { name: 'video conv_out 8→2 (G) @32×32, batch 3 latents', B: 3, Cin: 8, Cout: 2, H: 32, W: 32, kernel: 3, bias: true },
    { name: 'video conv_out 3→3 (G) @16×16, batch 3 latents', B: 3, Cin: 3, Cout: 3, H: 16, W: 16, kernel: 3, bias: true },
    { name: 'video up3 8→8 upsampled @32×32, batch 3', B: 3, Cin: 8, Cout: 8, H: 32, W: 32, kernel: 3, bias: true, upsample: true },
    { name: 'video conv_in code 8→16 @4×4, batch 5', B: 5, Cin: 8, Cout: 16, H: 4, W: 4, kernel: 3, bias: true },
    { name: 'video res conv 12→12 @16×16 + residual, batch 3', B: 3, Cin: 12, Cout: 12, H: 16, W: 16, kernel: 3, bias: true, residual: true },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => {
      expectParity(s.name, await harness.run('conv2d', s));
    });
  }
  for (const s of [{ N: 64, Hin: 8, Win: 8 }, { N: 3, Hin: 5, Win: 7 }, { N: 1, Hin: 1, Win: 1 }]) {
    const name = `upsample2x ${s.N}×${s.Hin}×${s.Win}`;
    test(name, async ({ harness }) => expectParity(name, await harness.run('upsample2x', s)));
  }
});

test.describe('groupnorm', () => {
  const SHAPES = [
    { name: 'C64 8×8 G8 + SiLU (res0)', C: 64, HW: 64, G: 8, silu: true },
    { name: 'C48 16×16 G8 + SiLU (res1)', C: 48, HW: 256, G: 8, silu: true },
    { name: 'C32 32×32 G8 + SiLU (norm_out), workgroup 64', C: 32, HW: 1024, G: 8, silu: true, workgroupSize: 64 },
    { name: 'C32 32×32 G8 no SiLU, mean 100', C: 32, HW: 1024, G: 8, shift: 100 },
    { name: 'C6 7×5 G3, batch 2', B: 2, C: 6, HW: 35, G: 3, silu: true },
    { name: 'C5 1×1 G5 (one element per group)', C: 5, HW: 1, G: 5 },
    { name: 'C12 3×3 G1, in place', C: 12, HW: 9, G: 1, silu: true, inPlace: true },
    { name: 'C48 16×16 G8 workgroup 1', C: 48, HW: 256, G: 8, silu: true, workgroupSize: 1 },
    { name: 'C64 8×8 G8 workgroup 256', C: 64, HW: 64, G: 8, workgroupSize: 256 },
    { name: 'video norm_out C8 32×32 G4 + SiLU, batch 3 latents', B: 3, C: 8, HW: 1024, G: 4, silu: true },
    { name: 'video C9 2×2 G3 + SiLU, batch 3 latents', B: 3, C: 9, HW: 4, G: 3, silu: true },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(s.name, await harness.run('groupnorm', s)));
  }
});

test.describe('codebook_lookup', () => {
  const SHAPES = [
    { name: '8×8 grid, code_dim 16, K 512', N: 64, D: 16, K: 512 },
    { name: 'batch 2, 3×5 grid, D 7 of stride 9, K 10', B: 2, N: 15, D: 7, K: 10, ldc: 9 },
    { name: 'one cell, D 1, K 1', N: 1, D: 1, K: 1 },
    { name: 'video: 3 latents of 4×4, code_dim 8, K 512', B: 3, N: 16, D: 8, K: 512 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(s.name, await harness.run('codebookLookup', s)));
  }
});

test.describe('pack_image', () => {
  const SHAPES = [
    { name: '32×32 pad 2 → 28×28', H: 32, W: 32, pad: 2 },
    { name: 'batch 3, 9×7 pad 1 (35 pixels, partial word)', B: 3, H: 9, W: 7, pad: 1 },
    { name: '5×5 pad 0, gray only', H: 5, W: 5, pad: 0, only: 'gray' },
    { name: '32×32 pad 2, rgba only', H: 32, W: 32, pad: 2, only: 'rgba' },
    { name: 'video: 3 latents × G 2 = 6 planes 32×32 pad 0, gray only', B: 6, H: 32, W: 32, pad: 0, only: 'gray' },
    { name: 'video: 9 planes 16×16 pad 2 (144 pixels each)', B: 9, H: 16, W: 16, pad: 2, only: 'gray' },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => expectParity(s.name, await harness.run('packImage', s)));
  }
});

test.describe('decoder ops: bad shapes', () => {
  const BAD: Array<[string, string]> = [
    ['conv2d-w-too-small', 'conv2d'], ['conv2d-kernel-5', 'conv2d'], ['conv2d-upsample-odd', 'conv2d'], ['conv2d-alias', 'conv2d'],
    ['groupnorm-groups', 'groupnorm'], ['groupnorm-x-too-small', 'groupnorm'],
    ['codebook-stride', 'codebook_lookup'], ['codebook-alias', 'codebook_lookup'],
    ['pack-pad', 'pack_image'], ['pack-no-output', 'pack_image'], ['upsample-too-small', 'upsample2x'],
  ];
  for (const [what, kernel] of BAD) {
    test(what, async ({ harness }) => {
      const r = await harness.run('decoderBadShape', { what });
      expect(r.error?.type).toBe('shape');
      expect(r.error?.message).toMatch(new RegExp(`^${kernel}: `));
      console.log(`  ${what}: ${r.error?.message}`);
    });
  }
});
