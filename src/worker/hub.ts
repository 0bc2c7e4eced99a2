// The page side of one host (one worker, one device): the callers (leases) it serves, a count of
// references per model URL so each model loads once and is freed with its last user, and the
// queue of GPU work. The GPU runs one generation at a time anyway; the hub picks the next one
// round-robin between leases, so a lease that queues a burst cannot hold the others back until
// its burst is through (FIFO by arrival would).
import type { LoadProgress } from '../model/checkpoint';
import type { HostApi, HostStats } from '../pipeline/host';
import type { DestroyReport, ModelInfo } from '../pipeline/session';
import { Lease, type LeaseOptions } from './lease';

/** One unit of GPU work of one lease. */
export interface Job {
  readonly lease: Lease;
  readonly kind: 'generate' | 'encode';
  /** Aborted by the lease (its abort, a newer generate, its destroy); reaches the host's run. */
  readonly ctl: AbortController;
  run(host: HostApi, signal: AbortSignal): Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  state: 'queued' | 'running' | 'done';
}

interface ModelRef {
  refs: number;
  /** Cancels the host's load (when every caller withdrew before it finished). */
  ctl: AbortController;
  info: Promise<ModelInfo>;
  listeners: Set<(p: LoadProgress) => void>;
}

const abortError = (what = 'The generation was aborted') => new DOMException(what, 'AbortError');

export class Hub {
  private readonly leases: Lease[] = [];
  /** Index in `leases` of the one served next. */
  private turn = 0;
  private running: Job | null = null;
  private readonly models = new Map<string, ModelRef>();
  private closing: Promise<DestroyReport> | null = null;
  private openError: unknown = null;
  /** Known once the host is open. */
  backend: 'worker' | 'main' | null = null;

  /** `onClose` runs once the host is destroyed (the last lease left). */
  constructor(private readonly host: Promise<HostApi>, private readonly onClose?: (r: DestroyReport) => void) {
    host.then((h) => (this.backend = h.backend), (e) => (this.openError = e));
  }

  /** The host could not be opened (no WebGPU anywhere): new callers should get a new hub. */
  get failed(): boolean {
    return this.openError !== null;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** Leases served now. */
  get size(): number {
    return this.leases.length;
  }

  join(opts: LeaseOptions = {}): Lease {
    const lease = new Lease(this, opts);
    this.leases.push(lease);
    return lease;
  }

  /** Resolves when the host is open; rejects with its typed error when it cannot be. */
  async ready(): Promise<void> {
    await this.host;
  }

  stats(): Promise<HostStats> {
    return this.host.then((h) => h.stats());
  }

  /** A storage notice for `url`: to the leases that use or load it. */
  quota(url: string, message: string): void {
    for (const l of this.leases) if (l.uses(url)) l.opts.onQuota?.(message);
  }

  // --- models ---------------------------------------------------------------------------------
  /**
   * Takes a reference to the model at `url`, loading it if no one holds it; the caller must
   * release it. `signal` withdraws this caller (AbortError, reference dropped); the download
   * itself is cancelled only when no caller is left waiting for it.
   */
  async acquireModel(url: string, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<ModelInfo> {
    signal?.throwIfAborted();
    let m = this.models.get(url);
    if (!m) {
      const ctl = new AbortController();
      const ref: ModelRef = { refs: 0, listeners: new Set(), info: Promise.resolve(null as unknown as ModelInfo), ctl };
      ref.info = this.host.then((h) => h.load(url, (p) => ref.listeners.forEach((f) => f(p)), ctl.signal));
      // A failed load is not kept: the next caller tries again.
      ref.info.catch(() => {
        if (this.models.get(url) === ref) this.models.delete(url);
      });
      this.models.set(url, ref);
      m = ref;
    }
    const ref = m;
    ref.refs++;
    if (onProgress) ref.listeners.add(onProgress);
    let withdraw: (() => void) | null = null;
    const withdrawn = new Promise<never>((_, reject) => {
      withdraw = () => reject(signal!.reason);
      signal?.addEventListener('abort', withdraw, { once: true });
    });
    try {
      return await Promise.race([ref.info, withdrawn]);
    } catch (e) {
      ref.refs--;
      // The last caller waiting withdrew: stop the download (the store drops what it kept).
      if (ref.refs === 0 && signal?.aborted && this.models.get(url) === ref) {
        this.models.delete(url);
        ref.ctl.abort(signal.reason);
        await ref.info.catch(() => {});
      }
      throw e;
    } finally {
      if (withdraw) signal?.removeEventListener('abort', withdraw);
      if (onProgress) ref.listeners.delete(onProgress);
    }
  }

  /** A call to the host that is not GPU work (no queue): a test clip's pixels. */
  direct<T>(f: (h: HostApi) => Promise<T>): Promise<T> {
    return this.host.then(f);
  }

  releaseModel(url: string): void {
    const m = this.models.get(url);
    if (!m || --m.refs > 0) return;
    this.models.delete(url);
    if (!this.closing) void this.host.then((h) => h.unload(url)).catch(() => {});
  }

  // --- the queue ------------------------------------------------------------------------------
  /** Called when a lease queued a job. */
  pump(): void {
    if (this.running || this.closing) return;
    const n = this.leases.length;
    for (let k = 0; k < n; k++) {
      const i = (this.turn + k) % n;
      const job = this.leases[i].jobs.shift();
      if (!job) continue;
      this.turn = (i + 1) % n;
      void this.run(job);
      return;
    }
  }

  private async run(job: Job): Promise<void> {
    this.running = job;
    job.state = 'running';
    try {
      const host = await this.host;
      if (job.ctl.signal.aborted) throw abortError();
      job.resolve(await job.run(host, job.ctl.signal));
    } catch (e) {
      job.reject(e);
    } finally {
      job.state = 'done';
      this.running = null;
      this.pump();
    }
  }

  /** Cancels one job: a queued one leaves the queue at once, a running one is aborted on the host. */
  cancel(job: Job): void {
    if (job.state === 'done') return;
    job.ctl.abort();
    if (job.state === 'queued') {
      const q = job.lease.jobs;
      const i = q.indexOf(job);
      if (i >= 0) q.splice(i, 1);
      job.state = 'done';
      job.reject(abortError(job.kind === 'encode' ? 'The encoding was aborted' : undefined));
    }
  }

  // --- lifetime -------------------------------------------------------------------------------
  /** A lease is gone (its jobs cancelled, its model released); the last one closes the hub. */
  async leave(lease: Lease): Promise<DestroyReport> {
    const i = this.leases.indexOf(lease);
    if (i >= 0) {
      this.leases.splice(i, 1);
      if (i < this.turn) this.turn--;
      if (this.turn >= this.leases.length) this.turn = 0;
    }
    if (this.leases.length > 0) {
      // The device stays with the others: nothing was freed, which the report says.
      const s = await this.stats().catch(() => null);
      return { liveBytes: s?.liveBytes ?? 0, baseLiveBytes: s?.liveBytes ?? 0, shared: true };
    }
    return this.close();
  }

  /** Destroys the host (its worker, device and models); runs onClose once. */
  close(): Promise<DestroyReport> {
    this.closing ??= (async () => {
      let r: DestroyReport = { liveBytes: 0, baseLiveBytes: 0 };
      try {
        r = await (await this.host).destroy();
      } catch {
        // The host never opened: there is nothing to free.
      }
      this.onClose?.(r);
      return r;
    })();
    return this.closing;
  }
}
