import { expect, test } from '@playwright/test';
import { parseSafetensors, tensorF32, writeSafetensors } from '../src/model/safetensors';
import { call, editManifest, openFaultsPage, serveFaults, serveModel, syntheticDir, syntheticFiles } from './faults/fixtures';

// Session-level faults (issue 7): the device lost mid-generation is replaced and the generation
// retried once; generate() while running aborts the earlier call.
test.describe('faults: session', () => {
  let url = '';
  test.beforeEach(async ({ page }) => {
    url = (await serveModel(page, syntheticFiles())).url;
    await openFaultsPage(page);
  });

  test('device destroyed mid-generation: new device, model reloaded, the generation retried once and succeeds', async ({ page }) => {
    const r = await call(page, 'sessionDeviceLost', url, 'once');
    console.log('  ', JSON.stringify(r));
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ destroyed: 1, recovered: true, sameTokens: true, recoveries: 1, newDevice: true, afterwards: false, steps: 4 });
  });

  test('device lost again on the retry: device-lost, after exactly one recovery', async ({ page }) => {
    const r = await call(page, 'sessionDeviceLost', url, 'always');
    console.log('  ', JSON.stringify(r));
    expect(r.error.type).toBe('device-lost');
    expect(r.error.message).toMatch(/^The GPU device was lost again after it was replaced once: /);
    expect(r).toMatchObject({ destroyed: 2, recoveries: 1 });
  });

  test('device lost while idle: the next generation recovers', async ({ page }) => {
    const r = await call(page, 'sessionDeviceLost', url, 'idle');
    console.log('  ', JSON.stringify(r));
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ destroyed: 1, recovered: true, sameTokens: true, recoveries: 1, newDevice: true });
  });

  test('generate() while running: the earlier call rejects with AbortError, the later completes, no mixed frames', async ({ page }) => {
    const r = await call(page, 'sessionReentrant', url);
    console.log('  ', JSON.stringify(r));
    expect(r.error).toBeUndefined();
    expect(r.first).toBe('AbortError');
    expect(r.mixed).toBe(false);
    expect(r.frames.filter((f: string) => f.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
    expect(r.frames.filter((f: string) => f.startsWith('a')).length).toBeLessThan(12);
    expect(r.sameAsAlone).toBe(true);
    expect(r.liveBytesDelta).toBe(0);
  });
});

// Session.generateBatch (issue 13): a bad batch is a typed error before any GPU work, naming
// the request or the limit; a batch equals its solo runs; a new generate aborts it. A batch runs
// on one session's model (requests name no model), so mixed models cannot be asked for.
test.describe('faults: batched generation', () => {
  let url = '';
  test.beforeEach(async ({ page }) => {
    url = (await serveModel(page, syntheticFiles())).url;
    await openFaultsPage(page);
  });

  for (const worker of [false, true]) {
    test(`bad batches are bad-attribute errors naming the fix (${worker ? 'worker' : 'main thread'})`, async ({ page }) => {
      const r = await call(page, 'sessionBatch', url, ['no-model', 'load', 'empty', 'not-array', 'too-large', 'bad-batch-size', 'bad-request', 'time-budget', 'ok'], { worker });
      const e = r.results;
      for (const k of ['no-model', 'empty', 'not-array', 'too-large', 'bad-batch-size', 'bad-request', 'time-budget']) {
        expect(e[k].error, k).toMatchObject({ name: 'MgntError', type: 'bad-attribute' });
      }
      expect(e['no-model'].error.message).toBe('generateBatch(): no model is loaded: call load() first');
      expect(e.empty.error.message).toBe('generateBatch(): the batch is empty; pass an array of one or more requests');
      expect(e['not-array'].error.message).toMatch(/^generateBatch\(\): give an array of requests/);
      expect(e['too-large'].error.message).toMatch(/^batch size 1000000 is too large for .* on this GPU: at most \d+ images decode together with guidance \(two sequences each\); use a batch of \d+ or less$/);
      expect(e['bad-batch-size'].error.message).toBe('batch size must be an integer ≥ 1, got 0');
      expect(e['bad-request'].error.message).toMatch(/^request 1: class 99 is not one of 0\.\.9/);
      expect(e['time-budget'].error.message).toBe('generateBatch(): request 1 has a timeBudget, which is predicted for one image alone; use generate() for it, or give a schedule or budget');
      expect(e.ok).toEqual({ sizes: [3, 3, 1, 3], same: [true, true, true, true] });
      expect(r.liveBytesDelta).toBe(0);
      expect(r.gpuErrors).toEqual([]);
    });
  }

  test('generate() while a batch runs aborts the batch; the pool is clean afterwards', async ({ page }) => {
    const r = await call(page, 'sessionBatch', url, ['load', 'aborted']);
    console.log('  ', JSON.stringify(r));
    expect(r.results.aborted.batch).toBe('AbortError');
    expect(r.results.aborted.after).toBeGreaterThan(0);
    expect(r.liveBytesDelta).toBe(0);
  });
});

