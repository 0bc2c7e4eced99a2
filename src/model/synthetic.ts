// Manifests for random-weight models of any size (benchmarks, tests). Pure: usable from Node.
import { MgntError } from '../gpu/errors';
import type { Manifest, TokenizerConfig, TransformerConfig } from './manifest';

/**
 * A manifest for random weights of a given size (speed benchmarks, tests; not quality). A video
 * model passes grid [L, h, w] and tokenizer frames / group / image_size / pad / decoder channels.
 */
export function syntheticManifest(t: Partial<TransformerConfig> & { layers: number; dim: number; heads: number; mlp: number }, tok?: Partial<TokenizerConfig>): Manifest {
  const grid = t.grid ?? [8, 8];
  const [h] = grid.slice(-2);
  const V = t.codebook_size ?? 512;
  if ((t.dim / t.heads) % 1) throw new MgntError('format', 'dim must be divisible by heads');
  return {
    format: 'mgnt-checkpoint', version: 1, name: 'synthetic',
    transformer: {
      codebook_size: V, num_classes: 10, seq_len: 1 + grid.reduce((a, b) => a * b, 1), grid, mask_token: V, null_class: 10,
      widths: [0.125, 0.25, 0.5, 1], ...t,
    } as TransformerConfig,
    tokenizer: { code_dim: 16, codebook_size: V, decoder: { channels: [64, 48, 32], groups: 8 }, image_size: h * 4 - 4, pad: 2, ...tok },
    classes: Array.from({ length: 10 }, (_, i) => `class-${i}`),
    decode_defaults: { steps: 12, temperature: 1, choice_temperature: 4.5, guidance: 2, schedules: { magnets: [0.125, 0.125, 0.125, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 1, 1, 1] } },
    files: [],
  };
}

/**
 * A tiny random-weight video model (tests): 5 frames of 32×32 in latent frames of 2 ([3, 4, 4]
 * tokens, 48 per clip), 3 resolution levels, encoder and decoder of different channel counts.
 */
export function syntheticVideoManifest(t: Partial<TransformerConfig> = {}): Manifest {
  const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128, grid: [3, 4, 4], ...t }, {
    code_dim: 8, frames: 5, group: 2, image_size: 32, pad: 0,
    decoder: { channels: [16, 12, 8, 8], groups: 4 },
    encoder: { channels: [8, 8, 12, 16], groups: 4, file: 'encoder.safetensors' },
  });
  m.decode_defaults.schedules.magnets = [0.125, 0.25, 0.5, 1, 1, 1, 1, 1, 0.5, 0.25, 0.125, 0.125];
  m.video = { fps: 8 };
  return m;
}
