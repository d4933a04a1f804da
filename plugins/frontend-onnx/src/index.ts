import fs from 'node:fs';
import path from 'node:path';
import {
  type AttrValue,
  type BuildRequest,
  broadcastShapes,
  convolutionOp,
  convTransposeOp,
  defineFrontend,
  dependencyOrder,
  type Feed,
  GraphBuilder,
  importedDtype,
  layerFromName,
  modelFile,
  type OpGraphData,
  type OpKind,
  type OpSpec,
  shapeSize,
  type TensorSpec,
  tensor,
  UserError,
} from '@lightcode/cost-model';
import { decodeModel, type OnnxAttr, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo, SMALL_TENSOR } from './decode.js';
import { evaluate, type Known, reshapeTarget, sliceSpec, squeezeShape, unsqueezeShape } from './evaluate.js';

export { decodeModel, type OnnxModel } from './decode.js';

/** A value flowing through the graph: its shape and type, and what it is. */
interface Value {
  readonly shape: readonly number[];
  readonly elemType: string;
  /** The op producing it (activations); none for graph inputs, parameters and constants. */
  readonly producer?: string;
  /** The parameter it is, or a view of (a transposed weight). */
  readonly param?: string;
  /** Its contents, when known (constants and the shape arithmetic on them). */
  readonly known?: Known;
  /** A constant buffer whose contents are not read (a registered mask): folded away like known values. */
  readonly constant?: true;
}

/** How LightCode reads each ONNX operator. */
type Rule =
  | { readonly type: 'matmul' | 'gemm' | 'conv' | 'convT' | 'pool' | 'globalPool' | 'reduce' | 'copy' | 'alias' }
  | { readonly type: 'elementwise'; readonly kind: OpKind; readonly flops: number }
  | { readonly type: 'norm'; readonly kind: OpKind; readonly flops?: number };

const ew = (flops: number, kind: OpKind = 'elementwise'): Rule => ({ type: 'elementwise', kind, flops });
const norm = (kind: OpKind, flops?: number): Rule => ({ type: 'norm', kind, ...(flops !== undefined ? { flops } : {}) });
const of = (type: 'matmul' | 'gemm' | 'conv' | 'convT' | 'pool' | 'globalPool' | 'reduce' | 'copy' | 'alias'): Rule => ({ type });

/** The operators with a cost rule (default domain, plus a few com.microsoft fusions); any other becomes an opaque op. */
export const ONNX_OPS: Readonly<Record<string, Rule>> = {
  MatMul: of('matmul'),
  Gemm: of('gemm'),
  Conv: of('conv'),
  ConvTranspose: of('convT'),
  Add: ew(1, 'add'),
  Mul: ew(1, 'mul'),
  Sum: ew(1, 'add'),
  ...Object.fromEntries(
    [
      'Sub',
      'Div',
      'Pow',
      'Max',
      'Min',
      'Mean',
      'Mod',
      'Equal',
      'Less',
      'LessOrEqual',
      'Greater',
      'GreaterOrEqual',
      'And',
      'Or',
      'Xor',
      'Where',
      'BitShift',
    ].map((k) => [k, ew(1)]),
  ),
  ...Object.fromEntries(
    [
      'Relu',
      'Exp',
      'Log',
      'Sqrt',
      'Reciprocal',
      'Neg',
      'Abs',
      'Erf',
      'Sign',
      'Floor',
      'Ceil',
      'Round',
      'Not',
      'IsNaN',
      'IsInf',
      'Sin',
      'Cos',
      'ThresholdedRelu',
      'CumSum',
    ].map((k) => [k, ew(1)]),
  ),
  LeakyRelu: ew(2),
  PRelu: ew(2),
  Clip: ew(2),
  HardSigmoid: ew(2),
  Shrink: ew(2),
  HardSwish: ew(3),
  Softsign: ew(3),
  Sigmoid: ew(4),
  Tanh: ew(4),
  Elu: ew(4),
  Selu: ew(4),
  Celu: ew(4),
  Softplus: ew(4),
  Mish: ew(5),
  Cast: ew(0),
  CastLike: ew(0),
  Gelu: ew(8, 'gelu'),
  FastGelu: ew(8, 'gelu'),
  BiasGelu: ew(8, 'gelu'),
  Softmax: norm('softmax'),
  LogSoftmax: norm('softmax'),
  Hardmax: norm('softmax'),
  LayerNormalization: norm('layernorm'),
  InstanceNormalization: norm('layernorm'),
  GroupNormalization: norm('layernorm'),
  MeanVarianceNormalization: norm('layernorm'),
  LpNormalization: norm('layernorm'),
  RMSNormalization: norm('rmsnorm'),
  SimplifiedLayerNormalization: norm('rmsnorm'),
  // inference batch norm: one scale and one shift per element
  BatchNormalization: norm('elementwise', 2),
  LRN: norm('elementwise', 5),
  ...Object.fromEntries(
    [
      'ReduceMean',
      'ReduceSum',
      'ReduceMax',
      'ReduceMin',
      'ReduceProd',
      'ReduceL1',
      'ReduceL2',
      'ReduceLogSum',
      'ReduceLogSumExp',
      'ReduceSumSquare',
      'ArgMax',
      'ArgMin',
    ].map((k) => [k, of('reduce')]),
  ),
  MaxPool: of('pool'),
  AveragePool: of('pool'),
  LpPool: of('pool'),
  GlobalAveragePool: of('globalPool'),
  GlobalMaxPool: of('globalPool'),
  GlobalLpPool: of('globalPool'),
  ...Object.fromEntries(
    [
      'Transpose',
      'Concat',
      'Split',
      'Slice',
      'Gather',
      'GatherElements',
      'ScatterND',
      'ScatterElements',
      'Expand',
      'Tile',
      'Pad',
      'Resize',
      'Upsample',
      'DepthToSpace',
      'SpaceToDepth',
      'Trilu',
      'ConstantOfShape',
      'TopK',
    ].map((k) => [k, of('copy')]),
  ),
  ...Object.fromEntries(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout'].map((k) => [k, of('alias')])),
};

/** Operators that, applied to parameters alone, give a view of the parameter (a transposed or reshaped weight), not work. */
const WEIGHT_VIEWS = new Set(['Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Cast', 'Dropout']);

const INTEGER = /^(u?int\d+|bool)$/;
const COMPARISONS = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);
const ELEM_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'float',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'double',
  16: 'bfloat16',
  3: 'int8',
  2: 'uint8',
};

