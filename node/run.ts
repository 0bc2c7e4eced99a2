// `tsx node/run.ts <module.ts> [args…]`: runs a Node/Dawn entry (node/bench.ts, node/gpu-check.ts)
// through Vite's module runner, the loader vitest uses, so `?raw` WGSL imports and
// import.meta.glob work under plain Node exactly as in the browser bundle and the tests
// (vite-node is not installed; tsx alone does not know `?raw`). The module's `main(args)` returns
// the exit code. The process first restarts itself once if the Vulkan loader needs an
// LD_LIBRARY_PATH it did not start with (node/vulkan-env.ts).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, createServerModuleRunner } from 'vite';
import { resolveVulkanEnv } from './fs-probe';
import { needsRelaunch, type NodeGpuMode } from './vulkan-env';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<number> {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: tsx node/run.ts <module.ts> [args…]');
    return 2;
  }
  // gpu-check asks for `auto` (the host's GPU when it has one); everything else defaults to SwiftShader.
  const vulkan = resolveVulkanEnv((process.env.MGNT_NODE_GPU_DEFAULT as NodeGpuMode | undefined) ?? 'swiftshader');
  if (needsRelaunch(vulkan, process.env)) {
    const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...vulkan.env } });
    return r.status ?? 1;
  }
  const server = await createServer({
    configFile: false,
    root: ROOT,
    logLevel: 'error',
    appType: 'custom',
    server: { middlewareMode: true, hmr: false, watch: null, ws: false },
  });
  try {
    // WebGPU's globals (GPUBufferUsage, …) before any src/ module loads: runtime.ts reads them at
    // import. Dawn itself starts later, in openDawn (the Vulkan driver choice comes first).
    const { globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
    const mod = (await runner.import(resolve(ROOT, entry))) as { main?: (args: string[]) => Promise<number> };
    if (typeof mod.main !== 'function') throw new Error(`${entry} exports no main(args)`);
    return await mod.main(args);
  } finally {
    await server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
