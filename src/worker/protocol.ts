// Messages between the page and the session worker. Every request carries an id; the worker
// answers it with exactly one `done` or `error`, after any `progress` / `step` messages for it.
import type { LoadProgress } from '../model/checkpoint';
import type { EncodeResult, ModelInfo, SessionResult, StepReport, TestClip } from '../pipeline/session';
import type { SessionRequest } from '../pipeline/request';
import type { MgntErrorType } from '../gpu/errors';

export interface WireError {
  /** `AbortError` for an aborted run, `MgntError` for typed failures. */
  name: string;
  type: MgntErrorType | 'error';
  message: string;
}

export type ToWorker =
  | { kind: 'open'; id: number; chunkBytes?: number }
  | { kind: 'load'; id: number; url: string }
  | { kind: 'generate'; id: number; request: SessionRequest }
  | { kind: 'encode'; id: number; gray: Uint8Array; size: number }
  | { kind: 'testClip'; id: number; index: number }
  | { kind: 'abort' }
  /** Cancels the load with id `target` (its AbortSignal fired on the page). */
  | { kind: 'cancel'; target: number }
  | { kind: 'destroy'; id: number };

export type FromWorker =
  | { kind: 'done'; id: number; value?: ModelInfo | SessionResult | EncodeResult | TestClip | { liveBytes: number; baseLiveBytes: number } }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'progress'; id: number; progress: LoadProgress }
  | { kind: 'step'; id: number; step: StepReport }
  | { kind: 'quota'; message: string };
