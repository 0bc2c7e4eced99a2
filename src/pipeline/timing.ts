// The time-budget dial on a device: pass costs measured once per adapter and checkpoint (kept in
// memory and in IndexedDB, read back on later loads), a prediction for every front point, and the
// request rewritten to the best point that fits. Used by the session and by the CLI's page alike.
import { MgntError } from '../gpu/errors';
import type { Runtime } from '../gpu/runtime';
import type { MgntModel } from '../model/model';
import type { ActivationCache } from '../store';
import { measurePassCosts } from './calibrate';
import type { TimeBudgetUsed } from './outcome';
import type { ResolvedRequest, SessionRequest } from './request';
import { adapterKey, checkCosts, checkTimeBudget, chooseForTime, predictFront, predictMs, timeBudgetNotice, type GenerationShape, type PassCosts } from './time-budget';

export interface Calibration {
  costs: PassCosts;
  source: TimeBudgetUsed['calibration'];
  /** ms spent measuring (0 when read back). */
  ms: number;
}

/** A request with a time budget ignores schedule and steps (the dial sets them), so they are not checked. */
export function forTimeBudget(req: SessionRequest): SessionRequest {
  return req.timeBudget === undefined || req.timeBudget === null ? req : { ...req, schedule: undefined, steps: undefined };
}

export function generationShape(model: MgntModel, r: ResolvedRequest): GenerationShape {
  return { seqLen: model.cfg.seq_len, masked: model.layout.tokens - (r.fixed?.positions.length ?? 0), sequences: r.guidance > 0 ? 2 : 1, preview: r.preview };
}

export class DeviceTiming {
  private mem = new Map<string, PassCosts>();

  constructor(private readonly store: ActivationCache | null) {}

  private static adapter(rt: Runtime): string {
    return adapterKey(rt.gpu.adapterInfo);
  }

  /** The costs measured or read for this model on this adapter so far, if any (no I/O). */
  known(rt: Runtime, model: MgntModel): PassCosts | undefined {
    return this.mem.get(`${model.id}\n${DeviceTiming.adapter(rt)}`);
  }

  /**
   * The pass costs of this model on this adapter: from memory, else from IndexedDB (an entry that
   * fails its check is dropped), else measured now and stored. `recalibrate` always measures.
   */
  async calibrate(rt: Runtime, model: MgntModel, opts: { recalibrate?: boolean; signal?: AbortSignal } = {}): Promise<Calibration> {
    const adapter = DeviceTiming.adapter(rt), key = `${model.id}\n${adapter}`;
    if (!opts.recalibrate) {
      const m = this.mem.get(key);
      if (m) return { costs: m, source: 'memory', ms: 0 };
      const stored = await this.store?.calibration(model.id, adapter);
      const costs = checkCosts(stored, model.cfg.widths);
      if (costs) {
        this.mem.set(key, costs);
        return { costs, source: 'stored', ms: 0 };
      }
      if (stored !== undefined) await this.store?.dropCalibration(model.id, adapter);
    }
    const t0 = performance.now();
    const costs = await measurePassCosts(rt, model, { signal: opts.signal });
    this.mem.set(key, costs);
    void this.store?.saveCalibration(model.id, adapter, costs);
    return { costs, source: 'measured', ms: performance.now() - t0 };
  }

  /**
   * Applies `req.timeBudget` to the resolved request: the best-quality front point predicted to
   * fit replaces its schedule, steps and cache mode. Without a budget the request is unchanged
   * and gets a prediction when this device's costs are already known (or `recalibrate` asks).
   */
  async apply(rt: Runtime, model: MgntModel, req: SessionRequest, r: ResolvedRequest, signal?: AbortSignal): Promise<{ r: ResolvedRequest; predictedMs?: number }> {
    const shape = generationShape(model, r);
    if (req.timeBudget === undefined || req.timeBudget === null) {
      const costs = req.recalibrate ? (await this.calibrate(rt, model, { recalibrate: true, signal })).costs : this.known(rt, model);
      return { r, ...(costs ? { predictedMs: predictMs(costs, r.widths, r.cache, shape) } : {}) };
    }
    const budgetMs = checkTimeBudget(req.timeBudget);
    if (req.budget !== undefined && req.budget !== null) {
      throw new MgntError('bad-attribute', 'give a compute budget (budget, a fraction of the full-width cost) or a time budget (timeBudget, in ms), not both');
    }
    const front = model.manifest.decode_defaults.pareto ?? [];
    if (!front.length) throw new MgntError('format', 'this checkpoint ships no quality–compute front; the time-budget dial needs one (train/evaluate.py)');
    const cal = await this.calibrate(rt, model, { recalibrate: req.recalibrate, signal });
    const timed = predictFront(front, cal.costs, shape);
    const c = chooseForTime(timed, budgetMs);
    const p = c.point;
    const timeBudget: TimeBudgetUsed = {
      requested: budgetMs, predictedMs: c.predictedMs, exceeded: c.exceeded, lowestMs: c.lowestMs, calibration: cal.source, calibrationMs: cal.ms,
      points: timed.map((t) => ({ name: t.point.name, predictedMs: t.predictedMs, fid: t.point.fid })),
    };
    return {
      r: {
        ...r, steps: p.widths.length, widths: p.widths.slice(), cache: p.cache,
        schedule: { name: p.name, widths: p.widths.slice(), cache: p.cache, timeBudget },
        notices: c.exceeded ? [...r.notices, { type: 'time-budget-exceeded', message: timeBudgetNotice(c) }] : r.notices,
      },
      predictedMs: c.predictedMs,
    };
  }
}
