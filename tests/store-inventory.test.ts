// The store's key layout taken apart, and the per-model inventory built from a scan of both
// databases (complete models, cut-short writes, derived data of checkpoints no longer stored).
import { describe, expect, it } from 'vitest';
import { inventory, payloadBytes, type StoreScan } from '../src/store/inventory';
import { fileChunkKey, fileMetaKey, firstStepKey, manifestKey, parseCacheKey, parseFileKey, parseManifestKey, resultKey } from '../src/store/keys';

const sha = (c: string) => c.repeat(64);

describe('store keys', () => {
  it('round-trip, including model names with slashes', () => {
    expect(parseFileKey(fileMetaKey('org/model-a', sha('a')))).toEqual({ model: 'org/model-a', sha: sha('a'), part: 'meta' });
    expect(parseFileKey(fileChunkKey('m', sha('b'), 12))).toEqual({ model: 'm', sha: sha('b'), part: 12 });
    expect(parseFileKey('file/m/nothex/meta')).toBeNull();
    expect(parseFileKey('manifest/http://x/m.json')).toBeNull();
    expect(parseManifestKey(manifestKey('http://x/a/manifest.json'))).toBe('http://x/a/manifest.json');
    expect(parseManifestKey(fileMetaKey('m', sha('a')))).toBeNull();
    expect(parseCacheKey(firstStepKey('0123456789abcdef', 0.5, 3, true))).toEqual({ kind: 'first', ckId: '0123456789abcdef' });
    expect(parseCacheKey(resultKey('fedcba9876543210', '{"seed":1}'))).toEqual({ kind: 'result', ckId: 'fedcba9876543210' });
    expect(parseCacheKey('other/x/y')).toBeNull();
  });
});

describe('inventory', () => {
  // Model "a": two files complete, a manifest record requiring both (and an optional third, not stored).
  // Model "b": one file complete, one cut short (a chunk without meta), no manifest record.
  const metaA1 = fileMetaKey('a', sha('1')), metaA2 = fileMetaKey('a', sha('2')), metaB1 = fileMetaKey('b', sha('3'));
  const scan: StoreScan = {
    fileKeys: [
      fileChunkKey('a', sha('1'), 0), fileChunkKey('a', sha('1'), 1), metaA1, fileChunkKey('a', sha('2'), 0), metaA2, manifestKey('http://x/a.json'),
      fileChunkKey('b', sha('3'), 0), metaB1, fileChunkKey('b', sha('4'), 0),
    ],
    metas: new Map([
      [metaA1, { path: 'transformer.safetensors', bytes: 1000, sha256: sha('1') }],
      [metaA2, { path: 'tokenizer.safetensors', bytes: 200, sha256: sha('2') }],
      [metaB1, { path: 'w.safetensors', bytes: 50, sha256: sha('3') }],
    ]),
    manifests: [{ key: manifestKey('http://x/a.json'), url: 'http://x/a.json', name: 'a', id: 'aaaaaaaaaaaaaaaa', required: [sha('1'), sha('2')], savedAt: 1234 }],
    orphanChunkBytes: new Map([[fileChunkKey('b', sha('4'), 0), 70]]),
    cache: [
      { key: firstStepKey('aaaaaaaaaaaaaaaa', 1, 0, true), bytes: 300 },
      { key: resultKey('aaaaaaaaaaaaaaaa', 'r1'), bytes: 40 },
      { key: resultKey('0000000000000000', 'r2'), bytes: 9 },
    ],
  };

  it('groups files, manifests and derived data per model, with bytes and completeness', () => {
    const items = inventory(scan);
    expect(items.map((i) => i.model.name)).toEqual(['a', 'b', null]);
    const [a, b, orphans] = items;
    expect(a.model).toEqual({
      name: 'a', urls: ['http://x/a.json'], ids: ['aaaaaaaaaaaaaaaa'], complete: true,
      files: [{ path: 'tokenizer.safetensors', bytes: 200, sha256: sha('2') }, { path: 'transformer.safetensors', bytes: 1000, sha256: sha('1') }],
      fileBytes: 1200, cacheBytes: 340, bytes: 1540, savedAt: 1234,
    });
    // Every key of the model, its manifest record included, is in its deletion list.
    expect(a.fileKeys.sort()).toEqual(scan.fileKeys.filter((k) => k.startsWith('file/a/') || k.startsWith('manifest/')).sort());
    expect(a.cacheKeys).toHaveLength(2);
    expect(b.model).toMatchObject({ name: 'b', complete: false, urls: [], fileBytes: 50 + 70, cacheBytes: 0, bytes: 120, savedAt: null });
    expect(b.model.files.map((f) => f.path)).toEqual(['w.safetensors']);
    expect(b.fileKeys).toHaveLength(3);
    expect(orphans.model).toMatchObject({ name: null, ids: ['0000000000000000'], cacheBytes: 9, bytes: 9, files: [] });
    expect(orphans.fileKeys).toEqual([]);
  });

  it('a manifest whose required file is missing is not complete', () => {
    const s: StoreScan = { ...scan, metas: new Map([...scan.metas].filter(([k]) => k !== metaA2)) };
    const a = inventory(s)[0];
    expect(a.model.complete).toBe(false);
    expect(a.model.savedAt).toBeNull();
    expect(a.model.fileBytes).toBe(1000);
  });

  it('an empty store lists nothing', () => {
    expect(inventory({ fileKeys: [], metas: new Map(), manifests: [], orphanChunkBytes: new Map(), cache: [] })).toEqual([]);
  });
});

describe('payloadBytes', () => {
  it('counts binary data and text of a stored record', () => {
    expect(payloadBytes(new ArrayBuffer(10))).toBe(10);
    expect(payloadBytes({ sealed: 1, value: { logits: new Float32Array(4), kv: new Float32Array(2) }, sum: 'ab' })).toBe(8 + 16 + 8 + 2);
    expect(payloadBytes(undefined)).toBe(0);
  });
});
