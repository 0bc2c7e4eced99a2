// The parity assertion shared by the Playwright harness (e2e/harness.ts) and the Node/Dawn one
// (node/harness.ts): the same check whichever test runner's `expect` it is given.
import type { CaseResult } from './types';

/** What the check needs of an `expect` (Playwright's and vitest's both have it). */
export type ExpectLike = (actual: unknown, message?: string) => { toBe(v: unknown): void; toEqual(v: unknown): void };

/** Asserts a parity result and prints it, so the test log shows every kernel's numbers. */
export function checkParity(expect: ExpectLike, label: string, r: CaseResult): void {
  const show = (c: { maxAbs?: number; maxRel?: number; bad?: number; count?: number }) =>
    `maxAbs=${c.maxAbs?.toExponential(2)} bad=${c.bad}/${c.count}`;
  console.log(`  parity ${label}: ${r.parts ? Object.entries(r.parts).map(([k, v]) => `${k} ${show(v)}`).join('; ') : show(r)}`);
  expect(r.gpuErrors ?? [], `${label}: WebGPU validation errors`).toEqual([]);
  if (r.parts) {
    for (const [k, v] of Object.entries(r.parts)) expect(v.ok, `${label}/${k}: worst ${JSON.stringify(v.worst)}`).toBe(true);
  } else {
    expect(r.ok, `${label}: worst ${JSON.stringify(r.worst)} (${r.bad}/${r.count} outside tolerance)`).toBe(true);
  }
  expect(r.liveBytesDelta, `${label}: pooled buffers leaked`).toBe(0);
}
