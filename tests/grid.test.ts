import { describe, expect, it } from 'vitest';
import { blockGrid, grid1d } from '../src/gpu/kernels/grid';

describe('blockGrid (matmul kernels 5 and 6: 4-row × 8-column blocks)', () => {
  it('covers every block of any shape, and no workgroup column is wholly idle', () => {
    for (const M of [1, 4, 5, 31, 32, 33, 130, 257, 1040]) {
      for (const N of [4, 8, 12, 24, 48, 60, 64, 68, 96, 192, 512, 3072]) {
        const { groups: [gx, gy], constants: { WG_X, WG_Y } } = blockGrid(M, N);
        const cols = Math.ceil(N / 8), rows = Math.ceil(M / 4);
        expect(gx * WG_X, `${M}×${N}: column blocks`).toBeGreaterThanOrEqual(cols);
        expect(gy * WG_Y, `${M}×${N}: row blocks`).toBeGreaterThanOrEqual(rows);
        expect((gx - 1) * WG_X, `${M}×${N}: a workgroup column with nothing to do`).toBeLessThan(cols);
        expect((gy - 1) * WG_Y).toBeLessThan(rows);
        expect(WG_X * WG_Y).toBeLessThanOrEqual(64);
      }
    }
  });

  it('launches one workgroup shape for every product, so a nested model compiles one pipeline per kernel', () => {
    const shapes = new Set<string>();
    for (const N of [24, 48, 72, 96, 192, 288, 384, 576, 768]) shapes.add(JSON.stringify(blockGrid(130, N).constants));
    expect([...shapes]).toEqual([JSON.stringify({ WG_X: 4, WG_Y: 8 })]);
    expect(blockGrid(130, 24).groups).toEqual([1, 5]); // 3 column blocks in one 4-wide group, 33 row blocks in 5 of 8
    expect(blockGrid(130, 96).groups).toEqual([3, 5]);
    expect(blockGrid(257, 3072).groups).toEqual([96, 9]);
  });
});

describe('grid1d', () => {
  it('folds over y past the per-dimension limit', () => {
    expect(grid1d(1000, 64, 65535)).toEqual([16, 1]);
    expect(grid1d(65536 * 64 + 1, 64, 65535)).toEqual([65535, 2]);
  });
});
