// Kernel micro-benchmark page (llm.c dev/cuda style): every variant of a kernel runs on the same
// shapes in the same page, interleaved, and reports GFLOP/s. Driven by e2e/bench/kernels.bench.ts.
import { acquireGpu } from '../../src/gpu/device';
import { attention, attentionFlops, pairsMaxHead } from '../../src/gpu/kernels/attention';
import { layernorm } from '../../src/gpu/kernels/layernorm';
import { matmul, matmulFlops } from '../../src/gpu/kernels/matmul';
import { matmulFused } from '../../src/gpu/kernels/matmul_fused';
import { Runtime } from '../../src/gpu/runtime';
import { randn } from '../../src/reference/compare';
import { ortAttention, ortMatmul, tfAttention, tfMatmul, type LibContender } from './libs';
import { interleave, type Timed } from './timing';

export interface KernelShape {
  label: string;
  /** layer-qkv / layer-mlp: a layer's LayerNorm + Q/K/V (or + MLP-up) unfused against kernel 6
   * (M rows, active d of full D, MLP m of full Mlp); no library contenders. */
  kind: 'matmul' | 'attention' | 'layer-qkv' | 'layer-mlp';
  M?: number; N?: number; K?: number; Kfull?: number; Nfull?: number; d?: number; m?: number; Mlp?: number;
  batch?: number; nq?: number; nkv?: number; heads?: number; hd?: number; D?: number;
}

export interface KernelBenchRow {
  shape: string;
  kind: string;
  flops: number;
  results: Record<string, Timed & { gflops: number }>;
  /** Our best kernel (matmul: the `auto` variant without bias, the same plain product the libraries
   * compute; attention: `mgnt`) and the libraries, GFLOP/s at the median; null where a library failed. */
  mgnt_gflops: number;
  /** The same kernel with one awaited submit per call, as a library's run() is called. */
  mgnt_synced_gflops: number;
  ort_webgpu_gflops: number | null;
  tfjs_webgpu_gflops: number | null;
  ort_wasm_gflops: number | null;
  /** Largest |library − mgnt| over the output, checked once per shape before timing. */
  maxdiff: Record<string, number>;
  errors?: Record<string, string>;
}

const LIBS = ['ort-webgpu', 'tfjs-webgpu', 'ort-wasm'] as const;

/** Batch-major [b·n, h·hd] rows → head-major [b, h, n, hd] (the layout the library graphs take). */
function splitHeads(x: Float32Array, b: number, n: number, h: number, hd: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let bi = 0; bi < b; bi++) for (let hi = 0; hi < h; hi++) for (let i = 0; i < n; i++) for (let d = 0; d < hd; d++)
    out[((bi * h + hi) * n + i) * hd + d] = x[(bi * n + i) * h * hd + hi * hd + d];
  return out;
}

function mergeHeads(x: Float32Array, b: number, n: number, h: number, hd: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let bi = 0; bi < b; bi++) for (let hi = 0; hi < h; hi++) for (let i = 0; i < n; i++) for (let d = 0; d < hd; d++)
    out[(bi * n + i) * h * hd + hi * hd + d] = x[((bi * h + hi) * n + i) * hd + d];
  return out;
}

