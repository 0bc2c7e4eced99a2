// Opens a session for the page: in a dedicated worker when the worker gets a WebGPU device, else
// on the main thread (browsers without WebGPU in workers, CSPs that forbid blob: workers).
// Both sides implement SessionApi, so the element and the demo do not care which one they got.
import { MgntError } from '../gpu/errors';
import type { LoadProgress } from '../model/checkpoint';
import { Session, type DestroyReport, type EncodeResult, type LoadOptions, type ModelInfo, type SessionApi, type SessionResult, type StepReport, type TestClip } from '../pipeline/session';
import type { SessionRequest } from '../pipeline/request';
import { requestPersistence } from '../store';
import type { FromWorker, ToWorker, WireError } from './protocol';
import SessionWorker from './entry?worker&inline';

export interface OpenOptions {
  /** Try a worker first (default true). */
  worker?: boolean;
  chunkBytes?: number;
  onQuota?: (message: string) => void;
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

/** The page side of a session that lives in a worker. */
export class WorkerSession implements SessionApi {
  readonly backend = 'worker' as const;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: Error | null = null;

  constructor(private worker: Worker, onQuota?: (message: string) => void) {
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.kind === 'quota') return onQuota?.(m.message);
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
    worker.onerror = (e) => this.fail(new MgntError('device-lost', `the session worker failed: ${e.message || 'unknown error'}`));
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
  load(url: string, onProgress?: (p: LoadProgress) => void, opts: LoadOptions = {}): Promise<ModelInfo> {
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId; // the id call() is about to give this request
    const cancel = () => {
      if (!this.dead) this.worker.postMessage({ kind: 'cancel', target: id } satisfies ToWorker);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    // The worker is a blob: URL, against which a relative URL means nothing: resolve it here, as
    // fetch on this page would.
    const abs = new URL(url, globalThis.location?.href).href;
    return this.call<ModelInfo>({ kind: 'load', url: abs }, { onProgress })
      // As on the main thread: a cancelled load rejects with the signal's own reason.
      .catch((e) => Promise.reject(signal?.aborted && (e as Error)?.name === 'AbortError' ? signal.reason : e))
      .finally(() => signal?.removeEventListener('abort', cancel));
  }

  generate(request: SessionRequest, onStep?: (s: StepReport) => void): Promise<SessionResult> {
    return this.call({ kind: 'generate', request }, { onStep });
  }

  /** The pixels are copied to the worker (the caller keeps its array). */
  encode(gray: Uint8Array, size: number): Promise<EncodeResult> {
    return this.call({ kind: 'encode', gray, size });
  }

  testClip(index: number): Promise<TestClip> {
    return this.call({ kind: 'testClip', index });
  }

  abort(): void {
    if (!this.dead) this.worker.postMessage({ kind: 'abort' } satisfies ToWorker);
  }

  /** Frees the worker's GPU memory, then ends the worker; pending calls reject with AbortError. */
  async destroy(): Promise<DestroyReport> {
    // Terminating the worker releases its device in any case; the report says whether the pool was clean.
    const gone = { liveBytes: 0, baseLiveBytes: 0 };
    if (this.dead) return gone;
    this.abort();
    const done = this.call<DestroyReport>({ kind: 'destroy' }).catch(() => gone);
    // A worker stuck in a GPU wait must not keep the element alive: terminate after a grace period.
    const r = await Promise.race([done, new Promise<DestroyReport>((res) => setTimeout(() => res(gone), 2000))]);
    this.worker.terminate();
    this.fail(new DOMException('The session was destroyed', 'AbortError') as unknown as Error);
    return r;
  }
}

/** Opens a session, preferring a worker; throws a typed MgntError when no WebGPU device exists anywhere. */
export async function openSession(opts: OpenOptions = {}): Promise<SessionApi> {
  void requestPersistence(); // window-only API: the worker cannot ask for it
  if (opts.worker !== false && typeof Worker !== 'undefined') {
    let worker: Worker | null = null;
    try {
      worker = new SessionWorker({ name: 'mgnt-session' });
      const s = new WorkerSession(worker, opts.onQuota);
      await s.open(opts.chunkBytes);
      return s;
    } catch {
      worker?.terminate(); // no device in the worker, or no worker at all: try this thread
    }
  }
  return Session.open({ chunkBytes: opts.chunkBytes, onQuota: (e) => opts.onQuota?.(e.message) });
}
