// The demo's Video section: a video checkpoint in its own session (the image model keeps the
// other). A clip per class, baseline and MaGNeTS side by side with GFLOPs and time; frame
// prediction from a shipped test clip shown as context | predicted | real, frame by frame.
// Hidden when no video model loads (none is shipped until train/export.py writes it).
import { drawGray } from '../element/draw';
import { VideoPlayer } from '../element/video-player';
import { splitFrames } from '../model/clip';
import type { ModelInfo, SessionApi, SessionResult } from '../pipeline/session';
import { openSession } from '../worker/client';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

/** A looping clip with its play/pause button and a caption. */
function clipView(label: string): { root: HTMLElement; player: VideoPlayer; caption: HTMLElement } {
  const canvas = el('canvas', { width: 64, height: 64 });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const button = el('button', { type: 'button', className: 'play' });
  const caption = el('figcaption', {}, label);
  return { root: el('figure', { className: 'clip' }, canvas, button, caption), player: new VideoPlayer(canvas, button), caption };
}

function frameCanvas(gray: Uint8Array, size: number, label: string, kind: string): HTMLCanvasElement {
  const c = el('canvas', { className: `frame ${kind}`, title: label });
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  drawGray(c, gray, size);
  return c;
}

export class VideoSection {
  private session: SessionApi | null = null;
  private info: ModelInfo | null = null;

  constructor(private root: HTMLElement, private url: string) {}

  async start(): Promise<void> {
    // A cheap look first: without a video model no second worker or GPU device is started.
    // GET, not HEAD: the offline copy (a Workbox precache) answers GETs only.
    const head = await fetch(this.url).catch(() => null);
    if (!head?.ok || !/json/.test(head.headers.get('content-type') ?? '')) return;
    try {
      this.session = await openSession();
      this.info = await this.session.load(this.url);
    } catch {
      await this.session?.destroy();
      this.session = null;
      return; // no video model here: the section stays hidden
    }
    if (this.info.frames < 2) return;
    this.render();
    this.root.hidden = false;
  }

  private render(): void {
    const info = this.info!;
    const grid = el('div', { className: 'clips' });
    const go = el('button', { type: 'button', className: 'primary', textContent: 'Generate a clip per class' });
    const ratio = el('p', { className: 'figures' });
    go.addEventListener('click', () => void this.perClass(grid, ratio, go));
    const clip = el('input', { type: 'number', min: '0', value: '0', id: 'video-clip' });
    const given = el('select', { id: 'video-context' }, ...info.contextFrames.map((k) => new Option(`${k} frame${k > 1 ? 's' : ''}`, String(k))));
    given.value = String(info.contextFrames[Math.floor(info.contextFrames.length / 2)] ?? 1);
    const predict = el('button', { type: 'button', textContent: 'Predict the rest' });
    const strips = el('div', { className: 'strips' });
    predict.addEventListener('click', () => void this.predict(Number(clip.value), Number(given.value), strips));
    this.root.replaceChildren(
      el('h2', { id: 'video-title', textContent: `Video: ${info.name} (${info.frames} frames of ${info.imageSize}×${info.imageSize}, ${info.fps} fps)` }),
      el('div', { className: 'controls' }, go),
      ratio,
      grid,
      el('h3', { textContent: 'Frame prediction: context | predicted | real' }),
      el('div', { className: 'controls' }, el('label', {}, 'test clip ', clip), el('label', {}, 'given ', given), predict),
      strips,
    );
  }

  /** Baseline and MaGNeTS for every class, one after the other (one GPU session). */
  private async perClass(grid: HTMLElement, ratio: HTMLElement, go: HTMLButtonElement): Promise<void> {
    const info = this.info!, s = this.session!;
    go.disabled = true;
    grid.replaceChildren();
    let gb = 0, gm = 0, mb = 0, mm = 0;
    try {
      for (const [c, name] of info.classes.entries()) {
        const row = el('div', { className: 'clip-row' }, el('strong', { textContent: name }));
        grid.append(row);
        for (const schedule of ['baseline', 'magnets'] as const) {
          const v = clipView(`${name}, ${schedule}`);
          row.append(v.root);
          const r: SessionResult = await s.generate({ classIndex: c, seed: c, schedule, preview: true }, (st) => st.preview && v.player.show(splitFrames(st.preview, info.imageSize), info.imageSize, info.fps));
          v.player.show(r.frames, r.size, r.fps);
          v.caption.textContent = `${schedule}: ${r.gflops.toFixed(2)} GFLOPs · ${r.ms.toFixed(0)} ms`;
          if (schedule === 'baseline') (gb += r.gflops), (mb += r.ms);
          else (gm += r.gflops), (mm += r.ms);
        }
        ratio.textContent = `MaGNeTS: ${(gb / gm).toFixed(2)}× fewer GFLOPs than baseline; ${(mb / Math.max(1, c + 1)).toFixed(0)} ms vs ${(mm / Math.max(1, c + 1)).toFixed(0)} ms per clip (with a preview decode after every step)`;
      }
    } catch (e) {
      ratio.textContent = `Error: ${(e as Error).message}`;
    } finally {
      go.disabled = false;
    }
  }

  private async predict(clip: number, given: number, strips: HTMLElement): Promise<void> {
    const info = this.info!, s = this.session!, S = info.imageSize;
    strips.textContent = 'predicting…';
    try {
      const real = await s.testClip(clip);
      const r = await s.generate({ context: { clip, count: given }, seed: clip, schedule: 'magnets' });
      const row = (label: string, frames: Uint8Array[], kind: (f: number) => string) =>
        el('div', { className: 'strip' }, el('span', { textContent: label }), ...frames.map((g, f) => frameCanvas(g, S, `${label} frame ${f}`, kind(f))));
      strips.replaceChildren(
        row('predicted', r.frames, (f) => (f < given ? 'context' : 'predicted')),
        row('real', splitFrames(real.gray, S), (f) => (f < given ? 'context' : 'real')),
        el('p', { className: 'figures', textContent: `test clip ${clip} of ${real.count}: ${given} frame(s) given (outlined), ${info.frames - given} predicted · ${r.gflops.toFixed(2)} GFLOPs · ${r.ms.toFixed(0)} ms` }),
      );
    } catch (e) {
      strips.textContent = `Error: ${(e as Error).message}`;
    }
  }
}
