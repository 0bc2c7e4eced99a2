// A hand-written ONNX ModelProto encoder (protobuf wire format), just enough for the kernel
// benchmark's one-op graphs: no onnx package needed. Field numbers from onnx/onnx.proto.

type Field = Uint8Array;

function varint(v: number): number[] {
  const out: number[] = [];
  // Non-negative integers up to 2^53 (dims, enums, lengths).
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const key = (field: number, wire: number) => varint(field * 8 + wire);

function cat(parts: Array<Field | number[]>): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const int = (field: number, v: number): Field => cat([key(field, 0), varint(v)]);
const bytes = (field: number, b: Uint8Array): Field => cat([key(field, 2), varint(b.length), b]);
const str = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, parts: Field[]): Field => bytes(field, cat(parts));
function f32(field: number, v: number): Field {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return cat([key(field, 5), b]);
}

const FLOAT = 1; // TensorProto.DataType.FLOAT

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Attributes: an integer, a float (written as `{ f: x }`) or a list of integers. */
  attrs?: Record<string, number | { f: number } | number[]>;
}

export interface OnnxValue {
  name: string;
  dims: number[];
}

function attribute(name: string, v: number | { f: number } | number[]): Field {
  // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7).
  if (Array.isArray(v)) return msg(5, [str(1, name), ...v.map((x) => int(8, x)), int(20, 7)]);
  if (typeof v === 'number') return msg(5, [str(1, name), int(3, v), int(20, 2)]);
  return msg(5, [str(1, name), f32(2, v.f), int(20, 1)]);
}

function valueInfo(field: number, v: OnnxValue): Field {
  // ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 } } } } }
  const shape = v.dims.map((d) => msg(1, [int(1, d)]));
  return msg(field, [str(1, v.name), msg(2, [msg(1, [int(1, FLOAT), msg(2, shape)])])]);
}

function initializer(name: string, dims: number[], data: Float32Array): Field {
  // TensorProto { dims 1, data_type 2, name 8, raw_data 9 } (raw data little-endian, as on every host we run).
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return msg(5, [...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, raw)]);
}

/** A float32 ModelProto (IR 8, default opset 17) for one graph of the given nodes. */
export function onnxModel(g: {
  nodes: OnnxNode[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers?: Array<OnnxValue & { data: Float32Array }>;
}): Uint8Array {
  const nodes = g.nodes.map((n, i) =>
    // NodeProto { input 1, output 2, name 3, op_type 4, attribute 5 }
    msg(1, [...n.inputs.map((s) => str(1, s)), ...n.outputs.map((s) => str(2, s)), str(3, `n${i}`), str(4, n.op),
      ...Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v))]),
  );
  // GraphProto { node 1, name 2, initializer 5, input 11, output 12 }
  const graph = [...nodes, str(2, 'bench'), ...(g.initializers ?? []).map((t) => initializer(t.name, t.dims, t.data)),
    ...g.inputs.map((v) => valueInfo(11, v)), ...g.outputs.map((v) => valueInfo(12, v))];
  // ModelProto { ir_version 1, producer_name 2, graph 7, opset_import 8: { domain 1, version 2 } }
  return cat([int(1, 8), str(2, 'mgnt-bench'), msg(7, graph), msg(8, [str(1, ''), int(2, 17)])]);
}

/** Y[M,N] = X[M,K] · W[K,N], W baked in as an initializer (as a linear layer's weight would be). */
export function matmulModel(M: number, N: number, K: number, w: Float32Array): Uint8Array {
  return onnxModel({
    nodes: [{ op: 'MatMul', inputs: ['X', 'W'], outputs: ['Y'] }],
    inputs: [{ name: 'X', dims: [M, K] }],
    outputs: [{ name: 'Y', dims: [M, N] }],
    initializers: [{ name: 'W', dims: [K, N], data: w }],
  });
}

/** O = softmax(Q·Kᵀ·scale)·V per (batch, head); Q [b,h,nq,hd], Kt [b,h,hd,nkv], V [b,h,nkv,hd]. */
export function attentionModel(b: number, h: number, nq: number, nkv: number, hd: number, scale: number): Uint8Array {
  return onnxModel({
    nodes: [
      { op: 'MatMul', inputs: ['Q', 'Kt'], outputs: ['S'] },
      { op: 'Mul', inputs: ['S', 'scale'], outputs: ['Ss'] },
      { op: 'Softmax', inputs: ['Ss'], outputs: ['P'], attrs: { axis: 3 } }, // the last axis (non-negative: the varint writer takes no negatives)
      { op: 'MatMul', inputs: ['P', 'V'], outputs: ['O'] },
    ],
    inputs: [
      { name: 'Q', dims: [b, h, nq, hd] },
      { name: 'Kt', dims: [b, h, hd, nkv] },
      { name: 'V', dims: [b, h, nkv, hd] },
    ],
    outputs: [{ name: 'O', dims: [b, h, nq, hd] }],
    initializers: [{ name: 'scale', dims: [], data: new Float32Array([scale]) }],
  });
}
