import { defineConfig } from 'vitest/config';

// Unit tests of pure TypeScript (schedules, RNG, bookkeeping, references). Kernels are tested
// in a real browser by Playwright (e2e/) and under Node/Dawn by vitest.node.config.ts (tests/node/).
export default defineConfig({
  test: { include: ['tests/**/*.test.ts'], exclude: ['tests/node/**', 'node_modules/**'], environment: 'node' },
});