const BATCH_DIM = /batch|^n$|^b$|^bs$/i;
const SEQ_DIM = /seq|token|length|len|^l$|^t$|^s$/i;

function ints(v: OnnxAttr | undefined): number[] | undefined {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

const axisOf = (a: number, rank: number) => (a < 0 ? a + rank : a);

/** Context of one import: the file, the request and what has been built so far. */
class Importer {
  readonly values = new Map<string, Value>();
  private readonly owned = new Set<string>();
  private readonly names = new Set<string>();
  private readonly infos = new Map<string, OnnxValueInfo>();
  maxLayer = -1;
  /** Whether --batch / --seq-len bound a dimension (else the model's meta says 1). */
  usedBatch = false;
  usedSeq = false;

  constructor(
    readonly src: string,
    readonly req: BuildRequest,
    readonly model: OnnxModel,
    readonly b: GraphBuilder,
  ) {
    for (const v of [...model.valueInfo, ...model.outputs]) this.infos.set(v.name, v);
  }

  fail(node: OnnxNode, what: string): never {
    throw new UserError(`${this.src}: node '${node.name}' (${node.opType}): ${what}`);
  }

  tensorOf(v: Value): TensorSpec {
    return tensor(v.shape, importedDtype(v.elemType, this.req));
  }

  /** A symbolic dimension bound by --batch or --seq-len, or a user error naming it and the flag that binds it. */
  private bindDim(input: OnnxValueInfo, d: string | undefined, i: number): number {
    if (d !== undefined && BATCH_DIM.test(d)) {
      this.usedBatch = true;
      return this.req.batch;
    }
    if (d !== undefined && SEQ_DIM.test(d)) {
      this.usedSeq = true;
      return this.req.seqLen;
    }
    const example = (input.dims ?? []).map((x) => (typeof x === 'number' ? x : 'N')).join('x');
    throw new UserError(
      `${this.src}: input '${input.name}' dim ${i} is ${d ? `symbolic ('${d}')` : 'unknown'}; bind it with --input-shape ${input.name}=${example} (names like 'batch' bind to --batch and 'sequence' to --seq-len)`,
    );
  }

  /** The graph inputs: each a data input with a bound shape, or a weight (export_params=False exports weights as inputs). */
  readInputs(): void {
    const shapes = this.req.inputShapes ?? {};
    const initializers = new Set(this.model.initializers.map((t) => t.name));
    const inputs = this.model.inputs.filter((i) => !initializers.has(i.name));
    for (const name of Object.keys(shapes)) {
      if (!inputs.some((i) => i.name === name)) {
        const data = inputs.filter((i) => this.isData(i, i === inputs[0])).map((i) => i.name);
        throw new UserError(`${this.src}: --input-shape names '${name}', which is not an input (inputs: ${data.join(', ')})`);
      }
    }
    inputs.forEach((input, k) => {
      const given = shapes[input.name];
      if (given) {
        const dims = input.dims;
        if (dims && dims.length !== given.length) {
          throw new UserError(`${this.src}: --input-shape ${input.name} has ${given.length} dims; the input has ${dims.length}`);
        }
        dims?.forEach((d, i) => {
          if (typeof d === 'number' && d !== given[i]) {
            throw new UserError(`${this.src}: --input-shape ${input.name} gives dim ${i} as ${given[i]}; the model fixes it at ${d}`);
          }
        });
        this.values.set(input.name, { shape: given, elemType: input.elemType });
        return;
      }
      if (!input.dims)
        throw new UserError(`${this.src}: input '${input.name}' has no shape; give it with --input-shape ${input.name}=1x...`);
      const data = this.isData(input, k === 0);
      const shape = input.dims.map((d, i) => (typeof d === 'number' ? d : this.bindDim(input, d, i)));
      const kind = data ? {} : INTEGER.test(input.elemType) ? { constant: true as const } : { param: input.name };
      this.values.set(input.name, { shape, elemType: input.elemType, ...kind });
    });
    for (const t of this.model.initializers) this.values.set(t.name, this.constant(t));
  }

  /**
   * Whether a (non-initializer) graph input carries data: it has a symbolic
   * dimension, is the first input, or is named by --input-shape. Other inputs
   * were exported with export_params=False: floating-point ones are weights,
   * integer ones constant buffers (a registered causal mask), folded away.
   */
  private isData(input: OnnxValueInfo, first: boolean): boolean {
    if (this.req.inputShapes?.[input.name]) return true;
    if (!input.dims || input.dims.some((d) => typeof d !== 'number')) return true;
    return first;
  }

  /** A stored tensor: a known constant when small and integral (or a scalar), else a weight. */
  constant(t: OnnxTensor): Value {
    const small = t.data !== undefined && (INTEGER.test(t.elemType) || shapeSize(t.dims) <= 1);
    return small
      ? { shape: t.dims, elemType: t.elemType, known: { shape: t.dims, data: t.data as number[] } }
      : { shape: t.dims, elemType: t.elemType, param: t.name };
  }

  /** The outputs a node declares in the file's value_info, where every dim is known or bound. */
  private declaredShape(name: string): { shape: number[]; elemType: string } | undefined {
    const info = this.infos.get(name);
    if (!info?.dims || info.dims.some((d) => d === undefined || (typeof d === 'string' && !BATCH_DIM.test(d) && !SEQ_DIM.test(d))))
      return undefined;
    return {
      shape: info.dims.map((d) => (typeof d === 'number' ? d : BATCH_DIM.test(d as string) ? this.req.batch : this.req.seqLen)),
      elemType: info.elemType,
    };
  }

  private unique(name: string): string {
    let n = name;
    for (let k = 2; this.names.has(n); k++) n = `${name}#${k}`;
    this.names.add(n);
    return n;
  }

  /** Adds an IR op for a node; its activations feed it, its parameters become its weights (owned once). */
  addOp(node: OnnxNode, kind: OpKind, ins: readonly (Value | undefined)[], outs: readonly Value[], extra: Partial<OpSpec> = {}): string {
    const present = ins.filter((v): v is Value => v !== undefined);
    const acts = present.filter((v) => v.param === undefined && v.known === undefined && !v.constant);
    const params = present.filter((v) => v.param !== undefined);
    const fresh = params.filter((v) => !this.owned.has(v.param as string));
    for (const v of params) this.owned.add(v.param as string);
    const attrs: Record<string, AttrValue> = { onnxOp: node.opType, ...(extra.attrs ?? {}) };
    if (params.length > 0 && fresh.length === 0) attrs.tiedWeights = true;
    const layer = layerFromName(node.name);
    if (layer !== null) this.maxLayer = Math.max(this.maxLayer, layer);
    const feeds: Feed[] = acts.filter((v) => v.producer !== undefined).map((v) => [v.producer as string, this.tensorOf(v)]);
    return this.b.add(
      {
        name: this.unique(node.name),
        kind,
        layer,
        inputs: acts.map((v) => this.tensorOf(v)),
        outputs: outs.map((v) => this.tensorOf(v)),
        weights: params.map((v) => this.tensorOf(v)),
        ...extra,
        attrs,
      },
      feeds,
    );
  }

  /** Builds every node, in dependency order. */
  run(): void {
    const producer = new Map<string, number>();
    this.model.nodes.forEach((n, i) => {
      for (const o of n.outputs) if (o) producer.set(o, i);
    });
    const nodes = this.model.nodes;
    for (const n of nodes) {
      for (const i of n.inputs) {
        if (i && !producer.has(i) && !this.values.has(i)) {
          throw new UserError(
            `${this.src}: node '${n.name}' (${n.opType}) reads '${i}', which no node, graph input or initializer provides`,
          );
        }
      }
    }
    const order = dependencyOrder(
      nodes.length,
      (i) => (nodes[i] as OnnxNode).inputs.flatMap((x) => (producer.has(x) ? [producer.get(x) as number] : [])),
      (i) => (nodes[i] as OnnxNode).name,
      this.src,
    );
    for (const i of order) this.node(nodes[i] as OnnxNode);
  }

  private outType(node: OnnxNode, ins: readonly (Value | undefined)[]): string {
    if (node.opType === 'Cast') return ELEM_BY_NUMBER[Number(node.attrs.get('to'))] ?? 'float';
    if (COMPARISONS.has(node.opType)) return 'bool';
    if (node.opType === 'Shape' || node.opType === 'Size' || node.opType === 'ArgMax' || node.opType === 'ArgMin') return 'int64';
    if (node.opType === 'Where') return ins[1]?.elemType ?? 'float';
    return ins.find((v) => v !== undefined)?.elemType ?? 'float';
  }

  private set(node: OnnxNode, outs: readonly Value[]): void {
    node.outputs.forEach((o, k) => {
      if (o && outs[k]) this.values.set(o, outs[k] as Value);
    });
  }

  private node(node: OnnxNode): void {
    const ins = node.inputs.map((n) => (n ? this.values.get(n) : undefined));
    const op = node.domain && node.domain !== 'ai.onnx' && node.domain !== 'com.microsoft' ? `${node.domain}.${node.opType}` : node.opType;
    const type = this.outType(node, ins);
    if (op === 'Constant') {
      const t = constantAttr(node);
      if (!t) this.fail(node, 'a Constant needs a value');
      this.set(node, [this.constant({ ...t, name: node.outputs[0] ?? node.name })]);
      return;
    }
    if (op === 'Shape' || op === 'Size') {
      const x = ins[0] as Value;
      const rank = x.shape.length;
      const start = axisOf(Number(node.attrs.get('start') ?? 0), rank);
      const end = node.attrs.has('end') ? axisOf(Number(node.attrs.get('end')), rank) : rank;
      const data = op === 'Size' ? [shapeSize(x.shape)] : x.shape.slice(start, end);
      this.set(node, [
        { shape: op === 'Size' ? [] : [data.length], elemType: 'int64', known: { shape: op === 'Size' ? [] : [data.length], data } },
      ]);
      return;
    }
    const present = ins.filter((v): v is Value => v !== undefined);
    if (present.length > 0 && present.every((v) => v.known)) {
      const r = evaluate(
        op,
        ins.map((v) => v?.known),
        node.attrs,
        { integer: INTEGER.test(type) },
      );
      if (r) {
        this.set(
          node,
          r.map((k) => ({ shape: k.shape, elemType: type, known: k })),
        );
        return;
      }
    }
    const rule = ONNX_OPS[op];
    const shapes = rule ? this.shapes(node, rule, ins) : undefined;
    if (present.length > 0 && present.every((v) => v.known || v.constant)) {
      // computed from constants alone: folded when the model is compiled, no work at run time
      const out = shapes ?? node.outputs.map(() => [...(present[0] as Value).shape]);
      this.set(
        node,
        out.map((s) => ({ shape: s, elemType: type, constant: true })),
      );
      return;
    }
    if (
      shapes &&
      WEIGHT_VIEWS.has(op) &&
      present.some((v) => v.param !== undefined) &&
      present.every((v) => v.param !== undefined || v.known !== undefined)
    ) {
      // a transposed, reshaped or cast weight: still the weight, no work at run time
      const base = present.find((v) => v.param !== undefined)?.param as string;
      this.set(
        node,
        shapes.map((s) => ({ shape: s, elemType: type, param: base })),
      );
      return;
    }
    if (rule && shapes) this.lower(node, rule, ins, shapes, type);
    else this.opaque(node, op, ins, type);
  }

  /** An operator without a cost rule (or whose shapes cannot be told): priced by the bytes it moves. */
  private opaque(node: OnnxNode, op: string, ins: readonly (Value | undefined)[], type: string): void {
    const first = ins.find((v) => v !== undefined && v.known === undefined && v.param === undefined && !v.constant);
    const outs = node.outputs.map((o): Value => {
      const d = this.declaredShape(o);
      if (d) return { shape: d.shape, elemType: d.elemType };
      if (first) return { shape: first.shape, elemType: type };
      return this.fail(
        node,
        `no cost rule and no shape for output '${o}' in the file's value_info; run onnx.shape_inference on the model first`,
      );
    });
    const id = this.addOp(node, 'opaque', ins, outs, { attrs: { op, shapesAssumed: !node.outputs.every((o) => this.declaredShape(o)) } });
    this.set(
      node,
      outs.map((v) => ({ ...v, producer: id })),
    );
  }

  /** Output shapes of a node with a rule; undefined when they cannot be told from the file. */
  private shapes(node: OnnxNode, rule: Rule, ins: readonly (Value | undefined)[]): number[][] | undefined {
    const x = ins[0];
    const a = (k: string) => node.attrs.get(k);
    const known = (i: number) => ins[i]?.known?.data;
    if (!x) return undefined;
    const X = x.shape;
    switch (rule.type) {
      case 'elementwise': {
        const operands = node.opType === 'Clip' ? [X] : ins.filter((v): v is Value => v !== undefined).map((v) => v.shape);
        const s = broadcastShapes(operands);
        if (!s) this.fail(node, `operand shapes ${operands.map((o) => `[${o.join(', ')}]`).join(', ')} do not broadcast`);
        return [s];
      }
      case 'norm': {
        const out: number[][] = [[...X]];
        if (node.outputs.length > 1) {
          // LayerNormalization's optional mean and inverse std: the normalized axes kept as 1
          const ax = axisOf(Number(a('axis') ?? -1), X.length);
          const stat = X.map((d, i) => (i < ax ? d : 1));
          for (let k = 1; k < node.outputs.length; k++) out.push(stat);
        }
        return out;
      }
      case 'matmul': {
        const B = ins[1]?.shape;
        if (!B) return undefined;
        const a2 = X.length === 1 ? [1, X[0] as number] : X;
        const b2 = B.length === 1 ? [B[0] as number, 1] : B;
        if (a2.at(-1) !== b2.at(-2)) this.fail(node, `inner dims differ: [${X.join(', ')}] x [${B.join(', ')}]`);
        const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
        if (!batch) this.fail(node, `batch dims of [${X.join(', ')}] and [${B.join(', ')}] do not broadcast`);
        return [[...batch, ...(X.length === 1 ? [] : [a2.at(-2) as number]), ...(B.length === 1 ? [] : [b2.at(-1) as number])]];
      }
      case 'gemm': {
        const B = ins[1]?.shape;
        if (!B || X.length !== 2 || B.length !== 2) return this.fail(node, 'Gemm needs 2-D A and B');
        const [m, k] = a('transA') === 1 ? [X[1], X[0]] : [X[0], X[1]];
        const [kb, n] = a('transB') === 1 ? [B[1], B[0]] : [B[0], B[1]];
        if (k !== kb)
          this.fail(
            node,
            `inner dims differ: A [${X.join(', ')}]${a('transA') === 1 ? 'ᵀ' : ''} x B [${B.join(', ')}]${a('transB') === 1 ? 'ᵀ' : ''}`,
          );
        return [[m as number, n as number]];
      }
      case 'conv':
      case 'convT':
      case 'pool': {
        const W = ins[1]?.shape;
        const spatial = X.length - 2;
        if (spatial < 1) this.fail(node, `input [${X.join(', ')}] has no spatial dims`);
        const kernel = ints(a('kernel_shape')) ?? (W ? W.slice(2) : undefined);
        if (!kernel) this.fail(node, 'no kernel_shape');
        const strides = ints(a('strides')) ?? new Array(spatial).fill(1);
        const dil = ints(a('dilations')) ?? new Array(spatial).fill(1);
        const pads = ints(a('pads')) ?? new Array(2 * spatial).fill(0);
        const autoPad = String(a('auto_pad') ?? 'NOTSET');
        const ceil = a('ceil_mode') === 1;
        const dims = X.slice(2).map((n, i) => {
          const k = ((kernel[i] as number) - 1) * (dil[i] as number) + 1;
          const s = strides[i] as number;
          if (rule.type === 'convT') {
            const outShape = ints(a('output_shape'));
            if (outShape) return outShape[outShape.length - spatial + i] as number;
            if (autoPad.startsWith('SAME')) return n * s;
            const op = ints(a('output_padding'))?.[i] ?? 0;
            return s * (n - 1) + op + k - (autoPad === 'VALID' ? 0 : (pads[i] as number) + (pads[i + spatial] as number));
          }
          if (autoPad.startsWith('SAME')) return Math.ceil(n / s);
          const p = autoPad === 'VALID' ? 0 : (pads[i] as number) + (pads[i + spatial] as number);
          return (ceil ? Math.ceil : Math.floor)((n + p - k) / s) + 1;
        });
        if (dims.some((d) => !(d >= 1))) this.fail(node, `output spatial dims [${dims.join(', ')}] from input [${X.join(', ')}] are empty`);
        const groups = Number(a('group') ?? 1);
        const channels = rule.type === 'pool' ? (X[1] as number) : rule.type === 'conv' ? (W?.[0] as number) : (W?.[1] as number) * groups;
        if (rule.type === 'conv' && W && (X[1] as number) !== (W[1] as number) * groups) {
          this.fail(
            node,
            `input has ${X[1]} channels, weight [${W.join(', ')}] with ${groups} groups expects ${(W[1] as number) * groups}`,
          );
        }
        const out = [X[0] as number, channels, ...dims];
        return node.outputs.length > 1 ? [out, out] : [out];
      }
      case 'globalPool':
        return [[X[0] as number, X[1] as number, ...X.slice(2).map(() => 1)]];
      case 'reduce': {
        const keep = a('keepdims') !== 0;
        const given = ints(a('axes')) ?? (node.opType.startsWith('Arg') ? [Number(a('axis') ?? 0)] : known(1));
        if (given === undefined && node.inputs[1]) return undefined;
        const axes = new Set(
          (given && given.length > 0 ? given : a('noop_with_empty_axes') === 1 ? [] : X.map((_, i) => i)).map((v) => axisOf(v, X.length)),
        );
        return [X.flatMap((d, i) => (axes.has(i) ? (keep ? [1] : []) : [d]))];
      }
      case 'alias':
        return this.aliasShape(node, X, known);
      case 'copy':
        return this.copyShapes(node, ins, known);
    }
  }

  private aliasShape(node: OnnxNode, X: readonly number[], known: (i: number) => readonly number[] | undefined): number[][] | undefined {
    const a = (k: string) => node.attrs.get(k);
    switch (node.opType) {
      case 'Reshape': {
        const target = known(1) ?? ints(a('shape'));
        if (!target) return undefined;
        const s = reshapeTarget(X, target, a('allowzero') === 1);
        if (!s) this.fail(node, `cannot reshape [${X.join(', ')}] to [${target.join(', ')}]`);
        return [s];
      }
      case 'Flatten': {
        const ax = axisOf(Number(a('axis') ?? 1), X.length);
        return [[shapeSize(X.slice(0, ax)), shapeSize(X.slice(ax))]];
      }
      case 'Squeeze':
        return [squeezeShape(X, ints(a('axes')) ?? (known(1) as number[] | undefined))];
      case 'Unsqueeze': {
        const axes = ints(a('axes')) ?? known(1);
        return axes ? [unsqueezeShape(X, axes)] : undefined;
      }
      default:
        // Identity, Dropout (its optional mask has the input's shape)
        return node.outputs.map(() => [...X]);
    }
  }

  private copyShapes(
    node: OnnxNode,
    ins: readonly (Value | undefined)[],
    known: (i: number) => readonly number[] | undefined,
  ): number[][] | undefined {
    const X = (ins[0] as Value).shape;
    const a = (k: string) => node.attrs.get(k);
    const rank = X.length;
    switch (node.opType) {
      case 'Transpose': {
        const perm = ints(a('perm')) ?? X.map((_, i) => rank - 1 - i);
        return [perm.map((p) => X[p] as number)];
      }
      case 'Concat': {
        const ax = axisOf(Number(a('axis') ?? 0), rank);
        const parts = ins.filter((v): v is Value => v !== undefined);
        const out = [...X];
        out[ax] = parts.reduce((s, v) => s + (v.shape[ax] as number), 0);
        return [out];
      }
      case 'Split': {
        const ax = axisOf(Number(a('axis') ?? 0), rank);
        const n = X[ax] as number;
        const sizes =
          ints(a('split')) ??
          (known(1) as number[] | undefined) ??
          (() => {
            const parts = Number(a('num_outputs') ?? node.outputs.length);
            const each = Math.ceil(n / parts);
            return Array.from({ length: parts }, (_, k) => Math.min(each, n - k * each));
          })();
        return sizes.map((s) => X.map((d, i) => (i === ax ? s : d)));
      }
      case 'Slice': {
        const starts = ints(a('starts')) ?? known(1);
        const ends = ints(a('ends')) ?? known(2);
        if (!starts || !ends) return undefined;
        return [sliceSpec(X, starts, ends, ints(a('axes')) ?? known(3), known(4)).shape];
      }
      case 'Gather': {
        const idx = (ins[1] as Value | undefined)?.shape ?? [];
        const ax = axisOf(Number(a('axis') ?? 0), rank);
        return [[...X.slice(0, ax), ...idx, ...X.slice(ax + 1)]];
      }
      case 'GatherElements':
        return [[...((ins[1] as Value | undefined)?.shape ?? X)]];
      case 'Expand': {
        const s = known(1);
        if (!s) return undefined;
        const out = broadcastShapes([X, s]);
        if (!out) this.fail(node, `cannot expand [${X.join(', ')}] to [${s.join(', ')}]`);
        return [out];
      }
      case 'Tile': {
        const r = known(1);
        return r ? [X.map((d, i) => d * (r[i] ?? 1))] : undefined;
      }
      case 'Pad': {
        const pads = ints(a('pads')) ?? known(1);
        if (!pads) return undefined;
        const axes = (known(3) ?? X.map((_, i) => i)).map((v) => axisOf(v, rank));
        const out = [...X];
        axes.forEach((ax, k) => {
          out[ax] = (out[ax] as number) + (pads[k] as number) + (pads[k + axes.length] as number);
        });
        return [out];
      }
      case 'Resize':
      case 'Upsample': {
        const sizes = known(3);
        if (sizes && sizes.length === rank) return [[...sizes]];
        const scales = node.opType === 'Upsample' ? (known(1) ?? (a('scales') as number[] | undefined)) : known(2);
        return scales && scales.length === rank ? [X.map((d, i) => Math.floor(d * (scales[i] as number)))] : undefined;
      }
      case 'DepthToSpace':
      case 'SpaceToDepth': {
        const bs = Number(a('blocksize') ?? 1);
        const [n, c, h, w] = X as [number, number, number, number];
        return node.opType === 'DepthToSpace' ? [[n, c / (bs * bs), h * bs, w * bs]] : [[n, c * bs * bs, h / bs, w / bs]];
      }
      case 'ConstantOfShape': {
        const s = known(0);
        return s ? [[...s]] : undefined;
      }
      case 'TopK': {
        const k = known(1)?.[0] ?? ints(a('k'))?.[0];
        if (k === undefined) return undefined;
        const ax = axisOf(Number(a('axis') ?? -1), rank);
        const out = X.map((d, i) => (i === ax ? k : d));
        return [out, out];
      }
      default:
        // ScatterND, ScatterElements, Trilu: the data's shape
        return [[...X]];
    }
  }

  /** Adds the IR op of a node with a rule. */
  private lower(node: OnnxNode, rule: Rule, ins: readonly (Value | undefined)[], shapes: readonly number[][], type: string): void {
    const outs = shapes.map((s): Value => ({ shape: s, elemType: type }));
    const x = ins[0] as Value;
    if (rule.type === 'alias') {
      // a view: the same data under another shape
      this.set(
        node,
        outs.map((o) => ({
          ...o,
          ...(x.producer !== undefined ? { producer: x.producer } : {}),
          ...(x.param !== undefined ? { param: x.param } : {}),
        })),
      );
      return;
    }
    let id: string;
    const dt = (v: Value) => this.tensorOf(v).dtype;
    switch (rule.type) {
      case 'matmul':
      case 'gemm': {
        const w = ins[1] as Value;
        const out = outs[0] as Value;
        const trans = rule.type === 'gemm' && node.attrs.get('transA') === 1;
        const k = rule.type === 'gemm' ? (trans ? (x.shape[0] as number) : (x.shape[1] as number)) : (x.shape.at(-1) as number);
        const n = out.shape.length > 0 && (w.shape.length > 1 || rule.type === 'gemm') ? (out.shape.at(-1) as number) : 1;
        const rows = shapeSize(out.shape) / n;
        // IR shapes: [..., M, K] x [K, N] -> [..., M, N] (a vector operand as a one-row or one-column matrix)
        const lead = out.shape.length >= 2 ? out.shape.slice(0, -2) : [];
        const m = rows / Math.max(1, shapeSize(lead));
        const left = tensor([...lead, m, k], dt(x));
        const result = tensor([...lead, m, n], dt(out));
        const weightIsParam = w.param !== undefined && (w.shape.length === 2 || rule.type === 'gemm');
        const c = ins[2];
        const acts: TensorSpec[] = [left];
        if (w.param === undefined && w.known === undefined && !w.constant)
          acts.push(tensor([...(w.shape.length > 2 ? w.shape.slice(0, -2) : []), k, n], dt(w)));
        if (c && c.param === undefined && c.known === undefined && !c.constant) acts.push(this.tensorOf(c));
        id = this.addOp(node, weightIsParam ? 'linear' : 'matmul', ins, outs, { inputs: acts, outputs: [result] });
        break;
      }
      case 'conv':
      case 'convT': {
        const w = ins[1] as Value;
        const out = outs[0] as Value;
        const groups = Number(node.attrs.get('group') ?? 1);
        const params = ins.filter((v): v is Value => v?.param !== undefined);
        const spec =
          rule.type === 'conv'
            ? convolutionOp({
                name: node.name,
                layer: null,
                input: this.tensorOf(x),
                weight: this.tensorOf(w),
                output: this.tensorOf(out),
                outChannels: out.shape[1] as number,
                groups,
                weights: [],
              })
            : convTransposeOp({
                name: node.name,
                layer: null,
                input: this.tensorOf(x),
                weight: this.tensorOf(w),
                output: this.tensorOf(out),
                inChannels: x.shape[1] as number,
                groups,
                weights: [],
              });
        const extraActs = ins
          .slice(1)
          .filter((v): v is Value => v !== undefined && v.param === undefined && v.known === undefined && !v.constant);
        id = this.addOp(node, 'linear', ins, outs, {
          inputs: [...spec.inputs, ...extraActs.map((v) => this.tensorOf(v))],
          outputs: spec.outputs,
          attrs: { ...(spec.attrs ?? {}), kernel: String(node.attrs.get('kernel_shape') ?? w.shape.slice(2)).replace(/,/g, 'x') },
        });
        void params;
        break;
      }
      case 'elementwise':
        id = this.addOp(
          node,
          rule.kind,
          ins,
          outs,
          rule.kind === 'elementwise' ? { attrs: { fn: node.opType, flopsPerElement: rule.flops } } : {},
        );
        break;
      case 'norm':
        id = this.addOp(
          node,
          rule.kind,
          ins,
          outs,
          rule.kind === 'elementwise' ? { attrs: { fn: node.opType, flopsPerElement: rule.flops ?? 1 } } : {},
        );
        break;
      case 'pool':
      case 'globalPool': {
        const window = rule.type === 'globalPool' ? shapeSize(x.shape.slice(2)) : shapeSize(ints(node.attrs.get('kernel_shape')) ?? [1]);
        id = this.addOp(node, 'pool', ins, outs.slice(0, 1), { attrs: { window } });
        break;
      }
      case 'reduce':
        id = this.addOp(node, 'reduce', ins.slice(0, 1), outs);
        break;
      default: {
        if (node.opType === 'Gather' && x.param !== undefined) {
          // a lookup into a weight table: an embedding, which reads only the rows it gathers
          id = this.addOp(node, 'embedding', ins, outs);
          break;
        }
        // data movement: the tensors to move, not the shape arguments
        const moved =
          node.opType === 'Concat'
            ? ins
            : node.opType === 'Where'
              ? ins
              : ins.slice(0, node.opType === 'ScatterND' || node.opType === 'ScatterElements' ? 3 : 1);
        id = this.addOp(node, 'copy', moved, outs);
      }
    }
    this.set(
      node,
      outs.map((o) => ({ ...o, producer: id })),
    );
  }
}

function constantAttr(node: OnnxNode): OnnxTensor | undefined {
  const v = node.attrs.get('value');
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as OnnxTensor;
  const name = node.outputs[0] ?? node.name;
  const f = node.attrs.get('value_float');
  if (typeof f === 'number') return { name, elemType: 'float', dims: [], data: [f] };
  const i = node.attrs.get('value_int');
  if (typeof i === 'number') return { name, elemType: 'int64', dims: [], data: [i] };
  const is = ints(node.attrs.get('value_ints'));
  if (is) return { name, elemType: 'int64', dims: [is.length], data: is };
  const fs2 = node.attrs.get('value_floats');
  if (Array.isArray(fs2)) return { name, elemType: 'float', dims: [fs2.length], data: fs2 as number[] };
  return undefined;
}

function build(req: BuildRequest): OpGraphData {
  const file = modelFile(req, 'ONNX');
  const src = path.basename(file);
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const model = decodeModel(bytes, src);
  const b = new GraphBuilder({
    id: src.replace(/\.onnx$/i, ''),
    family: 'onnx',
    phase: 'prefill',
    seqLen: req.seqLen,
    batch: req.batch,
    dtype: req.dtype,
    layers: 0,
  });
  const im = new Importer(src, req, model, b);
  im.readInputs();
  im.run();
  const data = b.build();
  if (data.ops.length === 0)
    throw new UserError(`${src}: the model computes nothing LightCode can price (every node folded to a constant)`);
  const meta = { ...data.meta, layers: im.maxLayer + 1, seqLen: im.usedSeq ? req.seqLen : 1, batch: im.usedBatch ? req.batch : 1 };
  return { ...data, meta };
}

/** Whether the first bytes can be an ONNX ModelProto: field 1 (ir_version, a varint) comes first in every exporter's output. */
export function looksLikeOnnx(head: Uint8Array): boolean {
  return head.length > 0 && head[0] === 0x08;
}

export default defineFrontend({
  id: 'onnx',
  name: 'ONNX',
  description:
    'ONNX files: shape inference with symbolic dims bound by --batch, --seq-len or --input-shape; weights never read; unknown operators priced by the bytes they move.',
  models: [],
  modelTypes: [],
  files: [{ name: 'ONNX', extensions: ['.onnx'] }],
  build,
});

export { SMALL_TENSOR };
