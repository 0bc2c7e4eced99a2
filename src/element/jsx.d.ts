// <mgnt-canvas> in JSX: React's JSX.IntrinsicElements (module augmentation) and the global JSX
// namespace (Preact, Solid, older React). Hand-written .d.ts on purpose: in a declaration file an
// augmentation of 'react' is allowed when React is not installed (a .ts file would fail to
// compile), and nothing here names React's own types, so apps without React type-check too.
import type { MgntCanvas } from './mgnt-canvas';

/** The attributes of <mgnt-canvas> as JSX props (as in HTML: numbers may be given as strings). */
export interface MgntCanvasAttributes {
  /** URL of a checkpoint manifest.json. */
  model?: string;
  /** Class name or index (`"sneaker"`, `3`), `"none"` for unconditional; also the styling attribute. */
  class?: string | number;
  className?: string;
  seed?: number | string;
  steps?: number | string;
  /** `magnets`, `baseline`, or one width per step (`"1/8,1/8,1/4,…,1"`). */
  schedule?: string;
  /** Fraction of the full-width cost in (0, 1]. */
  budget?: number | string;
  /** Milliseconds per image on this device (the time-budget dial). */
  'time-budget'?: number | string;
  guidance?: number | string;
  temperature?: number | string;
  loading?: 'lazy' | 'eager';
  autoplay?: boolean;
  id?: string;
  slot?: string;
  title?: string;
  hidden?: boolean;
  tabIndex?: number;
  style?: string | Record<string, string | number>;
  part?: string;
  key?: string | number | null;
  ref?: { current: MgntCanvas | null } | ((el: MgntCanvas | null) => void) | null;
  children?: unknown;
  [aria: `aria-${string}`]: string | number | boolean | undefined;
  [data: `data-${string}`]: string | number | boolean | undefined;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'mgnt-canvas': MgntCanvasAttributes;
    }
  }
}

declare global {
  namespace JSX {
    interface IntrinsicElements {
      'mgnt-canvas': MgntCanvasAttributes;
    }
  }
}
