import type { Runtime } from '../runtime';

/**
 * Default invocations per row/group of the one-workgroup-per-row reductions (sample, softmax,
 * groupnorm). 64 on real GPUs; 4 on SwiftShader (a CPU: 4 is its SIMD width, and every extra
 * barrier step of a wider tree costs more than it saves — measured on P64 V512 guided sampling:
 * 4.5 ms at 4 vs 24.6 ms at 64; groupnorm 32×32×32: 3.4 ms vs 4.4 ms).
 */
export function defaultReduceWorkgroup(rt: Runtime): number {
  return rt.gpu.software ? 4 : 64;
}

/** The requested workgroup size (the launcher validates it) or the default. */
export function reduceWorkgroup(rt: Runtime, requested: number | undefined): number {
  return requested ?? defaultReduceWorkgroup(rt);
}
