import { expect, expectParity, test } from './harness';

// Sampling (SPEC §5): tokens and plain argmax must equal the CPU reference exactly (it rounds the
// guided/tempered logits and Gumbel scores to f32 as the kernel does); conf and logp within
// 1e-4 (abs + rel). Softmax: 1e-5 relative (+1e-7 abs). Default workgroups are 4 on SwiftShader,
// so the real-GPU size 64 is tested explicitly.
test.describe('sample', () => {
  const SHAPES = [
    { name: 'P64 V512 (model) no guidance', P: 64, V: 512 },
    { name: 'P64 V512 guidance 2 (one batch-2 buffer)', P: 64, V: 512, guidance: 2, kappa: 4.5 * 0.5 },
    { name: 'P1 V512 guidance, separate uncond buffer', P: 1, V: 512, guidance: 1.5, separate: true, kappa: 3 },
    { name: 'P7 V513 of stride 520, τ 0.7', P: 7, V: 513, ld: 520, temperature: 0.7, kappa: 1 },
    { name: 'P13 V513 stride 600 guidance, step 5', P: 13, V: 513, ld: 600, guidance: 0.75, step: 5, kappa: 2 },
    { name: 'P64 V1024 (MaskGIT-sized vocab), τ 1.3', P: 64, V: 1024, temperature: 1.3, kappa: 4.5 },
    { name: 'P3 V5 tiny', P: 3, V: 5, kappa: 1 },
    { name: 'P64 V512 workgroup 64 (real-GPU default)', P: 64, V: 512, guidance: 2, workgroupSize: 64, kappa: 0.3 },
    { name: 'P20 V300 workgroup 1', P: 20, V: 300, workgroupSize: 1, kappa: 2 },
    { name: 'P64 V512 seed 2^32+5', P: 64, V: 512, seed: 2 ** 32 + 5, step: 11, kappa: 0 },
    { name: 'P48 V512 per-row seeds at an offset, guidance (a batch of 4 images)', P: 48, V: 512, guidance: 2, rowSeeds: true, step: 3, kappa: 2 },
    { name: 'P5 V37 per-row seeds, workgroup 64', P: 5, V: 37, rowSeeds: true, workgroupSize: 64, kappa: 1 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => {
      expectParity(s.name, await harness.run('sample', s));
    });
  }

  test('deterministic: same seed identical, other step/seed differ', async ({ harness }) => {
    expectParity('repeat', await harness.run('sampleRepeat', { P: 64, V: 512, kappa: 2, guidance: undefined }));
  });

  for (const what of ['v-over-stride', 'logits-too-small', 'guidance-too-small', 'alias', 'zero-temperature', 'zero-rows']) {
    test(`bad shape: ${what}`, async ({ harness }) => {
      const r = await harness.run('sampleBadShape', { what });
      expect(r.error?.type).toBe('shape');
      expect(r.error?.message).toMatch(/^sample: /);
      console.log(`  ${what}: ${r.error?.message}`);
    });
  }
});

test.describe('softmax', () => {
  const SHAPES = [
    { name: 'R1 N1', R: 1, N: 1 },
    { name: 'R3 N5', R: 3, N: 5 },
    { name: 'R64 N512 (logits)', R: 64, N: 512 },
    { name: 'R130 N65 of stride 72 (attention rows, CFG)', R: 130, N: 65, ldx: 72, ldy: 80 },
    { name: 'R257 N257 (MaskGIT-base attention), workgroup 64', R: 257, N: 257, workgroupSize: 64 },
    { name: 'R17 N513 τ 0.5, scale 20', R: 17, N: 513, temperature: 0.5, scale: 20 },
    { name: 'R9 N100 in place, stride 128', R: 9, N: 100, ldx: 128, inPlace: true },
    { name: 'R33 N77 workgroup 1', R: 33, N: 77, workgroupSize: 1 },
  ];
  for (const s of SHAPES) {
    test(s.name, async ({ harness }) => {
      expectParity(s.name, await harness.run('softmax', s));
    });
  }
  test('bad shape: N over stride', async ({ harness }) => {
    const r = await harness.run('sampleBadShape', { what: 'softmax-over-stride' });
    expect(r.error?.type).toBe('shape');
    expect(r.error?.message).toMatch(/^softmax: /);
  });
});

test('rng.wgsl: rng_u32/uniform bit-exact, gumbel within 1e-6 (incl. u → 1)', async ({ harness }) => {
  expectParity('rng', await harness.run('rng', { n: 65536, seed: 1234, step: 5 }));
});
