// Typed events of <mgnt-canvas>: `el.addEventListener('generate', (e) => e.detail.image)` knows
// the detail. Declared by merging into the class from here (types only, no code), so the element
// file keeps its one job; element/index.ts imports this file so the published typings carry it.
import type { MgntErrorDetail, MgntLoadDetail, MgntProgressDetail, MgntResult } from '../api/types';

export interface MgntCanvasEventMap {
  load: CustomEvent<MgntLoadDetail>;
  progress: CustomEvent<MgntProgressDetail>;
  generate: CustomEvent<MgntResult>;
  /** Fatal errors and non-fatal notices (`quota`, `budget-exceeded`, `time-budget-exceeded`): see `detail.fatal`. */
  error: CustomEvent<MgntErrorDetail>;
}

type Listener<K extends keyof MgntCanvasEventMap> = (this: HTMLElement, ev: MgntCanvasEventMap[K]) => unknown;

declare module './mgnt-canvas' {
  interface MgntCanvas {
    addEventListener<K extends keyof MgntCanvasEventMap>(type: K, listener: Listener<K>, options?: boolean | AddEventListenerOptions): void;
    addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
    removeEventListener<K extends keyof MgntCanvasEventMap>(type: K, listener: Listener<K>, options?: boolean | EventListenerOptions): void;
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  }
}
