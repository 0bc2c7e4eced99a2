// One caller's share of a hub (one per <mgnt-canvas>): the SessionApi the element always used, so
// it does not know it shares. Its model is a reference to the hub's copy; its GPU work waits in
// its own queue, which the hub serves in turn with the others'; its abort and destroy touch only
// its own jobs.
import { MgntError } from '../gpu/errors';
import type { LoadProgress } from '../model/checkpoint';
import type { SessionRequest } from '../pipeline/request';
import type { BatchRequestOptions, DestroyReport, EncodeResult, LoadOptions, ModelInfo, SessionApi, SessionResult, StepReport, TestClip } from '../pipeline/session';
import type { Hub, Job } from './hub';

export interface LeaseOptions {
  /** Storage could not keep this lease's model: it runs from memory. */
  onQuota?: (message: string) => void;
}

export class Lease implements SessionApi {
  /** Queued jobs, oldest first (the hub takes from the front). */
  readonly jobs: Job[] = [];
  private url: string | null = null;
  private loading: string | null = null;
  private loadSeq = 0;
  private destroyed = false;
  /** Every job not yet settled, queued or running. */
  private pending = new Set<Job>();

  constructor(private readonly hub: Hub, readonly opts: LeaseOptions) {}

  /** Where the shared host runs; `main` until it is known (ready() resolves first). */
  get backend(): 'worker' | 'main' {
    return this.hub.backend ?? 'main';
  }

  /** Resolves once the shared host is open (it may be opening for another lease). */
  ready(): Promise<void> {
    return this.hub.ready();
  }

  /** The model URL this lease holds or is loading. */
  uses(url: string): boolean {
    return this.url === url || this.loading === url;
  }

  /**
   * Makes `url` this lease's model: loaded by the first lease that asks, shared by the others.
   * The last call wins; the previous model is released once the new one is ready.
   */
  async load(url: string, onProgress?: (p: LoadProgress) => void, opts: LoadOptions = {}): Promise<ModelInfo> {
    this.check();
    this.abort();
    // One key per model whatever the spelling, and a URL the worker (a blob: URL) can fetch.
    url = new URL(url, globalThis.location?.href).href;
    const seq = ++this.loadSeq;
    this.loading = url;
    let info: ModelInfo;
    try {
      info = await this.hub.acquireModel(url, onProgress, opts.signal);
    } finally {
      if (seq === this.loadSeq) this.loading = null;
    }
    if (seq !== this.loadSeq || this.destroyed) {
      this.hub.releaseModel(url);
      throw new DOMException(this.destroyed ? 'The session was destroyed' : 'This load was superseded by a newer load()', 'AbortError');
    }
    const previous = this.url;
    this.url = url;
    if (previous) this.hub.releaseModel(previous); // after the acquire: the same URL again stays loaded
    return info;
  }

  /** Generates with this lease's model; a call while one of this lease's runs aborts it (AbortError). */
  generate(req: SessionRequest, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    this.abort();
    return this.enqueue(req, { onStep });
  }

  /**
   * Queues a generation behind this lease's others, without aborting them (a burst); `signal`
   * aborts this one only. The hub serves leases in turn, one job each.
   */
  enqueue(req: SessionRequest, opts: { onStep?: (s: StepReport) => void; signal?: AbortSignal } = {}): Promise<SessionResult> {
    const url = this.modelUrl('generate()');
    if (opts.signal?.aborted) return Promise.reject(new DOMException('The generation was aborted', 'AbortError'));
    return this.queue<SessionResult>('generate', opts.signal, (host, signal) =>
      host.generate(url, req, opts.onStep && ((s) => !signal.aborted && opts.onStep!(s)), signal));
  }

  /** Many images in one job (one pass per step per group, in the host); aborts and is aborted like generate(). */
  generateBatch(reqs: SessionRequest[], opts: BatchRequestOptions = {}): Promise<SessionResult[]> {
    this.abort();
    const url = this.modelUrl('generateBatch()');
    return this.queue<SessionResult[]>('generate', undefined, (host, signal) => host.generateBatch(url, reqs, opts, signal));
  }

  encode(gray: Uint8Array, size: number): Promise<EncodeResult> {
    const url = this.modelUrl('encode()');
    return this.queue<EncodeResult>('encode', undefined, (host) => host.encode(url, gray, size));
  }

  /** A test clip the lease's video model ships (fetched with its file on first use). */
  testClip(index: number): Promise<TestClip> {
    const url = this.modelUrl('testClip()');
    return this.hub.direct((host) => host.testClip(url, index));
  }

  /** Aborts this lease's generations, queued or running; other leases' are not touched. */
  abort(): void {
    for (const j of [...this.pending]) if (j.kind === 'generate') this.hub.cancel(j);
  }

  /** Cancels this lease's work and releases its model; the last lease frees the worker and the device. */
  async destroy(): Promise<DestroyReport> {
    if (this.destroyed) return { liveBytes: 0, baseLiveBytes: 0, shared: true };
    this.destroyed = true;
    this.loadSeq++; // a load still running releases what it gets
    for (const j of [...this.pending]) this.hub.cancel(j);
    if (this.url) this.hub.releaseModel(this.url);
    this.url = null;
    return this.hub.leave(this);
  }

  private modelUrl(what: string): string {
    this.check();
    if (!this.url) throw new MgntError('bad-attribute', `${what}: no model is loaded: call load() first`);
    return this.url;
  }

  private queue<T>(kind: Job['kind'], signal: AbortSignal | undefined, run: Job['run']): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        lease: this, kind, ctl: new AbortController(), run, state: 'queued',
        resolve: (v) => {
          this.pending.delete(job);
          resolve(v as T);
        },
        reject: (e) => {
          this.pending.delete(job);
          reject(e);
        },
      };
      signal?.addEventListener('abort', () => this.hub.cancel(job), { once: true });
      this.pending.add(job);
      this.jobs.push(job);
      this.hub.pump();
    });
  }

  private check(): void {
    if (this.destroyed) throw new MgntError('aborted', 'this session was destroyed');
  }
}
