// One result panel of the demo: the image forming step by step, a strip with each step's width
// (lit as the step completes), and the figures (GFLOPs, time) of the finished image.
import { drawGray } from '../element/draw';
import type { SessionResult, StepReport } from '../pipeline/session';

const fraction = (w: number) => (w === 1 ? '1' : `1/${Math.round(1 / w)}`);

export class ResultPanel {
  private canvas: HTMLCanvasElement;
  private strip: HTMLOListElement;
  private figures: HTMLElement;
  private heading: HTMLElement;

  constructor(readonly root: HTMLElement, title: string) {
    root.innerHTML = `<h2></h2><canvas width="28" height="28" role="img"></canvas><ol class="widths" aria-label="width per step"></ol><p class="figures" aria-live="polite">–</p>`;
    this.heading = root.querySelector('h2')!;
    this.heading.textContent = title;
    this.canvas = root.querySelector('canvas')!;
    this.canvas.setAttribute('aria-label', `${title}: no image yet`);
    this.strip = root.querySelector('ol')!;
    this.figures = root.querySelector('.figures')!;
  }

  setTitle(title: string): void {
    this.heading.textContent = title;
  }

  start(widths: number[]): void {
    this.strip.replaceChildren(
      ...widths.map((w, i) => {
        const li = document.createElement('li');
        li.textContent = fraction(w);
        li.title = `step ${i + 1}: width ${fraction(w)}`;
        li.dataset.width = String(w);
        return li;
      }),
    );
    this.figures.textContent = 'generating…';
    this.root.classList.add('busy');
  }

  step(s: StepReport): void {
    if (s.preview) drawGray(this.canvas, s.preview, Math.round(Math.sqrt(s.preview.length)));
    const li = this.strip.children[s.step] as HTMLElement | undefined;
    if (li) {
      li.classList.add('done');
      if (s.cached) li.classList.add('cached');
      li.title += ` · ${s.computed} positions · ${s.gflops.toFixed(3)} GFLOPs${s.cached ? ' (from cache)' : ''}`;
    }
    this.figures.textContent = `step ${s.step + 1}/${s.steps} · width ${fraction(s.width)} · ${s.gflopsTotal.toFixed(2)} GFLOPs so far`;
  }

  finish(r: SessionResult, label: string): void {
    drawGray(this.canvas, r.gray, r.size);
    this.canvas.setAttribute('aria-label', label);
    this.root.classList.remove('busy');
    // A time budget's schedule is chosen by the session: the strip is drawn once it is known.
    if (!this.strip.children.length) this.start(r.schedule.widths);
    this.root.classList.remove('busy');
    for (const li of this.strip.children) li.classList.add('done');
    const tag = r.reused === 'result' ? ' · from the result cache' : r.reused === 'first-step' ? ' · first step from cache' : '';
    this.figures.innerHTML = '';
    const g = document.createElement('strong');
    g.textContent = `${r.gflops.toFixed(2)} GFLOPs`;
    const predicted = r.predictedMs !== undefined && r.reused !== 'result' ? ` (predicted ${r.predictedMs.toFixed(0)} ms)` : '';
    this.figures.append(g, ` · ${r.ms.toFixed(0)} ms${predicted}${tag}`);
  }

  fail(message: string): void {
    this.root.classList.remove('busy');
    this.figures.textContent = message;
  }

  get image(): HTMLCanvasElement {
    return this.canvas;
  }
}
