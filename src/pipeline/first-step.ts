// Skipping the first decode step's forward pass. Step 0 always sees all seq_len − 1 tokens masked,
// so its logits depend only on (model, width, class, guidance on/off). Step 1 recomputes every
// image position (all were masked at the start of step 0), so the only state it takes from step 0
// is the K/V cache row of the class token (position 0) of each sequence: saving those rows with
// the logits and writing both back reproduces the uncached run bit for bit.
//
// An entry holds one image's sequences (its class, and with guidance the null class). A batch
// captures all of its sequences at once and splits them per image (sliceFirstStep); a restore
// writes an image's entry into that image's sequence slots of the batch.
import type { Batch, Runtime } from '../gpu/runtime';
import type { MgntModel } from '../model/model';
import type { ActivationCache } from '../store';

export interface FirstStepState {
  /** [batch·(seq_len − 1), V] logits in the transformer's logits layout. */
  logits: Float32Array;
  /** K then V row of position 0, per layer and sequence: [layers][batch][2][dim]. */
  kv: Float32Array;
}

/** Where the caller keeps first-step states (IndexedDB in the session); keyed by the caller. */
export interface FirstStepCache {
  load(): Promise<FirstStepState | undefined>;
  save(s: FirstStepState): void;
}

/** Records copies of the step-0 logits and class-token K/V rows into `batch`; resolves after submit. */
export function captureFirstStep(rt: Runtime, batch: Batch, model: MgntModel, B: number, rows: number): Promise<FirstStepState> {
  const c = model.cfg, D = c.dim, S = c.seq_len, rowBytes = D * 4;
  const { k, v } = model.transformer.kvCache;
  const logits = batch.readback(model.transformer.logits, rows * c.codebook_size * 4);
  const tmp = rt.storage(c.layers * B * 2 * rowBytes, 'first-step-kv');
  let off = 0;
  for (let l = 0; l < c.layers; l++) {
    for (let b = 0; b < B; b++) {
      for (const buf of [k[l], v[l]]) {
        batch.copy(buf, b * S * rowBytes, tmp, off, rowBytes);
        off += rowBytes;
      }
    }
  }
  const kv = batch.readback(tmp, off);
  return Promise.all([logits, kv]).then(
    ([l, x]) => {
      rt.release(tmp);
      return { logits: new Float32Array(l), kv: new Float32Array(x) };
    },
    (e) => {
      rt.release(tmp);
      throw e;
    },
  );
}

/** True when a saved state fits this model and an image of B sequences with `rows` logits rows (a stale or foreign entry is ignored). */
export function fitsFirstStep(model: MgntModel, s: FirstStepState, B: number, rows: number): boolean {
  const c = model.cfg;
  return s.logits.length === rows * c.codebook_size && s.kv.length === c.layers * B * 2 * c.dim;
}

/**
 * One image's entry out of a capture of a whole batch (`B` sequences, `P` logits rows each):
 * sequences `slots` of the batch, in the entry's order. Pure.
 */
export function sliceFirstStep(model: MgntModel, all: FirstStepState, B: number, P: number, slots: readonly number[]): FirstStepState {
  const c = model.cfg, D = c.dim, V = c.codebook_size, rowsV = P * V;
  const logits = new Float32Array(slots.length * rowsV);
  const kv = new Float32Array(c.layers * slots.length * 2 * D);
  slots.forEach((b, j) => logits.set(all.logits.subarray(b * rowsV, (b + 1) * rowsV), j * rowsV));
  for (let l = 0; l < c.layers; l++) {
    slots.forEach((b, j) => {
      const from = ((l * B + b) * 2) * D, to = ((l * slots.length + j) * 2) * D;
      kv.set(all.kv.subarray(from, from + 2 * D), to);
    });
  }
  return { logits, kv };
}

/** Writes an image's saved state into sequences `slots` of the pass (logits rows and class-token K/V rows); `P` logits rows per sequence. */
export function restoreFirstStep(rt: Runtime, model: MgntModel, s: FirstStepState, slots: readonly number[], P: number): void {
  const c = model.cfg, D = c.dim, S = c.seq_len, V = c.codebook_size, q = rt.device.queue;
  const { k, v } = model.transformer.kvCache;
  slots.forEach((b, j) => {
    q.writeBuffer(model.transformer.logits, b * P * V * 4, s.logits.buffer, s.logits.byteOffset + j * P * V * 4, P * V * 4);
  });
  let off = 0;
  for (let l = 0; l < c.layers; l++) {
    for (const b of slots) {
      for (const buf of [k[l], v[l]]) {
        q.writeBuffer(buf, b * S * D * 4, s.kv.buffer, s.kv.byteOffset + off * 4, D * 4);
        off += D;
      }
    }
  }
}

/** The session's first-step cache for one request (IndexedDB), or undefined where it does not apply. */
export function storedFirstStep(
  cache: ActivationCache | null, model: MgntModel,
  r: { reuse: boolean; fixed?: unknown; classIndex: number | null; guidance: number; widths: readonly number[] },
): FirstStepCache | undefined {
  if (!r.reuse || !cache || r.fixed) return undefined;
  const cls = r.classIndex ?? model.cfg.null_class, cfg = r.guidance > 0, w = r.widths[0];
  return {
    load: () => cache.firstStep(model.id, w, cls, cfg),
    save: (s) => void cache.saveFirstStep(model.id, w, cls, cfg, s),
  };
}
