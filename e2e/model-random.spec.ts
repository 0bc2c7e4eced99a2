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
