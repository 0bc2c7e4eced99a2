// One model on one GPU for a page or a worker: loads the checkpoint through the IndexedDB store
// (network on a miss, with progress), generates with the first-step and result caches, lets a new
// generation abort the previous one, and frees every GPU buffer on destroy.
import { acquireGpu } from '../gpu/device';
import type { DeviceSlot } from '../gpu/device-slot';
import { MgntError } from '../gpu/errors';
import { Runtime } from '../gpu/runtime';
import { findTensor, loadCheckpoint, loadEncoderFile, loadOptionalFile, networkSource, type Checkpoint, type FileSource, type LoadProgress } from '../model/checkpoint';
import { contextCounts, splitFrames } from '../model/clip';
import type { VqEncoder } from '../model/encoder';
import { MgntModel } from '../model/model';
import { tensorF32 } from '../model/safetensors';
import { ActivationCache, emptyReport, storedSource } from '../store';
import { generate } from './generate';
import { storedFirstStep } from './first-step';
import { checkTestClips, contextFixed, parseContext, testClipFrames } from './context';
import { requestKey, resolveRequest, type SessionRequest } from './request';
import { DeviceTiming, forTimeBudget } from './timing';
import { checkBatchInput, runBatch } from './session-batch';
import type { BatchRequestOptions, DestroyReport, EncodeResult, LoadOptions, ModelInfo, SessionApi, SessionOptions, SessionResult, StepReport, TestClip } from './session-types';

export type { BatchRequestOptions, DestroyReport, EncodeResult, LoadOptions, ModelInfo, SessionApi, SessionOptions, SessionResult, StepReport, TestClip };

function abortError(): DOMException {
  return new DOMException('The generation was aborted', 'AbortError');
}

export class Session implements SessionApi {
  readonly backend = 'main' as const;
  private model: MgntModel | null = null;
  private current: AbortController | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly cache: ActivationCache | null;
  /** The time-budget dial's pass costs of this device (measured once per adapter and model). */
  private readonly timing: DeviceTiming;
  private destroyed = false;
  /** Pool bytes in use before this session loaded anything (destroy returns to it). */
  readonly baseLiveBytes: number;

  /** The model's URL, kept to load it again on a new device after a device loss. */
  private url: string | null = null;
  /** Devices lost and replaced so far. */
  private recoveries = 0;
  /** Bumped by every load(): a load that finishes after a newer one started is discarded. */
  private loadSeq = 0;
  /** Where the loaded checkpoint came from: its optional encoder file is fetched through the same source. */
  private fileSource: FileSource = networkSource;
  /** The encoder being attached to the current model (fetched at the first encode). */
  private encoderLoad: { model: MgntModel; promise: Promise<VqEncoder> } | null = null;
  /** The current model's test clips file (fetched at the first use). */
  private clipsLoad: { model: MgntModel; promise: Promise<Pick<Checkpoint, 'files'>> } | null = null;

  private constructor(private runtime: Runtime, private ownsRuntime: boolean, private readonly opts: SessionOptions) {
    this.cache = opts.store === false ? null : new ActivationCache();
    this.timing = new DeviceTiming(this.cache);
    this.baseLiveBytes = runtime.pool.liveBytes;
  }

  /** Opens a session on a given runtime, or on a new device that destroy() will release. */
  static async open(opts: SessionOptions = {}): Promise<Session> {
    if (opts.slot) return new Session(opts.slot.runtime, false, opts);
    if (opts.runtime) return new Session(opts.runtime, false, opts);
    return new Session(new Runtime(await acquireGpu()), true, opts);
  }

  /** The runtime in use: a new one after a lost device was replaced. */
  get rt(): Runtime {
    return this.runtime;
  }

  /** How many times a lost device was replaced (each generation retries at most once). */
  get deviceRecoveries(): number {
    return this.recoveries;
  }

  get liveBytes(): number {
    return this.rt.pool.liveBytes;
  }

  get loaded(): MgntModel | null {
    return this.model;
  }

