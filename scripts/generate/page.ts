// Browser side of `npm run generate`: loads a checkpoint and runs generations on WebGPU.
import { acquireGpu } from '../../src/gpu/device';
import { MgntError } from '../../src/gpu/errors';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint } from '../../src/model/checkpoint';
import { MgntModel } from '../../src/model/model';
import { generate } from '../../src/pipeline/generate';
import { pickForBudget } from '../../src/pipeline/budget';
import { parseSchedule } from '../../src/pipeline/schedule';

let rt: Runtime | null = null;
let model: MgntModel | null = null;

export interface CliRequest {
  classIndex: number;
  seed: number;
  schedule: string;
  steps?: number;
  guidance?: number;
  cache: boolean;
  /** Fraction of the full-width cost: picks the schedule from the shipped Pareto front. */
  budget?: number;
}

function errorInfo(e: unknown) {
  return { error: { type: e instanceof MgntError ? e.type : 'error', message: e instanceof Error ? e.message : String(e) } };
}

declare global {
  interface Window {
    mgntCli: {
      load(url: string): Promise<{ classes: string[]; defaults: unknown; name: string } | ReturnType<typeof errorInfo>>;
      run(r: CliRequest): Promise<Record<string, unknown>>;
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
      const d = model.manifest.decode_defaults;
      let steps = r.steps ?? d.steps;
      let widths: number[];
      let cache = r.cache;
      let schedule = r.schedule;
      if (r.budget !== undefined) {
        const p = pickForBudget(d.pareto ?? [], r.budget);
        widths = p.widths;
        steps = widths.length;
        cache = p.cache;
        schedule = p.name;
      } else widths = parseSchedule(r.schedule, steps, d.schedules.magnets, model.cfg.widths);
      const res = await generate(rt, model, {
        classIndex: r.classIndex, seed: r.seed, steps, widths, temperature: d.temperature,
        choiceTemperature: d.choice_temperature, guidance: r.guidance ?? d.guidance, cache,
        onStep: (s) => window.mgntProgress?.(`  step ${s.step + 1}/${s.steps} width ${s.width} computed ${s.computed}${s.full ? ' (full)' : ''} ${s.gflopsTotal.toFixed(3)} GFLOPs`),
      });
      return { gray: Array.from(res.gray), size: res.size, frames: res.frames.length, fps: res.fps, tokens: Array.from(res.tokens), widths: res.widths, gflops: res.gflops, ms: res.ms, schedule };
    } catch (e) {
      return errorInfo(e);
    }
  },
};
document.getElementById('status')!.textContent = 'ready';
