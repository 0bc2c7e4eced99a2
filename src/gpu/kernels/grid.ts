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
