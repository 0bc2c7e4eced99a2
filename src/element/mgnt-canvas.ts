// <mgnt-canvas>: a class-conditional image generated on the visitor's GPU. Attributes reflect to
// properties; the model loads when the element becomes visible (or at once with loading="eager");
// the GPU work runs in the page's shared session (one worker, device and model copy for every
// element, main-thread fallback: src/worker/registry.ts), which the last element removed frees.
import { resolveModelUrl } from '../api/default-model';
import { grayToImageData, toModelInfo, toResult, toStepProgress } from '../api/result';
import type { MgntDiagnostics, MgntEncoded, MgntErrorDetail, MgntModelInfo, MgntProgressDetail, MgntResult } from '../api/types';
import { MgntError } from '../gpu/errors';
import { splitFrames } from '../model/clip';
import type { LoadProgress } from '../model/checkpoint';
import type { ContextFrame, FrameContext } from '../pipeline/context-types';
import type { ModelInfo, StepReport } from '../pipeline/session';
import type { Lease } from '../worker/lease';
import { joinPage, pageDiagnostics } from '../worker/registry';
import { accessibleName, OBSERVED, parseClass, validateAttribute, type Observed } from './attributes';
import { MgntCanvasAttributes } from './reflected';
import { resultToBlob } from './draw';
import { imageToGray, type ImageInput } from './image-input';
import { sharedSheet, STYLES } from './styles';
import { VideoPlayer } from './video-player';

export type { MgntEncoded, MgntErrorDetail, MgntProgressDetail, MgntResult } from '../api/types';

/** Property names of the observed attributes (`time-budget` → `timeBudget`), for the upgrade in connectedCallback. */
const PROPS = OBSERVED.map((n) => n.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()));

/**
 * A class-conditional image generated on the visitor's GPU. (Tags for custom-elements.json.)
 * @attr {string} model - URL of a checkpoint manifest.json; default: the shipped model next to the script
 * @attr {string} class - Class name or index; `none` for unconditional
 * @attr {number} seed - Non-negative integer; the same seed and settings give the same image
 * @attr {number} steps - Decode steps (default: the model's)
 * @attr {string} schedule - `magnets`, `baseline`, or one width per step (`1/8,1/8,1/4,…,1`)
 * @attr {number} budget - Fraction of the full-width cost in (0, 1]; overrides schedule and steps
 * @attr {number} time-budget - Milliseconds per image on this device (measured once, then cached); overrides schedule and steps
 * @attr {number} guidance - Classifier-free guidance scale, ≥ 0
 * @attr {number} temperature - Sampling temperature, > 0
 * @attr {'lazy' | 'eager'} loading - Load when near the viewport (default) or at once
 * @attr {boolean} autoplay - Generate once loaded and again when an attribute changes
 * @attr {number} context-clip - Video models: predict the rest of this shipped test clip
 * @attr {number} context-frames - With context-clip: how many of its first frames are given
 * @fires {CustomEvent} load - The model is on the GPU: `{ name, id, classes, backend, storage, ms }`
 * @fires {CustomEvent<MgntProgressDetail>} progress - Per file while loading, per step while generating
 * @fires {CustomEvent<MgntResult>} generate - The result, with the schedule that ran
 * @fires {CustomEvent<MgntErrorDetail>} error - `{ type, message, fatal }`; not fatal for `quota`, `budget-exceeded` and `time-budget-exceeded`
 * @cssprop [--mgnt-size=224px] - Width and height
 * @cssprop [--mgnt-background=#000] - Behind the image
 * @cssprop [--mgnt-border-radius=8px]
 * @cssprop [--mgnt-image-rendering=pixelated] - `auto` for smoothed upscaling
 * @cssprop [--mgnt-filter=none] - A CSS filter on the image
 * @cssprop [--mgnt-progress-color=#4f8cff] - The progress bar
 * @cssprop [--mgnt-progress-height=3px]
 * @cssprop --mgnt-status-font - The status line (loading, errors)
 * @cssprop --mgnt-status-color
 * @cssprop --mgnt-status-background
 * @csspart canvas - The image (a clip plays on it)
 * @csspart play - The play/pause button of a clip (hidden for images)
 * @csspart progress - The progress bar along the bottom edge
 * @csspart status - The status line
 */
