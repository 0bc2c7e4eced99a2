// The libraries a web developer would otherwise reach for, set up for the kernel benchmark:
// onnxruntime-web (WebGPU backend, and its wasm backend as the CPU reference point) and
// @tensorflow/tfjs-backend-webgpu. Dev dependencies of the benchmark only: nothing under src/
// imports this file, so none of it reaches the product bundle.
//
// Each library runs on its own GPUDevice (the one it creates for itself); inputs are placed on that
// device once (ORT: Tensor.fromGpuBuffer + a pre-allocated GPU output; tfjs: tensors kept on the
// GPU), so a timed call is the library's steady-state run on resident data: no upload, no readback.
// A timed round issues `reps` calls and waits for the device's queue to drain, like our own rounds.
import * as ort from 'onnxruntime-web/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { attentionModel, matmulModel } from './onnx';

/** A timed contender (ms per call over `reps` calls) and a one-off output for the correctness check. */
export interface LibContender {
  time: (reps: number) => Promise<number>;
  output: () => Promise<Float32Array>;
  dispose: () => Promise<void>;
}

let ortReady: Promise<void> | undefined;
function initOrt(): Promise<void> {
  // Vite's dev server serves the package's files as they are; one thread (no cross-origin isolation).
  ortReady ??= (async () => {
    ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
  })();
  return ortReady;
}

let tfReady: Promise<void> | undefined;
function initTf(): Promise<void> {
  tfReady ??= (async () => {
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not initialise');
    await tf.ready();
  })();
  return tfReady;
}

interface TfWebGpuBackend {
  device: GPUDevice;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}
const tfBackend = () => tf.backend() as unknown as TfWebGpuBackend;

async function tfDrain(): Promise<void> {
  // What tfjs does itself before a readback: close the open pass and submit the pending commands.
  const b = tfBackend();
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
  await b.device.queue.onSubmittedWorkDone();
}

/** An ORT session over `model` on `ep`, its inputs resident where that backend computes. */
async function ortContender(model: Uint8Array, ep: 'webgpu' | 'wasm', inputs: Record<string, { data: Float32Array; dims: number[] }>, out: { name: string; dims: number[] }): Promise<LibContender> {
  await initOrt();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    ...(ep === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
  });
  const feeds: Record<string, ort.Tensor> = {};
  const fetches: Record<string, ort.Tensor> = {};
  const gpuBufs: GPUBuffer[] = [];
  let device: GPUDevice | undefined;
  const outCount = out.dims.reduce((a, b) => a * b, 1);
  if (ep === 'webgpu') {
    device = await ort.env.webgpu.device;
    const gpuTensor = (data: Float32Array | null, count: number, dims: number[]) => {
      const buf = device!.createBuffer({ size: count * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      if (data) device!.queue.writeBuffer(buf, 0, data);
      gpuBufs.push(buf);
      const download = async () => {
        const staging = device!.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        const enc = device!.createCommandEncoder();
        enc.copyBufferToBuffer(buf, 0, staging, 0, count * 4);
        device!.queue.submit([enc.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        const out = new Float32Array(staging.getMappedRange().slice(0));
        staging.destroy();
        return out;
      };
      return ort.Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims, download });
    };
    for (const [k, v] of Object.entries(inputs)) feeds[k] = gpuTensor(v.data, v.data.length, v.dims);
    fetches[out.name] = gpuTensor(null, outCount, out.dims);
  } else {
    // CPU: ORT allocates the output itself (a pre-allocated CPU fetch came back unwritten).
    for (const [k, v] of Object.entries(inputs)) feeds[k] = new ort.Tensor('float32', v.data, v.dims);
  }
  const once = () => (device ? session.run(feeds, fetches) : session.run(feeds));
  return {
    async time(reps) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) await once();
      if (device) await device.queue.onSubmittedWorkDone();
      return (performance.now() - t0) / reps;
    },
    async output() {
      const r = await once();
      return (await r[out.name].getData()) as Float32Array;
    },
    async dispose() {
      await session.release();
      for (const b of gpuBufs) b.destroy();
    },
  };
}

export function ortMatmul(ep: 'webgpu' | 'wasm', M: number, N: number, K: number, x: Float32Array, w: Float32Array): Promise<LibContender> {
  return ortContender(matmulModel(M, N, K, w), ep, { X: { data: x, dims: [M, K] } }, { name: 'Y', dims: [M, N] });
}

export function ortAttention(ep: 'webgpu' | 'wasm', b: number, h: number, nq: number, nkv: number, hd: number, q: Float32Array, kt: Float32Array, v: Float32Array): Promise<LibContender> {
  return ortContender(attentionModel(b, h, nq, nkv, hd, 1 / Math.sqrt(hd)), ep,
    { Q: { data: q, dims: [b, h, nq, hd] }, Kt: { data: kt, dims: [b, h, hd, nkv] }, V: { data: v, dims: [b, h, nkv, hd] } },
    { name: 'O', dims: [b, h, nq, hd] });
}

/** tfjs contender around `op` over GPU-resident tensors; the result of each call is disposed. */
async function tfContender(tensors: tf.Tensor[], op: () => tf.Tensor): Promise<LibContender> {
  await initTf();
  for (const t of tensors) tf.keep(t);
  // One untimed call puts the inputs on the GPU (tfjs uploads lazily) and compiles the programs.
  const first = op();
  await first.data();
  first.dispose();
  return {
    async time(reps) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) op().dispose();
      await tfDrain();
      return (performance.now() - t0) / reps;
    },
    async output() {
      const y = op();
      const d = (await y.data()) as Float32Array;
      y.dispose();
      return d;
    },
    async dispose() {
      for (const t of tensors) t.dispose();
    },
  };
}

export async function tfMatmul(M: number, N: number, K: number, x: Float32Array, w: Float32Array): Promise<LibContender> {
  await initTf();
  const X = tf.tensor2d(x, [M, K]), W = tf.tensor2d(w, [K, N]);
  return tfContender([X, W], () => tf.matMul(X, W));
}

/** softmax(Q·Kᵀ·scale)·V with tfjs ops, inputs [b·h, n, hd] (heads already split out). */
export async function tfAttention(b: number, h: number, nq: number, nkv: number, hd: number, q: Float32Array, k: Float32Array, v: Float32Array): Promise<LibContender> {
  await initTf();
  const Q = tf.tensor3d(q, [b * h, nq, hd]), Kt = tf.tensor3d(k, [b * h, nkv, hd]), V = tf.tensor3d(v, [b * h, nkv, hd]);
  const scale = tf.scalar(1 / Math.sqrt(hd));
  return tfContender([Q, Kt, V, scale], () => tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(Q, Kt, false, true), scale)), V)));
}