  /** `opts.beforeFiles`: a host skipping a checkpoint it already holds (pipeline/host.ts). */
  async load(url: string, onProgress?: (p: LoadProgress) => void, opts: LoadOptions & { beforeFiles?: (id: string) => void } = {}): Promise<ModelInfo> {
    this.check();
    this.abort();
    const t0 = performance.now();
    const seq = ++this.loadSeq;
    const { ck, report, source } = await this.fetchCheckpoint(url, onProgress, opts.signal, opts.beforeFiles);
    this.check();
    // Last call wins: an older load finishing late must not replace the newer model.
    if (seq !== this.loadSeq) throw new DOMException('This load was superseded by a newer load()', 'AbortError');
    const model = MgntModel.fromCheckpoint(this.rt, ck);
    this.model?.destroy();
    this.model = model;
    this.url = url;
    this.fileSource = source;
    const m = ck.manifest, d = m.decode_defaults, l = model.layout;
    return {
      name: m.name, id: ck.id, classes: m.classes.slice(), widths: m.transformer.widths.slice(), grid: m.transformer.grid.slice(),
      imageSize: model.decoder.size, encoder: !!m.tokenizer.encoder,
      frames: l.frames, group: l.group, latents: l.latents, fps: l.fps, contextFrames: contextCounts(l), testClips: !!m.tokenizer.test_clips,
      defaults: { steps: d.steps, guidance: d.guidance, temperature: d.temperature, choiceTemperature: d.choice_temperature, magnets: (d.schedules.magnets ?? []).slice(), pareto: (d.pareto ?? []).map((x) => ({ ...x, widths: x.widths.slice() })) },
      weightBytes: model.weightBytes, ms: performance.now() - t0, storage: report,
    };
  }

  private async fetchCheckpoint(url: string, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal, beforeFiles?: (id: string) => void) {
    const { source, report } = this.opts.store === false
      ? { source: networkSource, report: { ...emptyReport(), memoryOnly: true, reason: 'storage disabled' } }
      : storedSource({ chunkBytes: this.opts.chunkBytes, onQuota: this.opts.onQuota });
    return { ck: await loadCheckpoint(url, { source, onProgress, signal, beforeFiles }), report, source };
  }

  /**
   * Encodes an image to tokens and decodes them again (two submits: encoder, decoder). Bad input,
   * no model, or a checkpoint without an encoder: `bad-attribute` before any GPU work.
   */
  async encode(gray: Uint8Array, size: number): Promise<EncodeResult> {
    this.check();
    const model = this.model;
    if (!model) throw new MgntError('bad-attribute', 'encode(): no model is loaded: call load() first');
    if (model.layout.latents > 1) {
      throw new MgntError('bad-attribute', `encode(): ${model.manifest.name} is a video model (${model.layout.frames} frames per clip); encode() turns one image into tokens, so give the frames as generate({ context: { frames } }) instead`);
    }
    const want = model.decoder.size;
    const g: unknown = gray; // callers from plain JS (or through the worker) may pass anything
    if (!(g instanceof Uint8Array || g instanceof Uint8ClampedArray)) {
      throw new MgntError('bad-attribute', `encode(): gray must be a Uint8Array of gray8 pixels (one byte per pixel, row-major), got ${Object.prototype.toString.call(g)}`);
    }
    if (size !== want) {
      throw new MgntError('bad-attribute', `encode(): the image must be ${want}×${want} (the model's image size), got size ${size}; scale it to ${want}×${want} first (<mgnt-canvas>.encode() does)`);
    }
    if (gray.length !== want * want) {
      throw new MgntError('bad-attribute', `encode(): gray has ${gray.length} pixels but a ${want}×${want} image has ${want * want}; pass one byte per pixel, row-major`);
    }
    const t0 = performance.now();
    const encoder = await this.encoderOf(model);
    this.check();
    if (this.model !== model) throw new DOMException('The model was replaced while its encoder loaded', 'AbortError');
    const e = await encoder.encode(gray);
    const img = await model.decoder.decode(e.tokens);
    return { tokens: e.tokens, gray: img.gray, size: img.size, gflops: (e.flops + img.flops) / 1e9, ms: performance.now() - t0 };
  }

  /** The model's encoder; the first call fetches, verifies and uploads its weights. A failed fetch may be retried. */
  private encoderOf(model: MgntModel): Promise<VqEncoder> {
    if (model.encoder) return Promise.resolve(model.encoder);
    if (this.encoderLoad?.model === model) return this.encoderLoad.promise;
    const url = this.url!, source = this.fileSource;
    const promise = loadEncoderFile(url, model.manifest, source).then((ck) => {
      if (this.model !== model) throw new DOMException('The model was replaced while its encoder loaded', 'AbortError');
      return model.attachEncoder((name, shape) => tensorF32(findTensor(ck, name, shape).file, name));
    });
    const entry = { model, promise };
    this.encoderLoad = entry;
    promise.catch(() => {
      if (this.encoderLoad === entry) this.encoderLoad = null;
    });
    return promise;
  }

