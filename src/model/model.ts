// A loaded mgnt model: the nested transformer and the VQ decoder, uploaded once; the VQ encoder
// joins when the first image (or clip context) is encoded (its weights come from an optional file).
import type { Runtime } from '../gpu/runtime';
import { findTensor, type Checkpoint } from './checkpoint';
import { clipLayout, type ClipLayout } from './clip';
import { checkLimits } from './limits';
import { VqDecoder } from './decoder';
import { VqEncoder } from './encoder';
import type { Manifest, TransformerConfig } from './manifest';
import { tensorF32 } from './safetensors';
import { NestedTransformer } from './transformer';

export class MgntModel {
  /** Null until attachEncoder(). */
  encoder: VqEncoder | null = null;

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

  /** What the model makes: frames, latent frames, token grid, frame size (an image: one frame). */
  get layout(): ClipLayout {
    return this.decoder.layout;
  }

  /** Bytes of weights on the GPU. */
  get weightBytes(): number {
    return this.transformer.weights.bytes + this.decoder.weights.bytes + (this.encoder?.weights.bytes ?? 0);
  }

  /** Uploads the encoder's weights (once) and builds it on the decoder's codebook. */
  attachEncoder(get: (name: string, shape: number[]) => Float32Array): VqEncoder {
    if (this.encoder) return this.encoder;
    const weights = VqEncoder.upload(this.rt, this.manifest.tokenizer, get);
    try {
      this.encoder = new VqEncoder(this.rt, this.manifest.tokenizer, this.layout, weights, this.decoder.weights.get('codebook'));
    } catch (e) {
      weights.destroy();
      throw e;
    }
    return this.encoder;
  }

  static fromCheckpoint(rt: Runtime, ck: Checkpoint): MgntModel {
    return MgntModel.fromTensors(rt, ck.manifest, (name, shape) => {
      const { file } = findTensor(ck, name, shape);
      return tensorF32(file, name);
    }, ck.id);
  }

  /** Builds a model from any tensor source (a checkpoint, or random weights for benchmarks). */
  static fromTensors(rt: Runtime, manifest: Manifest, get: (name: string, shape: number[]) => Float32Array, id = 'synthetic'): MgntModel {
    checkLimits(manifest, rt.gpu.limits); // refuse a model too big for this GPU before allocating
    const tw = NestedTransformer.upload(rt, manifest.transformer, get);
    let dw;
    try {
      dw = VqDecoder.upload(rt, manifest.tokenizer, get);
    } catch (e) {
      tw.destroy();
      throw e;
    }
    let transformer: NestedTransformer | undefined;
    try {
      transformer = new NestedTransformer(rt, manifest.transformer, tw);
      const decoder = new VqDecoder(rt, manifest.tokenizer, clipLayout(manifest), dw);
      return new MgntModel(rt, manifest, transformer, decoder, id);
    } catch (e) {
      transformer?.destroy();
      tw.destroy();
      dw.destroy();
      throw e;
    }
  }

  destroy(): void {
    this.encoder?.destroy();
    this.encoder?.weights.destroy();
    this.encoder = null;
    this.transformer.destroy();
    this.decoder.destroy();
    this.transformer.weights.destroy();
    this.decoder.weights.destroy();
  }
}

