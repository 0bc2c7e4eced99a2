// The library API without the element: load a model, generate with abort and progress, destroy.
// It opens the same session as <mgnt-canvas> (a worker, or the main thread where a worker gets no
// GPU), so it throws the same MgntError types and returns the same results.
import { MgntError } from '../gpu/errors';
import type { SessionApi } from '../pipeline/session';
import { openSession } from '../worker/client';
import { classIndexOf } from './class';
import { resolveModelUrl } from './default-model';
import { grayToImageData, toModelInfo, toResult, toStepProgress } from './result';
import type { MgntLoadProgress, MgntModelInfo, MgntResult, MgntStepProgress } from './types';

export interface LoadOptions {
  /** Aborting rejects the load with an AbortError and frees whatever it had set up. */
  signal?: AbortSignal;
  onProgress?: (p: MgntLoadProgress) => void;
  /** Run the GPU work in a dedicated worker (default true; falls back to this thread when the worker gets no GPU). */
  worker?: boolean;
  /** The checkpoint could not be stored in IndexedDB (quota): it runs from memory. Not fatal. */
  onQuota?: (message: string) => void;
}

export interface GenerateOptions {
  /** Class name (`"sneaker"`) or index; `null` or `"none"` for unconditional. Default 0. */
  class?: string | number | null;
  /** Non-negative integer; the same seed and options give the same image. Default 0. */
  seed?: number;
  /** Decode steps (default: the model's). */
  steps?: number;
  /** `magnets` (default), `baseline`, or one width per step (`"1/8,1/4,…,1"` or an array). */
  schedule?: string | number[];
  /** Fraction of the full-width cost in (0, 1]: the best measured schedule that fits; overrides schedule and steps. */
  budget?: number;
  /** Milliseconds on this device: the best measured schedule predicted to fit (the device is measured once, then cached). */
  timeBudget?: number;
  /** Measure this device again for the time budget instead of reusing the stored measurement. */
  recalibrate?: boolean;
  guidance?: number;
  temperature?: number;
  /** Aborting rejects this generate() with an AbortError. */
  signal?: AbortSignal;
  /** Once per decode step. */
  onProgress?: (p: MgntStepProgress) => void;
  /** The image as it forms, after every step (costs a decoder pass per step). */
  onPreview?: (image: ImageData) => void;
}

const abortError = (what: string) => new DOMException(`The ${what} was aborted`, 'AbortError');

/** A loaded model on the GPU. One generation runs at a time: a new generate() aborts the running one. */
export class MgntGenerator {
  #session: SessionApi | null;
  readonly info: MgntModelInfo;
  /** Bumped by every generate(): an abort signal only stops the run it was given to. */
  #run = 0;

  // Private, so the published typings never name the session (and through it, WebGPU's types).
  private constructor(session: SessionApi, info: MgntModelInfo) {
    this.#session = session;
    this.info = info;
  }

  /** See loadModel(). */
  static async load(url?: string | URL, options: LoadOptions = {}): Promise<MgntGenerator> {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw abortError('load');
    // Absolute before it reaches the worker, whose base URL is a blob:.
    const href = resolveModelUrl(url === undefined ? null : String(url));
    const session = await openSession({ worker: options.worker !== false, onQuota: options.onQuota });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError('load'));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      if (signal?.aborted) throw abortError('load');
      const info = await Promise.race([
        session.load(href, (p) => onProgress?.({ phase: 'load', file: p.file, loaded: p.loaded, total: p.total })),
        aborted,
      ]);
      return new MgntGenerator(session, toModelInfo(info));
    } catch (e) {
      await session.destroy(); // an aborted or failed load leaves no worker, device or GPU memory behind
      throw e;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  get classes(): string[] {
    return this.info.classes.slice();
  }

  /** Where the GPU work runs; null once destroyed. */
  get backend(): 'worker' | 'main' | null {
    return this.#session?.backend ?? null;
  }

  async generate(options: GenerateOptions = {}): Promise<MgntResult> {
    const session = this.#live();
    const { signal, onProgress, onPreview } = options;
    if (signal?.aborted) throw abortError('generation');
    const classIndex = classIndexOf(options.class, this.info.classes);
    const mine = ++this.#run;
    const stop = () => {
      if (mine === this.#run) this.#session?.abort();
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const res = await session.generate(
        {
          classIndex, seed: options.seed, steps: options.steps, schedule: options.schedule, budget: options.budget, timeBudget: options.timeBudget, recalibrate: options.recalibrate,
          // Unconditional generation has no class to guide towards.
          guidance: options.guidance ?? (classIndex === null ? 0 : undefined), temperature: options.temperature, preview: !!onPreview,
        },
        (s) => {
          if (s.preview) onPreview?.(grayToImageData(s.preview, Math.round(Math.sqrt(s.preview.length))));
          onProgress?.(toStepProgress(s));
        },
      );
      if (signal?.aborted) throw abortError('generation');
      return toResult(res, this.info.classes);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  /** Stops any generation (it rejects with AbortError), frees the GPU memory and ends the worker. */
  async destroy(): Promise<void> {
    const s = this.#session;
    this.#session = null;
    if (s) await s.destroy();
  }

  #live(): SessionApi {
    if (!this.#session) throw new MgntError('aborted', 'this generator was destroyed; call loadModel() again');
    return this.#session;
  }
}

/**
 * Loads a checkpoint onto the GPU. `url` is its manifest.json (relative to the page; another
 * origin must send CORS headers); without it, models/fmnist-s/manifest.json next to this module.
 */
export function loadModel(url?: string | URL, options: LoadOptions = {}): Promise<MgntGenerator> {
  return MgntGenerator.load(url, options);
}
