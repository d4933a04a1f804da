import { type DType, type OpNode, type OpSpec, type TensorSpec, tensor, UserError } from '@lightcode/ir';
import type { BuildRequest } from './plugin.js';

/**
 * Helpers for frontends that import a model file (ONNX, TVM graph JSON):
 * broadcasting, dependency order with cycle reports, convolutions as the
 * matrix products targets price, dtypes, and the warning for ops without a
 * cost rule.
 */

/** The NumPy broadcast of `shapes`, or undefined where two dims differ and neither is 1. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) return undefined;
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** Product of the dims. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The indices 0..n-1 in an order where every node comes after the nodes it
 * depends on (Kahn's algorithm, ties by index, so files already in order keep
 * it). A cycle is a user error naming a node on it.
 */
export function dependencyOrder(n: number, deps: (i: number) => readonly number[], name: (i: number) => string, source: string): number[] {
  const users: number[][] = Array.from({ length: n }, () => []);
  const indeg = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (const d of new Set(deps(i))) {
      users[d]?.push(i);
      indeg[i] = (indeg[i] ?? 0) + 1;
    }
  }
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.length > 0) {
    // the smallest ready index first
    let best = 0;
    for (let j = 1; j < ready.length; j++) if ((ready[j] as number) < (ready[best] as number)) best = j;
    const i = ready.splice(best, 1)[0] as number;
    order.push(i);
    for (const u of users[i] ?? []) {
      indeg[u] = (indeg[u] ?? 0) - 1;
      if (indeg[u] === 0) ready.push(u);
    }
  }
  if (order.length < n) {
    // walk back along unfinished dependencies until a node repeats: it lies on a cycle
    const seen = new Set<number>();
    let i = indeg.findIndex((d) => d > 0);
    while (!seen.has(i)) {
      seen.add(i);
      i = deps(i).find((d) => (indeg[d] ?? 0) > 0) ?? i;
    }
    throw new UserError(`${source}: the graph has a cycle through node '${name(i)}'; a model graph must be acyclic`);
  }
  return order;
}

/**
 * The dtype LightCode prices a file's element type in: floats in the requested
 * `--dtype`; 8-bit integers and booleans as int8; wider integers (indices,
 * positions, shape arithmetic) as numbers of their width that the electronic
 * targets run: 16-bit as fp16, 32- and 64-bit as 4-byte fp32.
 */
export function importedDtype(elementType: string, req: Pick<BuildRequest, 'dtype'>): DType {
  const t = elementType.toLowerCase();
  if (/^(float|bfloat|double|half)/.test(t)) return req.dtype;
  if (/^(u?int8|bool)$/.test(t)) return 'int8';
  if (/^u?int16$/.test(t)) return 'fp16';
  return 'fp32';
}

