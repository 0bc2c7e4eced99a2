import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadEncoderFile, sha256Hex, type FileSource, type LoadProgress } from '../src/model/checkpoint';
import { encoderInput } from '../src/model/encoder-input';
import { validateManifest } from '../src/model/manifest';
import { randomTensors } from '../src/model/random';
import { writeSafetensors } from '../src/model/safetensors';
import { syntheticManifest } from '../src/model/synthetic';
import { decoderTensors, encoderTensors, transformerTensors } from '../src/model/tensors';
import { avgpool2xRef } from '../src/reference/avgpool2x';
import { encoderRef } from '../src/reference/encoder';
import { vqNearestRef } from '../src/reference/vq_nearest';

const ENC = { channels: [8, 12, 16] as [number, number, number], groups: 4, file: 'encoder.safetensors' };

describe('encoder references', () => {
  it('input marshalling: gray/127.5 − 1 in f32, padded by 2 with −1', () => {
    const g = Uint8Array.from({ length: 784 }, (_, i) => i % 256);
    const x = encoderInput(g, 28, 2);
    expect(x.length).toBe(1024);
    expect(x[0]).toBe(-1);
    expect(x[2 * 32 + 2]).toBe(-1); // gray 0
    expect(x[(2 + 9) * 32 + 2 + 3]).toBe(1); // pixel 255 = 9·28 + 3 → gray 255
    expect(x[2 * 32 + 3]).toBe(Math.fround(Math.fround(1 / 127.5) - 1));
    expect(x[31 * 32 + 31]).toBe(-1);
  });

  it('avgpool2x: f32 sum of each 2×2 block, row-major, times 1/4', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const y = new Float32Array(4 + 1).fill(-7);
    avgpool2xRef(1, 4, 4, x, y, 0, 1);
    expect(Array.from(y)).toEqual([-7, 3.5, 5.5, 11.5, 13.5]);
  });

  it('vq_nearest: nearest row, ties to the smaller index, margin to the second best', () => {
    const cb = Float32Array.from([0, 0, 1, 1, 1, 1, -2, 0]); // rows (0,0) (1,1) (1,1) (−2,0)
    const z = Float32Array.from([0.9, 1, -1.9, 0.8, 1, 0.4]); // [D=2, N=3]: cells (0.9, 0.8), (1, 1), (−1.9, 0.4)
    const { tokens, margin } = vqNearestRef({ N: 3, D: 2, K: 4, z, codebook: cb });
    // Cells 0 and 1 are nearest to rows 1 and 2 alike (exact tie → 1); cell 2 to row 3.
    expect(Array.from(tokens)).toEqual([1, 1, 3]);
    expect(margin[0]).toBe(0);
    expect(margin[1]).toBe(0);
    expect(margin[2]).toBeCloseTo(1.9 ** 2 - 0.1 ** 2, 5);
  });

  it('the whole encoder: z of [code_dim, 8, 8], tokens = nearest rows of that z', () => {
    const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128, codebook_size: 32 }, { code_dim: 4, encoder: ENC });
    const raw = randomTensors(2), seen = new Map<string, Float32Array>();
    const shapes = new Map([...encoderTensors(m.tokenizer), ...decoderTensors(m.tokenizer)].map((t) => [t.name, t.shape]));
    const get = (n: string) => seen.get(n) ?? (seen.set(n, raw(n, shapes.get(n)!)), seen.get(n)!);
    const img = Uint8Array.from({ length: 784 }, (_, i) => ((i * 37) % 251));
    const r = encoderRef(m.tokenizer, [8, 8], get, img);
    expect(r.z.length).toBe(4 * 64);
    expect(r.z.every(Number.isFinite)).toBe(true);
    expect(Array.from(r.tokens)).toEqual(Array.from(vqNearestRef({ N: 64, D: 4, K: 32, z: r.z, codebook: get('codebook') }).tokens));
    expect(encoderRef(m.tokenizer, [8, 8], get, img).z).toEqual(r.z);
  });
});

