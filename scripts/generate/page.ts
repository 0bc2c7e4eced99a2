// Browser side of `npm run generate`: loads a checkpoint and runs generations on WebGPU.
import { acquireGpu } from '../../src/gpu/device';
import { MgntError } from '../../src/gpu/errors';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint } from '../../src/model/checkpoint';
import { MgntModel } from '../../src/model/model';
import { generate } from '../../src/pipeline/generate';
import { generateBatch } from '../../src/pipeline/generate-batch';
import { resolveRequest } from '../../src/pipeline/request';
import { DeviceTiming, forTimeBudget } from '../../src/pipeline/timing';
import { ActivationCache } from '../../src/store';

let rt: Runtime | null = null;
let model: MgntModel | null = null;
/** The time-budget dial's device measurement: once per CLI run (a fresh browser profile). */
const timing = new DeviceTiming(new ActivationCache());

export interface CliRequest {
  classIndex: number;
  seed: number;
  schedule: string;
  steps?: number;
  guidance?: number;
  cache: boolean;
  /** Fraction of the full-width cost: picks the schedule from the shipped Pareto front. */
  budget?: number;
  /** ms per image: the best front point predicted to fit on this device. */
  timeBudget?: number;
}

function errorInfo(e: unknown) {
  return { error: { type: e instanceof MgntError ? e.type : 'error', message: e instanceof Error ? e.message : String(e) } };
}

declare global {
  interface Window {
    mgntCli: {
      load(url: string): Promise<{ classes: string[]; defaults: unknown; name: string } | ReturnType<typeof errorInfo>>;
      run(r: CliRequest): Promise<Record<string, unknown>>;
      /** Several requests decoded together, at most `batch` images per pass: one result each, or one error. */
      runBatch(rs: CliRequest[], batch: number): Promise<{ results: Array<Record<string, unknown>> } | ReturnType<typeof errorInfo>>;
    };
    mgntProgress?: (line: string) => void;
  }
}

window.mgntCli = {
  async load(url) {
    try {
      rt ??= new Runtime(await acquireGpu());
      let last = -1;
      const ck = await loadCheckpoint(url, {
        onProgress: (p) => {
          const pct = Math.floor((100 * p.loaded) / p.total);
          if (pct >= last + 10) window.mgntProgress?.(`loading ${p.file} ${pct}%`);
          last = Math.max(last, pct);
        },
      });
      model = MgntModel.fromCheckpoint(rt, ck);
      return { classes: ck.manifest.classes, defaults: ck.manifest.decode_defaults, name: ck.manifest.name };
    } catch (e) {
      return errorInfo(e);
    }
  },
  async run(r) {
    try {
      if (!rt || !model) throw new Error('load a model first');
      // The session's own resolution, so the CLI runs (and names) exactly what the element would.
      const req = {
        classIndex: r.classIndex, seed: r.seed, schedule: r.schedule, steps: r.steps, guidance: r.guidance, cache: r.cache, budget: r.budget, timeBudget: r.timeBudget,
      };
      if (r.timeBudget !== undefined && !timing.known(rt, model)) window.mgntProgress?.('measuring this device for the time budget…');
      const { r: q, predictedMs } = await timing.apply(rt, model, req, resolveRequest(model.manifest, forTimeBudget(req)));
      const res = await generate(rt, model, {
        ...q,
        onStep: (s) => window.mgntProgress?.(`  step ${s.step + 1}/${s.steps} width ${s.width} computed ${s.computed}${s.full ? ' (full)' : ''} ${s.gflopsTotal.toFixed(3)} GFLOPs`),
      });
      return { gray: Array.from(res.gray), size: res.size, frames: res.frames.length, fps: res.fps, tokens: Array.from(res.tokens), widths: res.widths, gflops: res.gflops, ms: res.ms, predictedMs, schedule: q.schedule, notices: q.notices };
    } catch (e) {
      return errorInfo(e);
    }
  },
  async runBatch(rs, batch) {
    try {
      if (!rt || !model) throw new Error('load a model first');
      const m = model;
      const qs = rs.map((r) => resolveRequest(m.manifest, {
        classIndex: r.classIndex, seed: r.seed, schedule: r.schedule, steps: r.steps, guidance: r.guidance, cache: r.cache, budget: r.budget,
      }));
      // Steps are shared by a group: reported once, for its first image.
      qs[0] = { ...qs[0], onStep: (s: { step: number; steps: number; width: number; computed: number; full: boolean }) => window.mgntProgress?.(`  step ${s.step + 1}/${s.steps} width ${s.width} computed ${s.computed}${s.full ? ' (full)' : ''} per image`) } as typeof qs[0];
      const res = await generateBatch(rt, m, qs, { batch });
      return {
        results: res.map((x, i) => ({
          gray: Array.from(x.gray), size: x.size, frames: x.frames.length, fps: x.fps, tokens: Array.from(x.tokens), widths: x.widths, gflops: x.gflops,
          ms: x.ms / x.batch.size, batch: x.batch.size, schedule: qs[i].schedule, notices: qs[i].notices,
        })),
      };
    } catch (e) {
      return errorInfo(e);
    }
  },
};
document.getElementById('status')!.textContent = 'ready';
