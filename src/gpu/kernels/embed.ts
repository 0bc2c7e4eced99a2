import embedWgsl from '../../../shaders/embed.wgsl?raw';
import { guard } from '../errors';
import { Params, type KernelDef } from '../kernel';
import type { Batch, Runtime } from '../runtime';
import { grid1d } from './grid';
import { dim, distinct, fits } from './guards';

export const EMBED: KernelDef = {
  name: 'embed',
  code: embedWgsl,
  bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'rw'],
};

export interface EmbedArgs {
  /** Output rows; active channels (the first d of each table row). */
  rows: number;
  d: number;
  /** u32 ids and u32 positions, one per row (may be one buffer at two offsets). Out of range → NaN row. */
  ids: GPUBuffer;
  idsOffset?: number;
  positions: GPUBuffer;
  positionsOffset?: number;
  /** tok_emb [V+1, D]: ids < tokRows select a token row. */
  tokTable: GPUBuffer;
  tokOffset?: number;
  tokRows: number;
  /** cls_emb [C+1, D]: ids ≥ tokRows select class row id − tokRows. */
  clsTable: GPUBuffer;
  clsOffset?: number;
  clsRows: number;
  /** pos_emb [seq_len, D]. */
  posTable: GPUBuffer;
  posOffset?: number;
  posRows: number;
  /** Row stride of all three tables (D); they may be views of one weight buffer. */
  ld: number;
  y: GPUBuffer;
  ldy: number;
  yOffset?: number;
}

export function embed(rt: Runtime, batch: Batch, a: EmbedArgs): void {
  const k = 'embed';
  dim(k, 'rows', a.rows);
  dim(k, 'd', a.d);
  guard(a.d <= a.ldy, k, () => `d=${a.d} exceeds the row stride of Y (ldy=${a.ldy})`);
  guard(a.d <= a.ld, k, () => `d=${a.d} exceeds the row stride of the tables (ld=${a.ld})`);
  const tables = [
    ['token table', a.tokTable, a.tokOffset ?? 0, a.tokRows],
    ['class table', a.clsTable, a.clsOffset ?? 0, a.clsRows],
    ['position table', a.posTable, a.posOffset ?? 0, a.posRows],
  ] as const;
  for (const [name, buf, off, rows] of tables) {
    dim(k, `${name} rows`, rows);
    fits(k, name, buf, off + (rows - 1) * a.ld + a.d);
  }
  const io = a.idsOffset ?? 0, po = a.positionsOffset ?? 0, yo = a.yOffset ?? 0;
  fits(k, 'ids', a.ids, io + a.rows);
  fits(k, 'positions', a.positions, po + a.rows);
  fits(k, 'Y', a.y, yo + (a.rows - 1) * a.ldy + a.d);
  distinct(k, a.y, { 'token table': a.tokTable, 'class table': a.clsTable, 'position table': a.posTable, ids: a.ids, positions: a.positions });

  const params = new Params()
    .u(a.rows).u(a.d).u(a.ldy).u(yo)
    .u(a.tokRows).u(a.ld).u(a.tokOffset ?? 0).u(a.clsRows)
    .u(a.ld).u(a.clsOffset ?? 0).u(a.posRows).u(a.ld)
    .u(a.posOffset ?? 0).u(io).u(po).u(0x7fc00000)
    .pack();
  const [x, y] = grid1d(a.rows * a.d, 64, rt.gpu.limits.maxComputeWorkgroupsPerDimension);
  batch.dispatch(EMBED, params, [a.tokTable, a.clsTable, a.posTable, a.ids, a.positions, a.y], [x, y]);
}
