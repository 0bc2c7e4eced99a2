// The session worker: runs the page's SessionHost (WebGPU in a dedicated worker) so the page stays
// responsive while the GPU work is recorded, submitted and read back. Its only interface is
// protocol.ts; one worker serves every <mgnt-canvas> of the page.
import { MgntError } from '../gpu/errors';
import { SessionHost } from '../pipeline/host';
import type { FromWorker, ToWorker, WireError } from './protocol';

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
let host: SessionHost | null = null;
/** Generate and load requests not yet answered, so an abort names the one it stops. */
const running = new Map<number, AbortController>();

function wire(e: unknown): WireError {
  if (e instanceof MgntError) return { name: 'MgntError', type: e.type, message: e.message };
  const err = e as { name?: string; message?: string };
  return { name: err?.name ?? 'Error', type: 'error', message: err?.message ?? String(e) };
}

function post(m: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(m, transfer);
}

function opened(): SessionHost {
  if (!host) throw new MgntError('aborted', 'the worker has no session host: it was destroyed or never opened');
  return host;
}

async function handle(m: ToWorker): Promise<void> {
  if (m.kind === 'abort') {
    running.get(m.target)?.abort();
    return;
  }
  try {
    switch (m.kind) {
      case 'open':
        host ??= await SessionHost.open({ chunkBytes: m.chunkBytes, onQuota: (url, message) => post({ kind: 'quota', url, message }) });
        post({ kind: 'done', id: m.id });
        break;
      case 'load': {
        const ctl = new AbortController();
        running.set(m.id, ctl);
        try {
          const info = await opened().load(m.url, (progress) => post({ kind: 'progress', id: m.id, progress }), ctl.signal);
          post({ kind: 'done', id: m.id, value: info });
        } finally {
          running.delete(m.id);
        }
        break;
      }
      case 'unload':
        await opened().unload(m.url);
        post({ kind: 'done', id: m.id });
        break;
      case 'generate': {
        const ctl = new AbortController();
        running.set(m.id, ctl);
        try {
          const res = await opened().generate(m.url, m.request, (s) => {
            const step = { ...s, tokens: undefined };
            post({ kind: 'step', id: m.id, step }, step.preview ? [step.preview.buffer] : []);
          }, ctl.signal);
          post({ kind: 'done', id: m.id, value: res }, [res.gray.buffer, res.tokens.buffer]);
        } finally {
          running.delete(m.id);
        }
        break;
      }
      case 'generateBatch': {
        const ctl = new AbortController();
        running.set(m.id, ctl);
        try {
          const res = await opened().generateBatch(m.url, m.requests, { batch: m.batch }, ctl.signal);
          post({ kind: 'done', id: m.id, value: res }, res.flatMap((r) => [r.gray.buffer, r.tokens.buffer]));
        } finally {
          running.delete(m.id);
        }
        break;
      }
      case 'encode': {
        const res = await opened().encode(m.url, m.gray, m.size);
        post({ kind: 'done', id: m.id, value: res }, [res.gray.buffer, res.tokens.buffer]);
        break;
      }
      case 'testClip': {
        const clip = await opened().testClip(m.url, m.index);
        post({ kind: 'done', id: m.id, value: clip }, [clip.gray.buffer]);
        break;
      }
      case 'stats':
        post({ kind: 'done', id: m.id, value: await opened().stats() });
        break;
      case 'destroy': {
        const h = host;
        host = null;
        for (const ctl of running.values()) ctl.abort();
        post({ kind: 'done', id: m.id, value: h ? await h.destroy() : { liveBytes: 0, baseLiveBytes: 0 } });
        break;
      }
    }
  } catch (e) {
    post({ kind: 'error', id: m.id, error: wire(e) });
  }
}

scope.onmessage = (e) => void handle(e.data);