/** What a convolution needs to become a matrix product. */
export interface ConvolutionSpec {
  readonly name: string;
  readonly layer: number | null;
  /** The input activation as the file gives it (any layout). */
  readonly input: TensorSpec;
  /** The weight tensor (any layout); its size over the output channels is the dot-product length. */
  readonly weight: TensorSpec;
  readonly output: TensorSpec;
  /** Output channels (all groups together). */
  readonly outChannels: number;
  readonly groups: number;
  /** Weights the op owns (the kernel and a bias), or none when the kernel is an activation. */
  readonly weights: readonly TensorSpec[];
  readonly attrs?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A convolution as the im2col matrix product that every target prices as a
 * `linear` op: per group, M = output positions (batch x spatial) by
 * K = (input channels / groups) x kernel size, times K x (output channels /
 * groups). MACs = output elements x K. The op's input is the im2col matrix,
 * so its bytes count each input element once per kernel window that reads it:
 * the operand traffic of an explicit im2col (and the DACs of a photonic unit);
 * an implicit GEMM on a GPU reads less. The original layout is kept in attrs.
 */
export function convolutionOp(c: ConvolutionSpec): OpSpec {
  const o = c.outChannels;
  const k = shapeSize(c.weight.shape) / o;
  const m = shapeSize(c.output.shape) / o;
  if (!Number.isInteger(k) || !Number.isInteger(m) || o % c.groups !== 0) {
    throw new UserError(
      `node '${c.name}': convolution shapes do not fit: weight [${c.weight.shape.join(', ')}], output [${c.output.shape.join(', ')}], ${o} output channels, ${c.groups} groups`,
    );
  }
  const lead = c.groups > 1 ? [c.groups] : [];
  return {
    name: c.name,
    kind: 'linear',
    layer: c.layer,
    inputs: [tensor([...lead, m, k], c.input.dtype)],
    outputs: [tensor([...lead, m, o / c.groups], c.output.dtype)],
    weights: c.weights,
    attrs: {
      conv: true,
      groups: c.groups,
      inputShape: c.input.shape.join('x'),
      weightShape: c.weight.shape.join('x'),
      outputShape: c.output.shape.join('x'),
      ...c.attrs,
    },
  };
}

/** The decoder layer a Hugging Face style module path names (`transformer.h.3.attn`, `model.layers.12.mlp`), else null. */
export function layerFromName(name: string): number | null {
  const m = /(?:^|[./])(?:h|layers?|blocks?|block)[./_](\d+)(?:[./_]|$)/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * One warning line for the ops a frontend could not price (kind `opaque`),
 * with their counts by original operator, or undefined when there are none.
 */
export function opaqueOpsWarning(ops: readonly OpNode[]): string | undefined {
  const counts = new Map<string, number>();
  for (const op of ops) {
    if (op.kind !== 'opaque') continue;
    const name = String(op.attrs.op ?? 'unknown');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const list = [...counts].map(([k, n]) => `${k} x${n}`).join(', ');
  const one = total === 1;
  return `${total} op${one ? '' : 's'} without a cost rule, priced by the bytes ${one ? 'it moves' : 'they move'} on electronic targets only: ${list}`;
}

/**
 * Checks a build request for a file frontend and returns the file: a file
 * graph is one pass as exported, so decode phases do not apply.
 */
export function modelFile(req: BuildRequest, format: string): string {
  if (!req.file) throw new UserError(`the ${format} frontend builds from a model file: give --model PATH`);
  if (req.phase === 'decode' || req.kvLen !== undefined) {
    throw new UserError(`a ${format} graph is one pass as exported, with no KV cache to decode against; drop --phase decode and --kv-len`);
  }
  return req.file;
}

/**
 * A transposed convolution as the matrix product targets price: per group,
 * M = input positions by K = input channels / groups, times K x
 * (output channels / groups x kernel size), whose columns are then summed
 * into the output (col2im). MACs = input elements x output channels / groups
 * x kernel size. The weight is laid out [in channels, out channels / groups, kernel...].
 */
export function convTransposeOp(c: Omit<ConvolutionSpec, 'outChannels'> & { readonly inChannels: number }): OpSpec {
  const cin = c.inChannels;
  const m = shapeSize(c.input.shape) / cin;
  const n = shapeSize(c.weight.shape) / cin;
  if (!Number.isInteger(m) || !Number.isInteger(n) || cin % c.groups !== 0) {
    throw new UserError(
      `node '${c.name}': transposed convolution shapes do not fit: input [${c.input.shape.join(', ')}], weight [${c.weight.shape.join(', ')}], ${c.groups} groups`,
    );
  }
  const lead = c.groups > 1 ? [c.groups] : [];
  return {
    name: c.name,
    kind: 'linear',
    layer: c.layer,
    inputs: [tensor([...lead, m, cin / c.groups], c.input.dtype)],
    outputs: [tensor([...lead, m, n], c.output.dtype)],
    weights: c.weights,
    attrs: {
      conv: true,
      transposed: true,
      groups: c.groups,
      inputShape: c.input.shape.join('x'),
      weightShape: c.weight.shape.join('x'),
      outputShape: c.output.shape.join('x'),
      ...c.attrs,
    },
  };
}
