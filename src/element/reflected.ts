// <mgnt-canvas>'s reflected attributes: each property reads and writes its attribute (numbers
// parsed, an invalid value reads as null), so markup and script see one state. A base class of
// the element, which keeps its lifecycle, loading and generating.
import { parseLoading, parseNumber, type Observed } from './attributes';

export abstract class MgntCanvasAttributes extends HTMLElement {
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
  /** Time budget in ms: the best schedule of the front predicted to fit on this device; overrides `schedule` and `steps`. */
  get timeBudget(): number | null { return this.num('time-budget', { min: 0, exclusiveMin: true }); }
  set timeBudget(v: number | null) { this.setOrRemove('time-budget', v); }
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

  protected setOrRemove(name: string, v: unknown): void {
    if (v === null || v === undefined || v === '') this.removeAttribute(name);
    else this.setAttribute(name, String(v));
  }

  protected num(name: Observed, check: Parameters<typeof parseNumber>[2]): number | null {
    try {
      return parseNumber(name, this.getAttribute(name), check);
    } catch {
      return null;
    }
  }
}
