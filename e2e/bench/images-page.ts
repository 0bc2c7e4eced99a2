// Per-image benchmark: schedules run interleaved in one page on one model, so their wall-time
// ratios are measured under the same conditions. Driven by e2e/bench/images.bench.ts.
import { acquireGpu } from '../../src/gpu/device';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint } from '../../src/model/checkpoint';
import type { TransformerConfig } from '../../src/model/manifest';
import { MgntModel } from '../../src/model/model';
import { randomTensors } from '../../src/model/random';
import { syntheticManifest } from '../../src/model/synthetic';
import { generate, type GenerateResult } from '../../src/pipeline/generate';
import { parseSchedule } from '../../src/pipeline/schedule';
import { interleave, median, type Timed } from './timing';

export interface ImageBenchConfig {
  /** Manifest URL of a checkpoint, or a synthetic (random-weight) transformer config. */
  model: string | (Partial<TransformerConfig> & { layers: number; dim: number; heads: number; mlp: number });
  steps: number;
  guidance: number;
  schedules: Record<string, { schedule: string; cache: boolean }>;
  rounds: number;
  warmup: number;
  classIndex: number;
}

export interface ImageBenchRow extends Timed {
  schedule: string;
  widths: number[];
  cache: boolean;
  gflops: number;
  gflops_transformer: number;
  ms_median: number;
  dispatches_per_step: number;
  submits_per_step: number;
  readbacks_per_step: number;
  /** Where the time goes: per width, the steps run at it, their ms (median over the timed runs) and GFLOPs; `decoder` is the rest (final decoder pass, bookkeeping). */
  by_width: Record<string, { steps: number; ms: number; gflops: number }>;
  decoder_ms: number;
}

async function run(c: ImageBenchConfig): Promise<{ model: string; rows: Record<string, ImageBenchRow> }> {
  const rt = new Runtime(await acquireGpu());
  let model: MgntModel;
  let label: string;
  if (typeof c.model === 'string') {
    model = MgntModel.fromCheckpoint(rt, await loadCheckpoint(c.model));
    label = model.manifest.name;
  } else {
    model = MgntModel.fromTensors(rt, syntheticManifest(c.model), randomTensors(1));
    const t = model.cfg;
    label = `random weights: ${t.layers} layers, D ${t.dim}, ${t.heads} heads, MLP ${t.mlp}, ${t.seq_len} tokens`;
  }
  const magnets = model.manifest.decode_defaults.schedules.magnets;
  const last: Record<string, GenerateResult> = {};
  /** Per schedule, per run: ms per width and the rest. */
  const split: Record<string, Array<Record<string, number>>> = {};
  const contenders: Record<string, () => Promise<number>> = {};
  for (const [name, s] of Object.entries(c.schedules)) {
    const widths = parseSchedule(s.schedule, c.steps, magnets, model.cfg.widths);
    contenders[name] = async () => {
      const r = await generate(rt, model, {
        classIndex: c.classIndex, seed: 7, steps: c.steps, widths, temperature: 1, choiceTemperature: 4.5, guidance: c.guidance, cache: s.cache,
      });
      last[name] = r;
      const byWidth: Record<string, number> = { decoder: r.ms };
      for (const st of r.steps) {
        byWidth[st.width] = (byWidth[st.width] ?? 0) + st.ms;
        byWidth.decoder -= st.ms;
      }
      (split[name] ??= []).push(byWidth);
      return r.ms;
    };
  }
  const timed = await interleave(contenders, c.rounds, c.warmup);
  const rows: Record<string, ImageBenchRow> = {};
  for (const [name, t] of Object.entries(timed)) {
    const r = last[name];
    // The timed runs only (interleave runs warmup rounds first).
    const runs = split[name].slice(-t.runs);
    const byWidth: ImageBenchRow['by_width'] = {};
    for (const st of r.steps) {
      const w = String(st.width);
      byWidth[w] ??= { steps: 0, ms: median(runs.map((x) => x[w])), gflops: 0 };
      byWidth[w].steps++;
      byWidth[w].gflops += st.gflops;
    }
    rows[name] = {
      by_width: byWidth, decoder_ms: median(runs.map((x) => x.decoder)),
      ...t, schedule: c.schedules[name].schedule, widths: r.widths, cache: c.schedules[name].cache,
      gflops: r.gflops, gflops_transformer: r.gflopsTransformer, ms_median: t.median,
      dispatches_per_step: r.dispatches / c.steps, submits_per_step: r.submits / c.steps, readbacks_per_step: r.readbacks / c.steps,
    };
    document.getElementById('out')!.textContent += `${name}: ${t.median.toFixed(0)} ms, ${r.gflops.toFixed(3)} GFLOPs\n`;
  }
  model.destroy();
  rt.destroy();
  return { model: label, rows };
}

declare global {
  interface Window {
    imageBench: { run: typeof run };
  }
}
window.imageBench = { run };
document.getElementById('status')!.textContent = 'ready';