  /** The model's test clips file; the first call fetches and verifies it. A failed fetch may be retried. */
  private clipsOf(model: MgntModel): Promise<Pick<Checkpoint, 'files'>> {
    if (this.clipsLoad?.model === model) return this.clipsLoad.promise;
    const path = model.manifest.tokenizer.test_clips;
    if (!path) return Promise.reject(new MgntError('bad-attribute', `checkpoint ${model.manifest.name} ships no test clips (no tokenizer.test_clips in its manifest)`));
    const promise = loadOptionalFile(this.url!, model.manifest, path, this.fileSource, (ck) => void checkTestClips(ck, model.layout));
    const entry = { model, promise };
    this.clipsLoad = entry;
    promise.catch(() => {
      if (this.clipsLoad === entry) this.clipsLoad = null;
    });
    return promise;
  }

  async testClip(index: number): Promise<TestClip> {
    this.check();
    const model = this.model;
    if (!model) throw new MgntError('bad-attribute', 'testClip(): no model is loaded: call load() first');
    if (!Number.isSafeInteger(index) || index < 0) throw new MgntError('bad-attribute', `testClip(): the index must be an integer ≥ 0, got ${index}`);
    const { frames, count } = testClipFrames(await this.clipsOf(model), model.layout, index);
    return { index, gray: frames, frames: model.layout.frames, size: model.layout.size, count };
  }

  /**
   * Frame prediction (SPEC §8): the context frames encoded into the first latent frames' tokens,
   * which become fixed tokens; the null class, guidance 0. Checked before any GPU work.
   */
  private async withContext(model: MgntModel, req: SessionRequest): Promise<{ req: SessionRequest; context?: SessionResult['context'] }> {
    if (req.context === undefined) return { req };
    const l = model.layout, m = model.manifest;
    const p = parseContext({ name: m.name, layout: l, encoder: !!m.tokenizer.encoder, testClips: !!m.tokenizer.test_clips }, req.context);
    if (req.fixed?.positions.length) throw new MgntError('bad-attribute', 'frame prediction: give context or fixed tokens, not both (the context becomes the fixed tokens)');
    const frames = p.kind === 'frames' ? p.frames : splitFrames(testClipFrames(await this.clipsOf(model), l, p.clip).frames, l.size).slice(0, p.count);
    const encoder = await this.encoderOf(model);
    if (this.model !== model) throw new DOMException('The model was replaced while its encoder loaded', 'AbortError');
    const e = await encoder.encodeFrames(frames);
    return {
      req: { ...req, context: undefined, classIndex: null, guidance: 0, fixed: contextFixed(e.tokens) },
      context: { frames: frames.length, latents: e.latents, ...(p.kind === 'clip' ? { clip: p.clip } : {}) },
    };
  }

