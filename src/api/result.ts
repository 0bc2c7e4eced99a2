// Session results → the public result (ImageData, class name, schedule used, notices): one mapping
// for the element and the library API, so both hand out exactly the same thing.
import type { ModelInfo, SessionResult, StepReport } from '../pipeline/session';
import type { MgntModelInfo, MgntResult, MgntStepProgress } from './types';

export function grayToImageData(gray: Uint8Array, size: number): ImageData {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const v = gray[i];
    rgba[4 * i] = v;
    rgba[4 * i + 1] = v;
    rgba[4 * i + 2] = v;
    rgba[4 * i + 3] = 255;
  }
  return new ImageData(rgba, size, size);
}

export function toResult(res: SessionResult, classes: readonly string[]): MgntResult {
  return {
    image: grayToImageData(res.frames[0], res.size), gray: res.gray, frames: res.frames, fps: res.fps,
    ...(res.context ? { context: res.context } : {}), size: res.size, tokens: res.tokens,
    gflops: res.gflops, ms: res.ms, widths: res.widths, classIndex: res.classIndex,
    className: res.classIndex === null ? null : classes[res.classIndex], seed: res.seed, steps: res.steps, reused: res.reused,
    schedule: res.schedule, notices: res.notices, ...(res.predictedMs !== undefined ? { predictedMs: res.predictedMs } : {}),
  };
}

export function toStepProgress(s: StepReport): MgntStepProgress {
  return { phase: 'generate', step: s.step, steps: s.steps, width: s.width, gflops: s.gflopsTotal, computed: s.computed, cached: !!s.cached };
}

/** The session's model description as the public type (a compile error here means they drifted apart). */
export function toModelInfo(info: ModelInfo): MgntModelInfo {
  return info;
}
