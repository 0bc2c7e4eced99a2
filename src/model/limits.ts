// Checks a model against the GPU's limits before anything is allocated: every weight group is one
// storage binding, and so is every activation buffer. A model that does not fit is refused with
// the buffer, its size and the limit, instead of failing half-uploaded.
import { BufferPool } from '../gpu/buffers';
import { MgntError } from '../gpu/errors';
import { clipLayout } from './clip';
import type { Manifest } from './manifest';
import { decoderTensors, transformerTensors } from './tensors';

export interface BufferPlan {
  name: string;
  bytes: number;
  /** Weight groups are exact-size buffers; activations come from the pool (size classes). */
  pooled: boolean;
}

/** Every GPU buffer a model of this manifest allocates (batch 2: conditional + null class). */
export function planBuffers(m: Manifest, maxBatch = 2): BufferPlan[] {
  const t = m.transformer, k = m.tokenizer;
  const padded = (shape: number[]) => Math.ceil(shape.reduce((a, b) => a * b, 1) / 64) * 64;
  const groups = new Map<string, number>();
  for (const x of transformerTensors(t)) groups.set(x.group, (groups.get(x.group) ?? 0) + padded(x.shape));
  groups.set('decoder', decoderTensors(k).reduce((a, x) => a + padded(x.shape), 0));
  const out: BufferPlan[] = [...groups].map(([g, n]) => ({ name: `weights ${g}`, bytes: Math.max(n, 4) * 4, pooled: false }));
  const R = maxBatch * t.seq_len;
  const l = clipLayout(m), ch = k.decoder.channels;
  out.push(
    { name: 'activations (R×dim)', bytes: R * t.dim * 4, pooled: true },
    { name: 'activations (R×mlp)', bytes: R * t.mlp * 4, pooled: true },
    { name: 'logits', bytes: R * t.codebook_size * 4, pooled: true },
    // A clip's latent frames decode as one batch (model/decoder.ts).
    { name: 'decoder activations', bytes: l.latents * Math.max(...ch.map((c, i) => c * l.cells * 4 ** i)) * 4, pooled: true },
  );
  return out;
}

/** Throws a `limits` error naming the first buffer that exceeds a limit, with the numbers. */
export function checkLimits(m: Manifest, limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>): void {
  const plan = planBuffers(m);
  const total = plan.reduce((a, b) => a + b.bytes, 0);
  for (const b of plan) {
    const size = b.pooled ? BufferPool.sizeClass(b.bytes) : b.bytes;
    const over =
      b.bytes > limits.maxStorageBufferBindingSize ? ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize] as const
      : size > limits.maxBufferSize ? ['maxBufferSize', limits.maxBufferSize] as const
      : null;
    if (over) {
      throw new MgntError(
        'limits',
        `model ${m.name} does not fit this GPU: ${b.name} needs ${b.bytes} bytes in one buffer, but this GPU allows ${over[1]} ` +
          `(${over[0]}); nothing was allocated. The model needs about ${(total / 2 ** 20).toFixed(1)} MiB of GPU buffers in all; ` +
          'use a smaller checkpoint or a GPU with larger limits.',
      );
    }
  }
}

/** Most sequences one batched pass may hold (a guided image is two), whatever the memory. */
export const MAX_BATCH_SEQUENCES = 128;
/** GPU memory a batched generation may add for its activations and K/V cache. */
export const MAX_BATCH_BYTES = 512 * 2 ** 20;

/** GPU bytes of the transformer's activation, index and K/V buffers per sequence of a batch. */
export function bytesPerSequence(t: Manifest['transformer']): number {
  return t.seq_len * 4 * (5 * t.dim + t.mlp + t.codebook_size + 4 + 2 * t.layers * t.dim);
}

/**
 * The largest batch (in sequences) the transformer's buffers may be sized for on this GPU: the
 * widest activation must fit one binding, all of them MAX_BATCH_BYTES, and no more than
 * MAX_BATCH_SEQUENCES in any case.
 */
export function batchLimit(t: Manifest['transformer'], limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>): number {
  const widest = t.seq_len * 4 * Math.max(t.dim, t.mlp, t.codebook_size);
  const perBinding = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize / 2) / widest);
  const perMemory = Math.floor(MAX_BATCH_BYTES / bytesPerSequence(t));
  return Math.max(1, Math.min(MAX_BATCH_SEQUENCES, perBinding, perMemory));
}
