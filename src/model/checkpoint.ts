import { MgntError } from '../gpu/errors';
import { validateManifest, type Manifest, type ManifestFile } from './manifest';
import { parseSafetensors, type SafetensorsFile } from './safetensors';
import { decoderTensors, encoderTensors, transformerTensors } from './tensors';

/**
 * Load progress over the whole checkpoint: `total` is the sum of the manifest's required files
 * (the same in every event, from the first one, sent before any byte arrives); `loaded` counts
 * the bytes of all of them so far. `file` is the file being fetched.
 */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

/** Where checkpoint bytes come from: the network by default; the store wraps it with IndexedDB. */
export interface FileSource {
  manifest(url: string): Promise<unknown>;
  /** `signal`: aborting it stops the download and rejects with the signal's reason (an AbortError). */
  file(url: string, f: ManifestFile, onProgress?: (loaded: number) => void, reload?: boolean, signal?: AbortSignal): Promise<ArrayBuffer>;
  /** The checkpoint is complete and usable: a caching source may mark it complete now. */
  commit?(): Promise<void>;
  /** Loading failed (integrity, format, shapes): a caching source drops what this load stored. */
  discard?(): Promise<void>;
}

export interface Checkpoint {
  url: string;
  manifest: Manifest;
  files: Map<string, SafetensorsFile>;
  /** Content hash of the whole checkpoint (from the manifest's file hashes): cache key. */
  id: string;
}

export async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What an aborted load rejects with: the signal's reason (an AbortError unless the caller gave another). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The load was aborted', 'AbortError');
}

async function fetchOk(url: string, reload: boolean, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'omit', cache: reload ? 'reload' : 'default', signal });
  } catch (e) {
    // A cancelled load is not a network failure: the caller asked for it.
    if (signal?.aborted) throw abortReason(signal);
    throw new MgntError('network', `could not fetch ${url}: ${String(e)}. Check the URL and your connection (and CORS, if it is on another origin).`, { cause: e });
  }
  if (!res.ok) throw new MgntError('network', `fetching ${url} failed with HTTP ${res.status} ${res.statusText}`);
  return res;
}

/** True when bytes start like an HTML page; a safetensors file starts with a binary length. */
function looksLikeHtml(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head.subarray(0, 64));
  return /^\s*<(!doctype html|html|head|body|!--)/i.test(text);
}

export const networkSource: FileSource = {
  async manifest(url) {
    const res = await fetchOk(url, false);
    const text = await res.text().catch((e) => {
      throw new MgntError('network', `${url}: the download broke off (${String(e)}); check the connection and load again`, { cause: e });
    });
    try {
      return JSON.parse(text);
    } catch (e) {
      const html = /^\s*</.test(text) ? ' (the server returned an HTML page; is the URL right?)' : '';
      throw new MgntError('format', `${url} is not valid JSON${html}`, { cause: e });
    }
  },
  async file(url, f, onProgress, reload = false, signal) {
    const res = await fetchOk(url, reload, signal);
    const type = res.headers.get('content-type') ?? '';
    const html = () =>
      new MgntError('format', `${f.path}: the server returned an HTML page (content-type ${type || 'none'}) instead of the checkpoint file at ${url}; is the path right?`);
    if (type.includes('text/html')) throw html();
    if (!res.body) {
      const b = await res.arrayBuffer().catch((e) => {
        if (signal?.aborted) throw abortReason(signal);
        throw new MgntError('network', `${f.path}: the download broke off (${String(e)}); check the connection and load again`, { cause: e });
      });
      if (looksLikeHtml(new Uint8Array(b))) throw html();
      return b;
    }
    const out = new Uint8Array(f.bytes);
    const reader = res.body.getReader();
    let n = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (signal?.aborted) throw abortReason(signal);
        throw new MgntError('network', `${f.path}: the download broke off after ${n} of ${f.bytes} bytes (${String(e)}); check the connection and load again`, { cause: e });
      }
      const { done, value } = chunk;
      if (done) break;
      // A dev server's index.html fallback sent as binary: a format error, not a re-fetch.
      if (n === 0 && looksLikeHtml(value)) {
        reader.cancel().catch(() => {});
        throw html();
      }
      if (n + value.length > f.bytes) {
        reader.cancel().catch(() => {});
        throw new MgntError('integrity', `${f.path}: integrity check failed: the server sent more than the ${f.bytes} bytes the manifest lists`);
      }
      out.set(value, n);
      n += value.length;
      onProgress?.(n);
    }
    if (n !== f.bytes) throw new MgntError('integrity', `${f.path}: integrity check failed: received ${n} of ${f.bytes} bytes (truncated download)`);
    return out.buffer;
  },
};

/** Resolves a manifest's relative file path against the manifest URL. */
export function fileUrl(manifestUrl: string, path: string): string {
  const base = typeof location !== 'undefined' ? location.href : 'http://localhost/';
  return new URL(path, new URL(manifestUrl, base)).href;
}

/**
 * Loads a checkpoint: manifest, then every required file with its SHA-256 verified (optional
 * files wait until they are needed: loadEncoderFile). A file that fails its hash is fetched once
 * more bypassing caches; a second failure is an `integrity` error naming it.
 * Every tensor the config needs is then checked (a `format` error names it); only a checkpoint
 * that passes all of this is committed by a caching source, any other is discarded from it.
 * Aborting `signal` stops the download in flight and discards what this load stored, so a
 * cancelled load leaves nothing behind; it rejects with the signal's reason (an AbortError).
 */
