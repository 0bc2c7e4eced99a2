// Per-step benchmark: one transformer pass (the CFG batch of 2, as a decode step runs it) at each
// fusion level of the layer (src/model/transformer.ts `Fusion`) and width, interleaved in one
// page, plus a profile of where a pass's time goes by kernel kind (each kind's dispatches alone
// in one submit), and whole generations per fusion level. Driven by e2e/bench/step.bench.ts.
import { acquireGpu } from '../../src/gpu/device';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint } from '../../src/model/checkpoint';
import { MgntModel } from '../../src/model/model';
import type { Fusion, PassInput } from '../../src/model/transformer';
import { generate } from '../../src/pipeline/generate';
import { parseSchedule } from '../../src/pipeline/schedule';
import { interleave, type Timed } from './timing';

export interface StepBenchConfig {
  model: string;
  fusions: Fusion[];
  widths: number[];
  /** Positions a cached pass computes (a decode step's newly unmasked tokens), besides full passes. */
  cachedPositions: number;
  rounds: number;
  /** Passes per timed submit-and-wait, averaged. */
  reps: number;
  steps: number;
}

export interface StepRow extends Timed {
  fusion: Fusion;
  width: number;
  pass: 'full' | 'cached';
  dispatches: number;
  /** ms per kernel kind when its dispatches of the pass run alone (sum ≈ the pass minus overheads). */
  profile: Record<string, number>;
}

export interface GenRow extends Timed {
  fusion: Fusion;
  schedule: string;
  ms_per_step: number;
  dispatches_per_step: number;
}

async function run(c: StepBenchConfig): Promise<{ model: string; passes: StepRow[]; generations: GenRow[] }> {
  const rt = new Runtime(await acquireGpu());
  const model = MgntModel.fromCheckpoint(rt, await loadCheckpoint(c.model));
  const t = model.transformer, cfg = model.cfg;
  const tokens = new Uint32Array(cfg.seq_len - 1).fill(cfg.mask_token);
  const all = Array.from({ length: cfg.seq_len }, (_, i) => i);
  const inputs: Record<'full' | 'cached', (w: number) => PassInput> = {
    full: (width) => ({ width, classes: [1, cfg.null_class], tokens, positions: all, logitTokens: all.slice(1).map((i) => i - 1) }),
    cached: (width) => {
      const pos = all.slice(1, 1 + c.cachedPositions);
      return { width, classes: [1, cfg.null_class], tokens, positions: pos, logitTokens: pos.map((i) => i - 1) };
    },
  };
  // Timing of `reps` passes, each its own submit, awaited once at the end (as decode steps queue).
  const timePasses = async (fusion: Fusion, input: PassInput, keep?: ReadonlySet<string>): Promise<number> => {
    t.fusion = fusion;
    const t0 = performance.now();
    for (let i = 0; i < c.reps; i++) {
      const b = rt.batch('step');
      t.encode(b, input);
      if (keep) b.keepOnly(keep);
      b.submit();
    }
    await rt.device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / c.reps;
  };
  const meta: Record<string, { fusion: Fusion; width: number; pass: 'full' | 'cached'; dispatches: number; kinds: string[] }> = {};
  const contenders: Record<string, () => Promise<number>> = {};
  for (const pass of ['full', 'cached'] as const) for (const width of c.widths) for (const fusion of c.fusions) {
    const key = `${pass} w${width} ${fusion}`;
    t.fusion = fusion;
    const b = rt.batch('probe');
    t.encode(b, inputs[pass](width));
    meta[key] = { fusion, width, pass, dispatches: b.dispatchCount, kinds: [...new Set(b.kernelNames)] };
    b.keepOnly(new Set());
    b.submit();
    contenders[key] = () => timePasses(fusion, inputs[pass](width));
  }
  await rt.device.queue.onSubmittedWorkDone();
  const timed = await interleave(contenders, c.rounds, 1);
  // The profile: each kernel kind alone, fewer rounds (it explains the totals, it does not rank them).
  const profContenders: Record<string, () => Promise<number>> = {};
  for (const [key, m] of Object.entries(meta)) {
    for (const k of m.kinds) profContenders[`${key}|${k}`] = () => timePasses(m.fusion, inputs[m.pass](m.width), new Set([k]));
  }
  const prof = await interleave(profContenders, Math.max(1, Math.ceil(c.rounds / 2)), 1);
  const passes: StepRow[] = Object.entries(timed).map(([key, tm]) => {
    const m = meta[key];
    const profile = Object.fromEntries(m.kinds.map((k) => [k, prof[`${key}|${k}`].median]));
    return { ...tm, fusion: m.fusion, width: m.width, pass: m.pass, dispatches: m.dispatches, profile };
  });
  // Whole generations (12 steps, guidance 2, the shipped schedules) per fusion level.
  const magnets = model.manifest.decode_defaults.schedules.magnets;
  const gen: Record<string, () => Promise<number>> = {};
  const genMeta: Record<string, { fusion: Fusion; schedule: string; dispatches: number }> = {};
  for (const schedule of ['baseline', 'magnets']) for (const fusion of c.fusions) {
    const key = `${schedule} ${fusion}`;
    const widths = parseSchedule(schedule, c.steps, magnets, cfg.widths);
    gen[key] = async () => {
      t.fusion = fusion;
      const r = await generate(rt, model, { classIndex: 7, seed: 7, steps: c.steps, widths, temperature: 1, choiceTemperature: 4.5, guidance: 2, cache: schedule === 'magnets' });
      genMeta[key] = { fusion, schedule, dispatches: r.dispatches / c.steps };
      return r.ms;
    };
  }
  const gt = await interleave(gen, c.rounds, 1);
  const generations: GenRow[] = Object.entries(gt).map(([key, tm]) => ({
    ...tm, ...genMeta[key], ms_per_step: tm.median / c.steps, dispatches_per_step: genMeta[key].dispatches,
  }));
  t.fusion = 'qkv-ln2';
  model.destroy();
  rt.destroy();
  return { model: model.manifest.name, passes, generations };
}

declare global {
  interface Window {
    stepBench: { run: typeof run };
  }
}
window.stepBench = { run };
document.getElementById('status')!.textContent = 'ready';
