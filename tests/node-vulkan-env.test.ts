import { describe, expect, it } from 'vitest';
import { needsRelaunch, parseMode, vulkanEnv, type Probe } from '../node/vulkan-env';

// A fake file system: the paths that exist, and directory listings.
function probe(files: string[]): Probe {
  return {
    exists: (p) => files.includes(p),
    list: (d) => [...new Set(files.filter((f) => f.startsWith(`${d}/`)).map((f) => f.slice(d.length + 1).split('/')[0]))],
  };
}
const CHROMIUM = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium/libvulkan.so.1'];
const LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
const NVIDIA = '/usr/share/vulkan/icd.d/nvidia_icd.json';

describe('Node/Dawn Vulkan choice', () => {
  it('defaults to SwiftShader, with chromium\'s loader on LD_LIBRARY_PATH when the system has none', () => {
    const v = vulkanEnv(parseMode(undefined), { LD_LIBRARY_PATH: '/opt/x' }, probe(CHROMIUM));
    expect(v.mode).toBe('swiftshader');
    expect(v.env).toEqual({ VK_ICD_FILENAMES: CHROMIUM[0], VK_DRIVER_FILES: CHROMIUM[0], LD_LIBRARY_PATH: '/usr/lib/chromium:/opt/x' });
    expect(v.problem).toBeNull();
    expect(needsRelaunch(v, { LD_LIBRARY_PATH: '/opt/x' })).toBe(true);
    expect(needsRelaunch(v, { LD_LIBRARY_PATH: '/usr/lib/chromium:/opt/x' })).toBe(false);
  });

  it('uses the system loader (libvulkan1) when installed: nothing to set before Node starts', () => {
    const v = vulkanEnv('swiftshader', {}, probe([...CHROMIUM, LOADER, NVIDIA]));
    expect(v.mode).toBe('swiftshader');
    expect(v.env.LD_LIBRARY_PATH).toBeUndefined();
    expect(v.env.VK_ICD_FILENAMES).toBe(CHROMIUM[0]);
    expect(needsRelaunch(v, {})).toBe(false);
  });

  it('system and auto pick the host\'s drivers (no VK_ICD_FILENAMES) when one is registered', () => {
    for (const mode of ['system', 'auto'] as const) {
      const v = vulkanEnv(mode, {}, probe([LOADER, NVIDIA]));
      expect(v.mode).toBe('system');
      expect(v.env).toEqual({});
      expect(v.problem).toBeNull();
    }
    expect(vulkanEnv('auto', {}, probe(CHROMIUM)).mode).toBe('swiftshader');
  });

  it('finds SwiftShader next to MGNT_CHROMIUM or in Playwright\'s Chromium when Debian\'s is absent', () => {
    const pw = '/home/u/.cache/ms-playwright/chromium-1200/chrome-linux64';
    const v = vulkanEnv('swiftshader', { HOME: '/home/u' }, probe([`${pw}/vk_swiftshader_icd.json`, `${pw}/libvulkan.so.1`]));
    expect(v.env.VK_ICD_FILENAMES).toBe(`${pw}/vk_swiftshader_icd.json`);
    expect(v.env.LD_LIBRARY_PATH).toBe(pw);
    expect(vulkanEnv('swiftshader', { MGNT_CHROMIUM: '/opt/c/chrome' }, probe(['/opt/c/vk_swiftshader_icd.json', LOADER])).env.VK_ICD_FILENAMES).toBe('/opt/c/vk_swiftshader_icd.json');
  });

  it('names what is missing and how to get it', () => {
    expect(vulkanEnv('swiftshader', {}, probe([])).problem).toMatch(/chromium/);
    expect(vulkanEnv('system', {}, probe([LOADER])).problem).toMatch(/no Vulkan driver registered/);
    expect(vulkanEnv('system', {}, probe([NVIDIA])).problem).toMatch(/libvulkan1/);
    expect(() => parseMode('cuda')).toThrow(/MGNT_NODE_GPU=cuda: expected swiftshader \(default\), system/);
  });
});
