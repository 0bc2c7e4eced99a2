import { expect, test } from '@playwright/test';
import type { KernelShape } from './kernels-page';
import { record } from './results';
import { KERNEL_SHAPES as SHAPES } from './shapes';


test('kernels: GFLOP/s on the model and MaskGIT-base shapes', async ({ page }) => {
  await page.goto('/e2e/bench/kernels.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const rounds = Number(process.env.MGNT_BENCH_ROUNDS ?? 10);
  const filter = process.env.MGNT_BENCH_FILTER; // substring of a shape label, to rerun a few
  const shapes = filter ? SHAPES.filter((s) => s.label.includes(filter)) : SHAPES;
  const libs = process.env.MGNT_BENCH_LIBS !== '0'; // 0: our variants only (quick comparisons)
  // Comma-separated matmul variants to time besides 'auto' (e.g. vec4,vec4-rl); all when unset.
  const variants = process.env.MGNT_BENCH_VARIANTS?.split(',');
  const rows = await page.evaluate(([s, r, l, v]) => window.kernelBench.run(s as KernelShape[], r as number, l as boolean, v as string[] | undefined), [shapes, rounds, libs, variants] as const);
  for (const row of rows) {
    console.log(`${row.shape.padEnd(40)} ${Object.entries(row.results).map(([k, v]) => `${k} ${v.gflops.toFixed(2)} GFLOP/s (${v.median.toFixed(3)} ms, p10-p90 ${v.p10.toFixed(3)}-${v.p90.toFixed(3)})`).join(' | ')}`);
    for (const [k, d] of Object.entries(row.maxdiff)) console.log(`  ${k} max |diff| vs mgnt ${d.toExponential(2)}`);
    for (const [k, e] of Object.entries(row.errors ?? {})) console.log(`  ${k} not timed: ${e}`);
    for (const v of Object.values(row.results)) expect(v.gflops).toBeGreaterThan(0);
  }
  // mgnt = our best kernel (matmul 'auto', plain product; attention 'mgnt') against the libraries.
  const f = (x: number | null) => (x == null ? '—' : x < 0.01 ? x.toExponential(1) : x.toFixed(3)).padStart(9);
  const r = (a: number, b: number | null) => (b == null ? '—' : `${(a / b).toFixed(2)}×`).padStart(9);
  console.log(`\n${'shape (GFLOP/s)'.padEnd(40)} ${['mgnt', 'mgnt-sync', 'ort-gpu', 'tfjs-gpu', 'ort-wasm', 'mgnt/ort', 'mgnt/tfjs', 'mgnt/wasm'].map((h) => h.padStart(9)).join(' ')}`);
  for (const row of rows) {
    if (row.shape.startsWith('per-call floor')) {
      const ms = (k: string) => (row.results[k] ? `${k} ${row.results[k].median.toFixed(3)} ms` : `${k} —`);
      console.log(`${row.shape.padEnd(40)} per call: ${['mgnt-auto', 'mgnt-auto-synced', 'ort-webgpu', 'tfjs-webgpu', 'ort-wasm'].map(ms).join(', ')}`);
      continue;
    }
    console.log(`${row.shape.padEnd(40)} ${f(row.mgnt_gflops)} ${f(row.mgnt_synced_gflops)} ${f(row.ort_webgpu_gflops)} ${f(row.tfjs_webgpu_gflops)} ${f(row.ort_wasm_gflops)} ${r(row.mgnt_gflops, row.ort_webgpu_gflops)} ${r(row.mgnt_gflops, row.tfjs_webgpu_gflops)} ${r(row.mgnt_gflops, row.ort_wasm_gflops)}`);
  }
  record('kernels', rows);
  const model = rows.filter((k) => k.kind === 'matmul' && k.shape.startsWith('model') && k.ort_webgpu_gflops);
  record('targets_kernels', {
    matmul_over_ort_webgpu_5x: model.map((k) => ({ shape: k.shape, measured: k.mgnt_gflops / k.ort_webgpu_gflops!, met: k.mgnt_gflops / k.ort_webgpu_gflops! >= 5 })),
  });
});
