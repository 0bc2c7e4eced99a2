// The real file system behind vulkanEnv's probe, and the environment it resolves to.
import { existsSync, readdirSync } from 'node:fs';
import { parseMode, vulkanEnv, type NodeGpuMode, type Probe, type VulkanEnv } from './vulkan-env.ts';

export const fsProbe: Probe = {
  exists: (p) => existsSync(p),
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  },
};

/** The Vulkan environment for MGNT_NODE_GPU (or `fallback` where it is unset). */
export function resolveVulkanEnv(fallback: NodeGpuMode = 'swiftshader', env: Record<string, string | undefined> = process.env): VulkanEnv {
  return vulkanEnv(env.MGNT_NODE_GPU ? parseMode(env.MGNT_NODE_GPU) : fallback, env, fsProbe);
}
