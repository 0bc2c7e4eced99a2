// Timing on a fast GPU for gpu-check: reps calibrated to the device (the browser bench's fixed rep
// counts suit SwiftShader, not an H200), the GPU's own time per dispatch (submit to done, with the
// command buffer encoded beforehand), and a decode step's wall time (encode, submit, read back).
import { attention, attentionFlops } from '../src/gpu/kernels/attention';
import { matmul, matmulFlops } from '../src/gpu/kernels/matmul';
import type { Batch, Runtime } from '../src/gpu/runtime';
import { randn } from '../src/reference/compare';
import type { KernelShape } from '../e2e/bench/kernels-page';
import { median } from '../e2e/bench/timing';

type Record_ = (b: Batch) => void;

/**
 * Records `reps` calls into one batch and returns its command buffer unsubmitted: Batch.submit()
 * encodes and submits in one go, so the queue's submit is held for the moment being timed.
 */
function encodeOnly(rt: Runtime, record: Record_, reps: number): GPUCommandBuffer {
  const queue = rt.device.queue;
  const real = queue.submit;
  let captured: GPUCommandBuffer | null = null;
  queue.submit = (cbs: Iterable<GPUCommandBuffer>) => {
    captured = [...cbs][0];
  };
  try {
    const b = rt.batch('gpu-check');
    for (let i = 0; i < reps; i++) record(b);
    b.submit();
  } finally {
    queue.submit = real;
  }
  if (!captured) throw new Error('gpu-check: the batch submitted nothing');
  return captured;
}

/** Milliseconds from submit to done for `reps` calls. */
async function gpuMs(rt: Runtime, record: Record_, reps: number): Promise<number> {
  const cb = encodeOnly(rt, record, reps);
  const t0 = performance.now();
  rt.device.queue.submit([cb]);
  await rt.device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

/** Reps raised until one timed submit takes ≥ targetMs, then the median ms per call over `rounds`. */
export async function calibrated(rt: Runtime, record: Record_, targetMs: number, rounds: number, maxReps = 2048): Promise<{ ms: number; reps: number }> {
  let reps = 1;
  let ms = await gpuMs(rt, record, reps); // also compiles the pipelines
  ms = await gpuMs(rt, record, reps);
  while (ms < targetMs && reps < maxReps) {
    reps = Math.min(maxReps, Math.ceil(reps * Math.min(16, Math.max(2, (1.2 * targetMs) / Math.max(ms, 1e-3)))));
    ms = await gpuMs(rt, record, reps);
  }
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) per.push((await gpuMs(rt, record, reps)) / reps);
  return { ms: median(per), reps };
}

export interface KernelCheckRow {
  shape: string;
  kind: string;
  gflop: number;
  ms: number;
  reps: number;
  gflops: number;
  /** gflops ÷ the adapter's fp32 peak (null where the peak is unknown). */
  of_peak: number | null;
}

/** Our best kernel (matmul `auto`, attention) on each shape, GPU time per call. */
export async function kernelCheck(rt: Runtime, shapes: KernelShape[], peakTflops: number | null, targetMs: number, rounds: number): Promise<KernelCheckRow[]> {
  const rows: KernelCheckRow[] = [];
  for (const s of shapes) {
    const bufs: GPUBuffer[] = [];
    let flops: number;
    let record: Record_;
    if (s.kind === 'matmul') {
      const { M = 1, N = 1, K = 1 } = s;
      const Kf = s.Kfull ?? K, Nf = s.Nfull ?? N;
      const X = rt.upload(randn(M * Kf, 1)), W = rt.upload(randn(Kf * Nf, 2)), Y = rt.storage(M * Nf * 4);
      bufs.push(X, W, Y);
      flops = matmulFlops(M, N, K);
      record = (b) => matmul(rt, b, { M, N, K, x: X, ldx: Kf, w: W, ldw: Nf, y: Y, ldy: Nf, variant: 'auto' });
    } else {
      const { batch = 1, nq = 1, nkv = 1, heads = 1, hd = 16 } = s;
      const D = heads * hd;
      const Q = rt.upload(randn(batch * nq * D, 1)), Kb = rt.upload(randn(batch * nkv * D, 2)), Vb = rt.upload(randn(batch * nkv * D, 3)), O = rt.storage(batch * nq * D * 4);
      bufs.push(Q, Kb, Vb, O);
      flops = attentionFlops(batch, nq, nkv, heads, hd);
      record = (b) => attention(rt, b, { batch, nq, nkv, heads, headDim: hd, q: Q, ldq: D, k: Kb, ldk: D, v: Vb, ldv: D, o: O, ldo: D, scale: 1 / Math.sqrt(hd) });
    }
    const t = await calibrated(rt, record, targetMs, rounds);
    const gflops = flops / (t.ms * 1e6);
    rows.push({ shape: s.label, kind: s.kind, gflop: flops / 1e9, ms: t.ms, reps: t.reps, gflops, of_peak: peakTflops ? gflops / (peakTflops * 1e3) : null });
    rt.release(...bufs);
    process.stderr.write(`  ${s.label}: ${gflops.toFixed(2)} GFLOP/s (${t.reps} reps)\n`);
  }
  return rows;
}
