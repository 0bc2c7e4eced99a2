// Batched-generation benchmark: images/s at several batch sizes per schedule, the batch sizes
// interleaved round by round in one page on one model (pipeline/generate-batch.ts). Driven by
// e2e/bench/images.bench.ts; loaded by images.html next to the per-image bench.
import { acquireGpu } from '../../src/gpu/device';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint } from '../../src/model/checkpoint';
import { MgntModel } from '../../src/model/model';
import type { GenerateRequest } from '../../src/pipeline/generate';
import { generateBatch } from '../../src/pipeline/generate-batch';
import { parseSchedule } from '../../src/pipeline/schedule';
import { interleave, type Timed } from './timing';

export interface BatchBenchConfig {
  model: string;
  steps: number;
  guidance: number;
  schedules: Record<string, { schedule: string; cache: boolean }>;
  batches: number[];
  rounds: number;
  warmup: number;
}

export interface BatchBenchRow extends Timed {
  schedule: string;
  batch: number;
  images_per_s: number;
  ms_per_image: number;
  /** images/s over batch 1's for the same schedule. */
  speedup: number;
  submits_per_step: number;
  dispatches_per_step: number;
  /** Wall ms of every step of the last timed batch (width, ms): where batching pays and where not. */
  steps: Array<[number, number]>;
  /** Last batch: ms after the last step (the decoder pass). */
  decode_ms: number;
}

async function run(c: BatchBenchConfig): Promise<{ model: string; rows: Record<string, BatchBenchRow> }> {
  const rt = new Runtime(await acquireGpu());
  const model = MgntModel.fromCheckpoint(rt, await loadCheckpoint(c.model));
  const magnets = model.manifest.decode_defaults.schedules.magnets;
  const last: Record<string, { submits: number; dispatches: number; steps: Array<[number, number]>; decode: number }> = {};
  const contenders: Record<string, () => Promise<number>> = {};
  for (const [name, s] of Object.entries(c.schedules)) {
    const widths = parseSchedule(s.schedule, c.steps, magnets, model.cfg.widths);
    for (const b of c.batches) {
      // Mixed classes and seeds, as a gallery asks for.
      const reqs: GenerateRequest[] = Array.from({ length: b }, (_, i) => ({
        classIndex: i % model.cfg.num_classes, seed: 7 + i, steps: c.steps, widths, temperature: 1, choiceTemperature: 4.5, guidance: c.guidance, cache: s.cache,
      }));
      contenders[`${name} b${b}`] = async () => {
        const t0 = performance.now();
        const res = await generateBatch(rt, model, reqs, { batch: b });
        const ms = performance.now() - t0;
        const steps = res[0].steps.map((st): [number, number] => [st.width, Math.round(st.ms)]);
        last[`${name} b${b}`] = { submits: res[0].submits, dispatches: res[0].dispatches, steps, decode: Math.round(ms - steps.reduce((a, x) => a + x[1], 0)) };
        return ms;
      };
    }
  }
  const timed = await interleave(contenders, c.rounds, c.warmup);
  const rows: Record<string, BatchBenchRow> = {};
  for (const [name, s] of Object.entries(c.schedules)) {
    const one = timed[`${name} b${c.batches[0]}`];
    const perS1 = (c.batches[0] * 1000) / one.median;
    for (const b of c.batches) {
      const key = `${name} b${b}`, t = timed[key], ips = (b * 1000) / t.median;
      rows[key] = {
        ...t, schedule: s.schedule, batch: b, images_per_s: ips, ms_per_image: t.median / b, speedup: ips / perS1,
        submits_per_step: last[key].submits / c.steps, dispatches_per_step: last[key].dispatches / c.steps,
        steps: last[key].steps, decode_ms: last[key].decode,
      };
      document.getElementById('out')!.textContent += `${key}: ${ips.toFixed(2)} images/s\n`;
    }
  }
  model.destroy();
  rt.destroy();
  return { model: model.manifest.name, rows };
}

declare global {
  interface Window {
    batchBench: { run: typeof run };
  }
}
window.batchBench = { run };
