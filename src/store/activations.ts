// Derived data kept in IndexedDB, keyed by the checkpoint id: the first decode step's output (its
// input is all [MASK], so it depends only on model, width, class and whether guidance is on) and
// whole results keyed by the full request. Best effort: a failed read is a miss, a failed write
// (quota, private mode) is ignored — the generation itself never depends on the cache. Every
// entry carries a SHA-256 of its contents: one changed on disk is dropped and computed again.
import { del, get, set, type UseStore } from 'idb-keyval';
import { sha256Hex } from '../model/checkpoint';
import { cacheStore, calibrationKey, firstStepKey, resultKey } from './keys';

/** How an entry sits in IndexedDB: the value and a SHA-256 over its contents. */
interface Sealed {
  sealed: 1;
  value: Record<string, unknown>;
  sum: string;
}

/** SHA-256 of an entry: its typed arrays' bytes, then its other fields as JSON (keys sorted). */
async function checksum(v: Record<string, unknown>): Promise<string> {
  const parts: Uint8Array[] = [];
  const rest: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = v[k];
    if (ArrayBuffer.isView(x)) parts.push(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    else rest[k] = x;
  }
  parts.push(new TextEncoder().encode(JSON.stringify(rest)));
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return sha256Hex(all.buffer);
}

export interface FirstStepEntry {
  /** Logits of every image/clip position, [batch·(seq_len − 1), V] (conditional rows, then null-class rows). */
  logits: Float32Array;
  /** K/V cache rows of the class token (the only rows step 1 reuses), per layer and sequence. */
  kv: Float32Array;
}

export interface StoredResult {
  tokens: Uint32Array;
  gray: Uint8Array;
  size: number;
  widths: number[];
  gflops: number;
  gflopsTransformer: number;
  gflopsDecoder: number;
  /** Time the original generation took. */
  ms: number;
}

/** Entries kept in memory as well, so a session does not pay an IndexedDB read for its own writes. */
const MEMORY_ENTRIES = 32;

export class ActivationCache {
  private db: UseStore | null;
  private mem = new Map<string, unknown>();

  constructor(db?: UseStore) {
    try {
      this.db = db ?? (typeof indexedDB !== 'undefined' ? cacheStore() : null);
    } catch {
      this.db = null;
    }
  }

  private remember(key: string, value: unknown): void {
    this.mem.delete(key);
    this.mem.set(key, value);
    if (this.mem.size > MEMORY_ENTRIES) this.mem.delete(this.mem.keys().next().value!);
  }

  private async read<T>(key: string): Promise<T | undefined> {
    if (this.mem.has(key)) {
      const v = this.mem.get(key) as T;
      this.remember(key, v);
      return v;
    }
    if (!this.db) return undefined;
    try {
      const rec = await get<Sealed>(key, this.db);
      if (rec === undefined) return undefined;
      // An entry changed on disk (or written by an older build without a checksum) is dropped.
      if (!rec || rec.sealed !== 1 || !rec.value || rec.sum !== (await checksum(rec.value))) {
        await del(key, this.db).catch(() => {});
        return undefined;
      }
      return rec.value as T;
    } catch {
      return undefined;
    }
  }

  private async write(key: string, value: unknown): Promise<void> {
    this.remember(key, value);
    if (!this.db) return;
    try {
      const v = value as Record<string, unknown>;
      await set(key, { sealed: 1, value: v, sum: await checksum(v) } satisfies Sealed, this.db);
    } catch {
      /* quota or a closed database: the cache is an optimisation only */
    }
  }

  async firstStep(ckId: string, width: number, cls: number, cfg: boolean): Promise<FirstStepEntry | undefined> {
    const e = await this.read<FirstStepEntry>(firstStepKey(ckId, width, cls, cfg));
    return e && e.logits instanceof Float32Array && e.kv instanceof Float32Array ? e : undefined;
  }

  saveFirstStep(ckId: string, width: number, cls: number, cfg: boolean, e: FirstStepEntry): Promise<void> {
    return this.write(firstStepKey(ckId, width, cls, cfg), e);
  }

  result(ckId: string, request: string): Promise<StoredResult | undefined> {
    return this.read<StoredResult>(resultKey(ckId, request));
  }

  saveResult(ckId: string, request: string, r: StoredResult): Promise<void> {
    return this.write(resultKey(ckId, request), r);
  }

  /** A stored calibration (checked by the caller: pipeline/time-budget.ts checkCosts); undefined when none. */
  calibration(ckId: string, adapter: string): Promise<unknown> {
    return this.read<unknown>(calibrationKey(ckId, adapter));
  }

  saveCalibration(ckId: string, adapter: string, costs: object): Promise<void> {
    return this.write(calibrationKey(ckId, adapter), costs);
  }

  /** Drops a stored calibration (one that failed its check), so the next read is a clean miss. */
  async dropCalibration(ckId: string, adapter: string): Promise<void> {
    const key = calibrationKey(ckId, adapter);
    this.mem.delete(key);
    if (this.db) await del(key, this.db).catch(() => {});
  }
}
