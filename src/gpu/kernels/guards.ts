import { guard } from '../errors';

/** Positive integer size. */
export function dim(kernel: string, name: string, v: number): void {
  guard(Number.isInteger(v) && v > 0, kernel, () => `${name} must be a positive integer, got ${v}`);
}

/** The highest element index a launch will touch must lie inside the buffer. */
export function fits(kernel: string, name: string, buf: GPUBuffer, endElems: number, bytesPerElem = 4): void {
  guard(endElems * bytesPerElem <= buf.size, kernel, () => `${name} needs ${endElems} elements (${endElems * bytesPerElem} B) but its buffer holds ${buf.size} B`);
}

/** WebGPU forbids one buffer as both a read-only and a writable binding of one dispatch. */
export function distinct(kernel: string, out: GPUBuffer, inputs: Record<string, GPUBuffer | undefined>): void {
  for (const [name, b] of Object.entries(inputs)) {
    guard(b !== out, kernel, () => `${name} and the output are the same buffer; write into another buffer (or use accumulate)`);
  }
}
