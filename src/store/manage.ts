// Storage the visitor (or the embedding page) can manage: list what mgnt keeps in IndexedDB per
// model with its bytes, delete one model or everything, and ask the browser to keep the data
// (without persistence, Safari may evict it after a week of no visits). Deleting is safe at any
// time: a load that races a delete finds files missing (every read is verified) and downloads them.
import { checkpointId } from '../model/checkpoint';
import { validateManifest, type Manifest } from '../model/manifest';
import { clear, delMany, getMany, keys, type UseStore } from 'idb-keyval';
import type { FileMeta } from './checkpoint-store';
import { inventory, payloadBytes, type InventoryItem, type ManifestRecord, type StoredModel } from './inventory';
import { cacheStore, filesStore, parseFileKey, parseManifestKey } from './keys';

export type { StoredFile, StoredModel } from './inventory';

/** The two databases, or null where this context has no IndexedDB (nothing can be stored there). */
function stores(): { files: UseStore; cache: UseStore } | null {
  if (typeof indexedDB === 'undefined') return null;
  return { files: filesStore(), cache: cacheStore() };
}

/** Key and payload size of every entry, read one at a time through a cursor (nothing kept in memory). */
function sizes(store: UseStore): Promise<Array<{ key: string; bytes: number }>> {
  return store('readonly', (os) => new Promise((resolve, reject) => {
    const out: Array<{ key: string; bytes: number }> = [];
    const req = os.openCursor();
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return resolve(out);
      out.push({ key: String(c.key), bytes: payloadBytes(c.value) });
      c.continue();
    };
    req.onerror = () => reject(req.error);
  }));
}

async function scanItems(s: { files: UseStore; cache: UseStore }): Promise<InventoryItem[]> {
  const fileKeys = (await keys(s.files)).map(String);
  const metaKeys = fileKeys.filter((k) => parseFileKey(k)?.part === 'meta');
  const metaVals = await getMany<FileMeta>(metaKeys, s.files);
  const metas = new Map<string, FileMeta>();
  metaKeys.forEach((k, i) => metaVals[i] && metas.set(k, metaVals[i]!));
  // Chunks of a file with no meta record: left by a write that was cut short (tab closed).
  const withMeta = new Set([...metas.keys()].map((k) => k.slice(0, -'meta'.length)));
  const orphanKeys = fileKeys.filter((k) => {
    const p = parseFileKey(k);
    return p && p.part !== 'meta' && !withMeta.has(k.slice(0, k.lastIndexOf('/') + 1));
  });
  const orphanVals = await getMany<unknown>(orphanKeys, s.files);
  const orphanChunkBytes = new Map(orphanKeys.map((k, i) => [k, payloadBytes(orphanVals[i])]));
  const manifestKeys = fileKeys.filter((k) => parseManifestKey(k) !== null);
  const records = await getMany<{ manifest?: unknown; savedAt?: number }>(manifestKeys, s.files);
  const manifests: ManifestRecord[] = [];
  for (let i = 0; i < manifestKeys.length; i++) {
    let m: Manifest;
    try {
      m = validateManifest(records[i]?.manifest);
    } catch {
      continue; // an unreadable record claims nothing; its key is left to the next load (or clear)
    }
    manifests.push({
      key: manifestKeys[i], url: parseManifestKey(manifestKeys[i])!, name: m.name, id: await checkpointId(m),
      required: m.files.filter((f) => !f.optional).map((f) => f.sha256), savedAt: records[i]?.savedAt ?? null,
    });
  }
  return inventory({ fileKeys, metas, manifests, orphanChunkBytes, cache: await sizes(s.cache) });
}

/**
 * The models mgnt keeps in this origin's IndexedDB, sorted by name, each with its files, its
 * derived data and their bytes; a last entry named null holds results of checkpoints no longer
 * stored. Empty where there is no IndexedDB.
 */
export async function listStoredModels(): Promise<StoredModel[]> {
  const s = stores();
  return s ? (await scanItems(s)).map((it) => it.model) : [];
}

/**
 * Deletes one model: its files, its manifest records and the results computed with it. `model`
 * is a name as listStoredModels gives it (null: results of checkpoints no longer stored) or a
 * manifest URL it was loaded from (relative URLs resolve against the page). Returns the bytes
 * freed: 0 when nothing matched. A model on the GPU stays usable; its next load downloads it.
 */
export async function deleteStoredModel(model: string | null): Promise<number> {
  const s = stores();
  if (!s) return 0;
  const items = await scanItems(s);
  const url = model === null ? null : absolute(model);
  const it = items.find((x) => x.model.name === model) ?? items.find((x) => url !== null && x.model.urls.includes(url));
  if (!it) return 0;
  // Manifest records first: a model never looks complete while its files are going.
  const manifests = it.fileKeys.filter((k) => parseManifestKey(k) !== null);
  await delMany(manifests, s.files);
  await delMany(it.fileKeys.filter((k) => !manifests.includes(k)), s.files);
  await delMany(it.cacheKeys, s.cache);
  return it.model.bytes;
}

/** Deletes everything mgnt keeps in IndexedDB; returns the bytes freed. */
export async function clearStoredModels(): Promise<number> {
  const s = stores();
  if (!s) return 0;
  const bytes = (await scanItems(s)).reduce((a, it) => a + it.model.bytes, 0);
  await clear(s.files);
  await clear(s.cache);
  return bytes;
}

/** How the browser answered a request to keep the data: `unsupported` where there is no StorageManager (workers, old browsers). */
export type PersistResult = 'granted' | 'denied' | 'unsupported';

/**
 * Asks the browser not to evict this origin's storage under pressure (or after a week without a
 * visit, as Safari does). Chrome decides from the site's engagement without asking; Firefox may
 * show a prompt, so call it from a user action there.
 */
export async function persistStorage(): Promise<PersistResult> {
  const st = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!st || typeof st.persist !== 'function') return 'unsupported';
  return (await st.persisted()) || (await st.persist()) ? 'granted' : 'denied';
}

/** Whether the storage is already persistent (asks nothing); null where unsupported. */
export async function storagePersisted(): Promise<boolean | null> {
  const st = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!st || typeof st.persisted !== 'function') return null;
  return st.persisted();
}

function absolute(url: string): string {
  try {
    return new URL(url, typeof location !== 'undefined' ? location.href : undefined).href;
  } catch {
    return url; // not a URL: matched as given
  }
}
