// scripts/gpu-check.sh end to end in its quick form (MGNT_GPU_CHECK_QUICK=1: two kernel shapes,
// two schedules, one MaskGIT-base layer) on SwiftShader unless MGNT_NODE_GPU says otherwise:
// one JSON on stdout with every section filled from real runs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('scripts/gpu-check.sh prints one JSON: adapter, kernel GFLOP/s, ms per image per schedule, MaskGIT-base ms per step', async () => {
  const { stdout } = await promisify(execFile)('scripts/gpu-check.sh', [], {
    // The script's own 290 s cap is for an idle machine; a loaded one (CI sharing cores) gets longer.
    env: { ...process.env, MGNT_GPU_CHECK_QUICK: '1', MGNT_GPU_CHECK_TIMEOUT: '590', MGNT_NODE_GPU: process.env.MGNT_NODE_GPU ?? 'swiftshader' },
    maxBuffer: 16 << 20,
  });
  const r = JSON.parse(stdout);
  expect(r.adapter.vendor).toBeTruthy();
  expect(r.gpu_errors).toEqual([]);
  if (r.adapter.cpu_adapter) expect(r.fp32_peak_tflops).toBeNull();
  expect(r.kernels.map((k: { shape: string }) => k.shape)).toEqual(['maskgit-base qkv 257×768×768', 'model attention full b2 65q 8h×24']);
  for (const k of r.kernels) expect(k.gflops).toBeGreaterThan(0);
  expect(r.images.model).toBe('fmnist-s');
  expect(Object.keys(r.images.ms_per_image)).toEqual(['baseline', 'magnets']);
  expect(r.images.ms_per_image.magnets).toBeGreaterThan(0);
  expect(r.images.rows.magnets.gflops).toBeLessThan(r.images.rows.baseline.gflops);
  const base = r.maskgit_base;
  expect(base.shape).toMatchObject({ dim: 768, heads: 12, mlp: 3072, layers: 24, layers_run: 1, tokens: 257 });
  expect(base.reduced).toMatch(/^1 of 24 layers \(quick form\)/);
  const { full_width_full_pass: full, width_1_8_cached_pass: cached } = base.rows;
  expect(full.ms_per_step).toBeGreaterThan(0);
  expect(cached.ms_per_step).toBeGreaterThan(0);
  expect(cached.gflop_per_step).toBeLessThan(full.gflop_per_step / 8);
  expect(base.ms_per_step_24_layers_est.full_width_full_pass).toBeCloseTo(full.ms_per_step * 24, 3);
}, 600_000);
