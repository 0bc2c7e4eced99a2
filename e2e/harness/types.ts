import type { Comparison } from '../../src/reference/compare';
import type { Runtime } from '../../src/gpu/runtime';

export interface CaseResult extends Partial<Comparison> {
  /** Extra named comparisons (e.g. several outputs of one kernel). */
  parts?: Record<string, Comparison>;
  /** For error-path cases: the error the launcher threw. */
  error?: { type?: string; message: string };
  liveBytesDelta?: number;
  gpuErrors?: string[];
  /** Free-form figures a case reports (timings, counts). */
  extra?: Record<string, unknown>;
}

export type CaseFn = (rt: Runtime, spec: any) => Promise<CaseResult>;
