// A FileSource for loadCheckpoint that keeps checkpoint files in IndexedDB. Each file is stored as
// chunks of at most 64 MB, then a meta record (so a crash mid-write leaves no record claiming the
// file), and once every file of a manifest is in, the manifest itself: nothing half-downloaded is
// ever taken for complete. Every read is hashed again; a corrupt or partial entry is dropped and
// fetched from the network. When the quota is too small the files are used from memory only and
// the report says so.
import { delMany, get, getMany, keys, set, setMany, type UseStore } from 'idb-keyval';
import { MgntError } from '../gpu/errors';
import { networkSource, sha256Hex, type FileSource } from '../model/checkpoint';
import { validateManifest, type Manifest, type ManifestFile } from '../model/manifest';
import { fileChunkKey, fileMetaKey, filePrefix, filesStore, manifestKey, MAX_CHUNK_BYTES } from './keys';
import { isQuotaError, storageEstimate, type Estimate } from './quota';

export interface FileMeta {
  path: string;
  bytes: number;
  sha256: string;
  chunks: number;
}

export interface StoreReport {
  /** Where each file came from on this load. */
  files: Record<string, 'idb' | 'network'>;
  /** Files whose stored entry was corrupt or partial, dropped and fetched again. */
  dropped: string[];
  /** The files could not be stored (quota, no IndexedDB): the model runs from memory only. */
  memoryOnly: boolean;
  /** Why memoryOnly is set. */
  reason?: string;
  /** The manifest came from IndexedDB because the network failed (offline start). */
  offline: boolean;
  estimate: Estimate | null;
}

export interface StoreOptions {
  /** Chunk size (≤ 64 MB; tests use small chunks to exercise partial entries). */
  chunkBytes?: number;
  network?: FileSource;
  db?: UseStore;
  /** Storage estimate override (tests simulate a full disk). */
  estimate?: () => Promise<Estimate | null>;
  /** Called once when storing fails for lack of space (the load goes on from memory). */
  onQuota?: (e: MgntError) => void;
}

export function emptyReport(): StoreReport {
  return { files: {}, dropped: [], memoryOnly: false, offline: false, estimate: null };
}

