/**
 * Workgroup counts for a 1-D range of `items` invocations in workgroups of `wg`, folded over x and
 * y when it exceeds maxComputeWorkgroupsPerDimension (kernels index with wg.y·num_workgroups.x + wg.x
 * and bounds-check the tail).
 */
export function grid1d(items: number, wg: number, maxPerDim: number): [number, number] {
  const groups = Math.ceil(items / wg);
  if (groups <= maxPerDim) return [groups, 1];
  return [maxPerDim, Math.ceil(groups / maxPerDim)];
}

/**
 * Launch shape of the register-block matmuls (kernels 5 and 6: an invocation owns 4 rows × 8
 * columns): workgroups of 4 column blocks × 8 row blocks for every product. One shape means one
 * compiled pipeline per kernel for every width of a nested model: each distinct WG_X is a pipeline
 * compile (≈ 110–170 ms each on SwiftShader in Chromium, paid again by every new page), and the
 * shape that fitted each width best (3, 5, 6 or 8 columns) cost the first magnets image 5 extra
 * compiles (+0.55 s) for no steady-state gain: interleaved in one page, magnets 1060 ms with this
 * shape against 1104 with the fitted ones, baseline 2335 against 2420 (docs/BENCHMARKS.md). Four
 * columns leave at most 3 of 4 lanes idle on a width-⅛ product (N = 24: 3 blocks) where 8 left 5
 * of 8. The blocks each invocation computes, and so the results, are the same for any shape.
 */
export const BLOCK_WG = { WG_X: 4, WG_Y: 8 } as const;

export function blockGrid(M: number, N: number): { groups: [number, number]; constants: { WG_X: number; WG_Y: number } } {
  const cols = Math.ceil(N / 8);
  return { groups: [Math.ceil(cols / BLOCK_WG.WG_X), Math.ceil(M / (4 * BLOCK_WG.WG_Y))], constants: { ...BLOCK_WG } };
}
