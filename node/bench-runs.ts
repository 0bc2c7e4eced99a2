// Node/Dawn benchmark runs: the browser bench pages' own run() functions (e2e/bench/kernels-page.ts,
// images-page.ts) on a Dawn device, over the shared lists in e2e/bench/shapes.ts.
import type { ImageBenchConfig } from '../e2e/bench/images-page';
import type { KernelShape } from '../e2e/bench/kernels-page';
import { acquireGpu } from '../src/gpu/device';
import { openDawn } from './dawn';
import { serveRepoFiles } from './files';
import { installPageShim } from './page-shim';
import type { NodeGpuMode } from './vulkan-env';

/** Dawn as the runtime's GPU, fetch from disk, the page shim; then the pages can be imported. */
export function prepareNode(fallback: NodeGpuMode = 'swiftshader') {
  const dawn = openDawn(fallback);
  serveRepoFiles();
  installPageShim();
  return dawn;
}

/** Adapter facts for a report: what ran, and whether it is a CPU (SwiftShader) adapter. */
export async function adapterReport() {
  const gpu = await acquireGpu();
  const { vendor, architecture, description } = gpu.adapterInfo;
  const report = { vendor, architecture, description, software: gpu.software, features: { ...gpu.features }, subgroup_min_size: gpu.subgroupMinSize, max_buffer_mb: Math.round(gpu.limits.maxBufferSize / 2 ** 20) };
  gpu.device.destroy();
  return report;
}

export async function kernelBench(shapes: KernelShape[], rounds: number) {
  await import('../e2e/bench/kernels-page');
  const w = globalThis as unknown as Window;
  // The libraries (onnxruntime-web, tfjs) need a browser's navigator.gpu: Node times ours only.
  return w.kernelBench.run(shapes, rounds, false);
}

export async function imageBench(cfg: ImageBenchConfig) {
  await import('../e2e/bench/images-page');
  const w = globalThis as unknown as Window;
  return w.imageBench.run(cfg);
}
