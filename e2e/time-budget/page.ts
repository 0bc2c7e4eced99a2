// Test page for the time-budget dial (e2e/time-budget.spec.ts, e2e/faults-time-budget.spec.ts,
// the bench): the shipped model in a real session (worker), results reduced to plain JSON, and the
// calibration entries in IndexedDB to look at and damage.
import { createStore, del, entries, get, set } from 'idb-keyval';
import { MgntError } from '../../src/gpu/errors';
import type { SessionRequest } from '../../src/pipeline/request';
import type { SessionApi } from '../../src/pipeline/session';
import { openSession } from '../../src/worker/client';

const MODEL = '/models/fmnist-s/manifest.json';
let session: SessionApi | null = null;

const fail = (e: unknown) => ({ error: { name: (e as Error)?.name ?? 'Error', type: e instanceof MgntError ? e.type : 'error', message: (e as Error)?.message ?? String(e) } });
const cacheDb = () => createStore('mgnt-cache', 'cache');

declare global {
  interface Window {
    tb: Record<string, (...a: any[]) => Promise<unknown>>;
  }
}

window.tb = {
  async open(worker = true) {
    try {
      session = await openSession({ worker });
      const info = await session.load(MODEL);
      return { id: info.id, pareto: info.defaults.pareto, backend: session.backend };
    } catch (e) {
      return fail(e);
    }
  },
  async gen(req: SessionRequest) {
    try {
      const r = await session!.generate(req);
      return { ms: r.ms, predictedMs: r.predictedMs ?? null, schedule: r.schedule, notices: r.notices, steps: r.steps, reused: r.reused };
    } catch (e) {
      return fail(e);
    }
  },
  async close() {
    await session?.destroy();
    session = null;
  },
  /** The adapter the session's device comes from (the calibration key's half). */
  async adapter() {
    const a = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    const i = a!.info;
    return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description };
  },
  /** Calibration entries in the cache store: key and the stored record. */
  async calibrations() {
    return (await entries(cacheDb())).filter(([k]) => String(k).startsWith('calib/')).map(([k, v]) => ({ key: String(k), record: v }));
  },
  /** Rewrites a stored calibration record with `edit` (corruption cases). */
  async editCalibration(key: string, how: 'bytes' | 'fields' | 'garbage') {
    const rec = (await get(key, cacheDb())) as { sealed: 1; value: any; sum: string };
    if (how === 'garbage') await set(key, 'not a calibration', cacheDb());
    else if (how === 'bytes') {
      // A changed cost whose checksum no longer matches.
      rec.value.decoder = rec.value.decoder + 1000;
      await set(key, rec, cacheDb());
    } else {
      // A well-sealed entry of another shape (an older build): checked field by field on read.
      const { sha256Hex } = await import('../../src/model/checkpoint');
      rec.value = { ...rec.value, widths: rec.value.widths.slice(1) };
      const rest = JSON.stringify(Object.fromEntries(Object.keys(rec.value).sort().map((k) => [k, rec.value[k]])));
      rec.sum = await sha256Hex(new TextEncoder().encode(rest).buffer);
      await set(key, rec, cacheDb());
    }
    return true;
  },
  async dropCalibrations() {
    for (const c of await window.tb.calibrations() as Array<{ key: string }>) await del(c.key, cacheDb());
    return true;
  },
};
document.getElementById('status')!.textContent = 'ready';
