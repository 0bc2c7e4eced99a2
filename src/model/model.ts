// A loaded mgnt model: the nested transformer and the VQ decoder, uploaded once.
import { MgntError } from '../gpu/errors';
import type { Runtime } from '../gpu/runtime';
import { findTensor, type Checkpoint } from './checkpoint';
import { VqDecoder } from './decoder';
import type { Manifest, TokenizerConfig, TransformerConfig } from './manifest';
import { tensorF32 } from './safetensors';
import { NestedTransformer } from './transformer';

export class MgntModel {
  constructor(
    readonly rt: Runtime,
    readonly manifest: Manifest,
    readonly transformer: NestedTransformer,
    readonly decoder: VqDecoder,
    /** Content hash of the checkpoint (cache key). */
    readonly id: string,
  ) {}

  get cfg(): TransformerConfig {
    return this.manifest.transformer;
  }

  /** Bytes of weights on the GPU. */
  get weightBytes(): number {
    return this.transformer.weights.bytes + this.decoder.weights.bytes;
  }

  static fromCheckpoint(rt: Runtime, ck: Checkpoint): MgntModel {
    return MgntModel.fromTensors(rt, ck.manifest, (name, shape) => {
      const { file } = findTensor(ck, name, shape);
      return tensorF32(file, name);
    }, ck.id);
  }

  /** Builds a model from any tensor source (a checkpoint, or random weights for benchmarks). */
  static fromTensors(rt: Runtime, manifest: Manifest, get: (name: string, shape: number[]) => Float32Array, id = 'synthetic'): MgntModel {
    const tw = NestedTransformer.upload(rt, manifest.transformer, get);
    let dw;
    try {
      dw = VqDecoder.upload(rt, manifest.tokenizer, get);
    } catch (e) {
      tw.destroy();
      throw e;
    }
    const transformer = new NestedTransformer(rt, manifest.transformer, tw);
    const decoder = new VqDecoder(rt, manifest.tokenizer, manifest.transformer.grid, dw);
    return new MgntModel(rt, manifest, transformer, decoder, id);
  }

  destroy(): void {
    this.transformer.destroy();
    this.decoder.destroy();
    this.transformer.weights.destroy();
    this.decoder.weights.destroy();
  }
}

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
