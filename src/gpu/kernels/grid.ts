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
 * columns): workgroups of 8 rows of invocations and as many columns as fit the product's column
 * blocks with the fewest idle ones. A width-⅛ product (N = 24: 3 column blocks) in 8-wide
 * workgroups would launch 5 idle invocations for every 3 that compute, a width-½ one (N = 96: 12
 * blocks) 4 in 16; on SwiftShader every launched invocation costs its set-up even when it returns
 * at once (≈30% of a width-⅛ launch, docs/BENCHMARKS.md). At least 4 columns once there are 8
 * blocks, so wide products do not split into many small workgroups (each has a cost too). The
 * blocks each invocation computes, and so the results, are the same for any shape.
 */
export function blockGrid(M: number, N: number): { groups: [number, number]; constants: { WG_X: number; WG_Y: number } } {
  const cols = Math.ceil(N / 8);
  let x = Math.min(8, cols);
  // Fewest launched column slots, the widest workgroup among equals.
  for (let c = x; c >= Math.min(4, x); c--) if (c * Math.ceil(cols / c) < x * Math.ceil(cols / x)) x = c;
  return { groups: [Math.ceil(cols / x), Math.ceil(M / 32)], constants: { WG_X: x, WG_Y: 8 } };
}
