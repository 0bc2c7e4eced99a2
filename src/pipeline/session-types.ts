// The session's interface and what it hands out: model info, results, encodings, test clips.
// Shared by the in-page Session, the worker protocol and the element, so it sits apart.
import type { FrontPoint } from './budget';
import type { LoadProgress } from '../model/checkpoint';
import type { StoreReport } from '../store';
import type { GenerateResult, StepInfo } from './generate';
import type { Notice, ScheduleUsed, SessionRequest } from './request';
import type { MgntError } from '../gpu/errors';
import type { DeviceSlot } from '../gpu/device-slot';
import type { Runtime } from '../gpu/runtime';

export interface ModelInfo {
  name: string;
  id: string;
  classes: string[];
  widths: number[];
  defaults: { steps: number; guidance: number; temperature: number; choiceTemperature: number; magnets: number[]; pareto: FrontPoint[] };
  /** Token grid: [h, w], or [L, h, w] for a video model. */
  grid: number[];
  /** Side of the square images / frames the model makes and encodes (28; 64 for the video model). */
  imageSize: number;
  /** Frames per result (1: an image model), frames per latent frame, latent frames, playback rate. */
  frames: number;
  group: number;
  latents: number;
  fps: number;
  /** Context frame counts frame prediction accepts (empty for an image model). */
  contextFrames: number[];
  /** The checkpoint ships test clips (context: { clip }) and how they are named in the manifest. */
  testClips: boolean;
  /** The checkpoint has an encoder (encode() works; its weights are fetched on first use). */
  encoder: boolean;
  weightBytes: number;
  ms: number;
  storage: StoreReport;
}

/** A step as reported outside the decode loop: no per-step token copies unless asked. */
export type StepReport = Omit<StepInfo, 'tokens'> & { tokens?: Uint32Array };

export interface SessionResult extends Omit<GenerateResult, 'steps'> {
  /** Frame prediction: how many frames were given (they, and their latent frames' tokens, are kept). */
  context?: { frames: number; latents: number; clip?: number };
  classIndex: number | null;
  seed: number;
  steps: number;
  /** Per-step summary (width, positions computed, GFLOPs, ms). */
  stepInfo: Array<Pick<StepInfo, 'step' | 'width' | 'computed' | 'full' | 'gflops' | 'ms'> & { cached?: boolean }>;
  /** `result`: returned from the result cache; `first-step`: step 0 came from the cache. */
  reused: 'result' | 'first-step' | null;
  /** The GPU device was lost during this generation and replaced; the result is from the retry. */
  recovered?: boolean;
  /** The schedule that ran (a budget may pick one other than asked). */
  schedule: ScheduleUsed;
  /** What was not served as asked (e.g. a budget below the cheapest measured schedule). */
  notices: Notice[];
  /** Predicted ms of this generation on this device (`ms` is the measured time); set once the device is calibrated (a time budget). */
  predictedMs?: number;
  /** generateBatch(): the group this image decoded in (its ms, dispatches, submits and readbacks are the group's). */
  batch?: { size: number; index: number };
}

export interface BatchRequestOptions {
  /** Images decoded together at most (default 8); more than the GPU allows is a `bad-attribute` error. */
  batch?: number;
}

export interface SessionOptions {
  runtime?: Runtime;
  /**
   * A device shared with other sessions (one per model on a page): after a device loss the
   * session takes the slot's replacement instead of acquiring its own.
   */
  slot?: DeviceSlot;
  /** Keep checkpoint files and activations in IndexedDB (default true). */
  store?: boolean;
  chunkBytes?: number;
  onQuota?: (e: MgntError) => void;
}

/** An image turned into tokens, and the decoder's reconstruction of those tokens. */
export interface EncodeResult {
  /** One token per grid cell (64 for the image model), row-major. */
  tokens: Uint32Array;
  /** The reconstruction as gray8 pixels, size×size. */
  gray: Uint8Array;
  size: number;
  /** Encoder plus decoder. */
  gflops: number;
  ms: number;
}

export interface TestClip {
  index: number;
  /** Gray8 frames one after another, [frames, size, size]. */
  gray: Uint8Array;
  frames: number;
  size: number;
  /** Test clips the model ships. */
  count: number;
}

/** What the element and the demo need from a session, whether it runs here or in a worker. */
export interface SessionApi {
  readonly backend: 'worker' | 'main';
  /**
   * Loads a model (IndexedDB first, then the network). Aborting `signal` cancels the download and
   * rejects with AbortError once whatever this load had stored is dropped again.
   */
  load(url: string, onProgress?: (p: LoadProgress) => void, opts?: LoadOptions): Promise<ModelInfo>;
  generate(req: SessionRequest, onStep?: (s: StepReport) => void): Promise<SessionResult>;
  /**
   * Generates many images together (one pass per step for every group of requests that can share
   * passes); results in request order, each token-identical to its generate() result. Like
   * generate(), a new generate or generateBatch aborts it. An empty batch, a batch size beyond the
   * GPU's limit or a bad request is a `bad-attribute` error before any GPU work.
   */
  generateBatch(reqs: SessionRequest[], opts?: BatchRequestOptions): Promise<SessionResult[]>;
  /**
   * Tokens of a size×size gray8 image (row-major, white on black as the training data), with the
   * decoder's reconstruction. The first call fetches the checkpoint's optional encoder file.
   */
  encode(gray: Uint8Array, size: number): Promise<EncodeResult>;
  /** A test clip shipped with a video model (fetched with its file on first use): gray8 frames [frames, size, size]. */
  testClip(index: number): Promise<TestClip>;
  abort(): void;
  /** Stops, frees the GPU memory; reports the pool's live bytes after vs before loading. */
  destroy(): Promise<DestroyReport>;
}

export interface LoadOptions {
  signal?: AbortSignal;
}

export interface DestroyReport {
  liveBytes: number;
  baseLiveBytes: number;
  /** The device stays in use by other elements of the page: nothing was freed by this destroy. */
  shared?: boolean;
}
