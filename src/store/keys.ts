// IndexedDB key layout of the store. Checkpoint files live under the model's name and each file's
// SHA-256; derived data (first-step activations, results) under the checkpoint's id (a hash of
// its file hashes), so a new checkpoint can never read entries computed from an old one.
import { createStore, type UseStore } from 'idb-keyval';

/** Largest value written in one IndexedDB put: browsers handle big blobs badly in one record. */
export const MAX_CHUNK_BYTES = 64 * 2 ** 20;

export const fileMetaKey = (model: string, sha: string) => `file/${model}/${sha}/meta`;
export const fileChunkKey = (model: string, sha: string, i: number) => `file/${model}/${sha}/${i}`;
export const filePrefix = (model: string, sha?: string) => (sha ? `file/${model}/${sha}/` : `file/${model}/`);
export const manifestKey = (url: string) => `manifest/${url}`;
export const firstStepKey = (ckId: string, width: number, cls: number, cfg: boolean) => `first/${ckId}/${width}/${cls}/${cfg ? 'cfg' : 'cond'}`;
export const resultKey = (ckId: string, request: string) => `result/${ckId}/${request}`;
/** A device's measured pass costs for a checkpoint (the time-budget dial), per adapter. */
export const calibrationKey = (ckId: string, adapter: string) => `calib/${ckId}/${encodeURIComponent(adapter)}`;

/** A checkpoint-file key taken apart (model names may contain `/`: the hash is found from the end). */
export function parseFileKey(key: string): { model: string; sha: string; part: 'meta' | number } | null {
  const m = /^file\/(.+)\/([0-9a-f]{64})\/(meta|\d+)$/.exec(key);
  if (!m) return null;
  return { model: m[1], sha: m[2], part: m[3] === 'meta' ? 'meta' : Number(m[3]) };
}

/** The manifest URL of a manifest record's key. */
export function parseManifestKey(key: string): string | null {
  return key.startsWith('manifest/') ? key.slice('manifest/'.length) : null;
}

/** The checkpoint id a derived entry (first step, result, calibration) belongs to. */
export function parseCacheKey(key: string): { kind: 'first' | 'result' | 'calib'; ckId: string } | null {
  const m = /^(first|result|calib)\/([^/]+)\//.exec(key);
  return m ? { kind: m[1] as 'first' | 'result' | 'calib', ckId: m[2] } : null;
}

let filesDb: UseStore | null = null;
let cacheDb: UseStore | null = null;

/** Checkpoint bytes (large, rarely written). Created lazily: IndexedDB may be missing (opaque origins). */
export function filesStore(): UseStore {
  return (filesDb ??= createStore('mgnt-files', 'files'));
}

/** Derived data: first-step activations and results (small, written often). */
export function cacheStore(): UseStore {
  return (cacheDb ??= createStore('mgnt-cache', 'cache'));
}
