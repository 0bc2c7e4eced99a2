import { expect, expectParity, test } from './harness';

// The whole nested transformer on random weights. Parity with PyTorch is in model-golden.spec.ts.
test.describe('nested transformer (random weights)', () => {
  for (const width of [0.125, 0.5, 1]) {
    test(`KV cache: incremental pass with unchanged tokens equals the full pass, width ${width}`, async ({ harness }) => {
      const r = await harness.run('cacheConsistency', { width, subset: [0, 3, 7, 8, 40, 63] });
      expectParity(`cache width ${width}`, r);
      const e = r.extra as { fullFlops: number; incFlops: number };
      expect(e.incFlops).toBeLessThan(e.fullFlops / 3);
    });
  }

  test('generation is deterministic per seed, with one submit and one readback per step', async ({ harness }) => {
    const widths = [0.125, 0.125, 0.25, 0.5, 1, 1];
    const r = await harness.run('generateRandom', { widths, cache: true, guidance: 2 });
    const e = r.extra as { same: boolean; differs: boolean; valid: boolean; submits: number; readbacks: number; steps: Array<{ w: number; n: number; full: boolean; masked: number }> };
    console.log('  ', JSON.stringify(e));
    expect(e.same, 'same seed, same tokens').toBe(true);
    expect(e.differs, 'another seed, other tokens').toBe(true);
    expect(e.valid).toBe(true);
    // Full passes exactly at step 0 and at each width change; incremental passes elsewhere.
    expect(e.steps.map((s) => s.full)).toEqual([true, false, true, true, true, false]);
    expect(e.steps[5].n).toBeLessThan(65);
    // 6 steps + 1 final decode: one submit and one readback each.
    expect(e.submits).toBe(7);
    expect(e.readbacks).toBe(7);
    expect(r.liveBytesDelta).toBe(0);
    expect(r.gpuErrors).toEqual([]);
  });
});

// The VQ encoder on random weights against the CPU reference composed of the kernel references
// (src/reference/encoder.ts). Parity with PyTorch is in model-golden.spec.ts.
test.describe('VQ encoder (random weights)', () => {
  for (const c of [{ channels: [16, 24, 32], groups: 8 }, { channels: [8, 12, 20], groups: 4 }]) {
    test(`z and tokens equal the CPU reference, channels ${c.channels} groups ${c.groups}; one submit and one readback per encode`, async ({ harness }) => {
      const r = await harness.run('encoderRandom', { images: 5, ...c });
      const e = r.extra as { mismatched: number; excused: number; submits: number; readbacks: number; encodes: number; flops: number; liveAfter: number };
      console.log('  ', JSON.stringify(e));
      expectParity('encoder z (rtol 1e-3, atol 1e-4)', r);
      // Tokens equal wherever the reference's best/second-best gap is ≥ 1e-3 (near-ties counted).
      expect(e.mismatched).toBe(0);
      expect(e.submits).toBe(e.encodes);
      expect(e.readbacks).toBe(e.encodes);
      expect(e.flops).toBeGreaterThan(0);
      expect(e.liveAfter).toBe(0);
    });
  }
});
