/** CPU reference of shaders/codebook_lookup.wgsl: z[b, d, n] = codebook[min(tok, K−1), d]. */
export function codebookLookupRef(
  a: { B?: number; N: number; D: number; K: number; tokens: Uint32Array; tokensOffset?: number; codebook: Float32Array; codebookOffset?: number; ldc?: number; z: Float32Array; zOffset?: number },
): void {
  const B = a.B ?? 1, ldc = a.ldc ?? a.D, to = a.tokensOffset ?? 0, co = a.codebookOffset ?? 0, zo = a.zOffset ?? 0;
  for (let b = 0; b < B; b++) {
    for (let d = 0; d < a.D; d++) {
      for (let n = 0; n < a.N; n++) {
        const t = Math.min(a.tokens[to + b * a.N + n], a.K - 1);
        a.z[zo + (b * a.D + d) * a.N + n] = a.codebook[co + t * ldc + d];
      }
    }
  }
}
