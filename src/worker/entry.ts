// The session worker: runs a Session (WebGPU in a dedicated worker) so the page stays responsive
// while the GPU work is recorded, submitted and read back. Its only interface is protocol.ts.
import { MgntError } from '../gpu/errors';
import { Session } from '../pipeline/session';
import type { FromWorker, ToWorker, WireError } from './protocol';

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
let session: Session | null = null;
/** Loads in flight, by request id, so the page can cancel one (`cancel`). */
const loads = new Map<number, AbortController>();

function wire(e: unknown): WireError {
  if (e instanceof MgntError) return { name: 'MgntError', type: e.type, message: e.message };
  const err = e as { name?: string; message?: string };
  return { name: err?.name ?? 'Error', type: 'error', message: err?.message ?? String(e) };
}

function post(m: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(m, transfer);
}

async function handle(m: ToWorker): Promise<void> {
  if (m.kind === 'abort') {
    session?.abort();
    return;
  }
  if (m.kind === 'cancel') {
    loads.get(m.target)?.abort();
    return;
  }
  try {
    switch (m.kind) {
      case 'open':
        session ??= await Session.open({ chunkBytes: m.chunkBytes, onQuota: (e) => post({ kind: 'quota', message: e.message }) });
        post({ kind: 'done', id: m.id });
        break;
      case 'load': {
        if (!session) throw new MgntError('aborted', 'the worker has no session');
        const ctl = new AbortController();
        loads.set(m.id, ctl);
        try {
          const info = await session.load(m.url, (progress) => post({ kind: 'progress', id: m.id, progress }), { signal: ctl.signal });
          post({ kind: 'done', id: m.id, value: info });
        } finally {
          loads.delete(m.id);
        }
        break;
      }
      case 'generate': {
        if (!session) throw new MgntError('aborted', 'the worker has no session');
        const res = await session.generate(m.request, (s) => {
          const step = { ...s, tokens: undefined };
          post({ kind: 'step', id: m.id, step }, step.preview ? [step.preview.buffer] : []);
        });
        post({ kind: 'done', id: m.id, value: res }, [res.gray.buffer, res.tokens.buffer]);
        break;
      }
      case 'encode': {
        if (!session) throw new MgntError('aborted', 'the worker has no session');
        const res = await session.encode(m.gray, m.size);
        post({ kind: 'done', id: m.id, value: res }, [res.gray.buffer, res.tokens.buffer]);
        break;
      }
      case 'testClip': {
        if (!session) throw new MgntError('aborted', 'the worker has no session');
        const clip = await session.testClip(m.index);
        post({ kind: 'done', id: m.id, value: clip }, [clip.gray.buffer]);
        break;
      }
      case 'destroy': {
        const s = session;
        session = null;
        let liveBytes = 0, baseLiveBytes = 0;
        if (s) ({ liveBytes, baseLiveBytes } = await s.destroy());
        post({ kind: 'done', id: m.id, value: { liveBytes, baseLiveBytes } });
        break;
      }
    }
  } catch (e) {
    post({ kind: 'error', id: m.id, error: wire(e) });
  }
}

scope.onmessage = (e) => void handle(e.data);