export async function loadCheckpoint(
  url: string,
  opts: LoadOptions = {},
): Promise<Checkpoint> {
  const source = opts.source ?? networkSource;
  try {
    const ck = await loadFiles(url, source, opts);
    checkTensors(ck);
    // Aborted after the last byte arrived: still cancelled, so nothing is committed.
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    await source.commit?.();
    return ck;
  } catch (e) {
    await source.discard?.().catch(() => {});
    throw e;
  }
}

export interface LoadOptions {
  source?: FileSource;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /**
   * Called with the checkpoint id as soon as the manifest is read, before any file is fetched:
   * a page that already holds this checkpoint (under another URL) throws here to skip the download.
   */
  beforeFiles?: (id: string) => void;
}

/** Content hash of a whole checkpoint, from its manifest's file hashes (no file needed). */
export async function checkpointId(manifest: Pick<Manifest, 'files'>): Promise<string> {
  return (await sha256Hex(new TextEncoder().encode(manifest.files.map((f) => f.sha256).join(':')).buffer as ArrayBuffer)).slice(0, 16);
}

async function loadFiles(url: string, source: FileSource, opts: LoadOptions): Promise<Checkpoint> {
  opts.signal?.throwIfAborted();
  const manifest = validateManifest(await source.manifest(url));
  const id = await checkpointId(manifest);
  opts.beforeFiles?.(id);
  // Optional files (the encoder's) are fetched when first needed, so they count for nothing here.
  const required = manifest.files.filter((f) => !f.optional);
  const total = required.reduce((a, f) => a + f.bytes, 0);
  let done = 0;
  // The total before any byte: a progress bar is right from its first frame.
  if (required.length) opts.onProgress?.({ file: required[0].path, loaded: 0, total });
  const files = new Map<string, SafetensorsFile>();
  for (const f of required) {
    const buf = await fetchVerified(url, f, source, (n) => opts.onProgress?.({ file: f.path, loaded: done + n, total }), opts.signal);
    done += f.bytes;
    opts.onProgress?.({ file: f.path, loaded: done, total });
    files.set(f.path, parseSafetensors(buf, f.path));
  }
  return { url, manifest, files, id };
}

/**
 * One file with its SHA-256 verified; a mismatch is fetched once more bypassing caches, a second
 * failure is an `integrity` error naming the file.
 */
async function fetchVerified(url: string, f: ManifestFile, source: FileSource, onProgress?: (loaded: number) => void, signal?: AbortSignal): Promise<ArrayBuffer> {
  const u = fileUrl(url, f.path);
  let lastErr: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    signal?.throwIfAborted();
    try {
      const b = await source.file(u, f, onProgress, attempt > 0, signal);
      const hash = await sha256Hex(b);
      if (hash !== f.sha256) {
        throw new MgntError('integrity', `${f.path}: integrity check failed: SHA-256 ${hash.slice(0, 12)}… does not match the manifest's ${f.sha256.slice(0, 12)}…`);
      }
      return b;
    } catch (e) {
      lastErr = e;
      if (!(e instanceof MgntError && e.type === 'integrity')) throw e;
    }
  }
  throw lastErr;
}

/**
 * The encoder's tensors of a loaded checkpoint, from its optional file: fetched and verified like
 * the others (through the same source, so a caching source keeps it), every tensor checked. A
 * checkpoint without an encoder is a `bad-attribute` error saying how to get one.
 */
export async function loadEncoderFile(url: string, manifest: Manifest, source: FileSource = networkSource): Promise<Pick<Checkpoint, 'files' | 'manifest'>> {
  const e = manifest.tokenizer.encoder;
  if (!e) {
    throw new MgntError('bad-attribute', `checkpoint ${manifest.name} has no encoder (its manifest has no tokenizer.encoder), so it cannot turn images into tokens; re-export it with train/export.py, which writes encoder.safetensors`);
  }
  return loadOptionalFile(url, manifest, e.file, source, (ck) => {
    for (const t of encoderTensors(manifest.tokenizer)) findTensor(ck, t.name, t.shape);
  });
}

/**
 * One optional file of a loaded checkpoint (the encoder's, the test clips), fetched when first
 * needed and verified like the others; `check` throws on bad contents, which discards it from a
 * caching source.
 */
export async function loadOptionalFile(
  url: string,
  manifest: Manifest,
  path: string,
  source: FileSource,
  check: (ck: Pick<Checkpoint, 'files' | 'manifest'>) => void,
): Promise<Pick<Checkpoint, 'files' | 'manifest'>> {
  const f = manifest.files.find((x) => x.path === path)!; // validateManifest checked it is listed
  try {
    const buf = await fetchVerified(url, f, source);
    const ck = { manifest, files: new Map([[f.path, parseSafetensors(buf, f.path)]]) };
    check(ck);
    await source.commit?.();
    return ck;
  } catch (err) {
    await source.discard?.().catch(() => {});
    throw err;
  }
}

/** Every tensor the manifest's config needs is present with its shape (before any GPU work). */
export function checkTensors(ck: Pick<Checkpoint, 'files' | 'manifest'>): void {
  for (const t of transformerTensors(ck.manifest.transformer)) findTensor(ck, t.name, t.shape);
  for (const t of decoderTensors(ck.manifest.tokenizer)) findTensor(ck, t.name, t.shape);
}

/** Finds a tensor in any file of the checkpoint and checks its shape, naming it on failure. */
export function findTensor(ck: Pick<Checkpoint, 'files'>, name: string, shape: number[]): { file: SafetensorsFile; name: string } {
  for (const file of ck.files.values()) {
    const t = file.tensors.get(name);
    if (!t) continue;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new MgntError('format', `tensor ${name} has shape [${t.shape.join(', ')}], the manifest's config needs [${shape.join(', ')}]`);
    }
    return { file, name };
  }
  throw new MgntError('format', `tensor ${name} is missing from the checkpoint (expected shape [${shape.join(', ')}])`);
}
