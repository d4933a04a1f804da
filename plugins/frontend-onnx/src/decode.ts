import { UserError } from '@lightcode/cost-model';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element types by their TensorProto.DataType number. */
const ELEM_TYPES: Readonly<Record<number, string>> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** Tensors up to this many elements have their contents read (shape arithmetic needs them); larger ones never. */
export const SMALL_TENSOR = 4096;

/** A tensor stored in the file (an initializer or a Constant's value): its shape, and its contents when small. */
export interface OnnxTensor {
  readonly name: string;
  readonly elemType: string;
  readonly dims: readonly number[];
  /** Contents of small numeric tensors; never of weights, never from external data. */
  readonly data?: readonly number[];
}

/** A graph input, output or value_info entry: dims are numbers, symbolic names, or unknown. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: string;
  readonly dims: readonly (number | string | undefined)[] | undefined;
}

export type OnnxAttr = number | string | readonly number[] | readonly string[] | OnnxTensor | undefined;

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, OnnxAttr>;
}

export interface OnnxModel {
  readonly opset: number;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxTensor[];
}

/** A protobuf int64 (a Long when long.js is present) as a number. */
export function int(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

function elemType(t: number | null | undefined): string {
  return ELEM_TYPES[t ?? 0] ?? `type${t}`;
}

function rawValues(raw: Uint8Array, type: string, n: number): number[] | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Record<string, [number, (o: number) => number]> = {
    float: [4, (o) => view.getFloat32(o, true)],
    double: [8, (o) => view.getFloat64(o, true)],
    int64: [8, (o) => Number(view.getBigInt64(o, true))],
    uint64: [8, (o) => Number(view.getBigUint64(o, true))],
    int32: [4, (o) => view.getInt32(o, true)],
    uint32: [4, (o) => view.getUint32(o, true)],
    int16: [2, (o) => view.getInt16(o, true)],
    uint16: [2, (o) => view.getUint16(o, true)],
    int8: [1, (o) => view.getInt8(o)],
    uint8: [1, (o) => view.getUint8(o)],
    bool: [1, (o) => view.getUint8(o)],
  };
  const r = read[type];
  if (!r || raw.byteLength < r[0] * n) return undefined;
  return Array.from({ length: n }, (_, i) => r[1](i * r[0]));
}

function tensorOf(t: InstanceType<typeof onnx.TensorProto> | onnxProto.onnx.ITensorProto, name?: string): OnnxTensor {
  const dims = (t.dims ?? []).map(int);
  const type = elemType(t.dataType);
  const n = dims.reduce((a, b) => a * b, 1);
  let data: number[] | undefined;
  const external = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
  if (!external && n <= SMALL_TENSOR) {
    if (t.rawData && t.rawData.length > 0) data = rawValues(t.rawData, type, n);
    else if (t.int64Data && t.int64Data.length > 0) data = t.int64Data.map(int);
    else if (t.int32Data && t.int32Data.length > 0) data = [...t.int32Data];
    else if (t.floatData && t.floatData.length > 0) data = [...t.floatData];
    else if (t.doubleData && t.doubleData.length > 0) data = [...t.doubleData];
    else if (t.uint64Data && t.uint64Data.length > 0) data = t.uint64Data.map(int);
    if (data && data.length !== n) data = undefined;
  }
  return { name: name ?? t.name ?? '', elemType: type, dims, ...(data ? { data } : {}) };
}

function valueInfo(v: onnxProto.onnx.IValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const shape = tt?.shape;
  return {
    name: v.name ?? '',
    elemType: elemType(tt?.elemType),
    dims: shape
      ? (shape.dim ?? []).map((d) => (d.dimValue != null && int(d.dimValue) > 0 ? int(d.dimValue) : d.dimParam ? d.dimParam : undefined))
      : undefined,
  };
}

function attrValue(a: onnxProto.onnx.IAttributeProto): OnnxAttr {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return int(a.i);
    case T.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.TENSOR:
      return a.t ? tensorOf(a.t) : undefined;
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.INTS:
      return (a.ints ?? []).map(int);
    case T.STRINGS:
      return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default:
      return undefined;
  }
}

/**
 * Decodes an ONNX file's bytes. Initializer contents are never converted (only
 * small tensors' values are read, for shape arithmetic), and tensors stored as
 * external data are never opened. A file that is not an ONNX model, or is
 * truncated, is a user error naming the file.
 */
export function decodeModel(bytes: Uint8Array, src: string): OnnxModel {
  let m: InstanceType<typeof onnx.ModelProto>;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = ((e as Error).message ?? String(e)).split('\n')[0];
    throw new UserError(`${src} is not a readable ONNX model (${why}); is the file complete?`);
  }
  const g = m.graph;
  if (!g || (g.node ?? []).length === 0) {
    throw new UserError(
      `${src} is not an ONNX model with a graph (no nodes found); export the model with torch.onnx.export or a converter`,
    );
  }
  const opset = (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    opset: opset ? int(opset.version) : 1,
    producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
    nodes: (g.node ?? []).map((n, i) => ({
      name: n.name || `${n.opType}_${i}`,
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? '', attrValue(a)])),
    })),
    inputs: (g.input ?? []).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
    valueInfo: (g.valueInfo ?? []).map(valueInfo),
    initializers: (g.initializer ?? []).map((t) => tensorOf(t)),
  };
}
