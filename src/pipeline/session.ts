// One model on one GPU for a page or a worker: loads the checkpoint through the IndexedDB store
// (network on a miss, with progress), generates with the first-step and result caches, lets a new
// generation abort the previous one, and frees every GPU buffer on destroy.
import { acquireGpu } from '../gpu/device';
import { MgntError } from '../gpu/errors';
import { Runtime } from '../gpu/runtime';
import { loadCheckpoint, networkSource, type LoadProgress } from '../model/checkpoint';
import { MgntModel } from '../model/model';
import { ActivationCache, emptyReport, storedSource, type StoreReport } from '../store';
import { generate, type GenerateResult, type StepInfo } from './generate';
import type { FirstStepCache } from './first-step';
import { requestKey, resolveRequest, type SessionRequest } from './request';

export interface ModelInfo {
  name: string;
  id: string;
  classes: string[];
  widths: number[];
  defaults: { steps: number; guidance: number; temperature: number; choiceTemperature: number; magnets: number[] };
  grid: [number, number];
  weightBytes: number;
  ms: number;
  storage: StoreReport;
}

/** A step as reported outside the decode loop: no per-step token copies unless asked. */
export type StepReport = Omit<StepInfo, 'tokens'> & { tokens?: Uint32Array };

export interface SessionResult extends Omit<GenerateResult, 'steps'> {
  classIndex: number | null;
  seed: number;
  steps: number;
  /** Per-step summary (width, positions computed, GFLOPs, ms). */
  stepInfo: Array<Pick<StepInfo, 'step' | 'width' | 'computed' | 'full' | 'gflops' | 'ms'> & { cached?: boolean }>;
  /** `result`: returned from the result cache; `first-step`: step 0 came from the cache. */
  reused: 'result' | 'first-step' | null;
}

export interface SessionOptions {
  runtime?: Runtime;
  /** Keep checkpoint files and activations in IndexedDB (default true). */
  store?: boolean;
  chunkBytes?: number;
  onQuota?: (e: MgntError) => void;
}

/** What the element and the demo need from a session, whether it runs here or in a worker. */
export interface SessionApi {
  readonly backend: 'worker' | 'main';
  load(url: string, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo>;
  generate(req: SessionRequest, onStep?: (s: StepReport) => void): Promise<SessionResult>;
  abort(): void;
  /** Stops, frees the GPU memory; reports the pool's live bytes after vs before loading. */
  destroy(): Promise<DestroyReport>;
}

export interface DestroyReport {
  liveBytes: number;
  baseLiveBytes: number;
}

function abortError(): DOMException {
  return new DOMException('The generation was aborted', 'AbortError');
}

export class Session implements SessionApi {
  readonly backend = 'main' as const;
  private model: MgntModel | null = null;
  private current: AbortController | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly cache: ActivationCache | null;
  private destroyed = false;
  /** Pool bytes in use before this session loaded anything (destroy returns to it). */
  readonly baseLiveBytes: number;

  private constructor(readonly rt: Runtime, private readonly ownsRuntime: boolean, private readonly opts: SessionOptions) {
    this.cache = opts.store === false ? null : new ActivationCache();
    this.baseLiveBytes = rt.pool.liveBytes;
  }

  /** Opens a session on a given runtime, or on a new device that destroy() will release. */
  static async open(opts: SessionOptions = {}): Promise<Session> {
    if (opts.runtime) return new Session(opts.runtime, false, opts);
    return new Session(new Runtime(await acquireGpu()), true, opts);
  }

  get liveBytes(): number {
    return this.rt.pool.liveBytes;
  }

  get loaded(): MgntModel | null {
    return this.model;
  }

