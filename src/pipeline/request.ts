// The high-level request the session, the worker and the element speak: every field optional,
// filled in from the checkpoint's decode defaults, then turned into the decode loop's request and
// a canonical key for the result cache.
import { MgntError } from '../gpu/errors';
import type { Manifest } from '../model/manifest';
import type { FrameContext } from './context';
import type { GenerateRequest } from './generate';
import { budgetNotice, chooseForBudget } from './budget';
import type { Notice, ScheduleUsed } from './outcome';
import { parseSchedule } from './schedule';

export type { Notice, ScheduleUsed } from './outcome';

export interface SessionRequest {
  /** Class index, or null for unconditional. Default 0. */
  classIndex?: number | null;
  seed?: number;
  steps?: number;
  /** `baseline`, `magnets`, a comma list of widths, or one width per step. Default `magnets`. */
  schedule?: string | number[];
  /**
   * Compute budget as a fraction of the full-width cost: the best schedule of the checkpoint's
   * quality–compute front that fits (its steps, widths and cache mode) replaces schedule/steps.
   */
  budget?: number;
  /**
   * Time budget in ms: the best-quality point of the front predicted (from this device's measured
   * pass costs, pipeline/timing.ts) to fit replaces schedule, steps and cache. Not with `budget`.
   */
  timeBudget?: number;
  /** Measure this device's pass costs again (the time-budget dial) instead of reusing stored ones. */
  recalibrate?: boolean;
  guidance?: number;
  temperature?: number;
  choiceTemperature?: number;
  /** KV cache on incremental steps. Default true. */
  cache?: boolean;
  /** Tokens kept as given (inpainting). */
  fixed?: { positions: number[]; tokens: number[] };
  /**
   * Frame prediction (video models): the first k frames, or a test clip index; the session encodes
   * them into fixed tokens and generates the rest with the null class and guidance 0.
   */
  context?: FrameContext;
  /** Decode a preview image after every step. */
  preview?: boolean;
  /** Use the IndexedDB result and first-step caches. Default true. */
  reuse?: boolean;
}

export type ResolvedRequest = Omit<GenerateRequest, 'signal' | 'onStep' | 'firstStep' | 'preview'> & {
  preview: boolean;
  reuse: boolean;
  schedule: ScheduleUsed;
  notices: Notice[];
};

function scheduleName(s: SessionRequest['schedule']): string {
  if (typeof s === 'string' && (s.trim() === 'baseline' || s.trim() === 'magnets')) return s.trim();
  return s === undefined ? 'magnets' : 'custom';
}

export function resolveRequest(m: Manifest, r: SessionRequest): ResolvedRequest {
  const d = m.decode_defaults;
  let name = scheduleName(r.schedule);
  let budget: ScheduleUsed['budget'];
  const notices: Notice[] = [];
  if (r.budget !== undefined && r.budget !== null) {
    const c = chooseForBudget(d.pareto ?? [], r.budget);
    r = { ...r, schedule: c.point.widths, steps: c.point.widths.length, cache: c.point.cache };
    name = c.point.name;
    budget = { requested: c.budget, fraction: c.point.fraction, exceeded: c.exceeded };
    if (c.exceeded) notices.push({ type: 'budget-exceeded', message: budgetNotice(c) });
  }
  const steps = r.steps ?? d.steps;
  const N = m.transformer.grid.reduce((a, b) => a * b, 1);
  // Checked before the schedule is built from it, so a bad value is reported as `steps`.
  if (!Number.isInteger(steps) || steps < 1 || steps > N) {
    throw new MgntError('bad-attribute', `steps must be an integer between 1 and ${N} (the number of tokens to generate), got ${steps}`);
  }
  let widths: number[];
  try {
    widths = Array.isArray(r.schedule)
      ? r.schedule.slice()
      : parseSchedule(r.schedule ?? 'magnets', steps, d.schedules.magnets ?? Array(steps).fill(1), m.transformer.widths);
  } catch (e) {
    throw new MgntError('bad-attribute', `schedule: ${(e as Error).message}`, { cause: e });
  }
  const cache = r.cache ?? true;
  return {
    classIndex: r.classIndex === undefined ? 0 : r.classIndex,
    seed: r.seed ?? 0,
    steps,
    widths,
    temperature: r.temperature ?? d.temperature,
    choiceTemperature: r.choiceTemperature ?? d.choice_temperature,
    guidance: r.guidance ?? d.guidance,
    cache,
    fixed: r.fixed && r.fixed.positions.length ? { positions: r.fixed.positions.slice(), tokens: r.fixed.tokens.slice() } : undefined,
    preview: r.preview ?? false,
    reuse: r.reuse ?? true,
    schedule: { name, widths: widths.slice(), cache, ...(budget ? { budget } : {}) },
    notices,
  };
}

/** Everything that determines the image, in a fixed order (preview and reuse do not). */
export function requestKey(r: ResolvedRequest): string {
  return JSON.stringify([r.classIndex, r.seed, r.steps, r.widths, r.temperature, r.choiceTemperature, r.guidance, r.cache, r.fixed ?? null]);
}
