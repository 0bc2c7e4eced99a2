import { expect, test } from '@playwright/test';
import type { KernelShape } from './kernels-page';
import { record } from './results';

// The model's shapes (D 128, 8 heads of 16, MLP 512, 65 positions, CFG batch of 2) at the full
// and 1/8 widths, an incremental (KV-cached) step, and MaskGIT-base (257 tokens, D 768, MLP 3072).
const SHAPES: KernelShape[] = [
  // Per-call floor: a product too small to cost anything, so the time is each contender's overhead.
  { label: 'per-call floor 1×4×4', kind: 'matmul', M: 1, N: 4, K: 4 },
  { label: 'model qkv/o full 130×128×128', kind: 'matmul', M: 130, N: 128, K: 128 },
  { label: 'model mlp-up full 130×512×128', kind: 'matmul', M: 130, N: 512, K: 128 },
  { label: 'model mlp-down full 130×128×512', kind: 'matmul', M: 130, N: 128, K: 512 },
  { label: 'model mlp-up w1/8 130×64×16', kind: 'matmul', M: 130, N: 64, K: 16, Kfull: 128, Nfull: 512 },
  { label: 'model head full 128×512×128', kind: 'matmul', M: 128, N: 512, K: 128 },
  { label: 'model mlp-up cached 24×512×128', kind: 'matmul', M: 24, N: 512, K: 128 },
  { label: 'maskgit-base qkv 257×768×768', kind: 'matmul', M: 257, N: 768, K: 768 },
  { label: 'maskgit-base mlp-up 257×3072×768', kind: 'matmul', M: 257, N: 3072, K: 768 },
  // A layer's LayerNorm + Q/K/V (+ MLP-up) as separate launches vs kernel 6 (fused, LN folded), on
  // the shipped model (D 192, MLP 768, CFG batch 2): full pass at widths 1 and 1/8, a cached pass.
  { label: 'layer qkv full w1 130×192', kind: 'layer-qkv', M: 130, d: 192, D: 192 },
  { label: 'layer qkv full w1/2 130×96', kind: 'layer-qkv', M: 130, d: 96, D: 192 },
  { label: 'layer qkv full w1/4 130×48', kind: 'layer-qkv', M: 130, d: 48, D: 192 },
  { label: 'layer qkv full w1/8 130×24', kind: 'layer-qkv', M: 130, d: 24, D: 192 },
  { label: 'layer qkv cached w1 12×192', kind: 'layer-qkv', M: 12, d: 192, D: 192 },
  { label: 'layer mlp-up full w1 130×768×192', kind: 'layer-mlp', M: 130, d: 192, D: 192, m: 768, Mlp: 768 },
  { label: 'layer mlp-up full w1/4 130×192×48', kind: 'layer-mlp', M: 130, d: 48, D: 192, m: 192, Mlp: 768 },
  { label: 'layer mlp-up full w1/8 130×96×24', kind: 'layer-mlp', M: 130, d: 24, D: 192, m: 96, Mlp: 768 },
  { label: 'layer mlp-up cached w1/4 12×192×48', kind: 'layer-mlp', M: 12, d: 48, D: 192, m: 192, Mlp: 768 },
  { label: 'model attention full b2 65q 8h×16', kind: 'attention', batch: 2, nq: 65, nkv: 65, heads: 8, hd: 16 },
  { label: 'model attention cached b2 12q 8h×16', kind: 'attention', batch: 2, nq: 12, nkv: 65, heads: 8, hd: 16 },
  { label: 'maskgit-base attention 257q 12h×64', kind: 'attention', batch: 1, nq: 257, nkv: 257, heads: 12, hd: 64 },
];

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
