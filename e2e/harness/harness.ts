// Test page: runs a GPU kernel and its CPU reference side by side in the browser and returns the
// comparison to Playwright. Every file in ./cases registers named cases.
import { acquireGpu } from '../../src/gpu/device';
import { Runtime } from '../../src/gpu/runtime';
import { collectCases, harnessInfo, runCase } from './run-case';
import type { CaseFn, CaseResult } from './types';

const cases = collectCases(import.meta.glob<{ cases: Record<string, CaseFn> }>('./cases/*.ts', { eager: true }));

const status = document.getElementById('status')!;
let rtPromise: Promise<Runtime> | null = null;
function runtime(): Promise<Runtime> {
  rtPromise ??= acquireGpu().then((gpu) => new Runtime(gpu));
  return rtPromise;
}

declare global {
  interface Window {
    harness: {
      info(): Promise<{ adapter: string; features: Record<string, boolean>; cases: string[] }>;
      run(name: string, spec: unknown): Promise<CaseResult>;
    };
  }
}

window.harness = {
  async info() {
    return harnessInfo(await runtime(), cases);
  },
  async run(name, spec) {
    return runCase(await runtime(), cases, name, spec);
  },
};
status.textContent = 'ready';
