// Test page for the fault suite (e2e/faults*.spec.ts): every function runs one fault inside the
// browser and returns plain JSON (the outcome, the typed error, pool figures) for Playwright.
import { acquireGpu, type AcquireOptions } from '../../src/gpu/device';
import { MgntError } from '../../src/gpu/errors';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint } from '../../src/model/checkpoint';
import type { Manifest } from '../../src/model/manifest';
import { MgntModel } from '../../src/model/model';
import { randomTensors } from '../../src/model/random';
import { syntheticManifest } from '../../src/model/synthetic';
import { generate, type GenerateRequest } from '../../src/pipeline/generate';
import { resolveRequest, type SessionRequest } from '../../src/pipeline/request';
import { Session, type SessionApi } from '../../src/pipeline/session';
import { openSession } from '../../src/worker/client';
import { storedSource } from '../../src/store';
import { clear, createStore, entries } from 'idb-keyval';

export interface Failure {
  error: { name: string; type: string; message: string };
}
export const fail = (e: unknown): Failure => ({
  error: { name: (e as Error)?.name ?? 'Error', type: e instanceof MgntError ? e.type : 'error', message: (e as Error)?.message ?? String(e) },
});

let shared: Promise<Runtime> | null = null;
/** One runtime for the page (the default device). */
export function runtime(): Promise<Runtime> {
  shared ??= acquireGpu().then((g) => new Runtime(g));
  return shared;
}

/** The smallest model that exercises every kernel: one layer, dim 64, a 16-channel decoder. */
export function tinyManifest(): Manifest {
  return syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128, codebook_size: 64 }, { code_dim: 8, decoder: { channels: [16, 16, 16], groups: 4 } });
}

let tiny: { rt: Runtime; model: MgntModel } | null = null;
async function tinyModel(): Promise<{ rt: Runtime; model: MgntModel }> {
  const rt = await runtime();
  if (!tiny || tiny.rt !== rt) tiny = { rt, model: MgntModel.fromTensors(rt, tinyManifest(), randomTensors(11)) };
  return tiny;
}

/** A session-level request (schedule strings parsed as the element's are); `widths` overrides. */
export type TinyRequest = SessionRequest & { widths?: number[] };

function request(m: Manifest, r: TinyRequest): GenerateRequest {
  const { widths, ...rest } = r;
  const base = resolveRequest(m, { steps: 2, schedule: 'baseline', ...rest, reuse: false });
  return { ...base, ...(widths ? { widths } : {}) };
}

declare global {
  interface Window {
    faults: Record<string, (...a: any[]) => Promise<unknown>>;
  }
}