/** Kᵀ per head: [b·n, h·hd] → [b, h, hd, n]. */
function splitHeadsT(x: Float32Array, b: number, n: number, h: number, hd: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let bi = 0; bi < b; bi++) for (let hi = 0; hi < h; hi++) for (let i = 0; i < n; i++) for (let d = 0; d < hd; d++)
    out[((bi * h + hi) * hd + d) * n + i] = x[(bi * n + i) * h * hd + hi * hd + d];
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/** Builds each library's contender, checks its output against ours once, and keeps it only if it agrees. */
async function addLibraries(
  make: Record<(typeof LIBS)[number], () => Promise<LibContender>>,
  reference: Float32Array,
  tol: number,
  reps: number,
  contenders: Record<string, () => Promise<number>>,
  maxdiff: Record<string, number>,
  errors: Record<string, string>,
  libs: LibContender[],
): Promise<void> {
  for (const name of LIBS) {
    try {
      const c = await make[name]();
      libs.push(c);
      const out = await c.output();
      maxdiff[name] = maxAbsDiff(out, reference);
      if (!(maxdiff[name] <= tol)) {
        errors[name] = `output differs from mgnt by ${maxdiff[name]} (> ${tol}): not timed`;
        continue;
      }
      contenders[name] = () => c.time(reps);
    } catch (e) {
      errors[name] = String((e as Error)?.message ?? e).slice(0, 300);
    }
  }
}

async function timeDispatches(rt: Runtime, record: (b: ReturnType<Runtime['batch']>) => void, reps: number): Promise<number> {
  const b = rt.batch('bench');
  for (let i = 0; i < reps; i++) record(b);
  const t0 = performance.now();
  b.submit();
  await rt.device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / reps;
}

/** One submit per call, awaited: the call pattern of a library's run() (ORT run, tfjs op + data). */
async function timeSynced(rt: Runtime, record: (b: ReturnType<Runtime['batch']>) => void, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const b = rt.batch('bench');
    record(b);
    b.submit();
    await rt.device.queue.onSubmittedWorkDone();
  }
  return (performance.now() - t0) / reps;
}

