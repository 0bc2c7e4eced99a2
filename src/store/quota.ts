// Storage quota handling: ask for persistent storage, check the estimate before a large write,
// and recognise the browser's quota errors (which arrive under several names).

/** Asks the browser not to evict our data. Window-only API: absent in workers (returns null). */
export async function requestPersistence(): Promise<boolean | null> {
  const s = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!s || typeof s.persist !== 'function') return null;
  try {
    return (await s.persisted()) || (await s.persist());
  } catch {
    return null;
  }
}

export interface Estimate {
  usage: number;
  quota: number;
}

export async function storageEstimate(): Promise<Estimate | null> {
  const s = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!s || typeof s.estimate !== 'function') return null;
  try {
    const e = await s.estimate();
    return { usage: e.usage ?? 0, quota: e.quota ?? Number.POSITIVE_INFINITY };
  } catch {
    return null;
  }
}

/** True for a quota failure: a QuotaExceededError, or a transaction aborted because of one. */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name ?? '';
  const inner = (e as { error?: { name?: string } } | null)?.error?.name ?? '';
  return name === 'QuotaExceededError' || inner === 'QuotaExceededError' || /quota/i.test(String((e as Error)?.message ?? ''));
}
