/** CPU reference of shaders/embed.wgsl (an out-of-range id or position gives a NaN row, as on the GPU). */
export interface EmbedRefArgs {
  rows: number;
  d: number;
  ids: Uint32Array;
  positions: Uint32Array;
  tokTable: Float32Array;
  tokOffset?: number;
  tokRows: number;
  clsTable: Float32Array;
  clsOffset?: number;
  clsRows: number;
  posTable: Float32Array;
  posOffset?: number;
  posRows: number;
  ld: number;
  y: Float32Array; // written in place (rows × d)
  ldy: number;
  yOffset?: number;
}

export function embedRef(a: EmbedRefArgs): void {
  const yo = a.yOffset ?? 0;
  for (let r = 0; r < a.rows; r++) {
    const id = a.ids[r], pos = a.positions[r];
    const bad = pos >= a.posRows || id >= a.tokRows + a.clsRows;
    const isTok = id < a.tokRows;
    const tb = isTok ? (a.tokOffset ?? 0) + id * a.ld : (a.clsOffset ?? 0) + (id - a.tokRows) * a.ld;
    const table = isTok ? a.tokTable : a.clsTable;
    const pb = (a.posOffset ?? 0) + pos * a.ld;
    for (let c = 0; c < a.d; c++) {
      a.y[yo + r * a.ldy + c] = bad ? NaN : Math.fround(table[tb + c] + a.posTable[pb + c]);
    }
  }
}
