import { defineConfig } from '@playwright/test';
import { launchOptions } from './e2e/browser';

const PORT = Number(process.env.MGNT_TEST_PORT ?? 5179);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 180_000,
  // SwiftShader already uses every core; parallel pages only slow each other down.
  workers: 1,
  fullyParallel: false,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: launchOptions(),
  },
  webServer: {
    command: `MGNT_STATIC=1 npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/e2e/harness/index.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
