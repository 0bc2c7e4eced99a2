// The inpainting editor: the last result (or an encoded image) under an 8×8 grid of token cells,
// each titled with its token; cells marked "keep" (click or drag) become fixed tokens of the next
// generation.
import { drawGray } from '../element/draw';

export class InpaintEditor {
  private canvas: HTMLCanvasElement;
  private grid: HTMLDivElement;
  private keep: boolean[];
  private tokens: Uint32Array | null = null;

  constructor(root: HTMLElement, private gh = 8, private gw = 8) {
    root.classList.add('editor');
    root.innerHTML = `<canvas width="28" height="28" role="img" aria-label="image to inpaint"></canvas><div class="cells" role="group" aria-label="token cells to keep"></div>`;
    this.canvas = root.querySelector('canvas')!;
    this.grid = root.querySelector('.cells')!;
    this.grid.style.gridTemplateColumns = `repeat(${gw}, 1fr)`;
    this.grid.style.gridTemplateRows = `repeat(${gh}, 1fr)`;
    this.keep = Array(gh * gw).fill(false);
    let painting: boolean | null = null;
    for (let i = 0; i < gh * gw; i++) {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-label', `row ${Math.floor(i / gw) + 1}, column ${(i % gw) + 1}`);
      b.addEventListener('pointerdown', (e) => {
        e.preventDefault();
        painting = !this.keep[i];
        this.set(i, painting);
      });
      b.addEventListener('pointerenter', () => painting !== null && this.set(i, painting));
      b.addEventListener('keydown', (e) => (e.key === ' ' || e.key === 'Enter') && (e.preventDefault(), this.set(i, !this.keep[i])));
      this.grid.append(b);
    }
    window.addEventListener('pointerup', () => (painting = null));
  }

  private set(i: number, v: boolean): void {
    this.keep[i] = v;
    const b = this.grid.children[i] as HTMLElement;
    b.classList.toggle('keep', v);
    b.setAttribute('aria-pressed', String(v));
  }

  /** Shows a result to inpaint from. */
  load(gray: Uint8Array, size: number, tokens: Uint32Array): void {
    drawGray(this.canvas, gray, size);
    this.tokens = tokens.slice();
    tokens.forEach((t, i) => {
      const b = this.grid.children[i] as HTMLElement | undefined;
      if (!b) return;
      b.dataset.token = String(t);
      b.title = `token ${t}`;
    });
  }

  preset(which: 'top' | 'bottom' | 'left' | 'right' | 'none'): void {
    for (let i = 0; i < this.keep.length; i++) {
      const r = Math.floor(i / this.gw), c = i % this.gw;
      const v = which === 'top' ? r < this.gh / 2 : which === 'bottom' ? r >= this.gh / 2 : which === 'left' ? c < this.gw / 2 : which === 'right' ? c >= this.gw / 2 : false;
      this.set(i, v);
    }
  }

  /** The fixed tokens for the next generation, or null without a source image. */
  fixed(): { positions: number[]; tokens: number[] } | null {
    if (!this.tokens) return null;
    const positions = this.keep.flatMap((k, i) => (k ? [i] : []));
    return { positions, tokens: positions.map((p) => this.tokens![p]) };
  }
}
