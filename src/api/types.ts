// The package's public types: what the element and the library API hand to users. They import
// nothing that reaches the GPU, the store or idb-keyval, so the published .d.ts type-check in an
// app that has neither @webgpu/types nor idb-keyval installed (checked by e2e/package.spec.ts with
// skipLibCheck off). api/result.ts proves the session's own types still fit them.
import type { MgntErrorType } from '../gpu/errors';
import type { Notice, ScheduleUsed } from '../pipeline/outcome';

export type { MgntErrorType };
/** The schedule a generation ran with (name, one width per step, cache, and the budget it answered). */
export type MgntSchedule = ScheduleUsed;
/** A request served, but not as asked (`budget-exceeded`, `time-budget-exceeded`): the result still comes. */
export type MgntNotice = Notice;

export interface MgntResult {
  /** The image (a video: its first frame). */
  image: ImageData;
  /** Gray8 pixels of every frame one after another ([frames, size, size]; an image: one frame). */
  gray: Uint8Array;
  /** The frames, size×size gray8 each (views of `gray`); an image: one. */
  frames: Uint8Array[];
  /** Playback rate of a clip. */
  fps: number;
  /** Frame prediction: frames given (kept), their latent frames, and the test clip they came from. */
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
  reused: 'result' | 'first-step' | null;
  /** The schedule that actually ran: a budget may choose one other than `schedule` asked for. */
  schedule: MgntSchedule;
  /** Non-fatal: what was not served as asked (empty when everything was). */
  notices: MgntNotice[];
  /** Predicted ms on this device (set once it is calibrated, e.g. by a time budget); `ms` is the measured time. */
  predictedMs?: number;
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

export type MgntLoadProgress = { phase: 'load'; file: string; loaded: number; total: number };
export type MgntStepProgress = { phase: 'generate'; step: number; steps: number; width: number; gflops: number; computed: number; cached: boolean };
export type MgntProgressDetail = MgntLoadProgress | MgntStepProgress;

/** The `load` event's detail: the model is on the GPU. */
export interface MgntLoadDetail {
  name: string;
  id: string;
  classes: string[];
  backend: 'worker' | 'main' | null;
  storage: MgntStorageReport;
  ms: number;
}

export interface MgntErrorDetail {
  /** An MgntError's type, `budget-exceeded` for that notice, or `error` for anything else. */
  type: MgntErrorType | MgntNotice['type'] | 'error';
  message: string;
  /** False for notices the element survives (`quota`: it runs from memory; `budget-exceeded`, `time-budget-exceeded`). */
  fatal: boolean;
}

/** One measured schedule of the checkpoint's quality–compute front. */
export interface MgntFrontPoint {
  name: string;
  widths: number[];
  cache: boolean;
  /** GFLOPs per image ÷ the full-width baseline's. */
  fraction: number;
  gflops: number;
  accuracy: number;
  fid: number;
}

/** Where the checkpoint came from on this load. */
export interface MgntStorageReport {
  /** Per file: read from IndexedDB or downloaded. */
  files: Record<string, 'idb' | 'network'>;
  /** Stored entries found corrupt or partial, dropped and downloaded again. */
  dropped: string[];
  /** Nothing could be stored (quota, no IndexedDB): the model runs from memory. */
  memoryOnly: boolean;
  reason?: string;
  /** The manifest came from IndexedDB because the network failed. */
  offline: boolean;
  estimate: { usage: number; quota: number } | null;
}

export interface MgntModelInfo {
  name: string;
  /** The checkpoint's id (a hash of its manifest): every cache is keyed by it. */
  id: string;
  classes: string[];
  widths: number[];
  defaults: { steps: number; guidance: number; temperature: number; choiceTemperature: number; magnets: number[]; pareto: MgntFrontPoint[] };
  /** Token grid: [h, w], or [L, h, w] for a video model. */
  grid: number[];
  /** Side of the square images / frames the model makes (28; 64 for the video model). */
  imageSize: number;
  /** Frames per result (1: an image model), frames per latent frame, latent frames, playback rate. */
  frames: number;
  group: number;
  latents: number;
  fps: number;
  /** Context frame counts frame prediction accepts (empty for an image model). */
  contextFrames: number[];
  /** The checkpoint ships test clips (usable as prediction context). */
  testClips: boolean;
  /** The checkpoint has an encoder (its weights are fetched on first use). */
  encoder: boolean;
  weightBytes: number;
  /** Load time. */
  ms: number;
  storage: MgntStorageReport;
}

/** A file of a model kept in IndexedDB. */
export interface MgntStoredFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** What MgntCanvas.listStoredModels() reports per model kept in IndexedDB. */
export interface MgntStoredModel {
  /** The checkpoint's name (its manifest's `name`; files are kept under it). `null`: results of checkpoints no longer stored. */
  name: string | null;
  /** Manifest URLs it was loaded from (empty until a load of it completed). */
  urls: string[];
  /** Checkpoint ids (a hash of the file hashes) of its stored manifests. */
  ids: string[];
  /** A manifest record is stored and every file it requires is complete: the next load needs no download. */
  complete: boolean;
  files: MgntStoredFile[];
  /** Checkpoint bytes: complete files, plus chunks of writes that were cut short. */
  fileBytes: number;
  /** First-step activations and results computed with it. */
  cacheBytes: number;
  /** fileBytes + cacheBytes. */
  bytes: number;
  /** When its last complete load was saved (ms since the epoch), or null. */
  savedAt: number | null;
}

/** navigator.storage.persist()'s answer, or `unsupported`. */
export type MgntPersistResult = 'granted' | 'denied' | 'unsupported';

/** MgntCanvas.diagnostics: the page's shared sessions, and the GPU pool after the last one closed. */
export interface MgntDiagnostics {
  /** Shared sessions open now (0 or 1; 2 for a moment while a closing one finishes). */
  openSessions: number;
  /** Shared sessions opened over the page's life. */
  hostsOpened: number;
  /** Live bytes of the GPU pool after vs before loading, when the last session closed. */
  lastDestroy: { liveBytes: number; baseLiveBytes: number; shared?: boolean } | null;
}
