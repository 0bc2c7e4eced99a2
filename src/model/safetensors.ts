import { MgntError } from '../gpu/errors';

/** One tensor in a safetensors file: dtype, shape and its byte range in the data section. */
export interface TensorInfo {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** The data section (after the header). */
  data: ArrayBuffer;
  dataOffset: number;
}

/**
 * Parses the safetensors container: 8-byte little-endian header length, a JSON header, raw data.
 * Checks everything a corrupt or truncated file would break, naming the file in the error.
 */
export function parseSafetensors(buf: ArrayBuffer, file: string): SafetensorsFile {
  if (buf.byteLength < 8) throw new MgntError('format', `${file}: ${buf.byteLength} bytes is too short to be a safetensors file`);
  const view = new DataView(buf);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen <= 0 || 8 + headerLen > buf.byteLength) {
    const head = new TextDecoder().decode(new Uint8Array(buf, 0, Math.min(32, buf.byteLength)));
    const html = /<(!doctype|html)/i.test(head) ? ' (it looks like an HTML page: the server returned a web page instead of the file)' : '';
    throw new MgntError('format', `${file}: header length ${headerLen} does not fit in ${buf.byteLength} bytes; not a safetensors file${html}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, headerLen)));
  } catch (e) {
    throw new MgntError('format', `${file}: the safetensors header is not valid JSON`, { cause: e });
  }
  const dataOffset = 8 + headerLen;
  const dataLen = buf.byteLength - dataOffset;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const t = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) {
      throw new MgntError('format', `${file}: tensor ${name} has no shape/data_offsets`);
    }
    const [begin, end] = t.data_offsets;
    const elems = t.shape.reduce((a, b) => a * b, 1);
    const width = t.dtype === 'F32' || t.dtype === 'I32' || t.dtype === 'U32' ? 4 : t.dtype === 'F16' || t.dtype === 'BF16' ? 2 : 0;
    if (!width) throw new MgntError('format', `${file}: tensor ${name} has dtype ${t.dtype}; mgnt reads F32 tensors`);
    if (!(begin >= 0 && end <= dataLen && end - begin === elems * width)) {
      throw new MgntError('format', `${file}: tensor ${name} (${t.shape.join('×')} ${t.dtype}) has data offsets [${begin}, ${end}) outside the ${dataLen}-byte data section (truncated file?)`);
    }
    tensors.set(name, { dtype: t.dtype, shape: t.shape, begin, end });
  }
  return { tensors, metadata, data: buf, dataOffset };
}

/** The tensor's values as a Float32Array (copied when unaligned). */
export function tensorF32(f: SafetensorsFile, name: string): Float32Array {
  const t = f.tensors.get(name);
  if (!t) throw new MgntError('format', `tensor ${name} is missing from the checkpoint`);
  if (t.dtype !== 'F32') throw new MgntError('format', `tensor ${name} is ${t.dtype}, expected F32`);
  const off = f.dataOffset + t.begin;
  const n = (t.end - t.begin) / 4;
  return off % 4 === 0 ? new Float32Array(f.data, off, n) : new Float32Array(f.data.slice(off, off + n * 4));
}

/** Writes a safetensors file (F32 tensors), for tests and synthetic checkpoints. */
export function writeSafetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): ArrayBuffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new ArrayBuffer(8 + hb.length + off);
  const v = new DataView(out);
  v.setUint32(0, hb.length, true);
  v.setUint32(4, 0, true);
  new Uint8Array(out, 8, hb.length).set(hb);
  let p = 8 + hb.length;
  for (const t of Object.values(tensors)) {
    new Uint8Array(out, p, t.data.byteLength).set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    p += t.data.byteLength;
  }
  return out;
}
