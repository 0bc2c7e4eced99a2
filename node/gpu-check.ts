// scripts/gpu-check.sh: one JSON about this machine's GPU under Node/Dawn: the adapter, our
// kernels' GFLOP/s against its fp32 peak, ms per image per schedule with the shipped model, and ms
// per decode step of a MaskGIT-base-shaped model. Sized to finish in under 5 minutes on a data-
// centre GPU; on a CPU adapter (SwiftShader) it runs fewer layers and says so.
// Env: MGNT_NODE_GPU (auto here: the host's Vulkan GPU when it has one), MGNT_GPU_CHECK_LAYERS,
// MGNT_GPU_PEAK_TFLOPS, MGNT_GPU_CHECK_QUICK=1 (the test's short form).
import { writeFileSync } from 'node:fs';
import { IMAGE_SCHEDULES, KERNEL_SHAPES, SHIPPED_IMAGE_BENCH } from '../e2e/bench/shapes';
import { acquireGpu } from '../src/gpu/device';
import { Runtime } from '../src/gpu/runtime';
import { BASE, baseModelCheck } from './base-model-check';
import { imageBench, prepareNode } from './bench-runs';
import { kernelCheck } from './device-timing';
import { fp32Peak } from './gpu-peaks';
import type { NodeGpuMode } from './vulkan-env';

/** Layers of the MaskGIT-base model on a CPU adapter (24 take minutes on SwiftShader), and in the quick form. */
const CPU_LAYERS = 2;
const QUICK_LAYERS = 1;

export async function main(args: string[]): Promise<number> {
  const jsonAt = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const quick = process.env.MGNT_GPU_CHECK_QUICK === '1';
  const t0 = performance.now();
  const dawn = prepareNode((process.env.MGNT_NODE_GPU_DEFAULT as NodeGpuMode | undefined) ?? 'auto');
  const adapter = await dawn.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('gpu-check: Dawn found no Vulkan adapter');
  const info = adapter.info as GPUAdapterInfo & { device?: string; subgroupMinSize?: number; subgroupMaxSize?: number; isFallbackAdapter?: boolean };
  const gpu = await acquireGpu();
  const rt = new Runtime(gpu);
  const peak = fp32Peak([info.device ?? '', info.description, info.vendor, info.architecture], process.env.MGNT_GPU_PEAK_TFLOPS);
  const cpu = gpu.software;
  process.stderr.write(`gpu-check: ${info.vendor} ${info.architecture} ${info.device ?? ''} ${info.description} (${dawn.vulkan.reason})\n`);

  const report: Record<string, unknown> = {
    tool: 'mgnt scripts/gpu-check.sh',
    started: new Date().toISOString(),
    node: process.version,
    vulkan: { mode: dawn.vulkan.mode, reason: dawn.vulkan.reason },
    adapter: {
      vendor: info.vendor, architecture: info.architecture, device: info.device ?? null, description: info.description,
      cpu_adapter: cpu, features: { ...gpu.features }, subgroup_sizes: [info.subgroupMinSize ?? null, info.subgroupMaxSize ?? null],
      max_buffer_mb: Math.round(gpu.limits.maxBufferSize / 2 ** 20),
    },
    fp32_peak_tflops: peak.tflops,
    fp32_peak_source: peak.source,
  };

  // Kernels: our best variant per shape, GPU time per call with reps calibrated to the device.
  process.stderr.write('kernels (GPU time per call):\n');
  const shapes = KERNEL_SHAPES.filter((s) => !s.label.startsWith('per-call floor') && (!quick || /maskgit-base qkv|model attention full/.test(s.label)));
  report.kernels = await kernelCheck(rt, shapes, peak.tflops, cpu ? 20 : 50, quick ? 1 : 3);

  // Per image: the browser bench's schedules on the shipped model, wall time of a whole generation.
  process.stderr.write('per image (shipped model):\n');
  const schedules = quick ? { baseline: IMAGE_SCHEDULES.baseline, magnets: IMAGE_SCHEDULES.magnets } : IMAGE_SCHEDULES;
  const images = await imageBench({ ...SHIPPED_IMAGE_BENCH, schedules, rounds: quick || cpu ? 1 : 5, warmup: quick ? 0 : 1 });
  report.images = {
    model: images.model, steps: SHIPPED_IMAGE_BENCH.steps, guidance: SHIPPED_IMAGE_BENCH.guidance,
    ms_per_image: Object.fromEntries(Object.entries(images.rows).map(([k, r]) => [k, r.ms_median])),
    rows: images.rows,
  };

  // MaskGIT-base per decode step.
  const requested = process.env.MGNT_GPU_CHECK_LAYERS ? Number(process.env.MGNT_GPU_CHECK_LAYERS) : null;
  if (requested !== null && !(Number.isInteger(requested) && requested >= 1)) throw new Error(`MGNT_GPU_CHECK_LAYERS=${process.env.MGNT_GPU_CHECK_LAYERS}: expected a whole number ≥ 1`);
  const layers = requested ?? (quick ? QUICK_LAYERS : cpu ? CPU_LAYERS : BASE.layers);
  process.stderr.write(`MaskGIT-base shape, ${layers} layers (ms per decode step):\n`);
  const base = await baseModelCheck(rt, layers, quick ? 1 : cpu ? 2 : 10);
  report.maskgit_base = {
    shape: { ...BASE, layers_run: layers, tokens: 1 + BASE.grid[0] * BASE.grid[1], batch_rows: base.batch_rows, weights: 'random (src/model/synthetic.ts)' },
    reduced: layers !== BASE.layers
      ? `${layers} of ${BASE.layers} layers (${requested !== null ? 'MGNT_GPU_CHECK_LAYERS' : quick ? 'quick form' : 'CPU adapter: 24 layers take minutes on SwiftShader'}); ms_per_step_24_layers_est scales the per-layer part linearly; MGNT_GPU_CHECK_LAYERS=24 runs the full model`
      : null,
    rows: base.rows,
    ms_per_step_24_layers_est: layers === BASE.layers ? null : Object.fromEntries(Object.entries(base.rows).map(([k, r]) => [k, (r.ms_per_step * BASE.layers) / layers])),
  };
  report.seconds = (performance.now() - t0) / 1e3;
  report.gpu_errors = rt.errors.splice(0);
  rt.destroy();
  gpu.device.destroy();
  const text = JSON.stringify(report, null, 2);
  console.log(text);
  if (jsonAt) writeFileSync(jsonAt, `${text}\n`);
  return (report.gpu_errors as string[]).length ? 1 : 0;
}
