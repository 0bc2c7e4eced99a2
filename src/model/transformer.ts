// The nested transformer of docs/SPEC.md §2 on the GPU. One set of weights; a forward pass at
// width r reads the first r·D channels, r·H heads and r·M MLP units of every tensor in place.
// A pass computes a chosen set of sequence positions ("rows") for every sequence of the batch,
// writes their K/V into the per-layer cache and attends to all cached positions, so the same
// code runs full passes (all seq_len positions: 65 for an 8×8 image, 1 + L·h·w for a clip) and
// incremental KV-cached passes.
import { MgntError } from '../gpu/errors';
import { attention, attentionFlops } from '../gpu/kernels/attention';
import { embed } from '../gpu/kernels/embed';
import { layernorm } from '../gpu/kernels/layernorm';
import { matmul, matmulFlops } from '../gpu/kernels/matmul';
import { matmulFused } from '../gpu/kernels/matmul_fused';
import type { Batch, Runtime } from '../gpu/runtime';
import type { TransformerConfig } from './manifest';
import { foldLayerNorm } from './fold';
import { transformerTensors } from './tensors';
import { WeightStore, type TensorSource } from './weights';

/** Active sizes of a width. */
export function widthDims(c: TransformerConfig, width: number): { d: number; h: number; m: number; hd: number } {
  const hd = c.dim / c.heads;
  const h = Math.round(width * c.heads), m = Math.round(width * c.mlp);
  if (!c.widths.some((w) => Math.abs(w - width) < 1e-9) || h < 1) {
    throw new MgntError('bad-attribute', `width ${width} is not one of this model's widths (${c.widths.join(', ')})`);
  }
  return { d: h * hd, h, m, hd };
}

/** What one sequence of a pass computes (batched generation: each image its own). */
export interface SequenceInput {
  /** The seq_len − 1 image/clip tokens (mask token where masked). */
  tokens: ArrayLike<number>;
  /** Sequence positions to compute (0 = class token, 1 + i = image token i), ascending. */
  positions: number[];
  /** Image token indices whose logits are wanted (a subset of the computed ones). */
  logitTokens: number[];
}

/** One pass: which positions are computed, which need logits, at which width. */
export interface PassInput extends SequenceInput {
  width: number;
  /** Class row per sequence of the batch (cfg: [class, null_class]). */
  classes: number[];
  /**
   * Per-sequence tokens/positions/logits (one per class), replacing the shared ones above. Every
   * sequence must compute as many positions and want as many logits as the others: the kernels
   * run one rectangular [batch, n] block.
   */
  seqs?: SequenceInput[];
}

export interface PassResult {
  /** Logits [batch·P, V]: rows of sequence 0 first, then sequence 1. */
  logits: GPUBuffer;
  rows: number;
  flops: number;
  dispatches: number;
}

/**
 * How a layer is launched (dispatches per layer): 'none' every operation on its own (9); 'qkv'
 * Q, K and V in one launch, K/V scattered into the cache (7); 'qkv-ln2' (default) also LN2 folded
 * into the MLP up-projection (6) where that product is small (LN2_FOLD_MAX_MACS); 'all' also LN1
 * folded into the Q/K/V launch, and LN2 always (5). The kernel
 * bench (layer shapes, e2e/bench/kernels.bench.ts) measured on SwiftShader: the fused Q/K/V launch
 * and the LN2 fold pay; folding LN1 costs more (its row statistics computed once per Q/K/V product
 * and column block) than its own launch. The same folded weights serve all levels (a LayerNorm
 * launched on its own then runs without affine), so they differ only in rounding;
 * e2e/bench/step.bench.ts times them side by side.
 */
export type Fusion = 'none' | 'qkv' | 'qkv-ln2' | 'all';

/**
 * 'qkv-ln2' folds LN2 into MLP-up only below this many multiply-adds (rows × MLP width × width):
 * the folded kernel recomputes a row's statistics in every 8-column block, which costs more than
 * the LayerNorm launch it saves once the product is large. Kernel bench, layer mlp-up
 * (docs/BENCHMARKS.md): full width 130×768×192 (19M) 12% slower folded, width ¼ and ⅛ and cached
 * passes (≤ 1.2M) 8–34% faster; the step bench agrees for full-width full passes.
 */
export const LN2_FOLD_MAX_MACS = 1e7;

/** Names of the folded tensors (LayerNorm gamma/beta folded into the next matmul, fold.ts). */
const FOLDED = [
  { ln: 'ln1', w: 'attn.wq', b: 'attn.bq' },
  { ln: 'ln1', w: 'attn.wk', b: 'attn.bk' },
  { ln: 'ln1', w: 'attn.wv', b: 'attn.bv' },
  { ln: 'ln2', w: 'mlp.w1', b: 'mlp.b1' },
] as const;
const folded = (w: string) => ({ w: `${w}~ln`, b: `${w}~bias`, c: `${w}~colsum` });

