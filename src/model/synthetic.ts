// Manifests for random-weight models of any size (benchmarks, tests). Pure: usable from Node.
import { MgntError } from '../gpu/errors';
import type { Manifest, TokenizerConfig, TransformerConfig } from './manifest';

/** A manifest for random weights of a given size (speed benchmarks, not quality). */
export function syntheticManifest(t: Partial<TransformerConfig> & { layers: number; dim: number; heads: number; mlp: number }, tok?: Partial<TokenizerConfig>): Manifest {
  const grid: [number, number] = t.grid ?? [8, 8];
  const V = t.codebook_size ?? 512;
  if ((t.dim / t.heads) % 1) throw new MgntError('format', 'dim must be divisible by heads');
  return {
    format: 'mgnt-checkpoint', version: 1, name: 'synthetic',
    transformer: {
      codebook_size: V, num_classes: 10, seq_len: 1 + grid[0] * grid[1], grid, mask_token: V, null_class: 10,
      widths: [0.125, 0.25, 0.5, 1], ...t,
    } as TransformerConfig,
    tokenizer: { code_dim: 16, codebook_size: V, decoder: { channels: [64, 48, 32], groups: 8 }, image_size: grid[0] * 4 - 4, pad: 2, ...tok },
    classes: Array.from({ length: 10 }, (_, i) => `class-${i}`),
    decode_defaults: { steps: 12, temperature: 1, choice_temperature: 4.5, guidance: 2, schedules: { magnets: [0.125, 0.125, 0.125, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 1, 1, 1] } },
    files: [],
  };
}
