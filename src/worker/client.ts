// Opens a session host: in a dedicated worker when the worker gets a WebGPU device, else on the
// main thread (browsers without WebGPU in workers, CSPs that forbid blob: workers). Both sides
// implement HostApi, so the hub above them does not care which one it got.
import { MgntError } from '../gpu/errors';
import type { LoadProgress } from '../model/checkpoint';
import { SessionHost, type HostApi, type HostStats } from '../pipeline/host';
import type { BatchRequestOptions, DestroyReport, EncodeResult, ModelInfo, SessionApi, SessionResult, StepReport, TestClip } from '../pipeline/session';
import type { SessionRequest } from '../pipeline/request';
import { requestPersistence } from '../store';
import { Hub } from './hub';
import type { FromWorker, ToWorker, WireError } from './protocol';
import SessionWorker from './entry?worker&inline';

export interface OpenOptions {
  /** Try a worker first (default true). */
  worker?: boolean;
  chunkBytes?: number;
  /** Storage could not keep the model from `url`; it runs from memory. */
  onQuota?: (url: string, message: string) => void;
}

function unwire(e: WireError): Error {
  if (e.name === 'AbortError') return new DOMException(e.message, 'AbortError');
  if (e.type !== 'error') return new MgntError(e.type, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

type Call = Extract<ToWorker, { id: number }> extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: LoadProgress) => void;
  onStep?: (s: StepReport) => void;
}

/** The page side of a host that lives in a worker. */
export class WorkerHost implements HostApi {
  readonly backend = 'worker' as const;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: Error | null = null;

  constructor(private worker: Worker, onQuota?: (url: string, message: string) => void) {
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.kind === 'quota') return onQuota?.(m.url, m.message);
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') p.onProgress?.(m.progress);
      else if (m.kind === 'step') p.onStep?.(m.step);
      else {
        this.pending.delete(m.id);
        if (m.kind === 'done') p.resolve(m.value);
        else p.reject(unwire(m.error));
      }
    };
    worker.onerror = (e) => this.fail(new MgntError('device-lost', `the session worker failed: ${e.message || 'unknown error'}; reload the page to start a new one`));
  }

  private fail(e: Error): void {
    this.dead = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private call<T>(msg: Call, hooks: Omit<Pending, 'resolve' | 'reject'> = {}): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...hooks });
      this.worker.postMessage({ ...msg, id } as ToWorker);
    });
  }

  open(chunkBytes?: number): Promise<void> {
    return this.call({ kind: 'open', chunkBytes });
  }

  /**
   * The promise settles when the worker has finished: after an abort, once the worker has dropped
   * what the load stored, so the caller may look at the store right away.
   */
  load(url: string, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<ModelInfo> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const target = this.nextId; // the id call() is about to give this request
    const cancel = () => {
      if (!this.dead) this.worker.postMessage({ kind: 'abort', target } satisfies ToWorker);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    return this.call<ModelInfo>({ kind: 'load', url }, { onProgress })
      // As on the main thread: a cancelled load rejects with the signal's own reason.
      .catch((e) => Promise.reject(signal?.aborted && (e as Error)?.name === 'AbortError' ? signal.reason : e))
      .finally(() => signal?.removeEventListener('abort', cancel));
  }

  unload(url: string): Promise<void> {
    return this.call({ kind: 'unload', url });
  }

  generate(url: string, request: SessionRequest, onStep?: (s: StepReport) => void, signal?: AbortSignal): Promise<SessionResult> {
    if (signal?.aborted) return Promise.reject(new DOMException('The generation was aborted', 'AbortError'));
    const target = this.nextId; // the id call() is about to give this request
    const stop = () => {
      if (!this.dead) this.worker.postMessage({ kind: 'abort', target } satisfies ToWorker);
    };
    signal?.addEventListener('abort', stop, { once: true });
    return this.call<SessionResult>({ kind: 'generate', url, request }, { onStep }).finally(() => signal?.removeEventListener('abort', stop));
  }

  generateBatch(url: string, requests: SessionRequest[], opts: BatchRequestOptions = {}, signal?: AbortSignal): Promise<SessionResult[]> {
    if (signal?.aborted) return Promise.reject(new DOMException('The generation was aborted', 'AbortError'));
    const target = this.nextId;
    const stop = () => {
      if (!this.dead) this.worker.postMessage({ kind: 'abort', target } satisfies ToWorker);
    };
    signal?.addEventListener('abort', stop, { once: true });
    return this.call<SessionResult[]>({ kind: 'generateBatch', url, requests, batch: opts.batch }).finally(() => signal?.removeEventListener('abort', stop));
  }

  /** The pixels are copied to the worker (the caller keeps its array). */
  encode(url: string, gray: Uint8Array, size: number): Promise<EncodeResult> {
    return this.call({ kind: 'encode', url, gray, size });
  }

  testClip(url: string, index: number): Promise<TestClip> {
    return this.call({ kind: 'testClip', url, index });
  }

  stats(): Promise<HostStats> {
    return this.call({ kind: 'stats' });
  }

  /** Frees the worker's GPU memory, then ends the worker; pending calls reject with AbortError. */
  async destroy(): Promise<DestroyReport> {
    // Terminating the worker releases its device in any case; the report says whether the pool was clean.
    const gone = { liveBytes: 0, baseLiveBytes: 0 };
    if (this.dead) return gone;
    const done = this.call<DestroyReport>({ kind: 'destroy' }).catch(() => gone);
    // A worker stuck in a GPU wait must not keep the page waiting: terminate after a grace period.
    const r = await Promise.race([done, new Promise<DestroyReport>((res) => setTimeout(() => res(gone), 2000))]);
    this.worker.terminate();
    this.fail(new DOMException('The session was destroyed', 'AbortError') as unknown as Error);
    return r;
  }
}

/** Opens a host, preferring a worker; throws a typed MgntError when no WebGPU device exists anywhere. */
export async function openHost(opts: OpenOptions = {}): Promise<HostApi> {
  void requestPersistence(); // window-only API: the worker cannot ask for it
  if (opts.worker !== false && typeof Worker !== 'undefined') {
    let worker: Worker | null = null;
    try {
      worker = new SessionWorker({ name: 'mgnt-session' });
      const h = new WorkerHost(worker, opts.onQuota);
      await h.open(opts.chunkBytes);
      return h;
    } catch {
      worker?.terminate(); // no device in the worker, or no worker at all: try this thread
    }
  }
  return SessionHost.open({ chunkBytes: opts.chunkBytes, onQuota: opts.onQuota });
}

/**
 * A session of its own (not shared with the page's elements): its own worker and device, freed by
 * destroy(). The demo and tests of a single session use it; elements share one (registry.ts).
 */
export async function openSession(opts: Omit<OpenOptions, 'onQuota'> & { onQuota?: (message: string) => void } = {}): Promise<SessionApi> {
  const hub: Hub = new Hub(openHost({ ...opts, onQuota: (url, message) => hub.quota(url, message) }));
  const lease = hub.join({ onQuota: opts.onQuota });
  try {
    await lease.ready();
  } catch (e) {
    await lease.destroy();
    throw e;
  }
  return lease;
}
