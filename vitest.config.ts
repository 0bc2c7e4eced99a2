import { defineConfig } from 'vitest/config';

// Unit tests of pure TypeScript (schedules, RNG, bookkeeping, references). Kernels are tested
// in a real browser by Playwright (e2e/).
export default defineConfig({
  test: { include: ['tests/**/*.test.ts'], environment: 'node' },
});