  /**
   * Generates; a call while another runs aborts that one (it rejects with AbortError). When the
   * GPU device is lost during the run, the session gets a new device, loads the model again (from
   * IndexedDB) and retries the generation once; a second loss rejects with `device-lost`.
   */
  async generate(req: SessionRequest, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    this.check();
    const model = this.model;
    if (!model) throw new MgntError('bad-attribute', 'no model is loaded: call load() first');
    this.abort();
    const ctl = new AbortController();
    this.current = ctl;
    // The GPU objects are shared: wait until the aborted run has left the loop before starting.
    const previous = this.running;
    const run = previous.catch(() => {}).then(() => this.runOrRecover(req, ctl.signal, onStep));
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.current === ctl) this.current = null;
    }
  }

  /** Many images, decoded together (session-batch.ts); aborts and is aborted like generate(). */
  async generateBatch(reqs: SessionRequest[], opts: BatchRequestOptions = {}): Promise<SessionResult[]> {
    this.check();
    checkBatchInput(reqs);
    if (!this.model) throw new MgntError('bad-attribute', 'generateBatch(): no model is loaded: call load() first');
    this.abort();
    const ctl = new AbortController();
    this.current = ctl;
    const once = async (model: MgntModel) => {
      const items = [];
      for (const r of reqs) items.push(await this.withContext(model, r));
      if (ctl.signal.aborted) throw abortError();
      return runBatch(this.rt, model, this.cache, items, opts, ctl.signal);
    };
    const run = this.running.catch(() => {}).then(async () => {
      const model = this.model;
      if (!model) throw new MgntError('device-lost', 'the model was lost with the GPU device and could not be loaded again; call load()');
      try {
        return await once(model);
      } catch (e) {
        // A lost device: replaced and the batch retried once, as generate() does.
        const lost = (e instanceof MgntError && e.type === 'device-lost') || this.runtime.gpu.isLost();
        if (!lost || ctl.signal.aborted || this.destroyed || !this.url) throw e;
      }
      await this.recover();
      if (ctl.signal.aborted) throw abortError();
      return (await once(this.model!)).map((r) => ({ ...r, recovered: true }));
    });
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.current === ctl) this.current = null;
    }
  }

  private async runOrRecover(req: SessionRequest, signal: AbortSignal, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    const model = this.model;
    if (!model) throw new MgntError('device-lost', 'the model was lost with the GPU device and could not be loaded again; call load()');
    try {
      return await this.run(model, req, signal, onStep);
    } catch (e) {
      const lost = (e instanceof MgntError && e.type === 'device-lost') || this.runtime.gpu.isLost();
      if (!lost || signal.aborted || this.destroyed || !this.url) throw e;
    }
    await this.recover();
    if (signal.aborted) throw abortError();
    try {
      return { ...(await this.run(this.model!, req, signal, onStep)), recovered: true };
    } catch (e) {
      if ((e instanceof MgntError && e.type === 'device-lost') || this.runtime.gpu.isLost()) {
        throw new MgntError('device-lost', `The GPU device was lost again after it was replaced once: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Replaces a lost device: the shared slot's replacement, or else a new runtime owned by the
   * session from now on; then the model loaded again.
   */
  private async recover(): Promise<void> {
    const lost = this.runtime;
    this.model?.destroy(); // its buffers died with the device; drop the references
    this.model = null;
    let rt: Runtime;
    if (this.opts.slot) rt = await this.opts.slot.replace(lost);
    else {
      lost.destroy();
      rt = new Runtime(await acquireGpu());
      this.ownsRuntime = true;
    }
    if (this.destroyed) {
      if (!this.opts.slot) {
        rt.destroy();
        rt.device.destroy();
      }
      throw new MgntError('aborted', 'this session was destroyed');
    }
    this.runtime = rt;
    this.recoveries++;
    const { ck, source } = await this.fetchCheckpoint(this.url!);
    this.model = MgntModel.fromCheckpoint(rt, ck);
    this.fileSource = source;
  }

  private async run(model: MgntModel, request: SessionRequest, signal: AbortSignal, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    if (signal.aborted) throw abortError();
    const { req, context } = await this.withContext(model, request);
    if (signal.aborted) throw abortError();
    const { r, predictedMs } = await this.timing.apply(this.rt, model, req, resolveRequest(model.manifest, forTimeBudget(req)), signal);
    if (signal.aborted) throw abortError();
    const key = requestKey(r);
    const base = {
      classIndex: r.classIndex, seed: r.seed, steps: r.steps, fps: model.layout.fps, schedule: r.schedule, notices: r.notices,
      ...(context ? { context } : {}), ...(predictedMs !== undefined ? { predictedMs } : {}),
    };
    if (r.reuse && this.cache) {
      const hit = await this.cache.result(model.id, key);
      if (signal.aborted) throw abortError();
      if (hit) {
        return {
          ...base, tokens: hit.tokens, gray: hit.gray, frames: splitFrames(hit.gray, hit.size), size: hit.size, widths: hit.widths, gflops: hit.gflops,
          gflopsTransformer: hit.gflopsTransformer, gflopsDecoder: hit.gflopsDecoder, ms: 0,
          dispatches: 0, submits: 0, readbacks: 0, stepInfo: [], reused: 'result',
        };
      }
    }
    const firstStep = storedFirstStep(this.cache, model, r);
    const res = await generate(this.rt, model, {
      ...r, signal, firstStep,
      onStep: onStep && ((s) => onStep({ ...s })),
    });
    if (r.reuse && this.cache) {
      void this.cache.saveResult(model.id, key, {
        // Copies: IndexedDB clones the value later, by when the worker may have transferred the originals.
        tokens: res.tokens.slice(), gray: res.gray.slice(), size: res.size, widths: res.widths.slice(), gflops: res.gflops,
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