async function run(shapes: KernelShape[], rounds: number, withLibs = true, variants?: string[]): Promise<KernelBenchRow[]> {
  const rt = new Runtime(await acquireGpu());
  const rows: KernelBenchRow[] = [];
  for (const s of shapes) {
    let flops = 0;
    const contenders: Record<string, () => Promise<number>> = {};
    const bufs: GPUBuffer[] = [];
    const maxdiff: Record<string, number> = {};
    const errors: Record<string, string> = {};
    const libs: LibContender[] = [];
    let mgntKey = 'mgnt';
    if (s.kind === 'layer-qkv' || s.kind === 'layer-mlp') {
      const { M = 1, d = 1, D = d, m = 4 * d, Mlp = 4 * D } = s;
      const qkv = s.kind === 'layer-qkv';
      const N = qkv ? d : m, ldw = qkv ? D : Mlp, nOut = qkv ? 3 : 1;
      const X = rt.upload(randn(M * D, 1)), A = rt.storage(M * D * 4), Wb = rt.upload(randn(nOut * D * ldw, 2));
      const Bb = rt.upload(randn(2 * nOut * ldw + 2 * D, 3)), I = rt.upload(Uint32Array.from({ length: M }, (_, i) => i));
      const Ys = Array.from({ length: nOut }, () => rt.storage(M * ldw * 4));
      bufs.push(X, A, Wb, Bb, I, ...Ys);
      flops = nOut * matmulFlops(M, N, d);
      const reps = Math.max(1, Math.min(200, Math.round(4e7 / flops)));
      const ln = (b: ReturnType<Runtime['batch']>) => layernorm(rt, b, { rows: M, d, x: X, ldx: D, gamma: Bb, gammaOffset: 2 * nOut * ldw, beta: Bb, betaOffset: 2 * nOut * ldw + D, y: A, ldy: D });
      const outs = Ys.map((y, z) => ({ wOffset: z * D * ldw, biasOffset: z * ldw, colSumOffset: (nOut + z) * ldw, y, scatter: qkv && z > 0 }));
      contenders['ln+separate'] = () => timeDispatches(rt, (b) => {
        ln(b);
        outs.forEach((o, z) => matmul(rt, b, { M, N, K: d, x: A, ldx: D, w: Wb, wOffset: o.wOffset, ldw, bias: Bb, biasOffset: o.biasOffset, y: Ys[z], ldy: ldw, gelu: !qkv, scatterY: o.scatter ? I : undefined }));
      }, reps);
      if (qkv) contenders['ln+fused'] = () => timeDispatches(rt, (b) => {
        ln(b);
        matmulFused(rt, b, { M, N, K: d, x: A, ldx: D, w: Wb, ldw, bias: Bb, ldy: ldw, outputs: outs.map((o) => ({ ...o, colSumOffset: undefined })), index: I });
      }, reps);
      contenders['fused-ln'] = () => timeDispatches(rt, (b) => matmulFused(rt, b, { M, N, K: d, x: X, ldx: D, w: Wb, ldw, bias: Bb, ldy: ldw, outputs: outs, index: I, layernorm: true, gelu: !qkv }), reps);
      contenders['fused-ln-synced'] = () => timeSynced(rt, (b) => matmulFused(rt, b, { M, N, K: d, x: X, ldx: D, w: Wb, ldw, bias: Bb, ldy: ldw, outputs: outs, index: I, layernorm: true, gelu: !qkv }), reps);
      mgntKey = 'fused-ln';
    } else if (s.kind === 'matmul') {
      const { M = 1, N = 1, K = 1 } = s;
      const Kf = s.Kfull ?? K, Nf = s.Nfull ?? N;
      const xh = randn(M * Kf, 1), wh = randn(Kf * Nf, 2);
      const X = rt.upload(xh), W = rt.upload(wh), Bb = rt.upload(randn(Nf, 3));
      const Y = rt.storage(M * Nf * 4), Yp = rt.storage(M * Nf * 4);
      bufs.push(X, W, Bb, Y, Yp);
      flops = matmulFlops(M, N, K);
      // Enough repetitions for ~20 ms of work at 2 GFLOP/s so submit overhead is amortised.
      const reps = Math.max(1, Math.min(200, Math.round(4e7 / flops)));
      for (const variant of ['vec4', 'vec4-cm', 'vec4-rl', 'subgroup', 'interleaved', 'blocked', 'naive'] as const) {
        if (variants && !variants.includes(variant)) continue;
        contenders[`mgnt-${variant}`] = () =>
          timeDispatches(rt, (b) => matmul(rt, b, { M, N, K, x: X, ldx: Kf, w: W, ldw: Nf, y: Y, ldy: Nf, bias: Bb, variant }), variant === 'naive' ? Math.max(1, Math.round(reps / 8)) : reps);
      }
      // The plain product Y = X·W, as the libraries compute it: our best kernel ('auto'), no bias.
      const plain = (b: ReturnType<Runtime['batch']>) => matmul(rt, b, { M, N, K, x: X, ldx: Kf, w: W, ldw: Nf, y: Yp, ldy: Nf, variant: 'auto' });
      contenders['mgnt-auto'] = () => timeDispatches(rt, plain, reps);
      contenders['mgnt-auto-synced'] = () => timeSynced(rt, plain, reps);
      await timeDispatches(rt, plain, 1);
      const yAll = await rt.readF32(Yp, M * Nf);
      // The libraries get the active block as dense arrays (X[:, :K], W[:K, :N]).
      const xs = new Float32Array(M * K), ws = new Float32Array(K * N), ref = new Float32Array(M * N);
      for (let m = 0; m < M; m++) xs.set(xh.subarray(m * Kf, m * Kf + K), m * K);
      for (let k = 0; k < K; k++) ws.set(wh.subarray(k * Nf, k * Nf + N), k * N);
      for (let m = 0; m < M; m++) ref.set(yAll.subarray(m * Nf, m * Nf + N), m * N);
      // Our own output against a float64 product on the CPU, so that "agrees with mgnt" means "right".
      const cpu = new Float32Array(M * N);
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += xs[m * K + k] * ws[k * N + n];
        cpu[m * N + n] = acc;
      }
      maxdiff['mgnt-vs-cpu-f64'] = maxAbsDiff(ref, cpu);
      mgntKey = 'mgnt-auto';
      if (withLibs) await addLibraries({
        'ort-webgpu': () => ortMatmul('webgpu', M, N, K, xs, ws),
        'tfjs-webgpu': () => tfMatmul(M, N, K, xs, ws),
        'ort-wasm': () => ortMatmul('wasm', M, N, K, xs, ws),
      }, ref, 1e-3 * Math.sqrt(K), reps, contenders, maxdiff, errors, libs);
    } else {
      const { batch = 1, nq = 1, nkv = 1, heads = 1, hd = 16, D = heads * hd } = s;
      const qh = randn(batch * nq * D, 1), kh = randn(batch * nkv * D, 2), vh = randn(batch * nkv * D, 3);
      const Q = rt.upload(qh), Kb = rt.upload(kh), Vb = rt.upload(vh);
      const O = rt.storage(batch * nq * D * 4);
      bufs.push(Q, Kb, Vb, O);
      flops = attentionFlops(batch, nq, nkv, heads, hd);
      const reps = Math.max(1, Math.min(200, Math.round(2e7 / flops)));
      const att = (b: ReturnType<Runtime['batch']>, variant: 'auto' | 'single' = 'auto') => attention(rt, b, { batch, nq, nkv, heads, headDim: hd, q: Q, ldq: D, k: Kb, ldk: D, v: Vb, ldv: D, o: O, ldo: D, scale: 1 / Math.sqrt(hd), variant });
      contenders['mgnt'] = () => timeDispatches(rt, att, reps);
      contenders['mgnt-synced'] = () => timeSynced(rt, att, reps);
      // Kernel 1 (one query row per invocation) beside the default's row pairs, where they differ.
      if (hd <= pairsMaxHead(rt) && nq > 1) contenders['mgnt-single-row'] = () => timeDispatches(rt, (b) => att(b, 'single'), reps);
      await timeDispatches(rt, att, 1);
      const ref = await rt.readF32(O, batch * nq * D);
      // The libraries get Q, K, V with the heads split out ([b, h, n, hd]; ORT takes Kᵀ per head):
      // the layout transposes are done here, outside the timing, in their favour.
      const qs = splitHeads(qh, batch, nq, heads, hd), ks = splitHeads(kh, batch, nkv, heads, hd), vs = splitHeads(vh, batch, nkv, heads, hd);
      const kt = splitHeadsT(kh, batch, nkv, heads, hd);
      const merged = (c: Promise<LibContender>) => c.then((l) => ({ ...l, output: async () => mergeHeads(await l.output(), batch, nq, heads, hd) }));
      if (withLibs) await addLibraries({
        'ort-webgpu': () => merged(ortAttention('webgpu', batch, heads, nq, nkv, hd, qs, kt, vs)),
        'tfjs-webgpu': () => merged(tfAttention(batch, heads, nq, nkv, hd, qs, ks, vs)),
        'ort-wasm': () => merged(ortAttention('wasm', batch, heads, nq, nkv, hd, qs, kt, vs)),
      }, ref, 1e-3, reps, contenders, maxdiff, errors, libs);
    }
    const timed = await interleave(contenders, rounds);
    const results: KernelBenchRow['results'] = {};
    for (const [k, t] of Object.entries(timed)) results[k] = { ...t, gflops: flops / (t.median * 1e6) };
    const g = (k: string) => results[k]?.gflops ?? null;
    rows.push({
      shape: s.label, kind: s.kind, flops, results,
      mgnt_gflops: results[mgntKey].gflops, mgnt_synced_gflops: results[`${mgntKey}-synced`].gflops, ort_webgpu_gflops: g('ort-webgpu'), tfjs_webgpu_gflops: g('tfjs-webgpu'), ort_wasm_gflops: g('ort-wasm'),
      maxdiff, ...(Object.keys(errors).length ? { errors } : {}),
    });
    for (const l of libs) await l.dispose();
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
