import { expect, expectParity, test } from './harness';

// Batched generation (pipeline/generate-batch.ts) with the shipped checkpoints: every image of a
// batch is token-identical, step by step, to its own solo generate() run, and a group costs one
// submit and one readback per step (plus the per-image decoder passes).
test.describe('batched generation, fmnist-s', () => {
  test.beforeEach(async ({ harness }) => {
    await harness.run('batchModel', { name: 'fmnist-s' });
  });

  test('a batch of one equals the unbatched run', async ({ harness }) => {
    const r = await harness.run('batchVsSolo', { name: 'fmnist-s', requests: [{ classIndex: 3, seed: 7 }] });
    expectParity('batch of one', r);
    const e = r.extra as { sizes: number[]; submits: number[]; stepsPerImage: number[] };
    expect(e.sizes).toEqual([1]);
  });

  test('mixed batch: classes, the null class, fixed tokens, guidance on; other groups split off', async ({ harness }) => {
    const requests = [
      { classIndex: 0, seed: 1, fixedFrom: { count: 5, seed: 1 } },
      { classIndex: null, seed: 2, fixedFrom: { count: 5, seed: 2 } },
      { classIndex: 7, seed: 2 ** 32 + 3 },
      { classIndex: 9, seed: 4, fixedFrom: { count: 5, seed: 3 } },
      { classIndex: 5, seed: 5, guidance: 0 },
      { classIndex: 5, seed: 6, cache: false, schedule: 'baseline', steps: 6 },
      { classIndex: null, seed: 8 },
      { classIndex: 2, seed: 9, guidance: 0 },
    ];
    const r = await harness.run('batchVsSolo', { name: 'fmnist-s', requests });
    expectParity('mixed batch', r);
    const e = r.extra as { sizes: number[]; stepsPerImage: number[]; submits: number[]; readbacks: number[]; maxBatchAfter: number; baseBatch: number };
    // 5 fixed (3 images) | none, guidance 2 (2) | guidance 0 (2) | baseline without cache (1).
    expect(e.sizes).toEqual([3, 3, 2, 3, 2, 1, 2, 2]);
    // One submit and one readback per step for the group, then one decoder pass for all its images.
    for (const [i, size] of e.sizes.entries()) {
      expect(e.readbacks[i], `image ${i} (batch of ${size})`).toBe(e.stepsPerImage[i] + 1);
      expect(e.submits[i], `image ${i} (batch of ${size})`).toBe(e.stepsPerImage[i] + 1);
    }
    expect(e.maxBatchAfter, 'buffers given back after the batch').toBe(e.baseBatch);
  });

  test('a batch size smaller than a group splits it', async ({ harness }) => {
    const requests = Array.from({ length: 5 }, (_, i) => ({ classIndex: i, seed: 100 + i, steps: 6 }));
    const r = await harness.run('batchVsSolo', { name: 'fmnist-s', requests, batch: 2 });
    expectParity('batch 2 of 5', r);
    expect((r.extra as { sizes: number[] }).sizes).toEqual([2, 2, 2, 2, 1]);
  });
});

test.describe('batched generation: bad batches', () => {
  for (const [what, msg] of [
    ['empty', /^generateBatch\(\): the batch is empty/],
    ['too-large', /^batch size 100000 is too large for fmnist-s on this GPU: at most \d+ images/],
    ['too-many', /^generateBatch\(\): 5000 requests exceed the limit of 4096 per call; split them/],
    ['bad-request', /^request 1: class 99 is not one of 0\.\.9/],
  ] as const) {
    test(`${what}: bad-attribute before any GPU work, buffers unchanged`, async ({ harness }) => {
      const r = await harness.run('batchFault', { name: 'fmnist-s', what });
      expect(r.error?.type).toBe('bad-attribute');
      expect(r.error?.message).toMatch(msg);
      expect(r.extra).toEqual({ submits: 0, maxBatch: 2 });
    });
  }
});

test.describe('batched generation, mfmnist-video', () => {
  test('a batch of 2 clips with frame-prediction fixed tokens equals the solo runs', async ({ harness }) => {
    await harness.run('batchModel', { name: 'mfmnist-video' });
    // The first latent frame (64 tokens) given, as frame prediction fixes it; null class, guidance 0.
    const first = (seed: number) => {
      let x = seed;
      const tokens = Array.from({ length: 64 }, () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) % 512);
      return { positions: Array.from({ length: 64 }, (_, i) => i), tokens };
    };
    const requests = [
      { classIndex: null, guidance: 0, seed: 11, steps: 4, fixed: first(1) },
      { classIndex: null, guidance: 0, seed: 12, steps: 4, fixed: first(2) },
    ];
    const r = await harness.run('batchVsSolo', { name: 'mfmnist-video', requests });
    expectParity('video batch of 2', r);
    expect((r.extra as { sizes: number[] }).sizes).toEqual([2, 2]);
  });
});
