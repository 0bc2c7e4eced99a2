// Messages between the page and the session worker, which runs one SessionHost (every model of
// the page on one device). Every request carries an id; the worker answers it with exactly one
// `done` or `error`, after any `progress` / `step` messages for it. Models are named by URL.
import type { LoadProgress } from '../model/checkpoint';
import type { HostStats } from '../pipeline/host';
import type { DestroyReport, EncodeResult, ModelInfo, SessionResult, StepReport, TestClip } from '../pipeline/session';
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
  | { kind: 'unload'; id: number; url: string }
  | { kind: 'generate'; id: number; url: string; request: SessionRequest }
  | { kind: 'generateBatch'; id: number; url: string; requests: SessionRequest[]; batch?: number }
  | { kind: 'encode'; id: number; url: string; gray: Uint8Array; size: number }
  | { kind: 'testClip'; id: number; url: string; index: number }
  | { kind: 'stats'; id: number }
  /** Aborts request `target` (a generate or a load), and nothing else. */
  | { kind: 'abort'; target: number }
  | { kind: 'destroy'; id: number };

export type FromWorker =
  | { kind: 'done'; id: number; value?: ModelInfo | SessionResult | SessionResult[] | EncodeResult | TestClip | HostStats | DestroyReport }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'progress'; id: number; progress: LoadProgress }
  | { kind: 'step'; id: number; step: StepReport }
  | { kind: 'quota'; url: string; message: string };
