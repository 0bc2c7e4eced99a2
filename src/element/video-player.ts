// Plays a clip's gray8 frames on the element's canvas in a loop at the model's fps, with a
// play/pause button. An image is a clip of one frame: drawn once, the button stays hidden.
import { drawGray } from './draw';

export class VideoPlayer {
  private frames: Uint8Array[] = [];
  private size = 0;
  private fps = 8;
  private timer: ReturnType<typeof setInterval> | null = null;
  private index = 0;
  /** The visitor paused playback: new clips keep that state. */
  private paused = false;

  constructor(private canvas: HTMLCanvasElement, private button: HTMLButtonElement) {
    button.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    this.sync();
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  /** The frame on the canvas now. */
  get current(): number {
    return this.index;
  }

  /** Shows new frames (a preview step or a result); a clip of more than one frame plays unless paused. */
  show(frames: Uint8Array[], size: number, fps: number): void {
    if (fps !== this.fps) this.stop(); // restarted below at the new rate
    this.frames = frames;
    this.size = size;
    this.fps = fps;
    if (this.index >= frames.length) this.index = 0;
    this.draw();
    if (frames.length > 1 && !this.paused) this.start();
    else if (frames.length <= 1) this.stop();
    this.sync();
  }

  play(): void {
    this.paused = false;
    if (this.frames.length > 1) this.start();
    this.sync();
  }

  pause(): void {
    this.paused = true;
    this.stop();
    this.sync();
  }

  /** Stops the timer (element removed); frames stay. */
  destroy(): void {
    this.stop();
  }

  private start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.index = (this.index + 1) % Math.max(1, this.frames.length);
      this.draw();
    }, 1000 / this.fps);
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private draw(): void {
    const f = this.frames[this.index];
    if (f) drawGray(this.canvas, f, this.size);
  }

  private sync(): void {
    this.button.hidden = this.frames.length <= 1;
    this.button.textContent = this.playing ? '❚❚' : '▶';
    this.button.setAttribute('aria-label', this.playing ? 'Pause' : 'Play');
    this.button.setAttribute('aria-pressed', String(!this.playing));
  }
}