describe('encoder in the manifest and the checkpoint', () => {
  it('encoderTensors: the SPEC names and PyTorch shapes; none without an encoder', () => {
    const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }, { encoder: ENC });
    const t = Object.fromEntries(encoderTensors(m.tokenizer).map((x) => [x.name, x.shape]));
    expect(t['enc.conv_in.weight']).toEqual([8, 1, 3, 3]);
    expect(t['enc.res1.conv2.weight']).toEqual([12, 12, 3, 3]);
    expect(t['enc.down2.weight']).toEqual([16, 12, 3, 3]);
    expect(t['enc.norm_out.bias']).toEqual([16]);
    expect(t['enc.conv_out.weight']).toEqual([16, 16, 1, 1]);
    expect(Object.keys(t)).toHaveLength(2 + 3 * 8 + 2 + 2 + 2 + 2);
    expect(encoderTensors(syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }).tokenizer)).toEqual([]);
  });

  const files = () => [{ path: 'a.safetensors', bytes: 10, sha256: 'a'.repeat(64) }, { path: 'encoder.safetensors', bytes: 10, sha256: 'b'.repeat(64), optional: true }];
  it('validateManifest: an encoder section is optional, checked when present', () => {
    const base = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 });
    const ok = { ...base, tokenizer: { ...base.tokenizer, encoder: ENC }, files: files() };
    expect(validateManifest(ok).tokenizer.encoder).toEqual(ENC);
    expect(validateManifest({ ...base, files: files().slice(0, 1) }).tokenizer.encoder).toBeUndefined();
    const bad = (enc: unknown, fl = files()) => () => validateManifest({ ...base, tokenizer: { ...base.tokenizer, encoder: enc }, files: fl });
    expect(bad({ ...ENC, groups: 5 })).toThrow(/tokenizer\.encoder\.groups must be a positive integer dividing every encoder channel count, got 5/);
    expect(bad({ ...ENC, channels: [8, 8] })).toThrow(/tokenizer\.encoder\.channels has 2 entries .*image_size 28/);
    expect(bad({ ...ENC, file: 'x.safetensors' })).toThrow('manifest.json: tokenizer.encoder.file "x.safetensors" is not listed in files');
    expect(bad(ENC, [{ ...files()[1] }])).toThrow(/at least one required/);
    expect(bad(ENC, [files()[0], { ...files()[1], optional: 'yes' as unknown as boolean }])).toThrow(/optional must be true or false/);
  });

  /** A synthetic checkpoint in memory behind a FileSource that counts fetches. */
  async function memoryCheckpoint(withEncoder: boolean, dropTensor?: string) {
    const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 }, withEncoder ? { encoder: ENC } : {});
    const get = randomTensors(4);
    const pack = (list: Array<{ name: string; shape: number[] }>) =>
      writeSafetensors(Object.fromEntries(list.filter((t) => t.name !== dropTensor).map((t) => [t.name, { shape: t.shape, data: get(t.name, t.shape) }])));
    const bufs = new Map<string, ArrayBuffer>([['transformer.safetensors', pack(transformerTensors(m.transformer))], ['tokenizer.safetensors', pack(decoderTensors(m.tokenizer))]]);
    if (withEncoder) bufs.set('encoder.safetensors', pack(encoderTensors(m.tokenizer)));
    m.files = await Promise.all([...bufs].map(async ([path, b]) => ({ path, bytes: b.byteLength, sha256: await sha256Hex(b), ...(path === 'encoder.safetensors' ? { optional: true } : {}) })));
    const fetched: string[] = [];
    const events: string[] = [];
    const source: FileSource = {
      async manifest() { return JSON.parse(JSON.stringify(m)); },
      async file(url, f, onProgress) { fetched.push(f.path); onProgress?.(f.bytes); return bufs.get(f.path)!.slice(0); },
      async commit() { events.push('commit'); },
      async discard() { events.push('discard'); },
    };
    return { m, source, fetched, events, bufs };
  }

  it('loadCheckpoint skips optional files; progress totals count the required files only', async () => {
    const c = await memoryCheckpoint(true);
    const progress: LoadProgress[] = [];
    const ck = await loadCheckpoint('http://x/m/manifest.json', { source: c.source, onProgress: (p) => progress.push(p) });
    expect(c.fetched).toEqual(['transformer.safetensors', 'tokenizer.safetensors']);
    expect([...ck.files.keys()]).toEqual(['transformer.safetensors', 'tokenizer.safetensors']);
    const total = c.bufs.get('transformer.safetensors')!.byteLength + c.bufs.get('tokenizer.safetensors')!.byteLength;
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([total]));
    expect(progress.at(-1)!.loaded).toBe(total);
    // The encoder file: fetched through the same source, its tensors checked, then committed.
    const enc = await loadEncoderFile(ck.url, ck.manifest, c.source);
    expect(c.fetched.at(-1)).toBe('encoder.safetensors');
    expect(enc.files.get('encoder.safetensors')!.tensors.has('enc.conv_out.weight')).toBe(true);
    expect(c.events).toEqual(['commit', 'commit']);
  });

  it('loadEncoderFile: no encoder → bad-attribute saying to re-export; a missing tensor → format, discarded', async () => {
    const none = await memoryCheckpoint(false);
    const ck = await loadCheckpoint('http://x/m/manifest.json', { source: none.source });
    await expect(loadEncoderFile(ck.url, ck.manifest, none.source)).rejects.toMatchObject({ type: 'bad-attribute', message: expect.stringMatching(/has no encoder .*re-export it with train\/export\.py/) });
    const bad = await memoryCheckpoint(true, 'enc.res2.norm2.bias');
    const ck2 = await loadCheckpoint('http://x/m/manifest.json', { source: bad.source });
    await expect(loadEncoderFile(ck2.url, ck2.manifest, bad.source)).rejects.toMatchObject({ type: 'format', message: 'tensor enc.res2.norm2.bias is missing from the checkpoint (expected shape [16])' });
    expect(bad.events).toEqual(['commit', 'discard']);
  });
});
