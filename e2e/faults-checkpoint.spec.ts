import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, editManifest, HTML_FALLBACK, openFaultsPage, serveFaults, serveModel, syntheticDir, syntheticFiles, type Reply } from './faults/fixtures';

// Checkpoint faults (issue 7): each damaged download ends in one typed error that names the file
// or the tensor; an integrity failure is fetched once more, bypassing caches, before it is reported.
test.describe('faults: checkpoint', () => {
  test.beforeEach(async ({ page }) => openFaultsPage(page));

  test('a good checkpoint loads, each file fetched once', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles());
    const r = await call(page, 'load', srv.url);
    expect(r.error).toBeUndefined();
    expect(r.files).toEqual(['transformer.safetensors', 'tokenizer.safetensors']);
    expect(Object.fromEntries(srv.hits)).toEqual({ 'manifest.json': 1, 'transformer.safetensors': 1, 'tokenizer.safetensors': 1 });
  });

  test('a flipped byte: integrity, re-fetched once, then an error naming the file', async ({ page }) => {
    const files = syntheticFiles();
    const bad = Buffer.from(files.get('tokenizer.safetensors')!);
    bad[bad.length - 5] ^= 0xff;
    const srv = await serveModel(page, files, (name) => (name === 'tokenizer.safetensors' ? bad : undefined));
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('integrity');
    expect(r.error.message).toMatch(/^tokenizer\.safetensors: integrity check failed: SHA-256 [0-9a-f]{12}… does not match/);
    expect(srv.hits.get('tokenizer.safetensors')).toBe(2);
  });

  test('a byte flipped on the first download only: the re-fetch succeeds', async ({ page }) => {
    const files = syntheticFiles();
    const bad = Buffer.from(files.get('transformer.safetensors')!);
    bad[100] ^= 0x01;
    const srv = await serveModel(page, files, (name, n) => (name === 'transformer.safetensors' && n === 1 ? bad : undefined));
    const r = await call(page, 'load', srv.url);
    expect(r.error).toBeUndefined();
    expect(srv.hits.get('transformer.safetensors')).toBe(2);
  });

  test('a truncated file: integrity, naming the file and the byte counts', async ({ page }) => {
    const files = syntheticFiles();
    const full = files.get('transformer.safetensors')!;
    const srv = await serveModel(page, files, (name) => (name === 'transformer.safetensors' ? full.subarray(0, 1000) : undefined));
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('integrity');
    expect(r.error.message).toBe(`transformer.safetensors: integrity check failed: received 1000 of ${full.length} bytes (truncated download)`);
    expect(srv.hits.get('transformer.safetensors')).toBe(2);
  });

  test('a 404: network, naming the URL and the status', async ({ page }) => {
    const files = syntheticFiles();
    files.delete('tokenizer.safetensors');
    const srv = await serveModel(page, files);
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('network');
    expect(r.error.message).toMatch(/^fetching http:\/\/127\.0\.0\.1:\d+\/__faults\/model\/tokenizer\.safetensors failed with HTTP 404/);
    expect(srv.hits.get('tokenizer.safetensors')).toBe(1);
  });

  test('a missing manifest: network 404', async ({ page }) => {
    const files = syntheticFiles();
    files.delete('manifest.json');
    const srv = await serveModel(page, files);
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('network');
    expect(r.error.message).toMatch(/manifest\.json failed with HTTP 404/);
  });

  test('an HTML page instead of a file (text/html): format, naming the file', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles(), (name) => (name === 'transformer.safetensors' ? { contentType: 'text/html', body: HTML_FALLBACK } : undefined));
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('format');
    expect(r.error.message).toMatch(/^transformer\.safetensors: the server returned an HTML page \(content-type text\/html\) instead of the checkpoint file/);
    expect(srv.hits.get('transformer.safetensors')).toBe(1);
  });

  test('an HTML page instead of a file (sent as octet-stream): format, naming the file', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles(), (name) => (name === 'tokenizer.safetensors' ? { contentType: 'application/octet-stream', body: HTML_FALLBACK } : undefined));
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('format');
    expect(r.error.message).toMatch(/^tokenizer\.safetensors: the server returned an HTML page \(content-type application\/octet-stream\) instead of the checkpoint file/);
  });

  test('an HTML page instead of the manifest: format', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles(), (name) => (name === 'manifest.json' ? { contentType: 'text/html', body: HTML_FALLBACK } : undefined));
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('format');
    expect(r.error.message).toMatch(/manifest\.json is not valid JSON \(the server returned an HTML page; is the URL right\?\)/);
    expect(srv.hits.get('transformer.safetensors')).toBeUndefined();
  });

  test('a manifest with an unknown version: format, naming the version', async ({ page }) => {
    const files = syntheticFiles();
    editManifest(files, (m) => (m.version = 2));
    const srv = await serveModel(page, files);
    const r = await call(page, 'load', srv.url);
    expect(r.error.type).toBe('format');
    expect(r.error.message).toBe('manifest.json: version 2 is not supported by this build of mgnt (supports 1); update mgnt or re-export the checkpoint');
    expect(srv.hits.get('transformer.safetensors')).toBeUndefined();
  });

  test('a manifest whose config gives a wrong shape: format, naming the tensor and both shapes', async ({ page }) => {
    const files = syntheticFiles();
    editManifest(files, (m) => (m.transformer.mlp = 256));
    const srv = await serveModel(page, files);
    const r = await call(page, 'loadModel', srv.url);
    expect(r.error.type).toBe('format');
    expect(r.error.message).toBe("tensor blocks.0.mlp.w1 has shape [64, 128], the manifest's config needs [64, 256]");
    expect(r.liveBytesDelta).toBe(0);
  });

  test('a checkpoint missing a tensor: format, naming the tensor', async ({ page }) => {
    const files = syntheticFiles();
    // Rename one tensor in the safetensors header (same length, so the file stays valid).
    const t = Buffer.from(files.get('tokenizer.safetensors')!);
    const at = t.indexOf('"dec.conv_out.bias"');
    expect(at).toBeGreaterThan(0);
    t.write('"dec.conv_out.bia_"', at);
    files.set('tokenizer.safetensors', t);
    editManifest(files, () => {});
    const srv = await serveModel(page, files);
    const r = await call(page, 'loadModel', srv.url);
    expect(r.error.type).toBe('format');
    expect(r.error.message).toBe('tensor dec.conv_out.bias is missing from the checkpoint (expected shape [1])');
    expect(r.liveBytesDelta).toBe(0);
  });
});

