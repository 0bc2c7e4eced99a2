import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { resolveVulkanEnv } from './node/fs-probe.ts';

// Node/Dawn tests (`npm run test:node`, part of `npm test`): the browser's parity specs and the
// golden generation run under Node on Dawn (SwiftShader Vulkan by default; MGNT_NODE_GPU=system
// for the host's GPU). The Vulkan loader is found through LD_LIBRARY_PATH, which the dynamic
// linker reads at process start: set here, in the main process, the forked test workers inherit it.
const vulkan = resolveVulkanEnv();
for (const [k, v] of Object.entries(vulkan.env)) process.env[k] = v;

const nodeHarness = fileURLToPath(new URL('./node/harness.ts', import.meta.url));

/** The parity specs' `./harness` (Playwright's page harness) becomes node/harness.ts. */
const harnessInNode: Plugin = {
  name: 'mgnt-node-harness',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === './harness' && importer && /[/\\]e2e[/\\][^/\\]+\.spec\.ts$/.test(importer)) return nodeHarness;
    return null;
  },
};

export default defineConfig({
  plugins: [harnessInNode],
  test: {
    include: ['tests/node/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['node/setup.ts'],
    pool: 'forks',
    // One GPU process at a time: SwiftShader already uses every core.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
