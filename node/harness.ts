// Node/Dawn stand-in for e2e/harness.ts under vitest: the browser's parity spec files
// (e2e/kernels-*.spec.ts, e2e/model-*.spec.ts) import { test, expect, expectParity } from
// './harness'; vitest.node.config.ts points that import here, so the same specs, the same cases
// (e2e/harness/cases/*) and the same parity check run in-process on a Dawn device instead of
// in a page.
import { beforeEach, describe, expect, it } from 'vitest';
import { acquireGpu } from '../src/gpu/device';
import { Runtime } from '../src/gpu/runtime';
import { checkParity } from '../e2e/harness/parity';
import { collectCases, harnessInfo, runCase } from '../e2e/harness/run-case';
import type { CaseFn, CaseResult } from '../e2e/harness/types';
import { openDawn } from './dawn';
import { serveRepoFiles } from './files';

const cases = collectCases(import.meta.glob<{ cases: Record<string, CaseFn> }>('../e2e/harness/cases/*.ts', { eager: true }));

let rtPromise: Promise<Runtime> | null = null;
function runtime(): Promise<Runtime> {
  rtPromise ??= (() => {
    openDawn(); // node/setup.ts did; idempotent
    serveRepoFiles();
    return acquireGpu().then((gpu) => new Runtime(gpu));
  })();
  return rtPromise;
}

/** The page harness's interface (e2e/harness.ts Harness), answered in-process. */
export class Harness {
  async run(name: string, spec: unknown): Promise<CaseResult> {
    return runCase(await runtime(), cases, name, spec);
  }
  async info() {
    return harnessInfo(await runtime(), cases);
  }
}

const harness = new Harness();
type Body = (fixtures: { harness: Harness }) => unknown;

/** Playwright's test(), describe() and beforeEach() as the parity specs use them, over vitest. */
export const test = Object.assign((name: string, body: Body) => it(name, () => body({ harness }) as Promise<void>), {
  describe: (name: string, fn: () => void) => describe(name, fn),
  beforeEach: (fn: Body) => beforeEach(() => fn({ harness }) as Promise<void>),
});

export { expect };

export function expectParity(label: string, r: CaseResult): void {
  checkParity(expect, label, r);
}

/** The runtime the specs ran on (tests that report the adapter). */
export function nodeRuntime(): Promise<Runtime> {
  return runtime();
}
