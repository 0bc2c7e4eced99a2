// Measures the time-budget dial's pass costs on this device: decode steps timed exactly as
// generate() runs them (one pass, the sampling kernel, one submit, one readback), at every width,
// for full passes (1 and 2 sequences) and KV-cached passes of a few and many positions, plus the
// decoder. Rounds go over every configuration in turn, so a burst of load on a shared machine
// touches one sample of each rather than every sample of one.
import { sample, SAMPLE_WORDS } from '../gpu/kernels/sample';
import type { Runtime } from '../gpu/runtime';
import type { MgntModel } from '../model/model';
import { COSTS_VERSION, fitLine, median, type PassCosts } from './time-budget';

export interface CalibrateOptions {
  /** Timed rounds after the warm-up (default 3: the median of each configuration is kept, so one slow sample — a late pipeline compile, a burst of load — does not move it). */
  rounds?: number;
  signal?: AbortSignal;
}

interface Config {
  width: number;
  full: boolean;
  sequences: number;
  /** Image tokens computed (cached passes) or all of them (full passes). */
  tokens: number[];
}

function abortError(): DOMException {
  return new DOMException('The calibration was aborted', 'AbortError');
}

/** Cached passes are measured at these fractions of the image tokens (rows then a line through them). */
const CACHED_FRACTIONS = [0.1, 0.75];

export async function measurePassCosts(rt: Runtime, model: MgntModel, opts: CalibrateOptions = {}): Promise<PassCosts> {
  const c = model.cfg, N = c.seq_len - 1, V = c.codebook_size;
  const all = Array.from({ length: N }, (_, i) => i);
  const configs: Config[] = [];
  for (const width of c.widths) {
    for (const sequences of [1, 2]) configs.push({ width, full: true, sequences, tokens: all });
    for (const f of CACHED_FRACTIONS) configs.push({ width, full: false, sequences: 2, tokens: all.slice(0, Math.max(1, Math.round(f * N))) });
  }
  // Any valid tokens do: the cost does not depend on their values.
  const tokens = Uint32Array.from(all, (i) => (i * 7919) % c.codebook_size);
  const out = rt.storage(N * SAMPLE_WORDS * 4, 'calibrate-out');
  const posBuf = rt.storage(N * 4, 'calibrate-pos');
  const step = async (k: Config): Promise<number> => {
    const t0 = performance.now();
    const batch = rt.batch('calibrate');
    const classes = k.sequences === 2 ? [0, c.null_class] : [0];
    const positions = k.full ? Array.from({ length: c.seq_len }, (_, s) => s) : k.tokens.map((i) => i + 1);
    const pass = model.transformer.encode(batch, { width: k.width, classes, tokens, positions, logitTokens: k.tokens });
    const P = k.tokens.length;
    rt.device.queue.writeBuffer(posBuf, 0, Uint32Array.from(k.tokens));
    sample(rt, batch, {
      P, V, logits: pass.logits, ld: V, guidance: k.sequences === 2 ? { scale: 1, offset: P * V } : undefined,
      positions: posBuf, seed: 0, step: 0, temperature: 1, kappa: 1, out,
    });
    const rb = batch.readback(out, P * SAMPLE_WORDS * 4);
    batch.submit();
    await rb;
    return performance.now() - t0;
  };
  const rounds = Math.max(1, opts.rounds ?? 3);
  const samples: number[][] = configs.map(() => []);
  const decoder: number[] = [];
  try {
    // Warm-up, untimed: the cheapest pass of each width compiles the pipelines every pass of that
    // width uses (they depend on the width's shapes, not on the rows); one pass without guidance
    // for the sampling kernel's other variant, and the decoder.
    const warm: Config[] = [...configs.filter((k) => !k.full && k.tokens.length < N / 2), { width: c.widths[0], full: false, sequences: 1, tokens: all.slice(0, 1) }];
    for (const k of warm) {
      if (opts.signal?.aborted) throw abortError();
      await step(k);
    }
    await model.decoder.decode(tokens);
    for (let r = 0; r < rounds; r++) {
      for (const [i, k] of configs.entries()) {
        if (opts.signal?.aborted) throw abortError();
        samples[i].push(await step(k));
      }
      const t0 = performance.now();
      await model.decoder.decode(tokens);
      decoder.push(performance.now() - t0);
    }
  } finally {
    rt.release(out, posBuf);
  }
  const at = (width: number, full: boolean) => configs.flatMap((k, i) => (k.width === width && k.full === full ? [[k.sequences * (k.full ? c.seq_len : k.tokens.length), median(samples[i])] as const] : []));
  return {
    version: COSTS_VERSION,
    widths: c.widths.map((width) => ({ width, full: fitLine(at(width, true)), cached: fitLine(at(width, false)) })),
    decoder: median(decoder),
  };
}
