import { existsSync } from 'node:fs';
import { expect, expectParity, test } from './harness';

// The shipped checkpoints in the browser against PyTorch (golden files from train/export.py and
// train/export_video.py): the same spec for every model kind (docs/SPEC.md §8: a video model is
// data, not code). Every listed model's goldens must exist. MGNT_GOLDEN=name,name overrides the list.
const MODELS = (process.env.MGNT_GOLDEN ?? 'fmnist-s,mfmnist-video').split(',').filter(Boolean);

for (const NAME of MODELS) test.describe(`${NAME} against the PyTorch golden files`, () => {
  test('the checkpoint and its golden files are there', () => {
    expect(existsSync(`public/models/${NAME}/manifest.json`), `public/models/${NAME}/manifest.json`).toBe(true);
    expect(existsSync(`e2e/golden/${NAME}/golden.json`), `e2e/golden/${NAME}/golden.json (train/export*.py writes it)`).toBe(true);
  });

  // Loads the checkpoint and goldens into the page once (the model stays resident, so the cases
  // below allocate nothing and the pool check in expectParity holds).
  test.beforeEach(async ({ harness }) => {
    await harness.run('goldenInfo', { name: NAME });
  });

  test('logits at every width, full pass and KV-cached incremental pass (atol 1e-3)', async ({ harness }) => {
    expectParity('logits', await harness.run('goldenLogits', { name: NAME }));
  });

  // Every fusion level of a layer (src/model/transformer.ts Fusion) against the same goldens.
  for (const fusion of ['none', 'qkv', 'all'] as const) {
    test(`logits with layer fusion '${fusion}' (atol 1e-3)`, async ({ harness }) => {
      expectParity(`logits ${fusion}`, await harness.run('goldenLogits', { name: NAME, fusion }));
    });
  }

  test('decoder pixels (gray8 within one level)', async ({ harness }) => {
    expectParity('decoder', await harness.run('goldenDecoder', { name: NAME }));
  });

  // Fails (does not skip) while golden.json has no "encoder" list or the checkpoint no encoder.
  test('encoder: z within 1e-3, tokens equal wherever the best/second-best gap exceeds 1e-3', async ({ harness }) => {
    const r = await harness.run('goldenEncoder', { name: NAME });
    const e = r.extra as { problem?: string; images?: number; nearTies?: number; flipped?: number };
    expect(e.problem, e.problem).toBeUndefined();
    console.log(`  golden encoder: ${e.images} images, ${e.nearTies} near-tie cells (margin ≤ 1e-3), ${e.flipped} of them flipped`);
    expect(e.images).toBeGreaterThan(0);
    expectParity('encoder', r);
  });

  test('generations: the same tokens after every step, for every golden seed, schedule and cache mode', async ({ harness }) => {
    const info = await harness.run('goldenInfo', { name: NAME });
    const n = (info.extra as { generations: number }).generations;
    expect(n).toBeGreaterThan(0);
    const failures: string[] = [];
    for (let index = 0; index < n; index++) {
      const r = await harness.run('goldenGeneration', { name: NAME, index });
      const e = r.extra as { label: string; firstMismatch: unknown; gflops: number };
      console.log(`  golden generation ${index} ${e.label}: ${r.ok ? 'tokens equal' : `MISMATCH ${JSON.stringify(e.firstMismatch)}`} pixels bad=${r.parts?.pixels.bad} ${e.gflops.toFixed(3)} GFLOPs`);
      if (!r.ok) failures.push(`${e.label}: ${JSON.stringify(e.firstMismatch)} pixels bad ${r.parts?.pixels.bad}`);
      expect(r.gpuErrors).toEqual([]);
    }
    expect(failures).toEqual([]);
  });
});
