// Random weights for a model of any size: for speed benchmarks (the MaskGIT-base-sized
// configuration) and for tests that need no trained checkpoint. Not for quality.
import { randn } from '../reference/compare';

export function randomTensors(seed = 1): (name: string, shape: number[]) => Float32Array {
  let k = 0;
  return (name, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    k++;
    if (/(ln\d|ln_f|norm\d?|norm_out)\.weight$/.test(name)) return new Float32Array(n).fill(1);
    if (/\.bias$|^head_bias$|\.b[qkvo12]$/.test(name)) return randn(n, seed * 1000 + k, 0.02);
    const fanIn = shape.length === 4 ? shape[1] * shape[2] * shape[3] : shape.length === 2 ? shape[0] : 1;
    const scale = /emb|codebook/.test(name) ? 1 : 1 / Math.sqrt(fanIn);
    return randn(n, seed * 1000 + k, scale);
  };
}