window.faults = {
  /** Loads a checkpoint over the network only (no store, no GPU). */
  async load(url: string) {
    try {
      const ck = await loadCheckpoint(url);
      return { id: ck.id, files: [...ck.files.keys()] };
    } catch (e) {
      return fail(e);
    }
  },

  /** Loads a checkpoint through the IndexedDB store (GPU untouched); the store's report. */
  async loadStored(url: string) {
    const { source, report } = storedSource();
    try {
      const ck = await loadCheckpoint(url, { source });
      return { id: ck.id, report };
    } catch (e) {
      return { ...fail(e), report };
    }
  },

  /** Keys of the IndexedDB checkpoint store. */
  async storeKeys() {
    return (await entries(createStore('mgnt-files', 'files'))).map(([k]) => String(k));
  },

  async clearStore() {
    await clear(createStore('mgnt-files', 'files'));
    return null;
  },

  /** Loads a checkpoint and uploads it; live pool bytes and buffers created before/after. */
  async loadModel(url: string) {
    const rt = await runtime();
    const before = rt.pool.liveBytes;
    try {
      const ck = await loadCheckpoint(url);
      const model = MgntModel.fromCheckpoint(rt, ck);
      const weightBytes = model.weightBytes;
      model.destroy();
      return { id: ck.id, weightBytes, liveBytesDelta: rt.pool.liveBytes - before };
    } catch (e) {
      return { ...fail(e), liveBytesDelta: rt.pool.liveBytes - before };
    }
  },

  /** acquireGpu with options; the limits the runtime will use. */
  async acquire(opts: AcquireOptions = {}) {
    try {
      const gpu = await acquireGpu(opts);
      const out = { maxStorageBufferBindingSize: gpu.limits.maxStorageBufferBindingSize, maxBufferSize: gpu.limits.maxBufferSize };
      gpu.device.destroy();
      return out;
    } catch (e) {
      return fail(e);
    }
  },

  /** A device of its own, with the limits capped: builds the tiny model; what it allocated. */
  async limits(caps: AcquireOptions['limits']) {
    const gpu = await acquireGpu({ limits: caps });
    const rt = new Runtime(gpu);
    let created = 0;
    const createBuffer = rt.device.createBuffer.bind(rt.device);
    rt.device.createBuffer = (d: GPUBufferDescriptor) => (created++, createBuffer(d));
    try {
      const model = MgntModel.fromTensors(rt, tinyManifest(), randomTensors(1));
      const weightBytes = model.weightBytes;
      model.destroy();
      return { weightBytes, created, liveBytes: rt.pool.liveBytes };
    } catch (e) {
      return { ...fail(e), created, liveBytes: rt.pool.liveBytes };
    } finally {
      rt.destroy();
      gpu.device.destroy();
    }
  },

  /** The decode loop on a device destroyed from the step callback after step `at`. */
  async deviceLostRaw(at = 0) {
    const gpu = await acquireGpu();
    const rt = new Runtime(gpu);
    const model = MgntModel.fromTensors(rt, tinyManifest(), randomTensors(11));
    const seen: number[] = [];
    const base = rt.pool.liveBytes;
    try {
      await generate(rt, model, { ...request(model.manifest, { steps: 4 }), onStep: (s) => (seen.push(s.step), s.step === at && gpu.device.destroy()) });
      return { resolved: true, seen };
    } catch (e) {
      return { ...fail(e), seen, liveBytesDelta: rt.pool.liveBytes - base };
    } finally {
      model.destroy();
      rt.destroy();
    }
  },

  /**
   * A session on its own device; the device is destroyed from the step callback of a generation
   * (`once`: on the first attempt only; `always`: on every attempt) or between generations (`idle`).
   */
  async sessionDeviceLost(url: string, mode: 'once' | 'always' | 'idle') {
    const s = await Session.open({ store: false });
    try {
      await s.load(url);
      const req: SessionRequest = { seed: 3, steps: 4, reuse: false, classIndex: 1 };
      const ref = await s.generate(req);
      const firstDevice = s.rt.device;
      let destroyed = 0;
      const onStep = (st: { step: number }) => {
        if (mode !== 'idle' && st.step === 1 && (mode === 'always' || destroyed === 0)) {
          destroyed++;
          s.rt.device.destroy();
        }
      };
      if (mode === 'idle') {
        s.rt.device.destroy();
        destroyed++;
        await new Promise((r) => setTimeout(r, 50));
      }
      const out: Record<string, unknown> = { destroyed };
      try {
        const r = await s.generate(req, onStep);
        Object.assign(out, { recovered: r.recovered ?? false, sameTokens: r.tokens.every((t, i) => t === ref.tokens[i]) });
        const again = await s.generate({ ...req, seed: 4 });
        Object.assign(out, { afterwards: again.recovered ?? false, steps: again.stepInfo.length });
      } catch (e) {
        Object.assign(out, fail(e));
      }
      return { ...out, destroyed, recoveries: s.deviceRecoveries, newDevice: s.rt.device !== firstDevice };
    } catch (e) {
      return fail(e);
    } finally {
      await s.destroy();
    }
  },

  /**
   * generate() while a generation runs: the earlier one rejects with AbortError, the later one
   * completes with the same tokens as on its own, and no frame of the earlier run follows one of
   * the later run.
   */
  async sessionReentrant(url: string) {
    const rt = await runtime();
    const s = await Session.open({ runtime: rt, store: false });
    try {
      await s.load(url);
      const loaded = rt.pool.liveBytes;
      const frames: string[] = [];
      const a = s.generate({ seed: 1, steps: 12, reuse: false, preview: true }, (st) => frames.push(`a${st.step}`));
      const first = a.then(() => 'resolved', (e: Error) => e.name);
      while (!frames.length) await new Promise((r) => setTimeout(r, 1));
      const b = await s.generate({ seed: 2, steps: 3, reuse: false }, (st) => frames.push(`b${st.step}`));
      const alone = await s.generate({ seed: 2, steps: 3, reuse: false });
      const lastA = frames.map((f) => f[0]).lastIndexOf('a'), firstB = frames.indexOf('b0');
      return {
        first: await first, frames, mixed: lastA > firstB,
        sameAsAlone: b.tokens.every((t, i) => t === alone.tokens[i]), liveBytesDelta: rt.pool.liveBytes - loaded,
      };
    } catch (e) {
      return fail(e);
    } finally {
      await s.destroy();
    }
  },

  /** One generation on the tiny model with a (possibly bad) request: its result or its error. */
  async generateTiny(req: TinyRequest) {
    const { rt, model } = await tinyModel();
    const before = rt.pool.liveBytes;
    try {
      const r = request(model.manifest, req);
      const res = await generate(rt, model, r);
      return { steps: res.steps.length, widths: res.widths, tokens: Array.from(res.tokens), liveBytesDelta: rt.pool.liveBytes - before, gpuErrors: rt.errors.splice(0) };
    } catch (e) {
      return { ...fail(e), liveBytesDelta: rt.pool.liveBytes - before, gpuErrors: rt.errors.splice(0) };
    }
  },

  /**
   * A session loads `url` (unless null), then encodes each input in turn: its tokens and
   * reconstruction size, or its typed error. Inputs: `image` (a 28×28 test image), `short` (783
   * bytes), `big` (32×32 bytes with size 32), `array` (a plain Array of 784 numbers). `worker`: a
   * worker session (with the IndexedDB store); else one on the page's runtime, whose pool must be
   * back to its level after destroy().
   */
  async sessionEncode(url: string | null, inputs: string[], opts: { worker?: boolean; store?: boolean } = {}) {
    const rt = opts.worker ? null : await runtime();
    const before = rt?.pool.liveBytes ?? 0;
    const s: SessionApi = opts.worker ? await openSession({ worker: true }) : await Session.open({ runtime: rt!, store: opts.store ?? false });
    const image = new Uint8Array(784);
    for (let i = 0; i < 784; i++) image[i] = Math.hypot((i % 28) - 13.5, Math.floor(i / 28) - 12) < 9 ? 200 + (i % 5) * 10 : 0;
    const results: unknown[] = [];
    try {
      if (url) await s.load(url);
      for (const kind of inputs) {
        const [gray, size] = kind === 'short' ? [image.slice(1), 28] : kind === 'big' ? [new Uint8Array(1024), 32] : kind === 'array' ? [Array.from(image), 28] : [image, 28];
        try {
          const r = await s.encode(gray as Uint8Array, size as number);
          results.push({ tokens: Array.from(r.tokens), gray: r.gray.length, size: r.size, gflops: r.gflops });
        } catch (e) {
          results.push(fail(e));
        }
      }
    } catch (e) {
      results.push({ load: fail(e) });
    } finally {
      await s.destroy();
    }
    return { results, liveBytesDelta: rt ? rt.pool.liveBytes - before : 0, gpuErrors: rt ? rt.errors.splice(0) : [] };
  },

  /**
   * Session.generateBatch faults, on a worker session or one on the page's runtime: each case's
   * typed error (or its outcome). `ok`: a batch of two groups, tokens equal to solo generate();
   * `aborted`: a generate() while the batch runs aborts it (AbortError), the pool is clean after.
   */
  async sessionBatch(url: string, cases: string[], opts: { worker?: boolean } = {}) {
    const rt = opts.worker ? null : await runtime();
    const before = rt?.pool.liveBytes ?? 0;
    const s: SessionApi = opts.worker ? await openSession({ worker: true }) : await Session.open({ runtime: rt!, store: false });
    const results: Record<string, unknown> = {};
    const req = (seed: number, more: SessionRequest = {}): SessionRequest => ({ seed, steps: 3, classIndex: seed % 10, reuse: false, ...more });
    try {
      for (const c of cases) {
        try {
          if (c === 'no-model') results[c] = await s.generateBatch([req(1)]);
          else if (c === 'load') await s.load(url);
          else if (c === 'empty') results[c] = await s.generateBatch([]);
          else if (c === 'not-array') results[c] = await s.generateBatch('x' as unknown as SessionRequest[]);
          else if (c === 'too-large') results[c] = await s.generateBatch([req(1), req(2)], { batch: 1e6 });
          else if (c === 'bad-batch-size') results[c] = await s.generateBatch([req(1)], { batch: 0 });
          else if (c === 'bad-request') results[c] = await s.generateBatch([req(1), req(2, { classIndex: 99 })]);
          else if (c === 'time-budget') results[c] = await s.generateBatch([req(1), req(2, { timeBudget: 500 })]);
          else if (c === 'ok') {
            const reqs = [req(1), req(2, { classIndex: null }), req(3, { guidance: 0 }), req(4)];
            const batch = await s.generateBatch(reqs);
            const solo: Awaited<ReturnType<SessionApi["generate"]>>[] = [];
            for (const r of reqs) solo.push(await s.generate(r));
            results[c] = { sizes: batch.map((r) => r.batch?.size), same: batch.map((r, i) => r.tokens.every((t, k) => t === solo[i].tokens[k])) };
          } else if (c === 'aborted') {
            const run = s.generateBatch(Array.from({ length: 4 }, (_, i) => req(i, { steps: 12 })));
            const outcome = run.then(() => 'resolved', (e: Error) => e.name);
            await new Promise((r) => setTimeout(r, 30));
            const after = await s.generate(req(9));
            results[c] = { batch: await outcome, after: after.tokens.length };
          }
        } catch (e) {
          results[c] = fail(e);
        }
      }
    } finally {
      await s.destroy();
    }
    return { results, liveBytesDelta: rt ? rt.pool.liveBytes - before : 0, gpuErrors: rt ? rt.errors.splice(0) : [] };
  },

  /** n generations in a row on the tiny model: the pool's live bytes after each. */
  async many(n: number, steps = 2) {
    const { rt, model } = await tinyModel();
    const before = rt.pool.liveBytes;
    const live: number[] = [];
    const pooled: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await generate(rt, model, request(model.manifest, { seed: i, steps, classIndex: i % 10 }));
      live.push(rt.pool.liveBytes - before);
      pooled.push(rt.pool.pooledBytes);
    }
    return { live, pooled, ms: performance.now() - t0, gpuErrors: rt.errors.splice(0) };
  },
};
document.getElementById('status')!.textContent = 'ready';
