// Kernel micro-benchmark page (llm.c dev/cuda style): every variant of a kernel runs on the same
// shapes in the same page, interleaved, and reports GFLOP/s. Driven by e2e/bench/kernels.bench.ts.
import { acquireGpu } from '../../src/gpu/device';
import { attention, attentionFlops } from '../../src/gpu/kernels/attention';
import { matmul, matmulFlops } from '../../src/gpu/kernels/matmul';
import { Runtime } from '../../src/gpu/runtime';
import { randn } from '../../src/reference/compare';
import { interleave, type Timed } from './timing';

export interface KernelShape {
  label: string;
  kind: 'matmul' | 'attention';
  M?: number; N?: number; K?: number; Kfull?: number; Nfull?: number;
  batch?: number; nq?: number; nkv?: number; heads?: number; hd?: number; D?: number;
}

export interface KernelBenchRow {
  shape: string;
  kind: string;
  flops: number;
  results: Record<string, Timed & { gflops: number }>;
}

async function timeDispatches(rt: Runtime, record: (b: ReturnType<Runtime['batch']>) => void, reps: number): Promise<number> {
  const b = rt.batch('bench');
  for (let i = 0; i < reps; i++) record(b);
  const t0 = performance.now();
  b.submit();
  await rt.device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / reps;
}

async function run(shapes: KernelShape[], rounds: number): Promise<KernelBenchRow[]> {
  const rt = new Runtime(await acquireGpu());
  const rows: KernelBenchRow[] = [];
  for (const s of shapes) {
    let flops = 0;
    const contenders: Record<string, () => Promise<number>> = {};
    const bufs: GPUBuffer[] = [];
    if (s.kind === 'matmul') {
      const { M = 1, N = 1, K = 1 } = s;
      const Kf = s.Kfull ?? K, Nf = s.Nfull ?? N;
      const X = rt.upload(randn(M * Kf, 1)), W = rt.upload(randn(Kf * Nf, 2)), Bb = rt.upload(randn(Nf, 3));
      const Y = rt.storage(M * Nf * 4);
      bufs.push(X, W, Bb, Y);
      flops = matmulFlops(M, N, K);
      // Enough repetitions for ~20 ms of work at 2 GFLOP/s so submit overhead is amortised.
      const reps = Math.max(1, Math.min(200, Math.round(4e7 / flops)));
      for (const variant of ['vec4', 'subgroup', 'interleaved', 'blocked', 'naive'] as const) {
        contenders[`mgnt-${variant}`] = () =>
          timeDispatches(rt, (b) => matmul(rt, b, { M, N, K, x: X, ldx: Kf, w: W, ldw: Nf, y: Y, ldy: Nf, bias: Bb, variant }), variant === 'naive' ? Math.max(1, Math.round(reps / 8)) : reps);
      }
    } else {
      const { batch = 1, nq = 1, nkv = 1, heads = 1, hd = 16, D = heads * hd } = s;
      const Q = rt.upload(randn(batch * nq * D, 1)), Kb = rt.upload(randn(batch * nkv * D, 2)), Vb = rt.upload(randn(batch * nkv * D, 3));
      const O = rt.storage(batch * nq * D * 4);
      bufs.push(Q, Kb, Vb, O);
      flops = attentionFlops(batch, nq, nkv, heads, hd);
      const reps = Math.max(1, Math.min(200, Math.round(2e7 / flops)));
      contenders['mgnt'] = () =>
        timeDispatches(rt, (b) => attention(rt, b, { batch, nq, nkv, heads, headDim: hd, q: Q, ldq: D, k: Kb, ldk: D, v: Vb, ldv: D, o: O, ldo: D, scale: 1 / Math.sqrt(hd) }), reps);
    }
    const timed = await interleave(contenders, rounds);
    const results: KernelBenchRow['results'] = {};
    for (const [k, t] of Object.entries(timed)) results[k] = { ...t, gflops: flops / (t.median * 1e6) };
    rows.push({ shape: s.label, kind: s.kind, flops, results });
    rt.release(...bufs);
    document.getElementById('out')!.textContent += `${s.label}: ${Object.entries(results).map(([k, r]) => `${k} ${r.gflops.toFixed(2)} GFLOP/s`).join(', ')}\n`;
  }
  rt.destroy();
  return rows;
}

declare global {
  interface Window {
    kernelBench: { run: typeof run };
  }
}
window.kernelBench = { run };
document.getElementById('status')!.textContent = 'ready';