export class NestedTransformer {
  fusion: Fusion = 'qkv-ln2';
  readonly cfg: TransformerConfig;
  private act!: Record<'x' | 'a' | 'q' | 'o' | 'h' | 'f' | 'logits', GPUBuffer>;
  private idx!: Record<'ids' | 'pos' | 'cacheRows' | 'logitRows', GPUBuffer>;
  private kCache: GPUBuffer[] = [];
  private vCache: GPUBuffer[] = [];
  private batchCap = 0;
  /** The batch the buffers are sized for between batched runs (cfg: conditional + null class). */
  readonly baseBatch: number;

  constructor(private rt: Runtime, cfg: TransformerConfig, readonly weights: WeightStore, maxBatch = 2) {
    this.cfg = cfg;
    this.baseBatch = maxBatch;
    this.allocate(maxBatch);
  }

  /** Sequences the activation and K/V buffers hold now. */
  get maxBatch(): number {
    return this.batchCap;
  }

  private allocate(maxBatch: number): void {
    const rt = this.rt, cfg = this.cfg;
    const R = maxBatch * cfg.seq_len, D = cfg.dim;
    this.act = {
      x: rt.storage(R * D * 4, 'x'),
      a: rt.storage(R * D * 4, 'a'),
      q: rt.storage(R * D * 4, 'q'),
      o: rt.storage(R * D * 4, 'o'),
      h: rt.storage(R * cfg.mlp * 4, 'h'),
      f: rt.storage(R * D * 4, 'f'),
      logits: rt.storage(R * cfg.codebook_size * 4, 'logits'),
    };
    this.idx = {
      ids: rt.storage(R * 4, 'ids'),
      pos: rt.storage(R * 4, 'pos'),
      cacheRows: rt.storage(R * 4, 'cacheRows'),
      logitRows: rt.storage(R * 4, 'logitRows'),
    };
    for (let l = 0; l < cfg.layers; l++) {
      this.kCache.push(rt.storage(R * D * 4, `k${l}`));
      this.vCache.push(rt.storage(R * D * 4, `v${l}`));
    }
    this.batchCap = maxBatch;
  }

  private free(): void {
    this.rt.release(...Object.values(this.act), ...Object.values(this.idx), ...this.kCache, ...this.vCache);
    this.kCache = [];
    this.vCache = [];
  }

  /**
   * Sizes the buffers for `sequences` sequences (a batched generation's largest group; the
   * caller checked it against model/limits.ts batchLimit). Cached K/V rows are lost: call it
   * between generations only. resize(baseBatch) gives the memory back afterwards.
   */
  resize(sequences: number): void {
    if (!(Number.isInteger(sequences) && sequences >= 1)) throw new MgntError('shape', `transformer: cannot size buffers for ${sequences} sequences`);
    if (sequences === this.batchCap) return;
    this.free();
    this.allocate(sequences);
  }

  /** Uploads weights from named tensors (checkpoint or synthetic), checking every shape. */
  static upload(rt: Runtime, cfg: TransformerConfig, get: (name: string, shape: number[]) => Float32Array): WeightStore {
    const store = new WeightStore(rt);
    const groups = new Map<string, TensorSource[]>();
    const data = new Map<string, Float32Array>();
    for (const t of transformerTensors(cfg)) {
      const list = groups.get(t.group) ?? [];
      const d = get(t.name, t.shape);
      data.set(t.name, d);
      list.push({ name: t.name, shape: t.shape, data: d });
      groups.set(t.group, list);
    }
    // LN1/LN2 folded into the Q/K/V and MLP-up weights, with a folded bias and column sums per
    // width; they replace the raw tensors, which no launch reads.
    const ks = cfg.widths.map((w) => widthDims(cfg, w).d);
    for (let l = 0; l < cfg.layers; l++) {
      const pre = `blocks.${l}.`;
      const raw = new Set(FOLDED.flatMap((f) => [pre + f.w, pre + f.b]));
      const list = groups.get(`block${l}`)!.filter((t) => !raw.has(t.name));
      for (const f of FOLDED) {
        const w = data.get(pre + f.w)!, n = f.w === 'mlp.w1' ? cfg.mlp : cfg.dim;
        const r = foldLayerNorm(data.get(`${pre}${f.ln}.weight`)!, data.get(`${pre}${f.ln}.bias`)!, w, data.get(pre + f.b)!, n, ks);
        const names = folded(pre + f.w);
        list.push(
          { name: names.w, shape: [cfg.dim, n], data: r.w },
          { name: names.b, shape: [ks.length, n], data: r.bias },
          { name: names.c, shape: [ks.length, n], data: r.colSum },
        );
      }
      groups.set(`block${l}`, list);
    }
    // A LayerNorm without affine, for the unfused launches of the folded weights.
    groups.get('embed')!.push(
      { name: 'ln_unit.weight', shape: [cfg.dim], data: new Float32Array(cfg.dim).fill(1) },
      { name: 'ln_unit.bias', shape: [cfg.dim], data: new Float32Array(cfg.dim) },
    );
    for (const [g, list] of groups) store.uploadGroup(g, list);
    return store;
  }

