// loadCheckpoint's progress (the whole checkpoint's total from the first event) and cancellation
// (an AbortSignal stops the download in flight, nothing is committed, what was stored is
// discarded), on a random-weight checkpoint read from disk through an in-memory FileSource, and
// networkSource's abort mapping against a local HTTP server that stalls mid-file.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCheckpoint } from '../e2e/fixtures/synthetic-checkpoint';
import { checkpointId, loadCheckpoint, networkSource, type FileSource, type LoadProgress } from '../src/model/checkpoint';
import type { Manifest } from '../src/model/manifest';

const dir = mkdtempSync(join(tmpdir(), 'mgnt-load-'));
const manifestPath = writeSyntheticCheckpoint(dir, 1);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
const bytesOf = (path: string) => readFileSync(join(dir, path));

/** Serves the folder from memory; `stall` names a file that sends half its bytes and then waits until aborted. */
function memorySource(opts: { stall?: string } = {}) {
  const calls = { files: [] as string[], commit: 0, discard: 0 };
  const source: FileSource = {
    async manifest() {
      return JSON.parse(JSON.stringify(manifest));
    },
    async file(url, f, onProgress, _reload, signal) {
      calls.files.push(f.path);
      const b = bytesOf(f.path);
      if (f.path === opts.stall) {
        onProgress?.(Math.floor(b.length / 2));
        // Like a fetch whose body stalls: only the signal ends it.
        return new Promise<ArrayBuffer>((_, reject) => {
          if (!signal) return;
          if (signal.aborted) return reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      onProgress?.(b.length);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
    async commit() {
      calls.commit++;
    },
    async discard() {
      calls.discard++;
    },
  };
  return { source, calls };
}

const required = manifest.files.filter((f) => !f.optional);
/** The name of what a promise rejects with ('resolved' if it does not). */
const errorName = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e as Error)?.name);
const requiredBytes = required.reduce((a, f) => a + f.bytes, 0);

describe('loadCheckpoint progress', () => {
  it('reports the total of every required file from the first event, before any byte', async () => {
    expect(manifest.files.some((f) => f.optional), 'the fixture has an optional (encoder) file').toBe(true);
    const events: LoadProgress[] = [];
    const { source, calls } = memorySource();
    const ck = await loadCheckpoint('http://x/m/manifest.json', { source, onProgress: (p) => events.push({ ...p }) });
    expect(ck.id).toBe(await checkpointId(manifest));
    expect(events[0]).toEqual({ file: required[0].path, loaded: 0, total: requiredBytes });
    expect(events.every((e) => e.total === requiredBytes)).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    expect(events.at(-1)!.loaded).toBe(requiredBytes);
    // The optional file is neither fetched nor counted.
    expect(calls.files).toEqual(required.map((f) => f.path));
    expect(calls).toMatchObject({ commit: 1, discard: 0 });
  });
});

describe('loadCheckpoint cancellation', () => {
  it('an abort mid-download of the second file rejects with AbortError, commits nothing and discards', async () => {
    const ctl = new AbortController();
    const { source, calls } = memorySource({ stall: required[1].path });
    const p = loadCheckpoint('http://x/m/manifest.json', {
      source, signal: ctl.signal,
      onProgress: (e) => e.file === required[1].path && e.loaded > required[0].bytes && ctl.abort(),
    });
    expect(await errorName(p)).toBe('AbortError');
    expect(calls).toEqual({ files: [required[0].path, required[1].path], commit: 0, discard: 1 });
  });

  it('an abort after the last byte still commits nothing', async () => {
    const ctl = new AbortController();
    const { source, calls } = memorySource();
    const p = loadCheckpoint('http://x/m/manifest.json', { source, signal: ctl.signal, onProgress: (e) => e.loaded === e.total && ctl.abort() });
    expect(await errorName(p)).toBe('AbortError');
    expect(calls).toMatchObject({ commit: 0, discard: 1 });
  });

  it('a signal aborted before the call fetches nothing; a custom reason is passed through', async () => {
    const { source, calls } = memorySource();
    const reason = new Error('user left the page');
    await expect(loadCheckpoint('http://x/m/manifest.json', { source, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls.files).toEqual([]);
  });
});

describe('networkSource cancellation', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // Sends the first half of the file, then nothing until the client goes away.
    server = createServer((req, res) => {
      const b = bytesOf('transformer.safetensors');
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(b.length));
      res.write(b.subarray(0, b.length >> 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('an abort mid-body is an AbortError, not a network error', async () => {
    const f = manifest.files.find((x) => x.path === 'transformer.safetensors')!;
    const ctl = new AbortController();
    let seen = 0;
    const p = networkSource.file(`${base}/transformer.safetensors`, f, (n) => {
      seen = n;
      ctl.abort();
    }, false, ctl.signal);
    expect(await errorName(p)).toBe('AbortError');
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(f.bytes);
  });
});
