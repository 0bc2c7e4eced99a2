// Several models on one GPU device: what one page needs, however many elements it has. Each model
// is a Session on a shared DeviceSlot, loaded once per checkpoint (a second URL naming the same
// checkpoint, by its hash list, gets the copy already on the GPU). The host runs what it is given;
// queueing and fairness between callers are the page-side hub's job (src/worker/hub.ts), which
// sends one generation at a time (a Session runs one: a second would abort the first).
import { DeviceSlot } from '../gpu/device-slot';
import { MgntError } from '../gpu/errors';
import type { LoadProgress } from '../model/checkpoint';
import type { SessionRequest } from './request';
import { Session, type BatchRequestOptions, type DestroyReport, type EncodeResult, type ModelInfo, type SessionResult, type StepReport, type TestClip } from './session';

/** GPU memory and devices of a host, for tests and the benchmark. */
export interface HostStats {
  /** Devices acquired over the host's life (1, plus one per device loss recovered). */
  devices: number;
  /** Checkpoints on the GPU, each once, with every URL that names it. */
  models: Array<{ id: string; urls: string[]; weightBytes: number }>;
  /** Weights of the models on the current device. */
  weightBytes: number;
  /** Pool buffers in use (the models' activations) and kept for reuse. */
  liveBytes: number;
  pooledBytes: number;
  /** Everything held on the GPU: weights + live + pooled. */
  gpuBytes: number;
}

/** What the page-side hub needs from a host, whether it runs in a worker or on this thread. */
export interface HostApi {
  readonly backend: 'worker' | 'main';
  /**
   * Loads `url` (once; later calls share it) and returns its description. `signal` cancels the
   * download (the hub aborts it only when no caller wants the model any more).
   */
  load(url: string, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<ModelInfo>;
  /** The page no longer needs `url`: its model is freed once no other URL names it. */
  unload(url: string): Promise<void>;
  /** `signal` aborts this generation only (it rejects with AbortError). */
  generate(url: string, req: SessionRequest, onStep?: (s: StepReport) => void, signal?: AbortSignal): Promise<SessionResult>;
  /** Session.generateBatch on the model at `url`; `signal` aborts it. */
  generateBatch(url: string, reqs: SessionRequest[], opts?: BatchRequestOptions, signal?: AbortSignal): Promise<SessionResult[]>;
  encode(url: string, gray: Uint8Array, size: number): Promise<EncodeResult>;
  /** A test clip the video model at `url` ships (no GPU work). */
  testClip(url: string, index: number): Promise<TestClip>;
  stats(): Promise<HostStats>;
  destroy(): Promise<DestroyReport>;
}

export interface HostOptions {
  chunkBytes?: number;
  /** Storage could not keep the model loaded from `url`: it runs from memory. */
  onQuota?: (url: string, message: string) => void;
}

/** A URL's load found that the checkpoint is already on the GPU under another URL. */
class SameCheckpoint extends Error {
  constructor(readonly id: string) {
    super(`checkpoint ${id} is already loaded`);
  }
}

interface Entry {
  urls: Set<string>;
  /** Set while loading too, so an unload or destroy stops the load through it. */
  session: Session | null;
  /** Set once loaded: only then may others share it or generate with it. */
  id: string | null;
  info: Promise<ModelInfo>;
}

export class SessionHost implements HostApi {
  readonly backend = 'main' as const;
  private readonly entries = new Map<string, Entry>();
  private destroyed = false;
  private readonly baseLiveBytes: number;
  /** Sessions of unloaded models still being destroyed. */
  private readonly unloading = new Set<Promise<void>>();

  private constructor(private readonly slot: DeviceSlot, private readonly opts: HostOptions) {
    this.baseLiveBytes = slot.runtime.pool.liveBytes;
  }

  /** Acquires the device (a typed MgntError when there is none). */
  static async open(opts: HostOptions = {}): Promise<SessionHost> {
    return new SessionHost(await DeviceSlot.open(), opts);
  }

