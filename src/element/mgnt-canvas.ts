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
import { accessibleName, OBSERVED, parseClass, parseLoading, parseNumber, validateAttribute, type Observed } from './attributes';
import { resultToBlob } from './draw';
import { imageToGray, type ImageInput } from './image-input';
import { sharedSheet, STYLES } from './styles';
import { VideoPlayer } from './video-player';

export type { MgntEncoded, MgntErrorDetail, MgntProgressDetail, MgntResult } from '../api/types';

const PROPS = [...OBSERVED] as const;

/**
 * A class-conditional image generated on the visitor's GPU. (Tags for custom-elements.json.)
 * @attr {string} model - URL of a checkpoint manifest.json; default: the shipped model next to the script
 * @attr {string} class - Class name or index; `none` for unconditional
 * @attr {number} seed - Non-negative integer; the same seed and settings give the same image
 * @attr {number} steps - Decode steps (default: the model's)
 * @attr {string} schedule - `magnets`, `baseline`, or one width per step (`1/8,1/8,1/4,…,1`)
 * @attr {number} budget - Fraction of the full-width cost in (0, 1]; overrides schedule and steps
 * @attr {number} guidance - Classifier-free guidance scale, ≥ 0
 * @attr {number} temperature - Sampling temperature, > 0
 * @attr {'lazy' | 'eager'} loading - Load when near the viewport (default) or at once
 * @attr {boolean} autoplay - Generate once loaded and again when an attribute changes
 * @attr {number} context-clip - Video models: predict the rest of this shipped test clip
 * @attr {number} context-frames - With context-clip: how many of its first frames are given
 * @fires {CustomEvent} load - The model is on the GPU: `{ name, id, classes, backend, storage, ms }`
 * @fires {CustomEvent<MgntProgressDetail>} progress - Per file while loading, per step while generating
 * @fires {CustomEvent<MgntResult>} generate - The result, with the schedule that ran
 * @fires {CustomEvent<MgntErrorDetail>} error - `{ type, message, fatal }`; not fatal for `quota` and `budget-exceeded`
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
export class MgntCanvas extends HTMLElement {
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

  // --- reflected attributes -------------------------------------------------------------------
  get model(): string | null { return this.getAttribute('model'); }
  set model(v: string | null) { this.setOrRemove('model', v); }
  /** Class name or index ("dress", 3, "none"); also HTML's styling attribute (see README). */
  get class(): string | null { return this.getAttribute('class'); }
  set class(v: string | number | null) { this.setOrRemove('class', v); }
  get seed(): number { return this.num('seed', { integer: true, min: 0 }) ?? 0; }
  set seed(v: number | null) { this.setOrRemove('seed', v); }
  get steps(): number | null { return this.num('steps', { integer: true, min: 1 }); }
  set steps(v: number | null) { this.setOrRemove('steps', v); }
  get schedule(): string { return this.getAttribute('schedule') || 'magnets'; }
  set schedule(v: string | null) { this.setOrRemove('schedule', v); }
  /** Compute budget, a fraction of the full-width cost in (0, 1]: overrides `schedule` and `steps`. */
  get budget(): number | null { return this.num('budget', { min: 0, exclusiveMin: true }); }
  set budget(v: number | null) { this.setOrRemove('budget', v); }
  get guidance(): number | null { return this.num('guidance', { min: 0 }); }
  set guidance(v: number | null) { this.setOrRemove('guidance', v); }
  get temperature(): number | null { return this.num('temperature', { min: 0, exclusiveMin: true }); }
  set temperature(v: number | null) { this.setOrRemove('temperature', v); }
  get loading(): 'lazy' | 'eager' {
    try {
      return parseLoading(this.getAttribute('loading'));
    } catch {
      return 'lazy';
    }
  }
  set loading(v: 'lazy' | 'eager' | null) { this.setOrRemove('loading', v); }
  get autoplay(): boolean { return this.hasAttribute('autoplay'); }
  set autoplay(v: boolean) { this.toggleAttribute('autoplay', !!v); }
  /** Video models: predict the rest of this shipped test clip instead of generating from a class. */
  get contextClip(): number | null { return this.num('context-clip', { integer: true, min: 0 }); }
  set contextClip(v: number | null) { this.setOrRemove('context-clip', v); }
  /** With context-clip: how many of its frames are given (ModelInfo.contextFrames lists the allowed counts). */
  get contextFrames(): number | null { return this.num('context-frames', { integer: true, min: 1 }); }
  set contextFrames(v: number | null) { this.setOrRemove('context-frames', v); }

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

  private setOrRemove(name: string, v: unknown): void {
    if (v === null || v === undefined || v === '') this.removeAttribute(name);
    else this.setAttribute(name, String(v));
  }

  private num(name: Observed, check: Parameters<typeof parseNumber>[2]): number | null {
    try {
      return parseNumber(name, this.getAttribute(name), check);
    } catch {
      return null;
    }
  }

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
      for (const n of ['seed', 'steps', 'budget', 'guidance', 'temperature', 'context-clip', 'context-frames'] as const) validateAttribute(n, this.getAttribute(n));
      const context = this.context ?? (this.contextClip !== null ? { clip: this.contextClip, count: this.contextFrames ?? undefined } : undefined);
      this.context = undefined;
      this.canvas.setAttribute('aria-busy', 'true');
      const res = await session.generate(
        {
          classIndex, seed: this.seed, steps: this.steps ?? undefined, schedule: this.schedule, budget: this.budget ?? undefined,
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
      // Served, but not as asked (a budget below the cheapest schedule): a non-fatal error event.
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
