// Playwright side of the fault suite: a page on e2e/faults/index.html, and a checkpoint served
// through page.route so each test can damage one response and count the requests per file.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, type Route } from '@playwright/test';
import { writeSyntheticCheckpoint } from '../fixtures/synthetic-checkpoint';

export const MODEL_PATH = '/__faults/model/';

/** A synthetic checkpoint in memory: file name → bytes (manifest.json included; the encoder's optional file unless `encoder: false`). */
export function syntheticFiles(opts: { encoder?: boolean } = {}): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-faults-'));
  writeSyntheticCheckpoint(dir, 1, opts);
  const out = new Map<string, Buffer>();
  const names = ['manifest.json', 'transformer.safetensors', 'tokenizer.safetensors', ...(opts.encoder === false ? [] : ['encoder.safetensors'])];
  for (const f of names) out.set(f, readFileSync(join(dir, f)));
  return out;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Rewrites manifest.json in `files` with `edit`; the file list's hashes follow the bytes given. */
export function editManifest(files: Map<string, Buffer>, edit: (m: any) => void): void {
  const m = JSON.parse(files.get('manifest.json')!.toString());
  edit(m);
  for (const f of m.files) {
    const b = files.get(f.path);
    if (b) Object.assign(f, { bytes: b.length, sha256: sha256(b) });
  }
  files.set('manifest.json', Buffer.from(JSON.stringify(m)));
}

/** What the route answers for one request: bytes (200), or a status / content type / body. */
export type Reply = Buffer | { status?: number; contentType?: string; body: string | Buffer };

/**
 * Serves `files` under MODEL_PATH. `override(name, n)` may replace the n-th (1-based) response for
 * a file. Returns the hit counter and the request headers seen (for the credentials check).
 */
export async function serveModel(page: Page, files: Map<string, Buffer>, override?: (name: string, n: number) => Reply | undefined) {
  const hits = new Map<string, number>();
  const headers: Array<Record<string, string>> = [];
  await page.route(`**${MODEL_PATH}**`, async (route: Route) => {
    const req = route.request();
    const name = new URL(req.url()).pathname.slice(MODEL_PATH.length);
    const n = (hits.get(name) ?? 0) + 1;
    hits.set(name, n);
    headers.push(await req.allHeaders());
    const r = override?.(name, n) ?? files.get(name);
    if (r === undefined) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
    if (Buffer.isBuffer(r)) {
      const type = name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      return route.fulfill({ status: 200, contentType: type, body: r });
    }
    return route.fulfill({ status: r.status ?? 200, contentType: r.contentType ?? 'application/octet-stream', body: r.body });
  });
  return { url: `${MODEL_PATH}manifest.json`, hits, headers };
}

export async function openFaultsPage(page: Page): Promise<void> {
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto('/e2e/faults/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

/** Calls window.faults[name](...args) in the page. */
export function call<T = any>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([n, a]) => window.faults[n as string](...(a as unknown[])), [name, args] as const) as Promise<T>;
}

/** A dev server's SPA fallback page, as served in place of a missing file. */
export const HTML_FALLBACK = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>app</title></head><body><div id="app"></div><script type="module" src="/src/main.ts"></script></body></html>\n';

/** A checkpoint folder on disk (for servers that serve folders). */
export function syntheticDir(layers = 1): string {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-faults-'));
  writeSyntheticCheckpoint(dir, layers);
  return dir;
}

/** The checkpoint id loadCheckpoint derives from a manifest (hash of its file hashes). */
export function checkpointId(dir: string): string {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Array<{ sha256: string }> };
  return createHash('sha256').update(m.files.map((f) => f.sha256).join(':')).digest('hex').slice(0, 16);
}

export interface FaultServer {
  url: string;
  /** Requests per path. */
  hits: Map<string, number>;
  /** Every request: path and headers (credentials checks). */
  requests: Array<{ path: string; headers: Record<string, string | string[] | undefined> }>;
  close(): Promise<void>;
}

/**
 * A localhost server on its own port (a second origin): `routes` maps a path to a reply (bytes or
 * text with a content type); `dir` serves a folder; `headers` adds response headers (a CSP).
 */
export async function serveFaults(opts: {
  dir?: string;
  routes?: Record<string, { type: string; body: string | Buffer }>;
  headers?: (path: string) => Record<string, string>;
  /** Takes over a request (returns true): slow or broken responses. */
  handler?: (path: string, req: IncomingMessage, res: ServerResponse) => boolean;
}): Promise<FaultServer> {
  const { createServer } = await import('node:http');
  const { existsSync, statSync } = await import('node:fs');
  const { resolve, extname } = await import('node:path');
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.css': 'text/css' };
  const hits = new Map<string, number>();
  const requests: FaultServer['requests'] = [];
  const root = opts.dir ? resolve(opts.dir) : '';
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push({ path, headers: req.headers });
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cache-control', 'no-store');
    for (const [k, v] of Object.entries(opts.headers?.(path) ?? {})) res.setHeader(k, v);
    if (opts.handler?.(path, req, res)) return;
    const r = opts.routes?.[path];
    if (r) {
      res.setHeader('content-type', r.type);
      res.end(r.body);
      return;
    }
    const file = root && resolve(root, '.' + path);
    if (!file || !file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, hits, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** Opens the element fault page (`?main`: sessions on the main thread). */
export async function openElementPage(page: Page, query = ''): Promise<void> {
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto(`/e2e/faults/element.html${query}`);
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}