export class MgntCanvas extends MgntCanvasAttributes {
  static readonly observedAttributes = OBSERVED;
  /** Set false before elements connect to run sessions on the main thread (e.g. a CSP without blob: workers). */
  static useWorker = true;
  /** The page's shared sessions: open now, opened so far, the GPU pool after the last one closed. */
  static readonly diagnostics: MgntDiagnostics = pageDiagnostics;

  private readonly root: ShadowRoot;
  private readonly canvas: HTMLCanvasElement;
  private readonly bar: HTMLElement;
  private readonly status: HTMLElement;
  /** This element's share of the page's session, once that is open. */
  private session: Lease | null = null;
  private info: MgntModelInfo | null = null;
  private loadPromise: Promise<MgntModelInfo> | null = null;
  private loadedUrl: string | null = null;
  private observer: IntersectionObserver | null = null;
  private last: MgntResult | null = null;
  private runs = 0;
  /** Bumped when the element is removed: loads started before then are void. */
  private epoch = 0;
  /** Bumped by every load: a load overtaken by a newer one (the model attribute changed) is void. */
  private loadSeq = 0;
  /** A share being opened, shared by overlapping loads so only one is ever taken. */
  private opening: Promise<Lease> | null = null;
  private autoplayQueued = false;
  private readonly player: VideoPlayer;
  /** Context frames given to predict(), used by that run. */
  private context: FrameContext | undefined;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const sheet = sharedSheet();
    if (sheet) this.root.adoptedStyleSheets = [sheet];
    this.root.innerHTML = `${sheet ? '' : `<style>${STYLES}</style>`}<canvas part="canvas" role="img" width="28" height="28"></canvas><button class="play" part="play" type="button" hidden></button><div class="progress" part="progress"></div><div class="status" part="status" aria-hidden="true"></div>`;
    this.canvas = this.root.querySelector('canvas')!;
    this.bar = this.root.querySelector('.progress')!;
    this.status = this.root.querySelector('.status')!;
    this.player = new VideoPlayer(this.canvas, this.root.querySelector('button')!);
  }

  // --- read-only state ------------------------------------------------------------------------
  /** True once the model is on the GPU. */
  get loaded(): boolean { return !!this.info; }
  /** The model's class names (empty until loaded). */
  get classes(): string[] { return this.info?.classes.slice() ?? []; }
  /** The last result, or null. */
  get result(): MgntResult | null { return this.last; }
  /** The last result's frames (size×size gray8 each; an image: one), or an empty list. */
  get frames(): Uint8Array[] { return this.last?.frames.slice() ?? []; }
  /** A clip is playing in a loop. */
  get playing(): boolean { return this.player.playing; }
  play(): void { this.player.play(); }
  pause(): void { this.player.pause(); }
  /** Where the GPU work runs: `worker`, `main`, or null before loading. */
  get backend(): 'worker' | 'main' | null { return this.session?.backend ?? null; }
  /** The loaded model's description (name, id, classes, storage report), or null. */
  get modelInfo(): MgntModelInfo | null { return this.info; }

  // --- lifecycle ------------------------------------------------------------------------------
  connectedCallback(): void {
    // Properties assigned before the element was defined are own properties that shadow the
    // accessors: move them through the setters (the custom-element upgrade pattern).
    for (const p of PROPS) {
      if (Object.prototype.hasOwnProperty.call(this, p)) {
        const v = (this as Record<string, unknown>)[p];
        delete (this as Record<string, unknown>)[p];
        (this as Record<string, unknown>)[p] = v;
      }
    }
    this.updateLabel();
    if (this.loading === 'eager') void this.ensureLoaded().catch(() => {});
    else this.observe();
  }

  disconnectedCallback(): void {
    this.observer?.disconnect();
    this.observer = null;
    // A move (disconnect + connect in one task) keeps the session; a removal frees it.
    queueMicrotask(() => {
      if (!this.isConnected) void this.teardown();
    });
  }

  attributeChangedCallback(name: Observed, old: string | null, value: string | null): void {
    if (old === value) return;
    try {
      validateAttribute(name, value);
      if (name === 'class' && this.info) parseClass(value, this.info.classes);
    } catch (e) {
      this.fail(e, false);
      return;
    }
    if (name === 'class') this.updateLabel();
    if (name === 'loading' && value === 'eager' && this.isConnected) void this.ensureLoaded().catch(() => {});
    if (name === 'model' && this.loadPromise) {
      this.loadPromise = null;
      this.info = null;
      if (this.isConnected && (this.loading === 'eager' || this.autoplay)) void this.ensureLoaded().catch(() => {});
      return;
    }
    if (name !== 'loading' && name !== 'model' && this.autoplay && this.info) this.queueAutoplay();
  }

  private observe(): void {
    if (this.observer || this.loadPromise) return;
    if (typeof IntersectionObserver === 'undefined') {
      void this.ensureLoaded().catch(() => {});
      return;
    }
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        this.observer?.disconnect();
        this.observer = null;
        void this.ensureLoaded().catch(() => {});
      }
    }, { rootMargin: '200px' });
    this.observer.observe(this);
  }

  private async teardown(): Promise<void> {
    const s = this.session;
    this.session = null;
    this.opening = null; // a session still opening is destroyed by the load that asked for it
    this.loadPromise = null;
    this.info = null;
    this.runs++;
    this.epoch++;
    this.player.destroy();
    // Cancels this element's work only; the page's session goes with the last element.
    await s?.destroy();
  }

  // --- loading --------------------------------------------------------------------------------
  private ensureLoaded(): Promise<MgntModelInfo> {
    this.loadPromise ??= this.load();
    return this.loadPromise;
  }

  private async load(): Promise<MgntModelInfo> {
    const url = resolveModelUrl(this.model);
    const mine = this.epoch;
    const seq = ++this.loadSeq;
    const stale = () => mine !== this.epoch || seq !== this.loadSeq;
    try {
      this.setStatus('Loading model…');
      if (!this.session) {
        const opening = (this.opening ??= this.join());
        const s = await opening.finally(() => {
          if (this.opening === opening) this.opening = null;
        });
        if (mine !== this.epoch || !this.isConnected) {
          if (this.session !== s) await s.destroy();
          throw new DOMException('The element was removed', 'AbortError');
        }
        this.session = s;
      }
      const info = toModelInfo(await this.session!.load(url, (p: LoadProgress) => {
        if (stale()) return;
        this.bar.style.width = `${(100 * p.loaded) / Math.max(1, p.total)}%`;
        this.emit('progress', { phase: 'load', file: p.file, loaded: p.loaded, total: p.total } satisfies MgntProgressDetail);
      }));
      if (stale()) throw new DOMException(mine !== this.epoch ? 'The element was removed' : 'The load was superseded by a newer model', 'AbortError');
      this.info = info;
      this.loadedUrl = url;
      this.bar.style.width = '0';
      this.setStatus('');
      this.updateLabel();
      this.emit('load', { name: info.name, id: info.id, classes: info.classes, backend: this.backend, storage: info.storage, ms: info.ms });
      let classOk = true;
      try {
        parseClass(this.getAttribute('class'), info.classes); // a bad class is reported now, the model stays loaded
      } catch (e) {
        classOk = false;
        this.fail(e, false);
      }
      if (this.autoplay && classOk) this.queueAutoplay();
      return info;
    } catch (e) {
      // A load overtaken by a newer one or by removal reports nothing and leaves the state alone.
      if (stale()) throw (e as Error).name === 'AbortError' ? e : new DOMException('The load was superseded', 'AbortError');
      if ((e as Error).name !== 'AbortError') {
        this.loadPromise = null;
        this.fail(e, true);
      }
      throw e;
    }
  }

  private async join(): Promise<Lease> {
    const lease = joinPage({
      worker: MgntCanvas.useWorker,
      onQuota: (message) => this.emit('error', { type: 'quota', message, fatal: false } satisfies MgntErrorDetail),
    });
    try {
      await lease.ready();
      return lease;
    } catch (e) {
      await lease.destroy(); // no WebGPU here: leave, so the page's count goes back to zero
      throw e;
    }
  }

  private queueAutoplay(): void {
    if (this.autoplayQueued) return;
    this.autoplayQueued = true;
    queueMicrotask(() => {
      this.autoplayQueued = false;
      void this.generate().catch(() => {});
    });
  }

  // --- generating -----------------------------------------------------------------------------
  /** Generates an image with the current attributes; a second call aborts the first (AbortError). */
  async generate(): Promise<MgntResult> {
    const mine = ++this.runs;
    const info = await this.ensureLoaded();
    const session = this.session;
    if (mine !== this.runs || !session) throw new DOMException('The generation was superseded', 'AbortError');
    try {
      const classIndex = parseClass(this.getAttribute('class'), info.classes) ?? null;
      for (const n of ['seed', 'steps', 'budget', 'time-budget', 'guidance', 'temperature', 'context-clip', 'context-frames'] as const) validateAttribute(n, this.getAttribute(n));
      const context = this.context ?? (this.contextClip !== null ? { clip: this.contextClip, count: this.contextFrames ?? undefined } : undefined);
      this.context = undefined;
      this.canvas.setAttribute('aria-busy', 'true');
      const res = await session.generate(
        {
          classIndex, seed: this.seed, steps: this.steps ?? undefined, schedule: this.schedule, budget: this.budget ?? undefined, timeBudget: this.timeBudget ?? undefined,
          guidance: this.guidance ?? (classIndex === null ? 0 : undefined), temperature: this.temperature ?? undefined, preview: true, context,
        },
        (s: StepReport) => {
          if (mine !== this.runs) return;
          if (s.preview) this.player.show(splitFrames(s.preview, info.imageSize), info.imageSize, info.fps);
          this.bar.style.width = `${(100 * (s.step + 1)) / s.steps}%`;
          this.emit('progress', toStepProgress(s) satisfies MgntProgressDetail);
        },
      );
      if (mine !== this.runs) throw new DOMException('The generation was superseded', 'AbortError');
      this.player.show(res.frames, res.size, res.fps);
      this.bar.style.width = '0';
      const result = toResult(res, info.classes);
      this.last = result;
      // Served, but not as asked (a budget below the cheapest or fastest schedule): a non-fatal error event.
      for (const n of result.notices) this.emit('error', { type: n.type, message: n.message, fatal: false } satisfies MgntErrorDetail);
      this.emit('generate', result);
      return result;
    } catch (e) {
      if ((e as Error).name !== 'AbortError') this.fail(e, true);
      throw e;
    } finally {
      if (mine === this.runs) this.canvas.setAttribute('aria-busy', 'false');
    }
  }

  /**
   * Any image to tokens: scaled to the model's 28×28 (aspect kept, centred on black), luminance as
   * gray (`invert` for a dark object on a light background), encoded, and decoded again. Loads the
   * model first if needed; leaves the canvas alone and fires no event (errors reject).
   */
  async encode(image: ImageInput, options: { invert?: boolean } = {}): Promise<MgntEncoded> {
    const info = await this.ensureLoaded();
    if (!this.session) throw new DOMException('The element was removed', 'AbortError');
    const input = await imageToGray(image, info.imageSize, options);
    const r = await this.session.encode(input, info.imageSize);
    return { tokens: r.tokens, image: grayToImageData(r.gray, r.size), gray: r.gray, size: r.size, input, gflops: r.gflops, ms: r.ms };
  }

  /**
   * Video models: generates the rest of a clip from its first frames (ImageData or gray8 arrays of
   * the model's frame size; ModelInfo.contextFrames lists the allowed counts), or from a shipped
   * test clip ({ clip, count }). The null class and guidance 0; otherwise as generate().
   */
  predict(context: Array<ContextFrame> | { clip: number; count?: number }): Promise<MgntResult> {
    this.context = Array.isArray(context) ? { frames: context } : { clip: context.clip, count: context.count };
    return this.generate();
  }

  /**
   * The current result as a file, `scale` times its size: a PNG (or `type`) for an image, an
   * animated GIF (looping, at the model's fps) for a clip.
   */
  async toBlob(options: { type?: string; scale?: number } = {}): Promise<Blob> {
    if (!this.last) throw new MgntError('bad-attribute', 'toBlob(): nothing has been generated yet; await generate() first');
    return resultToBlob(this.last, options);
  }

  // --- helpers --------------------------------------------------------------------------------
  private updateLabel(): void {
    // On the shadow canvas (role img), so the host needs no sprouted ARIA attributes; an
    // aria-label the page puts on the host wins.
    this.canvas.setAttribute('aria-label', this.getAttribute('aria-label') || accessibleName(this.getAttribute('class'), this.info));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  private fail(e: unknown, fatal: boolean): void {
    const type = e instanceof MgntError ? e.type : 'error';
    const message = e instanceof Error ? e.message : String(e);
    if (fatal) this.setStatus(type === 'webgpu-unavailable' || type === 'no-adapter' ? 'WebGPU is not available in this browser.' : `Error: ${message}`);
    this.emit('error', { type, message, fatal } satisfies MgntErrorDetail);
  }

  private emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}
