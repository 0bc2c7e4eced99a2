import { BufferPool } from './buffers';
import { assertAlive, type Gpu } from './device';
import { MgntError } from './errors';
import type { KernelDef } from './kernel';
import { PipelineCache } from './pipelines';

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

/** Counters the benchmarks and the GFLOPs report read. */
export interface RuntimeStats {
  dispatches: number;
  submits: number;
  readbacks: number;
}

/** The GPU, its pipeline cache and its buffer pool: what every launcher needs. */
export class Runtime {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  readonly stats: RuntimeStats = { dispatches: 0, submits: 0, readbacks: 0 };
  /** Validation / out-of-memory errors the device reported outside an error scope. */
  readonly errors: string[] = [];
  /** Smallest subgroup size the adapter reports (0 without the subgroups feature). */
  readonly subgroupSize: number;
  /** A small buffer bound where a kernel's optional input is absent. */
  readonly dummy: GPUBuffer;

  constructor(readonly gpu: Gpu) {
    this.device = gpu.device;
    this.pipelines = new PipelineCache(gpu.device);
    this.pool = new BufferPool(gpu.device, gpu.limits.maxBufferSize);
    this.subgroupSize = gpu.features.subgroups ? gpu.subgroupMinSize : 0;
    this.dummy = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE, label: 'dummy' });
    this.device.addEventListener('uncapturederror', (ev) => {
      this.errors.push((ev as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** A storage buffer from the pool (read/write, copy src/dst). */
  storage(bytes: number, label?: string): GPUBuffer {
    assertAlive(this.gpu);
    if (bytes > this.gpu.limits.maxStorageBufferBindingSize) {
      throw new MgntError(
        'limits',
        `${label ?? 'buffer'} needs ${bytes} bytes in one storage binding, but this GPU allows ` +
          `${this.gpu.limits.maxStorageBufferBindingSize} (maxStorageBufferBindingSize).`,
      );
    }
    return this.pool.acquire(bytes, STORAGE, label);
  }

  /** Uploads typed data into a new pooled storage buffer. */
  upload(data: Float32Array | Uint32Array | Int32Array, label?: string): GPUBuffer {
    const buf = this.storage(Math.max(16, data.byteLength), label);
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  release(...bufs: Array<GPUBuffer | undefined>): void {
    for (const b of bufs) if (b) this.pool.release(b);
  }

  batch(label = 'mgnt-batch'): Batch {
    assertAlive(this.gpu);
    return new Batch(this, label);
  }

  /** Reads `bytes` from a storage buffer (one submit, one map). */
  async read(buf: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    const b = this.batch('read');
    const p = b.readback(buf, bytes, offset);
    b.submit();
    return p;
  }

  async readF32(buf: GPUBuffer, count: number, offsetElems = 0): Promise<Float32Array> {
    return new Float32Array(await this.read(buf, count * 4, offsetElems * 4));
  }

  async readU32(buf: GPUBuffer, count: number, offsetElems = 0): Promise<Uint32Array> {
    return new Uint32Array(await this.read(buf, count * 4, offsetElems * 4));
  }

  destroy(): void {
    this.pool.destroy();
    this.dummy.destroy();
  }
}

type Op =
  | { kind: 'dispatch'; def: KernelDef; constants?: Record<string, number>; buffers: GPUBuffer[]; uOffset: number; uBytes: number; wg: [number, number, number] }
  | { kind: 'copy'; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; size: number };

interface PendingRead {
  staging: GPUBuffer;
  size: number;
  resolve: (b: ArrayBuffer) => void;
  reject: (e: unknown) => void;
}

/**
 * One command encoder and one submit for a batch of work. Every dispatch's parameters go into one
 * uniform arena written with a single writeBuffer, so a decode step costs one submit.
 */
export class Batch {
  private ops: Op[] = [];
  private reads: PendingRead[] = [];
  private arena: Uint32Array = new Uint32Array(1024);
  private arenaWords = 0;
  private submitted = false;
  private readonly align: number;

  constructor(private rt: Runtime, private label: string) {
    this.align = rt.gpu.limits.minUniformBufferOffsetAlignment / 4;
  }

  /** Kernel names of the dispatches recorded so far, in order (a profile groups a pass by kind). */
  get kernelNames(): string[] {
    return this.ops.flatMap((o) => (o.kind === 'dispatch' ? [o.def.name] : []));
  }

  /** Profiling only: drops every recorded dispatch of a kernel not in `names` (results are then meaningless). */
  keepOnly(names: ReadonlySet<string>): void {
    this.ops = this.ops.filter((o) => o.kind !== 'dispatch' || names.has(o.def.name));
  }

  get dispatchCount(): number {
    return this.ops.filter((o) => o.kind === 'dispatch').length;
  }

  dispatch(
    def: KernelDef,
    params: Uint32Array,
    buffers: GPUBuffer[],
    workgroups: [number, number?, number?],
    constants?: Record<string, number>,
  ): void {
    if (buffers.length !== def.bindings.length - 1) {
      throw new MgntError('shape', `${def.name}: expected ${def.bindings.length - 1} buffers, got ${buffers.length}`);
    }
    const [x, y = 1, z = 1] = workgroups;
    const maxWg = this.rt.gpu.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxWg || y > maxWg || z > maxWg) {
      throw new MgntError('limits', `${def.name}: dispatch ${x}×${y}×${z} exceeds maxComputeWorkgroupsPerDimension ${maxWg}`);
    }
    if (x === 0 || y === 0 || z === 0) return; // nothing to compute (an empty row set)
    const uOffset = Math.ceil(this.arenaWords / this.align) * this.align;
    const need = uOffset + params.length;
    if (need > this.arena.length) {
      const grown = new Uint32Array(Math.max(need, this.arena.length * 2));
      grown.set(this.arena);
      this.arena = grown;
    }
    this.arena.set(params, uOffset);
    this.arenaWords = need;
    this.ops.push({ kind: 'dispatch', def, constants, buffers, uOffset: uOffset * 4, uBytes: params.length * 4, wg: [x, y, z] });
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.ops.push({ kind: 'copy', src, srcOffset, dst, dstOffset, size });
  }

  /** Copies `bytes` of `buf` out; the promise resolves after submit() once the GPU is done. */
  readback(buf: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.rt.pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
    this.copy(buf, offset, staging, 0, size);
    return new Promise((resolve, reject) => this.reads.push({ staging, size: bytes, resolve, reject }));
  }

  submit(): void {
    if (this.submitted) throw new Error(`${this.label}: batch submitted twice`);
    this.submitted = true;
    const rt = this.rt;
    assertAlive(rt.gpu);
    const device = rt.device;
    let uniform: GPUBuffer | undefined;
    if (this.arenaWords > 0) {
      uniform = rt.pool.acquire(this.arenaWords * 4, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'uniform-arena');
      device.queue.writeBuffer(uniform, 0, this.arena.buffer, 0, this.arenaWords * 4);
    }
    const enc = device.createCommandEncoder({ label: this.label });
    let pass: GPUComputePassEncoder | null = null;
    for (const op of this.ops) {
      if (op.kind === 'copy') {
        if (pass) {
          pass.end();
          pass = null;
        }
        enc.copyBufferToBuffer(op.src, op.srcOffset, op.dst, op.dstOffset, op.size);
        continue;
      }
      const { pipeline, layout } = rt.pipelines.get(op.def, op.constants);
      const bind = device.createBindGroup({
        layout,
        entries: [
          { binding: 0, resource: { buffer: uniform!, offset: op.uOffset, size: op.uBytes } },
          ...op.buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
        ],
      });
      if (!pass) pass = enc.beginComputePass({ label: this.label });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(op.wg[0], op.wg[1], op.wg[2]);
      rt.stats.dispatches++;
    }
    if (pass) pass.end();
    device.queue.submit([enc.finish()]);
    rt.stats.submits++;
    if (uniform) {
      const u = uniform;
      // Safe to reuse right away: later writeBuffer calls are ordered after this submit.
      rt.pool.release(u);
    }
    for (const r of this.reads) {
      rt.stats.readbacks++;
      r.staging
        .mapAsync(GPUMapMode.READ, 0, Math.ceil(r.size / 4) * 4)
        .then(() => {
          const copy = r.staging.getMappedRange(0, Math.ceil(r.size / 4) * 4).slice(0, r.size);
          r.staging.unmap();
          rt.pool.release(r.staging);
          r.resolve(copy);
        })
        .catch((e) => {
          rt.pool.release(r.staging);
          r.reject(
            rt.gpu.isLost()
              ? new MgntError('device-lost', 'The GPU device was lost while reading results back.', { cause: e })
              : e,
          );
        });
    }
  }

  /** Resolves when the GPU has finished everything submitted so far. */
  done(): Promise<void> {
    return this.rt.device.queue.onSubmittedWorkDone();
  }
}