/** Makes a FileSource backed by IndexedDB and the network; `report` describes the load. */
export function storedSource(opts: StoreOptions = {}): { source: FileSource; report: StoreReport } {
  const chunkBytes = Math.min(opts.chunkBytes ?? MAX_CHUNK_BYTES, MAX_CHUNK_BYTES);
  const net = opts.network ?? networkSource;
  const report = emptyReport();
  let db: UseStore | null = null;
  try {
    db = opts.db ?? (typeof indexedDB !== 'undefined' ? filesStore() : null);
  } catch {
    db = null;
  }
  if (!db) {
    report.memoryOnly = true;
    report.reason = 'IndexedDB is not available here';
  }
  let manifest: Manifest | null = null;
  let manifestUrl = '';
  const stored = new Set<string>();

  const quota = (e: unknown, bytes: number) => {
    if (report.memoryOnly) return;
    report.memoryOnly = true;
    const est = report.estimate ? ` (${(report.estimate.usage / 2 ** 20).toFixed(0)} of ${(report.estimate.quota / 2 ** 20).toFixed(0)} MB used)` : '';
    report.reason = `not enough storage to keep the model (${(bytes / 2 ** 20).toFixed(1)} MB)${est}; running from memory, it will be downloaded again next time`;
    opts.onQuota?.(new MgntError('quota', report.reason, { cause: e }));
  };

  async function dropFile(model: string, sha: string): Promise<void> {
    const prefix = filePrefix(model, sha);
    const all = (await keys<string>(db!)).filter((k) => typeof k === 'string' && k.startsWith(prefix));
    await delMany(all, db!);
  }

  /** The stored bytes of a file when its entry is complete and matches its hash, else null. */
  async function read(model: string, f: ManifestFile): Promise<ArrayBuffer | null> {
    const meta = await get<FileMeta>(fileMetaKey(model, f.sha256), db!);
    if (!meta) return null;
    const parts = await getMany<ArrayBuffer>(Array.from({ length: meta.chunks }, (_, i) => fileChunkKey(model, f.sha256, i)), db!);
    let ok = meta.bytes === f.bytes && parts.every((p) => p instanceof ArrayBuffer);
    let out: Uint8Array | null = null;
    if (ok) {
      out = new Uint8Array(f.bytes);
      let n = 0;
      for (const p of parts as ArrayBuffer[]) {
        if (n + p.byteLength > f.bytes) {
          ok = false;
          break;
        }
        out.set(new Uint8Array(p), n);
        n += p.byteLength;
      }
      ok &&= n === f.bytes && (await sha256Hex(out.buffer as ArrayBuffer)) === f.sha256;
    }
    if (ok) return out!.buffer as ArrayBuffer;
    report.dropped.push(f.path);
    await dropFile(model, f.sha256);
    return null;
  }

  async function write(model: string, f: ManifestFile, buf: ArrayBuffer): Promise<boolean> {
    report.estimate ??= await (opts.estimate ?? storageEstimate)();
    if (report.estimate && report.estimate.quota - report.estimate.usage < f.bytes * 1.1) {
      quota(null, f.bytes);
      return false;
    }
    const n = Math.max(1, Math.ceil(buf.byteLength / chunkBytes));
    try {
      await dropFile(model, f.sha256);
      for (let i = 0; i < n; i++) await set(fileChunkKey(model, f.sha256, i), buf.slice(i * chunkBytes, (i + 1) * chunkBytes), db!);
      const meta: FileMeta = { path: f.path, bytes: f.bytes, sha256: f.sha256, chunks: n };
      await set(fileMetaKey(model, f.sha256), meta, db!);
      return true;
    } catch (e) {
      await dropFile(model, f.sha256).catch(() => {});
      if (isQuotaError(e)) quota(e, f.bytes);
      else {
        report.memoryOnly = true;
        report.reason = `could not write to IndexedDB: ${String(e)}`;
      }
      return false;
    }
  }

  /** Written last: the manifest marks the whole checkpoint complete; old files of the model go. */
  async function commit(): Promise<void> {
    const m = manifest!;
    await set(manifestKey(manifestUrl), { manifest: m, savedAt: Date.now() }, db!);
    const keep = new Set(m.files.map((f) => filePrefix(m.name, f.sha256)));
    const stale = (await keys<string>(db!)).filter((k) => typeof k === 'string' && k.startsWith(filePrefix(m.name)) && ![...keep].some((p) => k.startsWith(p)));
    if (stale.length) await delMany(stale, db!);
  }

  /** Files this load wrote: dropped again if the checkpoint turns out unusable. */
  const written = new Set<string>();

  const source: FileSource = {
    async manifest(url) {
      manifestUrl = url;
      let m: unknown;
      try {
        m = await net.manifest(url);
      } catch (e) {
        const rec = db && e instanceof MgntError && e.type === 'network' ? await get<{ manifest: Manifest }>(manifestKey(url), db).catch(() => undefined) : undefined;
        if (!rec) throw e;
        report.offline = true;
        m = rec.manifest;
      }
      manifest = validateManifest(m);
      return manifest;
    },
    async file(url, f, onProgress, reload = false, signal) {
      const model = manifest?.name ?? 'unknown';
      if (db && !reload) {
        const b = await read(model, f).catch(() => null);
        if (b) {
          report.files[f.path] = 'idb';
          stored.add(f.sha256);
          onProgress?.(f.bytes);
          return b;
        }
      }
      const b = await net.file(url, f, onProgress, reload, signal);
      report.files[f.path] = 'network';
      // Only verified bytes enter the store; loadCheckpoint reports the mismatch itself. A load
      // cancelled by now writes nothing (it would be discarded at once).
      if (db && !report.memoryOnly && !signal?.aborted && (await sha256Hex(b)) === f.sha256 && (await write(model, f, b))) {
        stored.add(f.sha256);
        written.add(f.sha256);
      }
      return b;
    },
    // loadCheckpoint calls these once every file is verified and every tensor checked, or on failure.
    // Optional files (the encoder's) are stored when first fetched; the checkpoint is complete
    // without them. After a commit, a later discard (a bad optional file) drops only what came after.
    async commit() {
      if (db && !report.memoryOnly && manifest && manifest.files.every((x) => x.optional || stored.has(x.sha256))) await commit().catch(() => {});
      written.clear();
    },
    async discard() {
      if (!db || !manifest) return;
      for (const sha of written) await dropFile(manifest.name, sha).catch(() => {});
      written.clear();
    },
  };
  return { source, report };
}
