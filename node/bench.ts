// `npm run bench -- --node [--only kernels|images] [--json file]`: the kernel and per-image
// benches under Node/Dawn (SwiftShader unless MGNT_NODE_GPU=system), the same shapes, schedules
// and timing code as the browser bench. MGNT_BENCH_ROUNDS and MGNT_BENCH_FILTER as there.
import { record } from '../e2e/bench/results';
import { IMAGE_SCHEDULES, KERNEL_SHAPES, SHIPPED_IMAGE_BENCH } from '../e2e/bench/shapes';
import { adapterReport, imageBench, kernelBench, prepareNode } from './bench-runs';

export async function main(args: string[]): Promise<number> {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  if (only && only !== 'kernels' && only !== 'images') {
    console.error(`bench --node: --only ${only}: Node runs kernels or images (start/share need a browser)`);
    return 2;
  }
  const dawn = prepareNode();
  const adapter = await adapterReport();
  console.log(`Node/Dawn: ${adapter.vendor} ${adapter.architecture} ${adapter.description} (${dawn.vulkan.mode}: ${dawn.vulkan.reason})`);
  record('node_adapter', { ...adapter, vulkan: dawn.vulkan.mode, node: process.version });
  const rounds = Number(process.env.MGNT_BENCH_ROUNDS ?? 0);

  if (!only || only === 'kernels') {
    const filter = process.env.MGNT_BENCH_FILTER;
    const shapes = filter ? KERNEL_SHAPES.filter((s) => s.label.includes(filter)) : KERNEL_SHAPES;
    const rows = await kernelBench(shapes, rounds || 10);
    console.log(`\n${'shape (GFLOP/s, Node/Dawn)'.padEnd(40)} ${['mgnt', 'mgnt-sync'].map((h) => h.padStart(9)).join(' ')}  variants`);
    for (const r of rows) {
      const variants = Object.entries(r.results).filter(([k]) => !['mgnt-auto', 'mgnt-auto-synced', 'mgnt', 'mgnt-synced'].includes(k));
      console.log(`${r.shape.padEnd(40)} ${r.mgnt_gflops.toFixed(3).padStart(9)} ${r.mgnt_synced_gflops.toFixed(3).padStart(9)}  ${variants.map(([k, v]) => `${k.replace('mgnt-', '')} ${v.gflops.toFixed(2)}`).join(', ')}`);
    }
    record('node_kernels', rows);
  }
  if (!only || only === 'images') {
    const r = await imageBench({ ...SHIPPED_IMAGE_BENCH, schedules: IMAGE_SCHEDULES, rounds: rounds || 7, warmup: 2 });
    const base = r.rows.baseline;
    console.log(`\nper image, ${r.model}, ${SHIPPED_IMAGE_BENCH.steps} steps, guidance ${SHIPPED_IMAGE_BENCH.guidance} (Node/Dawn)`);
    for (const [name, row] of Object.entries(r.rows)) {
      console.log(`${name.padEnd(20)} ${row.ms_median.toFixed(1).padStart(8)} ms (${row.p10.toFixed(0)}-${row.p90.toFixed(0)})  ${row.gflops.toFixed(3)} GFLOPs  ×baseline ms ${(row.ms_median / base.ms_median).toFixed(3)}  ×baseline GFLOPs ${(row.gflops / base.gflops).toFixed(3)}  ${row.dispatches_per_step.toFixed(1)} dispatches/step`);
    }
    record('node_images', { model: r.model, rows: r.rows });
  }
  return 0;
}
