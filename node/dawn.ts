// Node only: a WebGPU entry point from Dawn (the `webgpu` npm package) handed to the runtime
// through provideWebGpu, so src/ runs unchanged and never imports anything of Node's.
import { create, globals } from 'webgpu';
import { provideWebGpu } from '../src/gpu/device';
import { MgntError } from '../src/gpu/errors';
import { resolveVulkanEnv } from './fs-probe';
import { needsRelaunch, type NodeGpuMode, type VulkanEnv } from './vulkan-env';

export interface DawnGpu {
  gpu: GPU;
  vulkan: VulkanEnv;
}

let opened: DawnGpu | null = null;

/**
 * Installs the WebGPU globals (GPUBufferUsage, GPUMapMode, …) and Dawn's GPU object as the
 * runtime's default: every acquireGpu() after this gets a Dawn device. Idempotent.
 * `fallback` is the driver choice when MGNT_NODE_GPU is unset (SwiftShader unless told otherwise).
 */
export function openDawn(fallback: NodeGpuMode = 'swiftshader'): DawnGpu {
  if (opened) return opened;
  const vulkan = resolveVulkanEnv(fallback);
  if (vulkan.problem) throw new MgntError('webgpu-unavailable', `mgnt (Node/Dawn, ${vulkan.mode}): ${vulkan.problem}`);
  if (needsRelaunch(vulkan, process.env)) {
    throw new MgntError(
      'webgpu-unavailable',
      `mgnt (Node/Dawn): this process needs LD_LIBRARY_PATH=${vulkan.env.LD_LIBRARY_PATH} from its start (the Vulkan loader is ` +
        'found there); run it through npm run test:node / npm run bench -- --node / scripts/gpu-check.sh, or install libvulkan1',
    );
  }
  // The Vulkan loader reads these when Dawn creates its instance, i.e. inside create() below.
  for (const [k, v] of Object.entries(vulkan.env)) if (k !== 'LD_LIBRARY_PATH') process.env[k] = v;
  Object.assign(globalThis, globals);
  const options = [`backend=${process.env.MGNT_DAWN_BACKEND ?? 'vulkan'}`];
  const gpu = create(options) as unknown as GPU;
  provideWebGpu(gpu);
  opened = { gpu, vulkan };
  return opened;
}
