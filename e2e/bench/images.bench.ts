import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { BatchBenchConfig } from './batch-page';
import type { ImageBenchConfig, ImageBenchRow } from './images-page';
import { record } from './results';
import { IMAGE_SCHEDULES as SCHEDULES, SHIPPED_IMAGE_BENCH } from './shapes';

function table(title: string, rows: Record<string, ImageBenchRow>): void {
  const base = rows.baseline;
  console.log(`\n${title}`);
  console.log('schedule              ms median (p10-p90)      GFLOPs   ×baseline ms  ×baseline GFLOPs  dispatches/step submits/step');
  for (const [name, r] of Object.entries(rows)) {
    console.log(
      `${name.padEnd(20)} ${r.ms_median.toFixed(0).padStart(7)} (${r.p10.toFixed(0)}-${r.p90.toFixed(0)})`.padEnd(46) +
        `${r.gflops.toFixed(3).padStart(8)}   ${(r.ms_median / base.ms_median).toFixed(3).padStart(10)}   ${(r.gflops / base.gflops).toFixed(3).padStart(14)}` +
        `   ${r.dispatches_per_step.toFixed(1).padStart(10)} ${r.submits_per_step.toFixed(2).padStart(10)}`,
    );
  }
  console.log('where the time goes (median ms per width over the timed runs; GFLOP/s = that width\'s GFLOPs ÷ its ms):');
  for (const [name, r] of Object.entries(rows)) {
    const parts = Object.entries(r.by_width).map(([w, x]) => `${w} ×${x.steps}: ${x.ms.toFixed(0)} ms ${(x.gflops / x.ms * 1e3).toFixed(2)} GFLOP/s`);
    console.log(`  ${name.padEnd(18)} ${parts.join(' | ')} | decoder + rest ${r.decoder_ms.toFixed(0)} ms`);
  }
}


test('images: schedules side by side on the shipped model', async ({ page }) => {
  expect(existsSync('public/models/fmnist-s/manifest.json'), 'the shipped checkpoint is missing: run train/export.py').toBe(true);
  await page.goto('/e2e/bench/images.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const cfg: ImageBenchConfig = {
    ...SHIPPED_IMAGE_BENCH, schedules: SCHEDULES,
    rounds: Number(process.env.MGNT_BENCH_ROUNDS ?? 7), warmup: 2,
  };
  const r = await page.evaluate((c) => window.imageBench.run(c), cfg);
  table(`per image, ${r.model}, 12 steps, guidance 2 (cond + null batched)`, r.rows);
  record('images', r.rows);
  record('images_model', r.model);
  // The issue's targets, stated in the JSON with the measured figure whether met or not.
  const m = r.rows.magnets, b = r.rows.baseline;
  record('targets', {
    gflops_magnets_over_baseline: { measured: m.gflops / b.gflops, target: 1 / 3, met: m.gflops / b.gflops <= 1 / 3 },
    wall_magnets_over_baseline: { measured: m.ms_median / b.ms_median, target: 1 / 2.5, met: m.ms_median / b.ms_median <= 1 / 2.5 },
    quality_within_5pct: { measured: 'see docs/QUALITY.md (accuracy −1%, FID +16% for the shipped magnets)', met: false },
  });
});

// The video model (issue 11): one clip = 5 latent frames of 8×8 tokens (320 tokens), the same
// decode loop. The shipped schedule keeps six full-width steps; m4-2-3-3 is the cheaper one that
// train/evaluate_video*.py evaluate next to it. Env: MGNT_BENCH_CLIP_ROUNDS (3).
test('images: video clips side by side, mfmnist-video', async ({ page }) => {
  expect(existsSync('public/models/mfmnist-video/manifest.json'), 'the shipped video checkpoint is missing: run train/export_video.py').toBe(true);
  await page.goto('/e2e/bench/images.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const cfg: ImageBenchConfig = {
    model: '/models/mfmnist-video/manifest.json', steps: 12, guidance: 2, classIndex: 7,
    rounds: Number(process.env.MGNT_BENCH_CLIP_ROUNDS ?? 3), warmup: 1,
    schedules: {
      baseline: { schedule: 'baseline', cache: false },
      magnets: { schedule: 'magnets', cache: true },
      'm4-2-3-3': { schedule: '1/8,1/8,1/8,1/8,1/4,1/4,1/2,1/2,1/2,1,1,1', cache: true },
      'baseline-cache': { schedule: 'baseline', cache: true },
    },
  };
  const r = await page.evaluate((c) => window.imageBench.run(c), cfg);
  table(`per clip, ${r.model}, 9 frames (320 tokens), 12 steps, guidance 2`, r.rows);
  record('clips', { model: r.model, rows: r.rows });
});

