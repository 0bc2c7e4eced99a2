// Which Vulkan driver Dawn uses under Node, and what the process environment needs for it. Pure
// (the file probe is passed in) so the choice is unit-tested; node/dawn.ts and the launchers
// (vitest.node.config.ts, scripts/bench.ts, scripts/gpu-check.sh) apply it.
//
// SwiftShader (a CPU Vulkan driver shipped in Debian's chromium package, the same one the browser
// tests use) is the default everywhere, so results here do not depend on the host's GPU.
// MGNT_NODE_GPU=system uses the host's Vulkan drivers (an NVIDIA machine); `auto` (what
// scripts/gpu-check.sh asks for) picks the system drivers when the host has any, else SwiftShader.

import { MgntError } from '../src/gpu/errors.ts';

export type NodeGpuMode = 'swiftshader' | 'system' | 'auto';

export interface VulkanEnv {
  /** The resolved choice (`auto` becomes one of the other two). */
  mode: 'swiftshader' | 'system';
  /** Variables to set before Dawn starts (VK_ICD_FILENAMES may be set in-process; LD_LIBRARY_PATH only at process start). */
  env: Record<string, string>;
  /** Why this choice, in words (printed by gpu-check). */
  reason: string;
  /** What is missing for the choice to work, with the fix; null when nothing is. */
  problem: string | null;
}

/** Where Debian/Ubuntu/Fedora put the system Vulkan loader (package libvulkan1 / vulkan-loader). */
export const SYSTEM_LOADERS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];
/** Directories where installed Vulkan drivers register (an NVIDIA driver puts nvidia_icd.json here). */
export const SYSTEM_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** SwiftShader's ICD file: Debian's chromium package (what scripts/ensure-deps.sh installs), Google Chrome's. */
export const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/opt/google/chrome/vk_swiftshader_icd.json'];

export interface Probe {
  exists(path: string): boolean;
  /** Entries of a directory ([] when it is not there). */
  list(dir: string): string[];
}

/**
 * Where SwiftShader's ICD may be, in order: MGNT_SWIFTSHADER_ICD, next to MGNT_CHROMIUM (the
 * browser scripts/ensure-deps.sh accepts), Debian's chromium, Playwright's own Chromium.
 */
export function swiftshaderIcds(current: Record<string, string | undefined>, probe: Probe): string[] {
  const out: string[] = [];
  if (current.MGNT_SWIFTSHADER_ICD) out.push(current.MGNT_SWIFTSHADER_ICD);
  if (current.MGNT_CHROMIUM) out.push(`${dirOf(current.MGNT_CHROMIUM)}/vk_swiftshader_icd.json`);
  out.push(...SWIFTSHADER_ICDS);
  const pw = current.PLAYWRIGHT_BROWSERS_PATH || (current.HOME ? `${current.HOME}/.cache/ms-playwright` : '');
  if (pw) {
    for (const c of probe.list(pw).filter((d) => d.startsWith('chromium')).sort().reverse()) {
      for (const sub of probe.list(`${pw}/${c}`).filter((d) => d.startsWith('chrome-linux'))) out.push(`${pw}/${c}/${sub}/vk_swiftshader_icd.json`);
    }
  }
  return out;
}

export function parseMode(v: string | undefined): NodeGpuMode {
  const m = (v ?? '').trim().toLowerCase() || 'swiftshader';
  if (m === 'swiftshader' || m === 'system' || m === 'auto') return m;
  throw new MgntError('bad-attribute', `MGNT_NODE_GPU=${v}: expected swiftshader (default), system (the host's Vulkan GPU) or auto`);
}

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

/** Prepends `dir` to a colon list unless it is there already. */
function withPath(list: string | undefined, dir: string): string {
  const parts = (list ?? '').split(':').filter(Boolean);
  return parts.includes(dir) ? parts.join(':') : [dir, ...parts].join(':');
}

export function vulkanEnv(requested: NodeGpuMode, current: Record<string, string | undefined>, probe: Probe): VulkanEnv {
  const icd = swiftshaderIcds(current, probe).find((p) => probe.exists(p)) ?? null;
  const systemIcds = SYSTEM_ICD_DIRS.flatMap((d) => probe.list(d).filter((f) => f.endsWith('.json')).map((f) => `${d}/${f}`));
  const loader = SYSTEM_LOADERS.find((p) => probe.exists(p)) ?? null;
  let mode: VulkanEnv['mode'];
  let reason: string;
  if (requested === 'auto') {
    mode = systemIcds.length ? 'system' : 'swiftshader';
    reason = systemIcds.length ? `auto: system Vulkan drivers found (${systemIcds.join(', ')})` : 'auto: no system Vulkan driver registered, so SwiftShader';
  } else {
    mode = requested;
    reason = requested === 'system' ? 'MGNT_NODE_GPU=system' : 'default (MGNT_NODE_GPU=system for the host GPU)';
  }
  const env: Record<string, string> = {};
  let problem: string | null = null;
  if (mode === 'swiftshader') {
    if (icd) {
      // VK_DRIVER_FILES is the newer loader's name; VK_ICD_FILENAMES the older one's.
      env.VK_ICD_FILENAMES = icd;
      env.VK_DRIVER_FILES = icd;
    } else {
      problem = 'SwiftShader Vulkan (vk_swiftshader_icd.json) not found: install Debian\'s chromium package (npm test does, as root) or set MGNT_SWIFTSHADER_ICD';
    }
  } else if (!systemIcds.length && !current.VK_ICD_FILENAMES && !current.VK_DRIVER_FILES) {
    problem = `no Vulkan driver registered in ${SYSTEM_ICD_DIRS.join(', ')}: install the GPU's Vulkan driver (NVIDIA: the driver's Vulkan ICD, nvidia_icd.json; in a container NVIDIA_DRIVER_CAPABILITIES must include graphics)`;
  }
  // The loader: the system's when installed; else the copy chromium ships next to SwiftShader,
  // which reads the system's driver list as well. Only found through LD_LIBRARY_PATH, which the
  // dynamic linker reads once at process start: launchers set it before Node starts.
  if (!loader) {
    const bundled = icd ? `${dirOf(icd)}/libvulkan.so.1` : null;
    if (bundled && probe.exists(bundled)) env.LD_LIBRARY_PATH = withPath(current.LD_LIBRARY_PATH, dirOf(bundled));
    else problem ??= 'no Vulkan loader (libvulkan.so.1): install Debian\'s libvulkan1 package';
  }
  return { mode, env, reason, problem };
}

/** True when `env` asks for an LD_LIBRARY_PATH this process did not start with (a relaunch is needed). */
export function needsRelaunch(v: VulkanEnv, current: Record<string, string | undefined>): boolean {
  return v.env.LD_LIBRARY_PATH !== undefined && v.env.LD_LIBRARY_PATH !== current.LD_LIBRARY_PATH;
}