  load(url: string, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<ModelInfo> {
    this.check();
    let e = this.entries.get(url);
    if (!e) {
      e = { urls: new Set([url]), session: null, id: null, info: Promise.resolve(null as unknown as ModelInfo) };
      e.info = this.start(url, e, onProgress, signal);
      this.entries.set(url, e);
    }
    return e.info;
  }

  private loadedWith(id: string): Entry | undefined {
    for (const e of this.entries.values()) if (e.id === id) return e;
    return undefined;
  }

  private async start(url: string, entry: Entry, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<ModelInfo> {
    const s = await Session.open({ slot: this.slot, chunkBytes: this.opts.chunkBytes, onQuota: (e) => this.opts.onQuota?.(url, e.message) });
    entry.session = s;
    let info: ModelInfo;
    try {
      info = await s.load(url, onProgress, {
        signal,
        beforeFiles: (id) => {
          if (this.loadedWith(id)) throw new SameCheckpoint(id);
        },
      });
    } catch (err) {
      entry.session = null;
      await s.destroy();
      const twin = err instanceof SameCheckpoint ? this.loadedWith(err.id) : undefined;
      if (twin && this.entries.get(url) === entry) return this.alias(url, twin);
      if (this.entries.get(url) === entry) this.entries.delete(url);
      throw err;
    }
    // Two URLs of one checkpoint loading at the same time: the first to finish is kept.
    const twin = this.loadedWith(info.id);
    if (twin || this.entries.get(url) !== entry || this.destroyed) {
      entry.session = null;
      await s.destroy();
      if (twin && this.entries.get(url) === entry) return this.alias(url, twin);
      throw new DOMException('The model was unloaded while it loaded', 'AbortError');
    }
    entry.id = info.id;
    return info;
  }

  private alias(url: string, twin: Entry): Promise<ModelInfo> {
    twin.urls.add(url);
    this.entries.set(url, twin);
    return twin.info;
  }

  async unload(url: string): Promise<void> {
    const e = this.entries.get(url);
    if (!e) return;
    this.entries.delete(url);
    e.urls.delete(url);
    if (e.urls.size > 0) return;
    // A load still running is stopped by the destroy (it checks the session after every await).
    // Kept until done: a host destroy right behind this unload (the last element removed
    // mid-run) must wait for the aborted run to give its buffers back before it reports.
    const gone = (e.session?.destroy() ?? Promise.resolve()).then(() => {}, () => {});
    this.unloading.add(gone);
    await gone;
    this.unloading.delete(gone);
  }

  private async sessionFor(url: string, what: string): Promise<Session> {
    this.check();
    const e = this.entries.get(url);
    if (!e) throw new MgntError('bad-attribute', `${what}: no model is loaded from ${url}: call load() first`);
    await e.info;
    // A URL found to name a checkpoint already loaded now points at that entry.
    const now = this.entries.get(url) ?? e;
    if (!now.session || now.id === null) throw new MgntError('bad-attribute', `${what}: the model from ${url} failed to load; call load() again`);
    return now.session;
  }

  async generate(url: string, req: SessionRequest, onStep?: (s: StepReport) => void, signal?: AbortSignal): Promise<SessionResult> {
    const s = await this.sessionFor(url, 'generate()');
    if (signal?.aborted) throw new DOMException('The generation was aborted', 'AbortError');
    // Session.generate sets its current run before its first await, so this abort reaches it.
    const stop = () => s.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return await s.generate(req, onStep);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  async generateBatch(url: string, reqs: SessionRequest[], opts: BatchRequestOptions = {}, signal?: AbortSignal): Promise<SessionResult[]> {
    const s = await this.sessionFor(url, 'generateBatch()');
    if (signal?.aborted) throw new DOMException('The generation was aborted', 'AbortError');
    const run = s.generateBatch(reqs, opts);
    const stop = () => s.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return await run;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  async encode(url: string, gray: Uint8Array, size: number): Promise<EncodeResult> {
    return (await this.sessionFor(url, 'encode()')).encode(gray, size);
  }

  async testClip(url: string, index: number): Promise<TestClip> {
    return (await this.sessionFor(url, 'testClip()')).testClip(index);
  }

  private unique(): Entry[] {
    return [...new Set(this.entries.values())];
  }

  async stats(): Promise<HostStats> {
    const rt = this.slot.runtime;
    // A model still on a lost device (not used since the loss) holds nothing on the current one.
    const models = this.unique()
      .filter((e) => e.id !== null && e.session?.loaded && e.session.rt === rt)
      .map((e) => ({ id: e.id!, urls: [...e.urls], weightBytes: e.session!.loaded!.weightBytes }));
    const weightBytes = models.reduce((a, m) => a + m.weightBytes, 0);
    const { liveBytes, pooledBytes } = rt.pool;
    return { devices: this.slot.acquired, models, weightBytes, liveBytes, pooledBytes, gpuBytes: weightBytes + liveBytes + pooledBytes };
  }

  /** Frees every model, then the device; the report compares the pool before and after. */
  async destroy(): Promise<DestroyReport> {
    const rt = this.slot.runtime;
    if (this.destroyed) return { liveBytes: rt.pool.liveBytes, baseLiveBytes: this.baseLiveBytes };
    this.destroyed = true;
    const all = this.unique();
    this.entries.clear();
    for (const e of all) await e.session?.destroy();
    await Promise.all(this.unloading);
    const report = { liveBytes: this.slot.runtime.pool.liveBytes, baseLiveBytes: this.baseLiveBytes };
    this.slot.destroy();
    return report;
  }

  private check(): void {
    if (this.destroyed) throw new MgntError('aborted', 'this session host was destroyed (every element using it is gone)');
  }
}