  async load(url: string, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    this.check();
    this.abort();
    const t0 = performance.now();
    const { source, report } = this.opts.store === false
      ? { source: networkSource, report: { ...emptyReport(), memoryOnly: true, reason: 'storage disabled' } }
      : storedSource({ chunkBytes: this.opts.chunkBytes, onQuota: this.opts.onQuota });
    const ck = await loadCheckpoint(url, { source, onProgress });
    this.check();
    const model = MgntModel.fromCheckpoint(this.rt, ck);
    this.model?.destroy();
    this.model = model;
    const m = ck.manifest, d = m.decode_defaults;
    return {
      name: m.name, id: ck.id, classes: m.classes.slice(), widths: m.transformer.widths.slice(), grid: m.transformer.grid,
      defaults: { steps: d.steps, guidance: d.guidance, temperature: d.temperature, choiceTemperature: d.choice_temperature, magnets: (d.schedules.magnets ?? []).slice() },
      weightBytes: model.weightBytes, ms: performance.now() - t0, storage: report,
    };
  }

  /** Generates; a call while another runs aborts that one (it rejects with AbortError). */
  async generate(req: SessionRequest, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    this.check();
    const model = this.model;
    if (!model) throw new MgntError('bad-attribute', 'no model is loaded: call load() first');
    this.abort();
    const ctl = new AbortController();
    this.current = ctl;
    // The GPU objects are shared: wait until the aborted run has left the loop before starting.
    const previous = this.running;
    const run = previous.catch(() => {}).then(() => this.run(model, req, ctl.signal, onStep));
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.current === ctl) this.current = null;
    }
  }

  private async run(model: MgntModel, req: SessionRequest, signal: AbortSignal, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    if (signal.aborted) throw abortError();
    const r = resolveRequest(model.manifest, req);
    const key = requestKey(r);
    const c = model.cfg;
    const base = { classIndex: r.classIndex, seed: r.seed, steps: r.steps };
    if (r.reuse && this.cache) {
      const hit = await this.cache.result(model.id, key);
      if (signal.aborted) throw abortError();
      if (hit) {
        return {
          ...base, tokens: hit.tokens, gray: hit.gray, size: hit.size, widths: hit.widths, gflops: hit.gflops,
          gflopsTransformer: hit.gflopsTransformer, gflopsDecoder: hit.gflopsDecoder, ms: 0,
          dispatches: 0, submits: 0, readbacks: 0, stepInfo: [], reused: 'result',
        };
      }
    }
    let firstStep: FirstStepCache | undefined;
    if (r.reuse && this.cache && !r.fixed) {
      const cache = this.cache, cls = r.classIndex ?? c.null_class, cfg = r.guidance > 0, w = r.widths[0];
      firstStep = {
        load: () => cache.firstStep(model.id, w, cls, cfg),
        save: (s) => void cache.saveFirstStep(model.id, w, cls, cfg, s),
      };
    }
    const res = await generate(this.rt, model, {
      ...r, signal, firstStep,
      onStep: onStep && ((s) => onStep({ ...s })),
    });
    if (r.reuse && this.cache) {
      void this.cache.saveResult(model.id, key, {
        tokens: res.tokens, gray: res.gray, size: res.size, widths: res.widths, gflops: res.gflops,
        gflopsTransformer: res.gflopsTransformer, gflopsDecoder: res.gflopsDecoder, ms: res.ms,
      });
    }
    const { steps, ...rest } = res;
    return {
      ...rest, ...base,
      stepInfo: steps.map((s) => ({ step: s.step, width: s.width, computed: s.computed, full: s.full, gflops: s.gflops, ms: s.ms, cached: s.cached })),
      reused: steps[0]?.cached ? 'first-step' : null,
    };
  }

  abort(): void {
    this.current?.abort();
    this.current = null;
  }

  /** Stops any run, frees the model's GPU buffers and, if it owns the device, the device too. */
  async destroy(): Promise<DestroyReport> {
    const report = () => ({ liveBytes: this.rt.pool.liveBytes, baseLiveBytes: this.baseLiveBytes });
    if (this.destroyed) return report();
    this.abort();
    this.destroyed = true;
    await this.running.catch(() => {});
    this.model?.destroy();
    this.model = null;
    const r = report();
    if (this.ownsRuntime) {
      this.rt.destroy();
      this.rt.device.destroy();
    } else this.rt.pool.trim();
    return r;
  }

  private check(): void {
    if (this.destroyed) throw new MgntError('aborted', 'this session was destroyed');
  }
}