// Session.encode (an image to tokens): bad input and checkpoints without a usable encoder are
// typed errors naming the problem and the fix; the encoder's optional file is fetched at the first
// encode only, verified like the others, and kept in IndexedDB.
test.describe('faults: encode', () => {
  test.beforeEach(async ({ page }) => openFaultsPage(page));

  test('bad input: no model loaded, wrong size, wrong length, not a Uint8Array: bad-attribute naming it and the fix; nothing fetched for it', async ({ page }) => {
    const idle = await call(page, 'sessionEncode', null, ['image']);
    expect(idle.results[0].error).toEqual({ name: 'MgntError', type: 'bad-attribute', message: 'encode(): no model is loaded: call load() first' });
    const srv = await serveModel(page, syntheticFiles());
    const r = await call(page, 'sessionEncode', srv.url, ['big', 'short', 'array']);
    const errs = r.results.map((x: any) => x.error);
    expect(errs.map((e: any) => e.type)).toEqual(['bad-attribute', 'bad-attribute', 'bad-attribute']);
    expect(errs[0].message).toBe("encode(): the image must be 28×28 (the model's image size), got size 32; scale it to 28×28 first (<mgnt-canvas>.encode() does)");
    expect(errs[1].message).toBe('encode(): gray has 783 pixels but a 28×28 image has 784; pass one byte per pixel, row-major');
    expect(errs[2].message).toBe('encode(): gray must be a Uint8Array of gray8 pixels (one byte per pixel, row-major), got [object Array]');
    expect(srv.hits.get('encoder.safetensors')).toBeUndefined();
    expect(r.liveBytesDelta).toBe(0);
    expect(r.gpuErrors).toEqual([]);
  });

  test('a checkpoint without an encoder (exported before it shipped): bad-attribute saying to re-export it', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles({ encoder: false }));
    const r = await call(page, 'sessionEncode', srv.url, ['image']);
    expect(r.results[0].error).toEqual({
      name: 'MgntError', type: 'bad-attribute',
      message: 'checkpoint synthetic-test has no encoder (its manifest has no tokenizer.encoder), so it cannot turn images into tokens; re-export it with train/export.py, which writes encoder.safetensors',
    });
    expect(r.liveBytesDelta).toBe(0);
  });

  test('the encoder file: not fetched at load, fetched once at the first encode; the same image gives the same tokens; the pool is clean after destroy', async ({ page }) => {
    const srv = await serveModel(page, syntheticFiles());
    const r = await call(page, 'sessionEncode', srv.url, ['image', 'image']);
    expect(r.results[0].error).toBeUndefined();
    expect(r.results[0]).toMatchObject({ gray: 784, size: 28 });
    expect(r.results[0].tokens).toHaveLength(64);
    expect(r.results[0].tokens.every((t: number) => Number.isInteger(t) && t >= 0 && t < 512)).toBe(true);
    expect(r.results[1].tokens).toEqual(r.results[0].tokens);
    expect(Object.fromEntries(srv.hits)).toEqual({ 'manifest.json': 1, 'transformer.safetensors': 1, 'tokenizer.safetensors': 1, 'encoder.safetensors': 1 });
    expect(r.liveBytesDelta).toBe(0);
    expect(r.gpuErrors).toEqual([]);
  });

  test('a flipped byte in the encoder file: the model loads, encode fails with integrity naming the file after one re-fetch', async ({ page }) => {
    const files = syntheticFiles();
    const bad = Buffer.from(files.get('encoder.safetensors')!);
    bad[bad.length - 3] ^= 0xff;
    const srv = await serveModel(page, files, (name) => (name === 'encoder.safetensors' ? bad : undefined));
    const r = await call(page, 'sessionEncode', srv.url, ['image']);
    expect(r.results[0].error.type).toBe('integrity');
    expect(r.results[0].error.message).toMatch(/^encoder\.safetensors: integrity check failed: SHA-256 [0-9a-f]{12}… does not match/);
    expect(srv.hits.get('encoder.safetensors')).toBe(2);
    expect(r.liveBytesDelta).toBe(0);
  });

  test('an encoder file missing a tensor: format naming the tensor and its shape; nothing uploaded', async ({ page }) => {
    const files = syntheticFiles();
    const buf = files.get('encoder.safetensors')!;
    const st = parseSafetensors(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, 'encoder.safetensors');
    const kept = Object.fromEntries([...st.tensors].filter(([n]) => n !== 'enc.conv_out.bias').map(([n, t]) => [n, { shape: t.shape, data: tensorF32(st, n) }]));
    files.set('encoder.safetensors', Buffer.from(writeSafetensors(kept)));
    editManifest(files, () => {});
    const srv = await serveModel(page, files);
    const r = await call(page, 'sessionEncode', srv.url, ['image']);
    expect(r.results[0].error).toEqual({ name: 'MgntError', type: 'format', message: 'tensor enc.conv_out.bias is missing from the checkpoint (expected shape [16])' });
    expect(r.liveBytesDelta).toBe(0);
  });

  test('a manifest whose encoder names a file it does not list: format at load', async ({ page }) => {
    const files = syntheticFiles();
    editManifest(files, (m) => (m.tokenizer.encoder.file = 'enc.safetensors'));
    const srv = await serveModel(page, files);
    const r = await call(page, 'sessionEncode', srv.url, ['image']);
    expect(r.results[0].load.error).toEqual({ name: 'MgntError', type: 'format', message: 'manifest.json: tokenizer.encoder.file "enc.safetensors" is not listed in files' });
  });

  test('in a worker with the IndexedDB store: the encoder file is kept, a second session encodes without fetching it', async ({ page }) => {
    const srv = await serveFaults({ dir: syntheticDir() });
    try {
      const url = `${srv.url}/manifest.json`;
      const a = await call(page, 'sessionEncode', url, ['image'], { worker: true });
      expect(a.results[0].error).toBeUndefined();
      const b = await call(page, 'sessionEncode', url, ['image', 'short'], { worker: true });
      expect(b.results[0].tokens).toEqual(a.results[0].tokens);
      expect(b.results[1].error.message).toMatch(/^encode\(\): gray has 783 pixels/);
      expect(srv.hits.get('/encoder.safetensors')).toBe(1);
      expect(srv.hits.get('/transformer.safetensors')).toBe(1);
    } finally {
      await srv.close();
    }
  });
});
