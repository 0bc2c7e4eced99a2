import { describe, expect, it } from 'vitest';
import { batchLimit, bytesPerSequence, MAX_BATCH_BYTES, MAX_BATCH_SEQUENCES } from '../src/model/limits';
import { batchKey, groupRequests, sequencesPerImage, type BatchShape } from '../src/pipeline/batch-groups';

const base: BatchShape = { steps: 8, widths: [1, 1, 1, 1, 1, 1, 1, 1], cache: true, temperature: 1, guidance: 2, choiceTemperature: 4.5 };
const key = (r: BatchShape) => batchKey(r);

describe('batchKey', () => {
  it('ignores what is per image: seeds, classes, which fixed positions and tokens', () => {
    const a = { ...base, seed: 1, classIndex: 3, fixed: { positions: [0, 1], tokens: [5, 6] } };
    const b = { ...base, seed: 99, classIndex: null, fixed: { positions: [7, 9], tokens: [1, 2] } };
    expect(batchKey(a)).toBe(batchKey(b));
  });
  it('separates everything that changes a pass or the sample dispatch', () => {
    const variants: BatchShape[] = [
      { ...base, steps: 7, widths: base.widths.slice(1) },
      { ...base, widths: [0.5, ...base.widths.slice(1)] },
      { ...base, cache: false },
      { ...base, temperature: 0.9 },
      { ...base, guidance: 0 },
      { ...base, guidance: 3 },
      { ...base, choiceTemperature: 1 },
      { ...base, fixed: { positions: [4] } },
      { ...base, model: 'other' },
    ];
    const keys = new Set([base, ...variants].map(key));
    expect(keys.size).toBe(variants.length + 1);
  });
});

describe('groupRequests', () => {
  it('keeps equal keys together in first-appearance order and chunks by the batch size', () => {
    const rs = [base, { ...base, cache: false }, base, base, { ...base, cache: false }, base];
    expect(groupRequests(rs, key, 8)).toEqual([[0, 2, 3, 5], [1, 4]]);
    expect(groupRequests(rs, key, 3)).toEqual([[0, 2, 3], [5], [1, 4]]);
    expect(groupRequests(rs, key, 1)).toEqual([[0], [2], [3], [5], [1], [4]]);
  });
  it('covers every index exactly once', () => {
    const rs = Array.from({ length: 37 }, (_, i) => ({ ...base, guidance: i % 3 }));
    const groups = groupRequests(rs, key, 5);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(rs.map((_, i) => i));
    for (const g of groups) {
      expect(g.length).toBeLessThanOrEqual(5);
      expect(new Set(g.map((i) => key(rs[i]))).size).toBe(1);
    }
  });
  it('gives no groups for no requests and refuses a bad batch size', () => {
    expect(groupRequests([], key, 4)).toEqual([]);
    expect(() => groupRequests([base], key, 0)).toThrow(/batch size/);
    expect(() => groupRequests([base], key, 1.5)).toThrow(/batch size/);
  });
  it('counts the guidance pair as two sequences', () => {
    expect(sequencesPerImage({ guidance: 0 })).toBe(1);
    expect(sequencesPerImage({ guidance: 0.5 })).toBe(2);
  });
});

describe('batchLimit', () => {
  const t = { layers: 6, dim: 192, heads: 8, mlp: 768, codebook_size: 512, num_classes: 10, seq_len: 65, grid: [8, 8], mask_token: 512, null_class: 10, widths: [0.125, 0.25, 0.5, 1] };
  const big = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32 };
  it('is capped by MAX_BATCH_SEQUENCES on a large GPU', () => {
    expect(batchLimit(t, big)).toBe(MAX_BATCH_SEQUENCES);
  });
  it('is capped by the memory budget for a large model', () => {
    const wide = { ...t, layers: 24, dim: 768, mlp: 3072, codebook_size: 1024, seq_len: 257 };
    const n = batchLimit(wide, big);
    expect(n).toBe(Math.floor(MAX_BATCH_BYTES / bytesPerSequence(wide)));
    expect(n * bytesPerSequence(wide)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });
  it('is capped by the binding limit: the widest activation of the batch fits one binding', () => {
    const small = { maxStorageBufferBindingSize: 2 ** 20, maxBufferSize: 2 ** 22 };
    const n = batchLimit(t, small);
    expect(n * t.seq_len * t.mlp * 4).toBeLessThanOrEqual(2 ** 20);
    expect((n + 1) * t.seq_len * t.mlp * 4).toBeGreaterThan(2 ** 20);
  });
  it('is at least 1', () => {
    expect(batchLimit(t, { maxStorageBufferBindingSize: 16, maxBufferSize: 16 })).toBe(1);
  });
});