// The same faults through the IndexedDB store: the same typed error, and nothing kept: no file
// entry, no manifest record (a checkpoint is committed only once every file and tensor checks out;
// files this load stored before the failure are dropped again).
test.describe('faults: checkpoint, nothing cached', () => {
  test.beforeEach(async ({ page }) => openFaultsPage(page));

  const flip = (b: Buffer) => {
    const c = Buffer.from(b);
    c[c.length - 5] ^= 0xff;
    return c;
  };
  const faults: Array<[string, string, (files: Map<string, Buffer>) => ((name: string, n: number) => Reply | undefined) | void]> = [
    ['flipped byte in the second file', 'integrity', (f) => (name) => (name === 'tokenizer.safetensors' ? flip(f.get(name)!) : undefined)],
    ['truncated second file', 'integrity', (f) => (name) => (name === 'tokenizer.safetensors' ? f.get(name)!.subarray(0, 300) : undefined)],
    ['404 for the second file', 'network', (f) => void f.delete('tokenizer.safetensors')],
    ['HTML page for the second file', 'format', () => (name) => (name === 'tokenizer.safetensors' ? { contentType: 'text/html', body: HTML_FALLBACK } : undefined)],
    ['unknown manifest version', 'format', (f) => editManifest(f, (m) => (m.version = 99))],
    ['manifest config giving a wrong shape', 'format', (f) => editManifest(f, (m) => (m.transformer.mlp = 256))],
  ];
  for (const [name, type, damage] of faults) {
    test(`${name}: ${type}, nothing stored`, async ({ page }) => {
      const files = syntheticFiles();
      const override = damage(files) ?? undefined;
      const srv = await serveModel(page, files, override);
      const r = await call(page, 'loadStored', srv.url);
      expect(r.error?.type).toBe(type);
      expect(await call(page, 'storeKeys')).toEqual([]);
    });
  }

  test('control: a good checkpoint is stored (manifest record last) and read back from IndexedDB', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles());
    const r = await call(page, 'loadStored', srv.url);
    expect(r.error).toBeUndefined();
    const keys: string[] = await call(page, 'storeKeys');
    expect(keys.filter((k) => k.startsWith('manifest/'))).toHaveLength(1);
    expect(keys.filter((k) => k.endsWith('/meta'))).toHaveLength(2);
    const again = await call(page, 'loadStored', srv.url);
    expect(again.report.files).toEqual({ 'transformer.safetensors': 'idb', 'tokenizer.safetensors': 'idb' });
  });
});

test.describe('faults: checkpoint, broken connections', () => {
  test.beforeEach(async ({ page }) => openFaultsPage(page));

  test('a model on another origin without CORS permission: network, naming the URL and CORS', async ({ page }) => {
    const srv = await serveFaults({ dir: syntheticDir(), headers: () => ({ 'access-control-allow-origin': 'https://example.com' }) });
    try {
      const r = await call(page, 'load', `${srv.url}/manifest.json`);
      expect(r.error?.type).toBe('network');
      expect(r.error.message).toMatch(new RegExp(`^could not fetch ${srv.url.replace(/[.]/g, '\\.')}/manifest\\.json: TypeError: Failed to fetch\\. Check the URL and your connection \\(and CORS, if it is on another origin\\)\\.$`));
    } finally {
      await srv.close();
    }
  });

  test('HTTP 503 for a file: network, naming the URL and the status; not retried', async ({ page }) => {
    const srv = await serveFaults({
      dir: syntheticDir(),
      handler: (path, _req, res) => {
        if (path !== '/tokenizer.safetensors') return false;
        res.writeHead(503, 'Service Unavailable').end('busy');
        return true;
      },
    });
    try {
      const r = await call(page, 'load', `${srv.url}/manifest.json`);
      expect(r.error?.type).toBe('network');
      expect(r.error.message).toBe(`fetching ${srv.url}/tokenizer.safetensors failed with HTTP 503 Service Unavailable`);
      expect(srv.hits.get('/tokenizer.safetensors')).toBe(1);
    } finally {
      await srv.close();
    }
  });

  test('the connection drops mid-file: network, naming the file and how far it got', async ({ page }) => {
    const dir = syntheticDir();
    const full = readFileSync(join(dir, 'transformer.safetensors'));
    const srv = await serveFaults({
      dir,
      handler: (path, _req, res) => {
        if (path !== '/transformer.safetensors') return false;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(full.length) });
        res.write(full.subarray(0, 4096), () => setTimeout(() => res.socket?.destroy(), 50));
        return true;
      },
    });
    try {
      const r = await call(page, 'load', `${srv.url}/manifest.json`);
      expect(r.error?.type).toBe('network');
      expect(r.error.message).toMatch(new RegExp(`^transformer\\.safetensors: the download broke off after \\d+ of ${full.length} bytes`));
      expect(srv.hits.get('/transformer.safetensors')).toBe(1);
    } finally {
      await srv.close();
    }
  });
});
