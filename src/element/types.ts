// What <mgnt-canvas> hands out: results, encodings, event details, and diagnostics for tests.
import type { MgntErrorType } from '../gpu/errors';
import type { SessionResult } from '../pipeline/session';

export interface MgntResult {
  /** The image (a video: its first frame). */
  image: ImageData;
  /** Gray8 pixels of every frame one after another ([frames, size, size]; an image: one frame). */
  gray: Uint8Array;
  /** The frames, size×size gray8 each (views of `gray`); an image: one. */
  frames: Uint8Array[];
  /** Playback rate of the clip. */
  fps: number;
  /** Frame prediction: frames given (kept), and the test clip they came from. */
  context?: { frames: number; latents: number; clip?: number };
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

/** Numbers for tests and diagnostics: sessions open, and the GPU pool after the last destroy. */
export const diagnostics = {
  openSessions: 0,
  lastDestroy: null as null | { liveBytes: number; baseLiveBytes: number },
};
