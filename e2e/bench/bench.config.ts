import { defineConfig } from '@playwright/test';
import { launchOptions } from '../browser';

const PORT = Number(process.env.MGNT_BENCH_PORT ?? 5190);

// `npm run bench`: performance suite, never part of `npm test` (timings are reported, not enforced).
export default defineConfig({
  testDir: '.',
  testMatch: '*.bench.ts',
  timeout: 1_800_000,
  workers: 1,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}`, launchOptions: launchOptions() },
  webServer: {
    command: `MGNT_STATIC=1 npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
    cwd: '../..',
    url: `http://127.0.0.1:${PORT}/e2e/bench/kernels.html`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
