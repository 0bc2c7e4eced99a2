// The public shapes of <mgnt-canvas>: results, encodings and event details (the element's API
// surface, kept apart from its behaviour so typings can be read at a glance).
import type { MgntErrorType } from '../gpu/errors';
import type { SessionResult } from '../pipeline/session';

export interface MgntResult {
  image: ImageData;
  gray: Uint8Array;
  size: number;
  tokens: Uint32Array;
  gflops: number;
  ms: number;
  widths: number[];
  classIndex: number | null;
  className: string | null;
  seed: number;
  steps: number;
  /** `result`: a repeated request answered from the cache; `first-step`: step 1 came from it. */
  reused: SessionResult['reused'];
}

/** An image turned into tokens by encode(). */
export interface MgntEncoded {
  tokens: Uint32Array;
  /** The decoder's reconstruction of the tokens (what inpainting starts from). */
  image: ImageData;
  gray: Uint8Array;
  size: number;
  /** The size×size gray pixels that were encoded. */
  input: Uint8Array;
  gflops: number;
  ms: number;
}

export type MgntProgressDetail =
  | { phase: 'load'; file: string; loaded: number; total: number }
  | { phase: 'generate'; step: number; steps: number; width: number; gflops: number; computed: number; cached: boolean };

export interface MgntErrorDetail {
  type: MgntErrorType | 'error';
  message: string;
  /** False for notices the element survives (e.g. `quota`: it runs from memory). */
  fatal: boolean;
}
