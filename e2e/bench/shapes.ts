// What the benchmarks measure, shared by the browser benches (kernels.bench.ts, images.bench.ts)
// and the Node/Dawn ones (node/bench.ts, node/gpu-check.ts), so every runtime times the same list.
import type { ImageBenchConfig } from './images-page';
import type { KernelShape } from './kernels-page';

// The shipped model's shapes (fmnist-s: D 192, 8 heads of 24, MLP 768, 65 positions, CFG batch
// of 2) at the full and 1/8 widths, an incremental (KV-cached) step, and MaskGIT-base (257 tokens,
// D 768, MLP 3072).
export const KERNEL_SHAPES: KernelShape[] = [
  // Per-call floor: a product too small to cost anything, so the time is each contender's overhead.
  { label: 'per-call floor 1×4×4', kind: 'matmul', M: 1, N: 4, K: 4 },
  { label: 'model qkv/o full 130×192×192', kind: 'matmul', M: 130, N: 192, K: 192 },
  { label: 'model mlp-up full 130×768×192', kind: 'matmul', M: 130, N: 768, K: 192 },
  { label: 'model mlp-down full 130×192×768', kind: 'matmul', M: 130, N: 192, K: 768 },
  { label: 'model mlp-up w1/8 130×96×24', kind: 'matmul', M: 130, N: 96, K: 24, Kfull: 192, Nfull: 768 },
  { label: 'model head full 128×512×192', kind: 'matmul', M: 128, N: 512, K: 192 },
  { label: 'model mlp-up cached 24×768×192', kind: 'matmul', M: 24, N: 768, K: 192 },
  { label: 'maskgit-base qkv 257×768×768', kind: 'matmul', M: 257, N: 768, K: 768 },
  { label: 'maskgit-base mlp-up 257×3072×768', kind: 'matmul', M: 257, N: 3072, K: 768 },
  // A layer's LayerNorm + Q/K/V (+ MLP-up) as separate launches vs kernel 6 (fused, LN folded), on
  // the shipped model: full pass at widths 1 … 1/8, a cached pass.
  { label: 'layer qkv full w1 130×192', kind: 'layer-qkv', M: 130, d: 192, D: 192 },
  { label: 'layer qkv full w1/2 130×96', kind: 'layer-qkv', M: 130, d: 96, D: 192 },
  { label: 'layer qkv full w1/4 130×48', kind: 'layer-qkv', M: 130, d: 48, D: 192 },
  { label: 'layer qkv full w1/8 130×24', kind: 'layer-qkv', M: 130, d: 24, D: 192 },
  { label: 'layer qkv cached w1 12×192', kind: 'layer-qkv', M: 12, d: 192, D: 192 },
  { label: 'layer mlp-up full w1 130×768×192', kind: 'layer-mlp', M: 130, d: 192, D: 192, m: 768, Mlp: 768 },
  { label: 'layer mlp-up full w1/4 130×192×48', kind: 'layer-mlp', M: 130, d: 48, D: 192, m: 192, Mlp: 768 },
  { label: 'layer mlp-up full w1/8 130×96×24', kind: 'layer-mlp', M: 130, d: 24, D: 192, m: 96, Mlp: 768 },
  { label: 'layer mlp-up cached w1/4 12×192×48', kind: 'layer-mlp', M: 12, d: 48, D: 192, m: 192, Mlp: 768 },
  { label: 'model attention full b2 65q 8h×24', kind: 'attention', batch: 2, nq: 65, nkv: 65, heads: 8, hd: 24 },
  { label: 'model attention cached b2 12q 8h×24', kind: 'attention', batch: 2, nq: 12, nkv: 65, heads: 8, hd: 24 },
  { label: 'maskgit-base attention 257q 12h×64', kind: 'attention', batch: 1, nq: 257, nkv: 257, heads: 12, hd: 64 },
];

/** The per-image bench's schedules on the shipped model (12 steps, guidance 2). */
export const IMAGE_SCHEDULES: ImageBenchConfig['schedules'] = {
  baseline: { schedule: 'baseline', cache: false },
  'magnets': { schedule: 'magnets', cache: true },
  'magnets-nocache': { schedule: 'magnets', cache: false },
  'baseline-cache': { schedule: 'baseline', cache: true },
  'quarter-then-full': { schedule: '1/4,1/4,1/4,1/4,1/4,1/4,1/4,1/4,1,1,1,1', cache: true },
};

/** The shipped model and the request the per-image bench times each schedule with. */
export const SHIPPED_IMAGE_BENCH = { model: '/models/fmnist-s/manifest.json', steps: 12, guidance: 2, classIndex: 7 } as const;
