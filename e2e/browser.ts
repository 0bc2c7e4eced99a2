// Which Chromium the tests, the CLI and the benchmarks drive, and with which flags.
// Playwright's own Chromium is used where it is installed (`npx playwright install chromium`);
// otherwise the system one (Debian's /usr/bin/chromium), because Playwright cannot download
// its browser on every machine. WebGPU runs on SwiftShader (a CPU) unless MGNT_GPU=hardware.
import { existsSync } from 'node:fs';
import { chromium, type LaunchOptions } from '@playwright/test';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumExecutable(): string | undefined {
  const env = process.env.MGNT_CHROMIUM;
  if (env) return env;
  try {
    if (existsSync(chromium.executablePath())) return undefined; // Playwright's own browser
  } catch {
    /* not installed */
  }
  return SYSTEM_CHROMIUM.find((p) => existsSync(p));
}

export function launchOptions(): LaunchOptions {
  const hardware = process.env.MGNT_GPU === 'hardware';
  const args = [
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  if (!hardware) args.push('--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader');
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return { executablePath: chromiumExecutable(), args, headless: true };
}
