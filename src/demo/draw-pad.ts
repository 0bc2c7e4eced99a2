// The demo's drawing pad: draw white on black with a mouse, pen or finger (as Fashion-MNIST
// garments are light on a black background), or show a picked / dropped image file on it.
import { fitRect } from '../element/image-input';

export class DrawPad {
  private ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  /** Something has been drawn or shown since the last clear. */
  dirty = false;

  constructor(readonly canvas: HTMLCanvasElement, onDrop: (file: File) => void) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
    });
    const end = () => (this.last = null);
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('dragover', (e) => {
      e.preventDefault();
      canvas.classList.add('drop');
    });
    canvas.addEventListener('dragleave', () => canvas.classList.remove('drop'));
    canvas.addEventListener('drop', (e) => {
      e.preventDefault();
      canvas.classList.remove('drop');
      const f = e.dataTransfer?.files[0];
      if (f) onDrop(f);
    });
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * this.canvas.width) / r.width, y: ((e.clientY - r.top) * this.canvas.height) / r.height };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    // About 2.5 of the model's 28 pixels wide: thin lines vanish at 28×28.
    c.lineWidth = this.canvas.width / 11;
    c.lineCap = c.lineJoin = 'round';
    c.strokeStyle = '#fff';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x, b.y);
    c.stroke();
    this.dirty = true;
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.dirty = false;
  }

  /** Shows an image on the pad (aspect kept, centred on black). */
  async show(file: Blob): Promise<void> {
    const bmp = await createImageBitmap(file);
    try {
      this.clear();
      const r = fitRect(bmp.width, bmp.height, this.canvas.width);
      this.ctx.imageSmoothingQuality = 'high';
      this.ctx.drawImage(bmp, r.x, r.y, r.w, r.h);
      this.dirty = true;
    } finally {
      bmp.close();
    }
  }

  /** Inverts the pad's colours (a photo of a dark object on a light background). */
  invert(): void {
    const { width: w, height: h } = this.canvas;
    const d = this.ctx.getImageData(0, 0, w, h);
    for (let i = 0; i < d.data.length; i += 4) {
      d.data[i] = 255 - d.data[i];
      d.data[i + 1] = 255 - d.data[i + 1];
      d.data[i + 2] = 255 - d.data[i + 2];
    }
    this.ctx.putImageData(d, 0, 0);
  }
}
