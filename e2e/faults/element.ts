// Element fault page: <mgnt-canvas> from source, every element event recorded in order, and the
// IndexedDB store opened directly so a test can inspect or damage it between visits.
// `?main` runs sessions on the main thread (where page-level stubs, e.g. of IndexedDB, apply).
import { createStore, entries, set } from 'idb-keyval';
import { MgntCanvas } from '../../src/element/index';
import { joinPage, pageLeases, pageStats } from '../../src/worker/registry';

const params = new URLSearchParams(location.search);
if (params.has('main')) MgntCanvas.useWorker = false;
const files = createStore('mgnt-files', 'files');
const derived = createStore('mgnt-cache', 'cache');

declare global {
  interface Window {
    faultEvents: Array<{ id: string; type: string; detail: any; t: number }>;
    faultsEl: Record<string, (...a: any[]) => Promise<unknown>>;
    faultCanvas: typeof MgntCanvas;
  }
}

window.faultEvents = [];
window.faultCanvas = MgntCanvas;
for (const type of ['load', 'progress', 'generate', 'error']) {
  document.addEventListener(type, (e) => {
    const t = e.target as HTMLElement;
    if (t.localName !== 'mgnt-canvas') return;
    // Results hold typed arrays and ImageData: keep the JSON-friendly fields.
    const d = (e as CustomEvent).detail;
    const detail = type === 'generate' ? { classIndex: d.classIndex, seed: d.seed, steps: d.steps, widths: d.widths, reused: d.reused, gray: Array.from(d.gray as Uint8Array) } : d;
    window.faultEvents.push({ id: t.id, type, detail, t: performance.now() });
  }, true);
}

const el = (id: string) => document.getElementById(id) as MgntCanvas;

window.faultsEl = {
  /** Adds an element with the given attributes. */
  async add(id: string, attrs: Record<string, string>) {
    const e = document.createElement('mgnt-canvas');
    e.id = id;
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    document.getElementById('stage')!.append(e);
    return null;
  },
  /** el.generate(): the result's fields, or the rejection's name/type/message. */
  async generate(id: string) {
    try {
      const r = await el(id).generate();
      return { classIndex: r.classIndex, seed: r.seed, steps: r.steps, widths: r.widths, gray: Array.from(r.gray) };
    } catch (e) {
      return { error: { name: (e as Error).name, type: (e as { type?: string }).type ?? 'error', message: (e as Error).message } };
    }
  },
  /** Pixels of the element's shadow canvas (RGBA), to tell a drawn canvas from an untouched one. */
  async pixels(id: string) {
    const c = el(id).shadowRoot!.querySelector('canvas')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return Array.from(d);
  },
  /** The page's shared session: hosts open and opened, leases, and the open host's devices and GPU bytes. */
  async shared() {
    const d = MgntCanvas.diagnostics;
    return { openSessions: d.openSessions, hostsOpened: d.hostsOpened, leases: pageLeases(), lastDestroy: d.lastDestroy, stats: await pageStats() };
  },
  /**
   * Two callers of the page's shared session (as two elements are) queue a burst each in the same
   * task, A's first; `abortA` aborts A's k-th request (0-based) while it waits. No result cache, so
   * every image is computed. Returns the order in which requests finished (`A0`, `B1`, …,
   * `A1:AbortError`) and each result's seed and pixels.
   */
  async bursts(url: string, n: number, opts: { abortA?: number; steps?: number } = {}) {
    const a = joinPage(), b = joinPage();
    try {
      await Promise.all([a.load(url), b.load(url)]);
      const order: string[] = [];
      const results: Record<string, { seed: number; gray: number[] }> = {};
      const ctl = new AbortController();
      const run = (name: string, lease: typeof a, i: number, signal?: AbortSignal) =>
        lease.enqueue({ seed: (name === 'A' ? 100 : 200) + i, steps: opts.steps ?? 3, schedule: 'baseline', classIndex: 1, reuse: false }, { signal }).then(
          (r) => {
            order.push(`${name}${i}`);
            results[`${name}${i}`] = { seed: r.seed, gray: Array.from(r.gray) };
          },
          (e: Error) => order.push(`${name}${i}:${e.name}`),
        );
      const all: Array<Promise<unknown>> = [];
      for (let i = 0; i < n; i++) all.push(run('A', a, i, i === opts.abortA ? ctl.signal : undefined));
      for (let i = 0; i < n; i++) all.push(run('B', b, i));
      if (opts.abortA !== undefined) ctl.abort();
      await Promise.all(all);
      return { order, results };
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  },
  /** IndexedDB keys of the checkpoint store (with byte sizes of chunks). */
  async storeKeys() {
    return (await entries(files)).map(([k, v]) => [String(k), v instanceof ArrayBuffer ? v.byteLength : null]);
  },
  /**
   * Changes every derived entry on disk (first-step logits, result pixels) as bit rot or another
   * program would: the values change, the record's shape stays. Returns the keys changed.
   */
  async corruptDerived() {
    const changed: string[] = [];
    for (const [k, rec] of await entries(derived)) {
      const v = ((rec as { value?: unknown }).value ?? rec) as Record<string, unknown>;
      for (const field of ['logits', 'gray']) {
        const a = v[field] as Float32Array | Uint8Array | undefined;
        if (!a) continue;
        if (a instanceof Float32Array) for (let i = 0; i < a.length; i += 7) a[i] = -a[i] * 3;
        else for (let i = 0; i < a.length; i++) a[i] = 255 - a[i];
        changed.push(`${String(k).split('/')[0]}:${field}`);
      }
      await set(k, rec, derived);
    }
    return changed.sort();
  },
  /** Flips one byte of the first stored chunk of `path`. */
  async corrupt(path: string) {
    const all = await entries(files);
    const meta = all.find(([k, v]) => String(k).endsWith('/meta') && (v as { path?: string }).path === path);
    if (!meta) throw new Error(`no stored entry for ${path}`);
    const key = String(meta[0]).replace(/meta$/, '0');
    const chunk = all.find(([k]) => String(k) === key)!;
    const b = new Uint8Array((chunk[1] as ArrayBuffer).slice(0));
    b[b.length >> 1] ^= 0xff;
    await set(key, b.buffer, files);
    return key;
  },
};
document.getElementById('status')!.textContent = 'ready';
