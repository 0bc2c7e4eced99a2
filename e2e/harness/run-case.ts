// Runs one named harness case and adds the bookkeeping every parity check reads (pool bytes the
// case left behind, validation errors the device reported). Shared by the browser page
// (e2e/harness/harness.ts) and the Node/Dawn harness (node/harness.ts).
import type { Runtime } from '../../src/gpu/runtime';
import type { CaseFn, CaseResult } from './types';

/** Every case of ./cases, keyed by name (each file exports `cases`). */
export function collectCases(modules: Record<string, { cases: Record<string, CaseFn> }>): Record<string, CaseFn> {
  const cases: Record<string, CaseFn> = {};
  for (const m of Object.values(modules)) Object.assign(cases, m.cases);
  return cases;
}

export async function runCase(rt: Runtime, cases: Record<string, CaseFn>, name: string, spec: unknown): Promise<CaseResult> {
  const fn = cases[name];
  if (!fn) throw new Error(`unknown harness case ${name}; known: ${Object.keys(cases).join(', ')}`);
  const before = rt.pool.liveBytes;
  const res = await fn(rt, spec);
  res.liveBytesDelta = rt.pool.liveBytes - before;
  res.gpuErrors = rt.errors.splice(0);
  return res;
}

/** What a harness reports about itself: the adapter, its features and the cases it can run. */
export function harnessInfo(rt: Runtime, cases: Record<string, CaseFn>): { adapter: string; features: Record<string, boolean>; cases: string[] } {
  return {
    adapter: `${rt.gpu.adapterInfo.vendor} ${rt.gpu.adapterInfo.architecture} ${rt.gpu.adapterInfo.description}`.trim(),
    features: { ...rt.gpu.features },
    cases: Object.keys(cases),
  };
}
