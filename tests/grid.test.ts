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
        if (cols >= 8) expect(WG_X, `${M}×${N}: workgroups at least 4 wide once there are 8 column blocks`).toBeGreaterThanOrEqual(4);
      }
    }
  });

  it('narrows the workgroup to the column blocks of a narrow product and keeps 8 × 8 otherwise', () => {
    expect(blockGrid(130, 24)).toEqual({ groups: [1, 5], constants: { WG_X: 3, WG_Y: 8 } });
    expect(blockGrid(130, 48).constants.WG_X).toBe(6);
    expect(blockGrid(130, 96)).toEqual({ groups: [2, 5], constants: { WG_X: 6, WG_Y: 8 } }); // 12 blocks: 2 × 6, not 2 × 8
    expect(blockGrid(130, 72).constants.WG_X).toBe(5); // 9 blocks: 2 × 5 slots
    expect(blockGrid(130, 104).constants.WG_X).toBe(7); // 13 blocks: 2 × 7
    expect(blockGrid(130, 4).constants.WG_X).toBe(1);
    expect(blockGrid(130, 192)).toEqual({ groups: [3, 5], constants: { WG_X: 8, WG_Y: 8 } });
    expect(blockGrid(257, 3072).groups).toEqual([48, 9]);
  });
});

describe('grid1d', () => {
  it('folds over y past the per-dimension limit', () => {
    expect(grid1d(1000, 64, 65535)).toEqual([16, 1]);
    expect(grid1d(65536 * 64 + 1, 64, 65535)).toEqual([65535, 2]);
  });
});
