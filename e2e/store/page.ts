// Test page for the IndexedDB store, the session and the worker: each function returns plain
// JSON for Playwright to check.
import { clear, createStore, delMany, entries, keys, set } from 'idb-keyval';
import { acquireGpu } from '../../src/gpu/device';
import { MgntError } from '../../src/gpu/errors';
import { Runtime } from '../../src/gpu/runtime';
import { loadCheckpoint, type LoadProgress } from '../../src/model/checkpoint';
import { MgntCanvas } from '../../src/element';
import { Session, type SessionResult } from '../../src/pipeline/session';
import type { SessionRequest } from '../../src/pipeline/request';
import { ActivationCache, clearStoredModels, deleteStoredModel, listStoredModels, persistStorage, storedSource } from '../../src/store';
import { openSession } from '../../src/worker/client';

const files = createStore('mgnt-files', 'files');
const cache = createStore('mgnt-cache', 'cache');
let rt: Runtime | null = null;

const err = (e: unknown) => ({ error: { name: (e as Error).name, type: e instanceof MgntError ? e.type : 'error', message: (e as Error).message } });
const summary = (r: SessionResult) => ({
  tokens: Array.from(r.tokens), gray: Array.from(r.gray), reused: r.reused, ms: r.ms, gflops: r.gflops,
  passes: r.stepInfo.filter((s) => s.computed > 0).length, dispatches: r.dispatches, steps: r.stepInfo,
});

declare global {
  interface Window {
    storeTest: Record<string, (...a: any[]) => Promise<unknown>>;
  }
}