test('images: MaskGIT-base-sized nested transformer (random weights), speed only', async ({ page }) => {
  await page.goto('/e2e/bench/images.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const layers = Number(process.env.MGNT_BENCH_BASE_LAYERS ?? 1);
  const cfg: ImageBenchConfig = {
    model: { layers, dim: 768, heads: 12, mlp: 3072, grid: [16, 16] },
    steps: 8, guidance: 0, classIndex: 1, rounds: Number(process.env.MGNT_BENCH_BASE_ROUNDS ?? 2), warmup: 1,
    schedules: {
      baseline: { schedule: 'baseline', cache: false },
      magnets: { schedule: '1/8,1/8,1/8,1/4,1/4,1/2,1,1', cache: true },
      'magnets-nocache': { schedule: '1/8,1/8,1/8,1/4,1/4,1/2,1,1', cache: false },
    },
  };
  const r = await page.evaluate((c) => window.imageBench.run(c), cfg);
  table(`per image, ${r.model}, 8 steps, no guidance`, r.rows);
  record('images_base', { model: r.model, rows: r.rows });
});

// Batched generation (issue 13): images/s at batch 1, 4, 8, 16 on the shipped model, magnets and
// baseline; one timed run = one batch of b images (mixed classes and seeds), all in one page.
// Env: MGNT_BENCH_BATCHES (1,4,8,16), MGNT_BENCH_BATCH_SCHEDULES (magnets,baseline),
// MGNT_BENCH_BATCH_ROUNDS (3), MGNT_BENCH_BATCH_WARMUP (1).
const BATCH_SCHEDULES: BatchBenchConfig['schedules'] = { magnets: { schedule: 'magnets', cache: true }, baseline: { schedule: 'baseline', cache: false } };

test('images: batched generation, images/s at batch 1, 4, 8, 16', async ({ page }) => {
  expect(existsSync('public/models/fmnist-s/manifest.json'), 'the shipped checkpoint is missing: run train/export.py').toBe(true);
  await page.goto('/e2e/bench/images.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const batches = (process.env.MGNT_BENCH_BATCHES ?? '1,4,8,16').split(',').map(Number);
  const cfg: BatchBenchConfig = {
    model: '/models/fmnist-s/manifest.json', steps: 12, guidance: 2, batches,
    schedules: Object.fromEntries(Object.entries(BATCH_SCHEDULES).filter(([k]) => (process.env.MGNT_BENCH_BATCH_SCHEDULES ?? 'magnets,baseline').split(',').includes(k))),
    rounds: Number(process.env.MGNT_BENCH_BATCH_ROUNDS ?? 3), warmup: Number(process.env.MGNT_BENCH_BATCH_WARMUP ?? 1),
  };
  const r = await page.evaluate((c) => window.batchBench.run(c), cfg);
  console.log(`\nbatched generation, ${r.model}, 12 steps, guidance 2 (two sequences per image)`);
  console.log('schedule  batch   ms per batch (p10-p90)   ms/image   images/s   ×batch 1   submits/step');
  for (const row of Object.values(r.rows)) {
    console.log(
      `${row.schedule.padEnd(9)} ${String(row.batch).padStart(5)}   ${row.median.toFixed(0).padStart(8)} (${row.p10.toFixed(0)}-${row.p90.toFixed(0)})`.padEnd(43) +
        `${row.ms_per_image.toFixed(0).padStart(8)}   ${row.images_per_s.toFixed(2).padStart(8)}   ${row.speedup.toFixed(2).padStart(8)}   ${row.submits_per_step.toFixed(2).padStart(10)}`,
    );
  }
  for (const row of Object.values(r.rows)) {
    console.log(`  ${row.schedule} b${row.batch} step ms (width:ms): ${row.steps.map(([w, ms]) => `${w}:${ms}`).join(' ')}; decode ${row.decode_ms} ms`);
  }
  record('images_batch', { model: r.model, rows: r.rows });
  const b8 = r.rows['magnets b8'];
  if (b8) record('targets_batch', { batch8_over_batch1_images_per_s: { measured: b8.speedup, target: 3, met: b8.speedup >= 3 } });
});
