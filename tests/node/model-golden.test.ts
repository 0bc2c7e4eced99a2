// The shipped model (public/models/fmnist-s, read from disk) under Node/Dawn against the PyTorch
// golden files, through the browser's golden cases (e2e/harness/cases/golden.ts): logits at every
// width with and without the KV cache, decoder pixels, and whole generations token for token
// after every step. e2e/model-golden.spec.ts runs every golden generation in the browser; here the
// cheapest full-width one (8 steps, no guidance) and a nested (magnets) one keep `npm test` short.
// MGNT_NODE_GOLDEN=all runs all of them (a few minutes on SwiftShader).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectParity, Harness } from '../../node/harness';

const NAME = 'fmnist-s';
const golden = JSON.parse(readFileSync(`e2e/golden/${NAME}/golden.json`, 'utf8')) as { generation: Array<{ schedule: string; cache: boolean }> };
const pick = (schedule: string, cache: boolean, nth = 0) => golden.generation.flatMap((g, i) => (g.schedule === schedule && g.cache === cache ? [i] : []))[nth];
const INDEXES = process.env.MGNT_NODE_GOLDEN === 'all' ? golden.generation.map((_, i) => i) : [golden.generation.length - 1, pick('magnets', true)];

describe(`${NAME} against the PyTorch golden files (Node/Dawn)`, () => {
  const harness = new Harness();
  // Loads the checkpoint and goldens once, so the model is resident before any case measures the pool.
  beforeAll(() => harness.run('goldenInfo', { name: NAME }));

  it('logits at every width, full pass and KV-cached incremental pass (atol 1e-3)', async () => {
    expectParity('logits', await harness.run('goldenLogits', { name: NAME }));
  });

  it('decoder pixels (gray8 within one level)', async () => {
    expectParity('decoder', await harness.run('goldenDecoder', { name: NAME }));
  });

  for (const index of INDEXES) {
    const g = golden.generation[index];
    it(`generation ${index} (${g.schedule}, cache ${g.cache}): the same tokens after every step, pixels within one level`, async () => {
      expect(index, `no golden generation for this schedule`).toBeGreaterThanOrEqual(0);
      const r = await harness.run('goldenGeneration', { name: NAME, index });
      const e = r.extra as { label: string; firstMismatch: unknown; gflops: number };
      console.log(`  golden generation ${index} ${e.label}: ${r.ok ? 'tokens equal' : `MISMATCH ${JSON.stringify(e.firstMismatch)}`} pixels bad=${r.parts?.pixels.bad} ${e.gflops.toFixed(3)} GFLOPs`);
      expect(e.firstMismatch).toBeNull();
      expectParity(`generation ${index}`, r);
    });
  }
});
