// Node only: fetch() of the URLs the pages use, answered from disk the way the Vite dev server
// answers them (public/ at the root, then the repository), so loadCheckpoint and the golden cases
// read the shipped model and the golden files unchanged.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The file a same-origin path maps to, or null (outside the repository, or not there). */
export function localFile(pathname: string, root = ROOT): string | null {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  if (rel.startsWith('..')) return null;
  for (const base of [join(root, 'public'), root]) {
    const p = join(base, rel);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

let installed = false;

/**
 * Routes fetch() of relative URLs and of http://localhost/… (what src/ resolves relative URLs
 * against outside a page) to files; anything else goes to the real fetch.
 */
export function serveRepoFiles(): void {
  if (installed) return;
  installed = true;
  const real = globalThis.fetch.bind(globalThis);
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href, 'http://localhost/');
    if (url.origin !== 'http://localhost') return real(input, init);
    const file = localFile(url.pathname);
    if (!file) return new Response(`not found: ${url.pathname}`, { status: 404, statusText: 'Not Found' });
    return new Response(readFileSync(file), { status: 200, headers: { 'content-length': String(statSync(file).size) } });
  };
}
