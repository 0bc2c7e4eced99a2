import type { Runtime } from '../gpu/runtime';
import { MgntError } from '../gpu/errors';

/** Where a tensor lives on the GPU: a buffer and an element offset into it. */
export interface WeightRef {
  buffer: GPUBuffer;
  offset: number;
  shape: number[];
}

export interface TensorSource {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Uploads tensors once, packed into a few large buffers (one per group, e.g. one per transformer
 * block) so kernels address them by element offset. Offsets are 64-element aligned so every
 * tensor starts on a 256-byte boundary, which keeps vectorised reads aligned on any GPU.
 */
export class WeightStore {
  private refs = new Map<string, WeightRef>();
  private buffers: GPUBuffer[] = [];
  bytes = 0;

  constructor(private rt: Runtime) {}

  uploadGroup(label: string, tensors: TensorSource[]): void {
    let total = 0;
    const offs: number[] = [];
    for (const t of tensors) {
      offs.push(total);
      total += Math.ceil(t.data.length / 64) * 64;
    }
    const limit = this.rt.gpu.limits.maxStorageBufferBindingSize;
    if (total * 4 > limit) {
      throw new MgntError('limits', `weights group ${label} needs ${total * 4} bytes in one binding; this GPU allows ${limit} (maxStorageBufferBindingSize)`);
    }
    const packed = new Float32Array(Math.max(total, 4));
    tensors.forEach((t, i) => packed.set(t.data, offs[i]));
    const buffer = this.rt.device.createBuffer({ size: packed.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label });
    this.rt.device.queue.writeBuffer(buffer, 0, packed);
    this.buffers.push(buffer);
    this.bytes += packed.byteLength;
    tensors.forEach((t, i) => this.refs.set(t.name, { buffer, offset: offs[i], shape: t.shape }));
  }

  get(name: string): WeightRef {
    const r = this.refs.get(name);
    if (!r) throw new MgntError('format', `weight ${name} was not uploaded`);
    return r;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers = [];
    this.refs.clear();
    this.bytes = 0;
  }
}
