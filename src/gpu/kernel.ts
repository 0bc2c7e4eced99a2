/**
 * A kernel: one static WGSL file, its entry point and its binding list. Binding 0 is always the
 * uniform parameter block; the others are storage buffers in the order the launcher passes them.
 */
export type BindingKind = 'uniform' | 'read' | 'rw';

export interface KernelDef {
  name: string;
  code: string;
  entry?: string;
  bindings: BindingKind[];
}

/** Little builder for a kernel's uniform block (u32 and f32 words, in struct order). */
export class Params {
  private words: number[] = [];
  private kinds: Array<'u' | 'f' | 'i'> = [];
  u(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 parameter out of range: ${v}`);
    this.words.push(v);
    this.kinds.push('u');
    return this;
  }
  i(v: number): this {
    this.words.push(v | 0);
    this.kinds.push('i');
    return this;
  }
  f(v: number): this {
    this.words.push(v);
    this.kinds.push('f');
    return this;
  }
  /** Packed, padded to 16 bytes as WGSL uniform structs are. */
  pack(): Uint32Array {
    const n = Math.max(4, Math.ceil(this.words.length / 4) * 4);
    const u = new Uint32Array(n);
    const f = new Float32Array(u.buffer);
    const s = new Int32Array(u.buffer);
    this.words.forEach((w, k) => {
      if (this.kinds[k] === 'f') f[k] = w;
      else if (this.kinds[k] === 'i') s[k] = w;
      else u[k] = w;
    });
    return u;
  }
}
