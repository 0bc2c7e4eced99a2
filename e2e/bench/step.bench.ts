import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { StepBenchConfig } from './step-page';
import { record } from './results';

// Dispatches and ms per decode step at each fusion level of a transformer layer (none: 9
// dispatches per layer, qkv: 7, qkv-ln2 (default): 6, all: 5), side by side in one run, with a per-kernel-kind profile.
test('step: fusion levels side by side on the shipped model', async ({ page }) => {
  expect(existsSync('public/models/fmnist-s/manifest.json'), 'the shipped checkpoint is missing: run train/export.py').toBe(true);
  await page.goto('/e2e/bench/step.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const cfg: StepBenchConfig = {
    model: '/models/fmnist-s/manifest.json', fusions: ['none', 'qkv', 'qkv-ln2', 'all'], widths: [0.125, 1], cachedPositions: 6,
    rounds: Number(process.env.MGNT_BENCH_ROUNDS ?? 7), reps: 10, steps: 12,
  };
  const r = await page.evaluate((c) => window.stepBench.run(c), cfg);
  console.log(`\nper pass (CFG batch 2), ${r.model}: ms median (p10-p90), dispatches, ×none`);
  for (const p of r.passes) {
    const none = r.passes.find((q) => q.pass === p.pass && q.width === p.width && q.fusion === 'none')!;
    console.log(`${`${p.pass} w${p.width} ${p.fusion}`.padEnd(22)} ${p.median.toFixed(2).padStart(8)} (${p.p10.toFixed(2)}-${p.p90.toFixed(2)})  ${String(p.dispatches).padStart(4)}  ${(p.median / none.median).toFixed(3)}×`);
    console.log(`    profile ms: ${Object.entries(p.profile).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  console.log('\nper generation step (12 steps, guidance 2): ms/step, dispatches/step, ×none');
  for (const g of r.generations) {
    const none = r.generations.find((q) => q.schedule === g.schedule && q.fusion === 'none')!;
    console.log(`${`${g.schedule} ${g.fusion}`.padEnd(22)} ${g.ms_per_step.toFixed(2).padStart(8)}  ${g.dispatches_per_step.toFixed(1).padStart(6)}  ${(g.median / none.median).toFixed(3)}×`);
  }
  for (const p of r.passes) expect(p.median).toBeGreaterThan(0);
  record('step', r);
});
