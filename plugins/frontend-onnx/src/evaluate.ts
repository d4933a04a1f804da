import { broadcastShapes, shapeSize } from '@lightcode/cost-model';
import { type OnnxAttr, type OnnxTensor, SMALL_TENSOR } from './decode.js';

/**
 * Evaluation of the small integer computations exporters leave in a graph to
 * compute shapes (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Range,
 * ...). Once every symbolic dimension is bound they fold to constants, so
 * Reshape, Slice, Expand and the like get concrete shapes.
 */

/** A tensor whose contents are known. */
export interface Known {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    idx[d] = i % n;
    i = Math.floor(i / n);
  }
  return idx;
}

/** The element of `t` an output index of shape `out` reads under broadcasting. */
function at(t: Known, idx: readonly number[]): number {
  const off = idx.length - t.shape.length;
  const st = strides(t.shape);
  let flat = 0;
  for (let d = 0; d < t.shape.length; d++) flat += (t.shape[d] === 1 ? 0 : (idx[d + off] as number)) * (st[d] as number);
  return t.data[flat] as number;
}

function elementwise(inputs: readonly Known[], f: (...v: number[]) => number): Known | undefined {
  const shape = broadcastShapes(inputs.map((t) => t.shape));
  if (!shape || shapeSize(shape) > SMALL_TENSOR) return undefined;
  const data = Array.from({ length: shapeSize(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    return f(...inputs.map((t) => at(t, idx)));
  });
  return { shape, data };
}

const axis = (a: number, rank: number) => (a < 0 ? a + rank : a);

function ints(v: OnnxAttr | Known | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v as number[];
  if (typeof v === 'object' && 'data' in v && v.data) return [...v.data];
  return undefined;
}

/** Resolves a Reshape target: 0 copies the input dim (unless allowzero), -1 takes the rest. */
export function reshapeTarget(input: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  const out = target.map((d, i) => (d === 0 && !allowZero ? (input[i] as number) : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = out.filter((d) => d === -1).length;
  if (free > 1) return undefined;
  if (free === 1) {
    const rest = shapeSize(input) / known;
    if (!Number.isInteger(rest)) return undefined;
    return out.map((d) => (d === -1 ? rest : d));
  }
  return shapeSize(out) === shapeSize(input) ? out : undefined;
}

/** Output shape of Slice, and the source index of each output element along every axis. */
export function sliceSpec(
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): { shape: number[]; start: number[]; step: number[] } {
  const out = [...shape];
  const start = shape.map(() => 0);
  const step = shape.map(() => 1);
  starts.forEach((s0, k) => {
    const a = axis(axes?.[k] ?? k, shape.length);
    const n = shape[a] as number;
    const st = steps?.[k] ?? 1;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = s0 < 0 ? s0 + n : s0;
    let e = (ends[k] as number) < 0 ? (ends[k] as number) + n : (ends[k] as number);
    if (st > 0) {
      s = clamp(s, 0, n);
      e = clamp(e, 0, n);
      out[a] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = clamp(s, 0, n - 1);
      e = clamp(e, -1, n - 1);
      out[a] = Math.max(0, Math.ceil((e - s) / st));
    }
    start[a] = s;
    step[a] = st;
  });
  return { shape: out, start, step };
}

/** Squeeze's output shape: the given axes, or every dim of size 1. */
export function squeezeShape(shape: readonly number[], axes: readonly number[] | undefined): number[] {
  const drop = new Set((axes ?? shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axis(a, shape.length)));
  return shape.filter((_, i) => !drop.has(i));
}

/** Unsqueeze's output shape. */
export function unsqueezeShape(shape: readonly number[], axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const ins = new Set(axes.map((a) => axis(a, rank)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : (shape[k++] as number));
  return out;
}

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Mod: (a, b) => a - b * Math.floor(a / b),
  Pow: (a, b) => a ** b,
  Equal: (a, b) => Number(a === b),
  Less: (a, b) => Number(a < b),
  LessOrEqual: (a, b) => Number(a <= b),
  Greater: (a, b) => Number(a > b),
  GreaterOrEqual: (a, b) => Number(a >= b),
  And: (a, b) => Number(a !== 0 && b !== 0),
  Or: (a, b) => Number(a !== 0 || b !== 0),
};

const UNARY: Readonly<Record<string, (a: number) => number>> = {
  Neg: (a) => -a,
  Abs: Math.abs,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Sqrt: Math.sqrt,
  Not: (a) => Number(a === 0),
  Reciprocal: (a) => 1 / a,
  Relu: (a) => Math.max(0, a),
  Identity: (a) => a,
};

const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]);

/**
 * Evaluates a node whose inputs are all known; undefined when the operator
 * is not one LightCode evaluates or the result would be large.
 */
export function evaluate(
  op: string,
  inputs: readonly (Known | undefined)[],
  attrs: ReadonlyMap<string, OnnxAttr>,
  outputTypes: { readonly integer: boolean },
): Known[] | undefined {
  const [x, y] = inputs;
  const attr = (k: string) => attrs.get(k);
  if (BINARY[op] && x && y) {
    const r = elementwise([x, y], BINARY[op]);
    return r && [r];
  }
  if (op === 'Div' && x && y) {
    const r = elementwise([x, y], outputTypes.integer ? (a, b) => Math.trunc(a / b) : (a, b) => a / b);
    return r && [r];
  }
  if ((op === 'Max' || op === 'Min') && inputs.every((t) => t)) {
    const r = elementwise(inputs as Known[], op === 'Max' ? (...v) => Math.max(...v) : (...v) => Math.min(...v));
    return r && [r];
  }
  if (UNARY[op] && x) {
    const r = elementwise([x], UNARY[op]);
    return r && [r];
  }
  if (op === 'Cast' && x) {
    const to = Number(attr('to'));
    const f = to === 9 ? (a: number) => Number(a !== 0) : INT_TYPES.has(to) ? Math.trunc : (a: number) => a;
    return [{ shape: x.shape, data: x.data.map(f) }];
  }
  if (op === 'Where' && x && y && inputs[2]) {
    const r = elementwise([x, y, inputs[2]], (c, a, b) => (c !== 0 ? a : b));
    return r && [r];
  }
  if (op === 'Unsqueeze' && x) {
    const axes = ints(attr('axes')) ?? ints(y);
    return axes ? [{ shape: unsqueezeShape(x.shape, axes), data: x.data }] : undefined;
  }
  if (op === 'Squeeze' && x) {
    return [{ shape: squeezeShape(x.shape, ints(attr('axes')) ?? ints(y)), data: x.data }];
  }
  if (op === 'Reshape' && x && y) {
    const shape = reshapeTarget(x.shape, y.data, attr('allowzero') === 1);
    return shape ? [{ shape, data: x.data }] : undefined;
  }
  if (op === 'Flatten' && x) {
    const a = axis(Number(attr('axis') ?? 1), x.shape.length);
    return [{ shape: [shapeSize(x.shape.slice(0, a)), shapeSize(x.shape.slice(a))], data: x.data }];
  }
  if (op === 'Concat' && inputs.every((t) => t) && x) {
    const a = axis(Number(attr('axis') ?? 0), x.shape.length);
    const parts = inputs as Known[];
    const shape = [...x.shape];
    shape[a] = parts.reduce((s, t) => s + (t.shape[a] as number), 0);
    if (shapeSize(shape) > SMALL_TENSOR) return undefined;
    const data: number[] = [];
    const outer = shapeSize(x.shape.slice(0, a));
    for (let o = 0; o < outer; o++) {
      for (const t of parts) {
        const inner = shapeSize(t.shape.slice(a));
        data.push(...t.data.slice(o * inner, (o + 1) * inner));
      }
    }
    return [{ shape, data }];
  }
  if (op === 'Gather' && x && y) {
    const a = axis(Number(attr('axis') ?? 0), x.shape.length);
    const n = x.shape[a] as number;
    const outer = shapeSize(x.shape.slice(0, a));
    const inner = shapeSize(x.shape.slice(a + 1));
    const shape = [...x.shape.slice(0, a), ...y.shape, ...x.shape.slice(a + 1)];
    if (shapeSize(shape) > SMALL_TENSOR) return undefined;
    const data: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const i0 of y.data) {
        const i = i0 < 0 ? i0 + n : i0;
        data.push(...x.data.slice((o * n + i) * inner, (o * n + i + 1) * inner));
      }
    }
    return [{ shape, data }];
  }
  if (op === 'Slice' && x) {
    const starts = ints(attr('starts')) ?? ints(inputs[1]);
    const ends = ints(attr('ends')) ?? ints(inputs[2]);
    if (!starts || !ends) return undefined;
    const spec = sliceSpec(x.shape, starts, ends, ints(attr('axes')) ?? ints(inputs[3]), ints(inputs[4]));
    const st = strides(x.shape);
    const data = Array.from({ length: shapeSize(spec.shape) }, (_, i) => {
      const idx = unravel(i, spec.shape);
      let flat = 0;
      idx.forEach((v, d) => {
        flat += ((spec.start[d] as number) + v * (spec.step[d] as number)) * (st[d] as number);
      });
      return x.data[flat] as number;
    });
    return [{ shape: spec.shape, data }];
  }
  if (op === 'Range' && x && y && inputs[2]) {
    const [start, limit, delta] = [x.data[0] as number, y.data[0] as number, inputs[2].data[0] as number];
    const n = Math.max(0, Math.ceil((limit - start) / delta));
    if (n > SMALL_TENSOR) return undefined;
    return [{ shape: [n], data: Array.from({ length: n }, (_, i) => start + i * delta) }];
  }
  if (op === 'ConstantOfShape' && x) {
    const value = attr('value') as OnnxTensor | undefined;
    const n = shapeSize(x.data);
    if (n > SMALL_TENSOR) return undefined;
    return [{ shape: [...x.data], data: new Array(n).fill(value?.data?.[0] ?? 0) }];
  }
  if (op === 'Expand' && x && y) {
    const r = elementwise([x, { shape: [...y.data], data: new Array(shapeSize(y.data)).fill(0) }], (a) => a);
    return r && [r];
  }
  if (op === 'Transpose' && x) {
    const perm = ints(attr('perm')) ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    const shape = perm.map((p) => x.shape[p] as number);
    const st = strides(x.shape);
    const data = Array.from({ length: x.data.length }, (_, i) => {
      const idx = unravel(i, shape);
      return x.data[idx.reduce((f, v, d) => f + v * (st[perm[d] as number] as number), 0)] as number;
    });
    return [{ shape, data }];
  }
  if ((op === 'ReduceProd' || op === 'ReduceSum' || op === 'ReduceMax' || op === 'ReduceMin') && x) {
    const axes = ints(attr('axes')) ?? ints(y);
    if (axes && axes.length > 0 && !(x.shape.length === 1 && axes.length === 1)) return undefined;
    const fns: Record<string, (a: number, b: number) => number> = {
      ReduceProd: (a, b) => a * b,
      ReduceSum: (a, b) => a + b,
      ReduceMax: (a, b) => Math.max(a, b),
      ReduceMin: (a, b) => Math.min(a, b),
    };
    const f = fns[op] as (a: number, b: number) => number;
    const keep = attr('keepdims') !== 0;
    const v = x.data.reduce(f, op === 'ReduceProd' ? 1 : op === 'ReduceSum' ? 0 : op === 'ReduceMax' ? -Infinity : Infinity);
    return [{ shape: keep ? x.shape.map(() => 1) : [], data: [v] }];
  }
  return undefined;
}
