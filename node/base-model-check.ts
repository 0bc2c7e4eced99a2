// gpu-check's MaskGIT-base-shaped model (D 768, 12 heads, MLP 3072, 257 tokens; random weights
// from src/model/synthetic.ts): wall ms per decode step, i.e. one transformer pass recorded,
// submitted and its logits read back, as generate() pays it. Two passes: full width over every
// position (a baseline step) and width 1/8 over the positions one step of an 8-step schedule
// changes, against the KV cache (a MaGNeTS cached step).
import type { Runtime } from '../src/gpu/runtime';
import { MgntModel } from '../src/model/model';
import { randomTensors } from '../src/model/random';
import { syntheticManifest } from '../src/model/synthetic';
import { median } from '../e2e/bench/timing';

export const BASE = { dim: 768, heads: 12, mlp: 3072, grid: [16, 16] as [number, number], layers: 24 };

export interface StepRow {
  width: number;
  positions: number;
  cached: boolean;
  ms_per_step: number;
  gflop_per_step: number;
  gflops: number;
  dispatches_per_step: number;
  runs: number;
}

export async function baseModelCheck(rt: Runtime, layers: number, runs: number): Promise<{ rows: Record<string, StepRow>; batch_rows: number }> {
  const model = MgntModel.fromTensors(rt, syntheticManifest({ ...BASE, layers }), randomTensors(1));
  try {
    const c = model.cfg;
    const classes = [1, c.null_class]; // guidance: the conditional and the null row, batched
    const tokens = Array.from({ length: c.seq_len - 1 }, () => c.mask_token);
    const all = Array.from({ length: c.seq_len }, (_, i) => i);
    const image = all.slice(0, -1);
    const changed = Math.ceil((c.seq_len - 1) / 8);
    const subset = Array.from({ length: changed }, (_, i) => 1 + i * 8); // spread over the image
    const pass = async (width: number, positions: number[], logitTokens: number[]) => {
      const t0 = performance.now();
      const b = rt.batch('gpu-check-step');
      const p = model.transformer.encode(b, { width, classes, tokens, positions, logitTokens });
      const dispatches = b.dispatchCount;
      const rb = b.readback(p.logits, p.rows * c.codebook_size * 4);
      b.submit();
      await rb;
      return { ms: performance.now() - t0, flops: p.flops, dispatches };
    };
    const measure = async (name: string, width: number, positions: number[], logitTokens: number[], cached: boolean, fill?: () => Promise<unknown>) => {
      const times: number[] = [];
      let last = { ms: 0, flops: 0, dispatches: 0 };
      for (let r = 0; r < runs + 1; r++) {
        if (fill) await fill();
        last = await pass(width, positions, logitTokens);
        if (r > 0) times.push(last.ms); // the first compiles the pipelines
      }
      const ms = median(times);
      process.stderr.write(`  ${name}: ${ms.toFixed(2)} ms per step\n`);
      return { width, positions: positions.length, cached, ms_per_step: ms, gflop_per_step: last.flops / 1e9, gflops: last.flops / (ms * 1e6), dispatches_per_step: last.dispatches, runs: times.length };
    };
    const rows: Record<string, StepRow> = {};
    rows.full_width_full_pass = await measure('full width, every position', 1, all, image, false);
    // The cache is filled by a width-1/8 full pass first (not timed), as the previous step would.
    const fill = () => pass(0.125, all, image);
    rows.width_1_8_cached_pass = await measure(`width 1/8, ${changed} positions against the KV cache`, 0.125, subset, subset.map((i) => i - 1), true, fill);
    return { rows, batch_rows: classes.length };
  } finally {
    model.destroy();
  }
}