window.storeTest = {
  async clear() {
    await clear(files);
    await clear(cache);
    return null;
  },
  async keys() {
    return (await entries(files)).map(([k, v]) => [k, v instanceof ArrayBuffer ? v.byteLength : null]);
  },
  async cacheKeys() {
    return (await keys(cache)).map(String);
  },
  inventory: () => listStoredModels(),
  deleteModel: (model: string | null) => deleteStoredModel(model),
  clearAll: () => clearStoredModels(),
  async persist() {
    const result = await persistStorage();
    return { result, persisted: await navigator.storage.persisted() };
  },
  /** The static methods on the element class, and what its listStoredModels says. */
  async statics() {
    const names = ['listStoredModels', 'deleteStoredModel', 'clearStoredModels', 'persistStorage', 'storagePersisted', 'storageEstimate'] as const;
    return { types: names.map((n) => typeof MgntCanvas[n]), list: await MgntCanvas.listStoredModels() };
  },
  /**
   * A load cancelled with an AbortSignal once `abortIn` has started arriving: through the store
   * and loadCheckpoint on this thread (`main`), or a worker session (`worker`). Every progress event is kept.
   */
  async loadAbort(url: string, opts: { via: 'main' | 'worker'; abortIn: string; chunkBytes?: number }) {
    const ctl = new AbortController();
    const events: LoadProgress[] = [];
    let before = 0; // bytes of the files ahead of abortIn
    const onProgress = (p: LoadProgress) => {
      events.push({ ...p });
      if (p.file !== opts.abortIn) before = Math.max(before, p.loaded);
      else if (p.loaded > before) ctl.abort(); // some of abortIn's bytes have arrived
    };
    const t0 = performance.now();
    try {
      if (opts.via === 'main') {
        const { source } = storedSource({ chunkBytes: opts.chunkBytes });
        await loadCheckpoint(url, { source, onProgress, signal: ctl.signal });
      } else {
        const s = await openSession({ chunkBytes: opts.chunkBytes });
        try {
          await s.load(url, onProgress, { signal: ctl.signal });
        } finally {
          await s.destroy();
        }
      }
      return { events, aborted: ctl.signal.aborted, ms: performance.now() - t0 };
    } catch (e) {
      return { ...err(e), events, aborted: ctl.signal.aborted, ms: performance.now() - t0 };
    }
  },
  async load(url: string, opts: { chunkBytes?: number; quota?: number } = {}) {
    const t0 = performance.now();
    const quotaEvents: string[] = [];
    const { source, report } = storedSource({
      chunkBytes: opts.chunkBytes,
      estimate: opts.quota === undefined ? undefined : async () => ({ usage: 0, quota: opts.quota! }),
      onQuota: (e) => quotaEvents.push(e.type),
    });
    try {
      const ck = await loadCheckpoint(url, { source });
      return { id: ck.id, report, quotaEvents, ms: performance.now() - t0 };
    } catch (e) {
      return err(e);
    }
  },
  /** Damages the stored file whose key contains `match`: flip a byte, drop a chunk, drop every manifest record, or drop the file's meta. */
  async corrupt(how: 'flip' | 'missing-chunk' | 'drop-manifest' | 'drop-meta', match: string) {
    const all = await entries(files);
    const meta = all.find(([k, v]) => String(k).endsWith('/meta') && (v as { path: string }).path === match);
    if (how === 'drop-manifest') {
      for (const [k] of all) if (String(k).startsWith('manifest/')) await set(k, undefined, files);
      return null;
    }
    if (!meta) throw new Error(`no stored file ${match}`);
    if (how === 'drop-meta') {
      // What a tab closed between a file's last chunk and its meta record leaves.
      await delMany([meta[0]], files);
      return String(meta[0]);
    }
    const prefix = String(meta[0]).replace(/meta$/, '');
    const chunk = all.find(([k]) => String(k) === prefix + '1') ?? all.find(([k]) => String(k) === prefix + '0')!;
    if (how === 'flip') {
      const b = new Uint8Array((chunk[1] as ArrayBuffer).slice(0));
      b[7] ^= 0xff;
      await set(chunk[0], b.buffer, files);
    } else {
      await delMany([chunk[0]], files);
    }
    return String(chunk[0]);
  },
  /**
   * Damages class `cls`'s first-step entry on disk: 'bytes' changes logits under the old checksum
   * (bit rot), 'shape' writes a correctly sealed entry of another shape (an older model or build).
   */
  async damageFirstStep(cls: number, how: 'bytes' | 'shape') {
    const hit = (await entries(cache)).find(([k]) => new RegExp(`^first/.*/${cls}/(cfg|cond)$`).test(String(k)));
    if (!hit) throw new Error(`no first-step entry for class ${cls}`);
    const [key, rec] = hit as [string, { value: { logits: Float32Array; kv: Float32Array } }];
    if (how === 'bytes') {
      for (let i = 0; i < rec.value.logits.length; i += 5) rec.value.logits[i] += 1;
      await set(key, rec, cache);
    } else {
      const [, ck, width, c, mode] = key.split('/');
      await new ActivationCache(cache).saveFirstStep(ck, Number(width), Number(c), mode === 'cfg', { logits: rec.value.logits.slice(1), kv: rec.value.kv });
    }
    return key;
  },
  /** Main-thread session on a shared runtime: liveBytes before load, after load, after destroy. An array entry runs as one generateBatch(). */
  async session(url: string, reqs: Array<SessionRequest | SessionRequest[]>) {
    try {
      rt ??= new Runtime(await acquireGpu());
      const before = rt.pool.liveBytes;
      const s = await Session.open({ runtime: rt });
      const info = await s.load(url);
      const loaded = rt.pool.liveBytes;
      const out = [];
      for (const r of reqs) {
        if (Array.isArray(r)) out.push(...(await s.generateBatch(r)).map(summary));
        else out.push(summary(await s.generate(r)));
      }
      await s.destroy();
      return { info: { id: info.id, storage: info.storage }, before, loaded, after: rt.pool.liveBytes, results: out };
    } catch (e) {
      return err(e);
    }
  },
  /** A new generate() aborts the running one. */
  async abortPrevious(url: string) {
    rt ??= new Runtime(await acquireGpu());
    const s = await Session.open({ runtime: rt });
    await s.load(url);
    const a = s.generate({ seed: 1, steps: 8, reuse: false }).then(() => 'resolved', (e) => (e as Error).name);
    await new Promise((r) => setTimeout(r, 5));
    const b = await s.generate({ seed: 2, steps: 2, reuse: false }).then(() => 'resolved', (e) => (e as Error).name);
    const res = { first: await a, second: b };
    await s.destroy();
    return { ...res, leaked: rt.pool.liveBytes };
  },
  /** The worker session (or its main-thread fallback) end to end. */
  async worker(url: string, req: SessionRequest) {
    try {
      const s = await openSession();
      const info = await s.load(url);
      const steps: number[] = [];
      const r = await s.generate({ ...req, preview: true }, (st) => steps.push(st.preview ? st.preview.length : -1));
      const backend = s.backend;
      await s.destroy();
      return { backend, name: info.name, steps, result: summary(r) };
    } catch (e) {
      return err(e);
    }
  },
};
document.getElementById('status')!.textContent = 'ready';