  /**
   * Records one pass into `batch`. Per-pass index data is written with queue.writeBuffer, which
   * the queue orders before the batch's submit.
   */
  encode(batch: Batch, p: PassInput): PassResult {
    const c = this.cfg, rt = this.rt, D = c.dim, S = c.seq_len, V = c.codebook_size;
    const B = p.classes.length;
    if (B < 1 || B > this.maxBatch) throw new MgntError('shape', `transformer: batch ${B} outside 1..${this.maxBatch}`);
    const n = (p.seqs?.[0] ?? p).positions.length;
    if (n < 1) throw new MgntError('shape', 'transformer: a pass must compute at least one position');
    const { d, h, m, hd } = widthDims(c, p.width);
    const R = B * n;

    const seqs = p.seqs ?? [];
    if (p.seqs && p.seqs.length !== B) throw new MgntError('shape', `transformer: ${p.seqs.length} sequence inputs for ${B} classes`);
    const seqOf = (b: number): SequenceInput => seqs[b] ?? p;
    const P = seqOf(0).logitTokens.length;
    const ids = new Uint32Array(R), pos = new Uint32Array(R), cacheRows = new Uint32Array(R);
    const logitRows = new Uint32Array(Math.max(1, B * P));
    for (let b = 0; b < B; b++) {
      const sq = seqOf(b);
      if (sq.positions.length !== n || sq.logitTokens.length !== P) {
        throw new MgntError('shape', `transformer: sequence ${b} computes ${sq.positions.length} positions with ${sq.logitTokens.length} logits, sequence 0 ${n} with ${P}; a batch is rectangular`);
      }
      const rowOf = new Map<number, number>();
      for (let j = 0; j < n; j++) {
        const sp = sq.positions[j];
        const r = b * n + j;
        rowOf.set(sp, j);
        ids[r] = sp === 0 ? V + 1 + p.classes[b] : sq.tokens[sp - 1];
        pos[r] = sp;
        cacheRows[r] = b * S + sp;
      }
      sq.logitTokens.forEach((i, k) => {
        const j = rowOf.get(i + 1);
        if (j === undefined) throw new MgntError('shape', `transformer: logits wanted for token ${i}, which this pass does not compute`);
        logitRows[b * P + k] = b * n + j;
      });
    }
    const q = rt.device.queue;
    q.writeBuffer(this.idx.ids, 0, ids);
    q.writeBuffer(this.idx.pos, 0, pos);
    q.writeBuffer(this.idx.cacheRows, 0, cacheRows);
    q.writeBuffer(this.idx.logitRows, 0, logitRows);

    const W = (name: string) => this.weights.get(name);
    const before = batch.dispatchCount;
    let flops = 0;
    const tok = W('tok_emb'), cls = W('cls_emb'), pe = W('pos_emb');
    embed(rt, batch, {
      rows: R, d, ids: this.idx.ids, positions: this.idx.pos,
      tokTable: tok.buffer, tokOffset: tok.offset, tokRows: V + 1,
      clsTable: cls.buffer, clsOffset: cls.offset, clsRows: c.num_classes + 1,
      posTable: pe.buffer, posOffset: pe.offset, posRows: S,
      ld: D, y: this.act.x, ldy: D,
    });
    const { x, a, q: qb, o, h: hb } = this.act;
    const wi = c.widths.findIndex((w) => Math.abs(w - p.width) < 1e-9);
    const unit = { g: W('ln_unit.weight'), b: W('ln_unit.bias') };
    const kvRows = B * S;
    for (let l = 0; l < c.layers; l++) {
      const pre = `blocks.${l}.`;
      // Plain LayerNorm without affine (gamma and beta are folded into the next weights).
      const ln = () => {
        layernorm(rt, batch, { rows: R, d, x, ldx: D, gamma: unit.g.buffer, gammaOffset: unit.g.offset, beta: unit.b.buffer, betaOffset: unit.b.offset, y: a, ldy: D });
      };
      const mm = (w: string, bias: string, args: Partial<Parameters<typeof matmul>[2]> & { x: GPUBuffer; y: GPUBuffer; N: number; K: number; ldx: number; ldy: number; ldw: number }, biasRow = 0) => {
        const wr = W(pre + w), br = W(pre + bias);
        matmul(rt, batch, { M: R, w: wr.buffer, wOffset: wr.offset, bias: br.buffer, biasOffset: br.offset + biasRow, ...args });
        flops += matmulFlops(R, args.N, args.K);
      };
      // A fused launch of folded weights: Q/K/V (3 outputs) or MLP-up (1), LN folded when `norm`.
      const fused = (ws: readonly string[], ys: Array<{ y: GPUBuffer; scatter?: boolean }>, N: number, ldw: number, norm: boolean, gelu = false) => {
        const refs = ws.map((w) => folded(pre + w));
        const w0 = W(refs[0].w);
        matmulFused(rt, batch, {
          M: R, N, K: d, x: norm ? x : a, ldx: D, w: w0.buffer, ldw, bias: w0.buffer, ldy: ldw, layernorm: norm, gelu,
          index: this.idx.cacheRows,
          outputs: refs.map((r, z) => ({
            wOffset: W(r.w).offset, biasOffset: W(r.b).offset + wi * ldw, colSumOffset: W(r.c).offset + wi * ldw,
            y: ys[z].y, scatter: ys[z].scatter, rowsY: ys[z].scatter ? kvRows : R,
          })),
        });
        flops += ws.length * matmulFlops(R, N, d);
      };
      const kv = { k: { y: this.kCache[l], scatter: true }, v: { y: this.vCache[l], scatter: true } };
      if (this.fusion === 'none') {
        ln();
        const f = (w: string) => [folded(w).w, folded(w).b] as const;
        mm(...f('attn.wq'), { x: a, ldx: D, ldw: D, y: qb, ldy: D, N: d, K: d }, wi * D);
        mm(...f('attn.wk'), { x: a, ldx: D, ldw: D, y: this.kCache[l], ldy: D, N: d, K: d, scatterY: this.idx.cacheRows, rowsY: kvRows }, wi * D);
        mm(...f('attn.wv'), { x: a, ldx: D, ldw: D, y: this.vCache[l], ldy: D, N: d, K: d, scatterY: this.idx.cacheRows, rowsY: kvRows }, wi * D);
      } else {
        if (this.fusion !== 'all') ln();
        fused(['attn.wq', 'attn.wk', 'attn.wv'], [{ y: qb }, kv.k, kv.v], d, D, this.fusion === 'all');
      }
      attention(rt, batch, {
        batch: B, nq: n, nkv: S, heads: h, headDim: hd,
        q: qb, ldq: D, k: this.kCache[l], ldk: D, v: this.vCache[l], ldv: D, o, ldo: D,
        scale: 1 / Math.sqrt(hd),
      });
      flops += attentionFlops(B, n, S, h, hd);
      mm('attn.wo', 'attn.bo', { x: o, ldx: D, ldw: D, y: x, ldy: D, N: d, K: d, accumulate: true });
      if (this.fusion === 'all' || (this.fusion === 'qkv-ln2' && R * m * d < LN2_FOLD_MAX_MACS)) {
        fused(['mlp.w1'], [{ y: hb }], m, c.mlp, true, true);
      } else {
        ln();
        mm(folded('mlp.w1').w, folded('mlp.w1').b, { x: a, ldx: D, ldw: c.mlp, y: hb, ldy: c.mlp, N: m, K: d, gelu: true }, wi * c.mlp);
      }
      mm('mlp.w2', 'mlp.b2', { x: hb, ldx: c.mlp, ldw: D, y: x, ldy: D, N: d, K: m, accumulate: true });
    }
    if (P > 0) {
      const g = W('ln_f.weight'), bt = W('ln_f.bias'), hbias = W('head_bias');
      layernorm(rt, batch, {
        rows: B * P, d, x, ldx: D, gamma: g.buffer, gammaOffset: g.offset, beta: bt.buffer, betaOffset: bt.offset,
        y: this.act.f, ldy: D, gatherX: this.idx.logitRows, rowsX: R,
      });
      matmul(rt, batch, {
        M: B * P, N: V, K: d, x: this.act.f, ldx: D, w: tok.buffer, wOffset: tok.offset, ldw: D, transposeW: true,
        bias: hbias.buffer, biasOffset: hbias.offset, y: this.act.logits, ldy: V,
      });
      flops += matmulFlops(B * P, V, d);
    }
    return { logits: this.act.logits, rows: B * P, flops, dispatches: batch.dispatchCount - before };
  }

  get logits(): GPUBuffer {
    return this.act.logits;
  }

  /** Per-layer K and V cache buffers, rows b·seq_len + position: the first-step cache saves and restores rows. */
  get kvCache(): { k: readonly GPUBuffer[]; v: readonly GPUBuffer[] } {
    return { k: this.kCache, v: this.vCache };
  }

  destroy(): void {
    this.free();
  }
}
