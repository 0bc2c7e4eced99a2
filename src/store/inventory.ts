// What the store holds, per model: pure bookkeeping over the keys and records read from IndexedDB
// (manage.ts does the reading and deleting), so the grouping is unit-tested without a browser.
// Checkpoint files are kept under the model's name, manifest records under their URL, derived
// data (first steps, results) under the checkpoint id: a model's entry gathers all three.
import { parseCacheKey, parseFileKey } from './keys';

export interface StoredFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface StoredModel {
  /** The checkpoint's name (its manifest's `name`; files are kept under it). `null`: results of checkpoints no longer stored. */
  name: string | null;
  /** Manifest URLs it was loaded from (empty until a load of it completed). */
  urls: string[];
  /** Checkpoint ids (a hash of the file hashes) of its stored manifests. */
  ids: string[];
  /** A manifest record is stored and every file it requires is complete: the next load needs no download. */
  complete: boolean;
  /** Complete files (each verified when written and hashed again on every read). */
  files: StoredFile[];
  /** Checkpoint bytes: complete files, plus chunks of writes that were cut short. */
  fileBytes: number;
  /** First-step activations and results computed with it. */
  cacheBytes: number;
  /** fileBytes + cacheBytes. */
  bytes: number;
  /** When its last complete load was saved (ms since the epoch), or null. */
  savedAt: number | null;
}

/** A manifest record as read, with the id of its checkpoint. */
export interface ManifestRecord {
  key: string;
  url: string;
  name: string;
  id: string;
  /** SHA-256 of each required (non-optional) file. */
  required: string[];
  savedAt: number | null;
}

/** Everything read from the two databases that the inventory needs. */
export interface StoreScan {
  /** Every key of the files database. */
  fileKeys: string[];
  /** Meta records (one per complete file) by key. */
  metas: Map<string, { path: string; bytes: number; sha256: string }>;
  manifests: ManifestRecord[];
  /** Byte sizes of chunks whose file has no meta record (a write cut short). */
  orphanChunkBytes: Map<string, number>;
  /** Derived entries: key and payload bytes. */
  cache: Array<{ key: string; bytes: number }>;
}

/** A model's entry and the keys to delete to remove it. */
export interface InventoryItem {
  model: StoredModel;
  fileKeys: string[];
  cacheKeys: string[];
}

/**
 * Groups a scan per model name, sorted by name; derived data of ids no stored manifest has goes to
 * one last entry named null. Each derived entry is counted once (under the first model with its id).
 */
export function inventory(scan: StoreScan): InventoryItem[] {
  const byName = new Map<string, InventoryItem>();
  const item = (name: string) => {
    let it = byName.get(name);
    if (!it) {
      it = { model: { name, urls: [], ids: [], complete: false, files: [], fileBytes: 0, cacheBytes: 0, bytes: 0, savedAt: null }, fileKeys: [], cacheKeys: [] };
      byName.set(name, it);
    }
    return it;
  };
  const metaShas = new Map<string, Set<string>>();
  for (const key of scan.fileKeys) {
    const k = parseFileKey(key);
    if (!k) continue;
    const it = item(k.model);
    it.fileKeys.push(key);
    if (k.part === 'meta') {
      const meta = scan.metas.get(key);
      if (!meta) continue;
      it.model.files.push({ path: meta.path, bytes: meta.bytes, sha256: meta.sha256 });
      it.model.fileBytes += meta.bytes;
      if (!metaShas.has(k.model)) metaShas.set(k.model, new Set());
      metaShas.get(k.model)!.add(k.sha);
    } else {
      it.model.fileBytes += scan.orphanChunkBytes.get(key) ?? 0;
    }
  }
  for (const m of scan.manifests) {
    const it = item(m.name);
    it.fileKeys.push(m.key);
    it.model.urls.push(m.url);
    if (!it.model.ids.includes(m.id)) it.model.ids.push(m.id);
    const have = metaShas.get(m.name) ?? new Set<string>();
    if (m.required.every((sha) => have.has(sha))) {
      it.model.complete = true;
      if (m.savedAt !== null) it.model.savedAt = Math.max(it.model.savedAt ?? m.savedAt, m.savedAt);
    }
  }
  const items = [...byName.values()].sort((a, b) => (a.model.name! < b.model.name! ? -1 : a.model.name! > b.model.name! ? 1 : 0));
  const owner = new Map<string, InventoryItem>();
  for (const it of items) for (const id of it.model.ids) if (!owner.has(id)) owner.set(id, it);
  let orphans: InventoryItem | null = null;
  for (const c of scan.cache) {
    const k = parseCacheKey(c.key);
    if (!k) continue;
    let it = owner.get(k.ckId);
    if (!it) {
      orphans ??= { model: { name: null, urls: [], ids: [], complete: false, files: [], fileBytes: 0, cacheBytes: 0, bytes: 0, savedAt: null }, fileKeys: [], cacheKeys: [] };
      it = orphans;
      if (!it.model.ids.includes(k.ckId)) it.model.ids.push(k.ckId);
    }
    it.cacheKeys.push(c.key);
    it.model.cacheBytes += c.bytes;
  }
  if (orphans) items.push(orphans);
  for (const it of items) {
    it.model.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    it.model.bytes = it.model.fileBytes + it.model.cacheBytes;
  }
  return items;
}

/** Payload bytes of a stored value: its binary data (typed arrays, ArrayBuffers) plus its text. */
export function payloadBytes(v: unknown, depth = 0): number {
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number') return 8;
  if (v && typeof v === 'object' && depth < 8) {
    let n = 0;
    for (const x of Object.values(v)) n += payloadBytes(x, depth + 1);
    return n;
  }
  return 0;
}
