import { MgntError } from './errors';

/**
 * A pool of GPU buffers keyed by (usage, size class). Buffers are returned to the pool instead
 * of destroyed, so a generation loop allocates nothing after its first step; `liveBytes`
 * (acquired, not yet released) lets tests assert that nothing leaks.
 */
export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private sizes = new Map<GPUBuffer, number>();
  private live = new Set<GPUBuffer>();
  private _liveBytes = 0;
  private _pooledBytes = 0;

  constructor(private device: GPUDevice, private maxBufferSize = Number.POSITIVE_INFINITY) {}

  /** Size classes: multiples of 256 B below 64 KiB, then powers of two up to 1 MiB, then 1 MiB steps. */
  static sizeClass(bytes: number): number {
    const b = Math.max(16, Math.ceil(bytes));
    if (b <= 65536) return Math.ceil(b / 256) * 256;
    if (b <= 1 << 20) return 2 ** Math.ceil(Math.log2(b));
    return Math.ceil(b / (1 << 20)) * (1 << 20);
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label = 'mgnt'): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    if (size > this.maxBufferSize) {
      throw new MgntError(
        'limits',
        `${label}: a buffer of ${bytes} bytes exceeds this GPU's maxBufferSize (${this.maxBufferSize}). ` +
          'Use a smaller model or a GPU with larger limits.',
      );
    }
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    let buf = list?.pop();
    if (buf) this._pooledBytes -= size;
    else {
      buf = this.device.createBuffer({ size, usage, label });
      this.sizes.set(buf, size);
    }
    this.live.add(buf);
    this._liveBytes += size;
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) return;
    const size = this.sizes.get(buf)!;
    this._liveBytes -= size;
    this._pooledBytes += size;
    const key = `${buf.usage}:${size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buf);
  }

  /** Destroys the pooled (released) buffers. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) {
      this.sizes.delete(b);
      b.destroy();
    }
    this.free.clear();
    this._pooledBytes = 0;
  }

  /** Destroys everything, live buffers included. */
  destroy(): void {
    this.trim();
    for (const b of this.live) b.destroy();
    this.live.clear();
    this.sizes.clear();
    this._liveBytes = 0;
  }

  get liveBytes(): number {
    return this._liveBytes;
  }
  get pooledBytes(): number {
    return this._pooledBytes;
  }
  get liveCount(): number {
    return this.live.size;
  }
}
