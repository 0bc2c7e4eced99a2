// Frame-prediction input as callers give it. No imports: the package's public typings reach it
// (MgntCanvas.predict), and must not pull in the model or GPU layers.
/** An ImageData, or anything shaped like one (what survives postMessage to the worker). */
export interface RgbaFrame {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** A context frame: size×size gray8 pixels (row-major, white on black), or RGBA of that size. */
export type ContextFrame = Uint8Array | Uint8ClampedArray | RgbaFrame;

export interface FrameContext {
  /** The first k frames of a clip, k = 1 + G·(j − 1) for 1 ≤ j < L (ModelInfo.contextFrames). */
  frames?: ContextFrame[];
  /** Or the index of one of the model's test clips (manifest tokenizer.test_clips). */
  clip?: number;
  /** With `clip`: how many of its first frames are given (default: about half the latent frames). */
  count?: number;
}
