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
  modelFile,
  type OpGraphData,
  type OpSpec,
  shapeSize,
  type TensorSpec,
  tensor,
  UserError,
} from '@lightcode/cost-model';
import { membersOf, TVM_OPS, type TvmRule } from './ops.js';

export { membersOf, TVM_OPS, type TvmRule } from './ops.js';

/** One node of a TVM graph-executor JSON. */
interface TvmNode {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly (readonly number[])[];
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/** A graph JSON, checked: nodes, per-entry shapes and dtypes, and where each node's entries start. */
interface TvmGraph {
  readonly nodes: readonly TvmNode[];
  readonly shapes: readonly (readonly number[])[];
  readonly dtypes: readonly string[];
  readonly rowPtr: readonly number[];
}

/** A value flowing between nodes: its tensor and where it comes from. */
interface Value {
  readonly tensor: TensorSpec;
  /** The op that produces it; none for graph inputs and parameters. */
  readonly producer?: string;
  /** The parameter (null node index) it is, or a view of. */
  readonly param?: number;
}

/**
 * Names TVM gives the parameters it binds (`p0`, `p1`, ...) and the usual
 * names of weights left unbound; every other null node is a graph input.
 */
const PARAM_NAME = /^p\d+$|(^|[._])(weight|bias|gamma|beta|moving_mean|moving_var|running_mean|running_var)$/i;

function fail(src: string, what: string): never {
  throw new UserError(`${src} is not a TVM graph JSON: ${what}`);
}

function isIntList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);
}

/** Reads `attrs.<key>` in its `["list_shape" | "list_str" | "list_int", [...]]` form. */
function listAttr(attrs: Record<string, unknown>, key: string, src: string): unknown[] | undefined {
  const v = attrs[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Array.isArray(v[1])) {
    fail(src, `'attrs.${key}' must be ["list_...", [...]]`);
  }
  return v[1] as unknown[];
}

/** Parses and checks the JSON's structure; the message names what is missing. */
export function readTvmGraph(text: string, src: string): TvmGraph {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(src, `invalid JSON (${(e as Error).message})`);
  }
  const j = json as Record<string, unknown>;
  if (typeof j !== 'object' || j === null || !Array.isArray(j.nodes)) fail(src, "no 'nodes' array");
  const nodes = j.nodes as TvmNode[];
  nodes.forEach((n, i) => {
    if (typeof n !== 'object' || n === null || typeof n.op !== 'string' || typeof n.name !== 'string' || !Array.isArray(n.inputs)) {
      fail(src, `node ${i} needs "op", "name" and "inputs"`);
    }
    for (const e of n.inputs) {
      if (!isIntList(e) || e.length < 2 || (e[0] as number) >= nodes.length) {
        fail(src, `node '${n.name}' has input ${JSON.stringify(e)}, not [node index, output index, version] of an existing node`);
      }
    }
  });
  const attrs = j.attrs as Record<string, unknown> | undefined;
  if (typeof attrs !== 'object' || attrs === null) fail(src, "no 'attrs' object");
  const shapes = listAttr(attrs, 'shape', src);
  if (!shapes) fail(src, "no 'attrs.shape'");
  shapes.forEach((s, i) => {
    if (!isIntList(s)) fail(src, `attrs.shape entry ${i} is not a list of dims`);
  });
  const dtypes = (listAttr(attrs, 'dltype', src) ?? shapes.map(() => 'float32')).map(String);
  let rowPtr = j.node_row_ptr as number[] | undefined;
  if (rowPtr === undefined) {
    // one entry per output; a node's output count is its num_outputs attr (1 by default)
    rowPtr = [0];
    for (const n of nodes) rowPtr.push((rowPtr.at(-1) as number) + Number(n.attrs?.num_outputs ?? 1));
  }
  if (!isIntList(rowPtr) || rowPtr.length !== nodes.length + 1) fail(src, `'node_row_ptr' must list ${nodes.length + 1} offsets`);
  if (rowPtr.at(-1) !== shapes.length) {
    fail(src, `'node_row_ptr' counts ${rowPtr.at(-1)} outputs but attrs.shape has ${shapes.length}`);
  }
  if (dtypes.length !== shapes.length) fail(src, `attrs.dltype has ${dtypes.length} entries, attrs.shape ${shapes.length}`);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as TvmNode;
    for (const e of n.inputs) {
      const [nid = 0, idx = 0] = e;
      if (idx >= (rowPtr[nid + 1] as number) - (rowPtr[nid] as number)) {
        fail(src, `node '${n.name}' reads output ${idx} of node '${nodes[nid]?.name}', which has fewer outputs`);
      }
    }
  }
  return { nodes, shapes: shapes as number[][], dtypes, rowPtr };
}

/** How one member of a fused function takes its operands: the previous member's result, then inputs of the node. */
function arityOf(rule: TvmRule, remaining: number): number {
  switch (rule.type) {
    case 'dense':
    case 'conv':
    case 'conv_transpose':
    case 'batch_matmul':
    case 'take':
      return 2;
    case 'elementwise':
    case 'norm':
      return rule.arity;
    case 'copy':
      return rule.arity === 0 ? Number.POSITIVE_INFINITY : Math.min(rule.arity, Math.max(1, remaining));
    default:
      return 1;
  }
}

/** Output shape a member's rule implies from its operand shapes, where the graph does not state it. */
function inferShape(rule: TvmRule, ins: readonly (readonly number[] | undefined)[], node: string, op: string): number[] | undefined {
  const [x, w] = ins;
  const mismatch = (): never => {
    throw new UserError(
      `node '${node}': ${op} operand shapes do not fit (${ins.map((s) => (s ? `[${s.join(', ')}]` : '?')).join(' and ')}); the graph's attrs.shape is inconsistent`,
    );
  };
  switch (rule.type) {
    case 'dense': {
      if (!x || !w) return undefined;
      const k = x.at(-1);
      const [n, kw] = rule.weight === 'NK' ? [w[0], w[1]] : rule.weight === 'KN' ? [w.at(-1), w[0]] : [(w[0] ?? 0) * (w[2] ?? 0), w[1]];
      if (n === undefined || kw !== k) mismatch();
      return [...x.slice(0, -1), n as number];
    }
    case 'batch_matmul': {
      if (!x || !w) return undefined;
      const k = x.at(-1);
      const n = w.at(-1) === k ? w.at(-2) : w.at(-2) === k ? w.at(-1) : mismatch();
      return [Math.max(x[0] ?? 1, w.length > 2 ? (w[0] ?? 1) : 1), x.at(-2) ?? 1, n as number];
    }
    case 'elementwise':
    case 'norm': {
      const known = ins.filter((s): s is readonly number[] => s !== undefined);
      if (known.length < ins.length) return undefined;
      return broadcastShapes(known) ?? mismatch();
    }
    case 'take': {
      // take(data, indices) along axis 0: indices' shape, then data's trailing dims
      if (!x || !w) return undefined;
      return [...w, ...x.slice(1)];
    }
    default:
      return undefined;
  }
}

/** Whether a member keeps its first operand's shape (so a later shape tells an earlier one). */
function keepsShape(rule: TvmRule): boolean {
  return rule.type === 'elementwise' || rule.type === 'norm';
}

interface Member {
  readonly op: string;
  readonly rule: TvmRule;
  /** Operands: -1 is the previous member's result, other numbers index the node's inputs. */
  readonly operands: readonly number[];
}

/** Hands a fused node's inputs to its members in order. */
function planMembers(ops: readonly string[], inputs: number, node: string): Member[] {
  let next = 0;
  const members = ops.map((op, i): Member => {
    const rule = TVM_OPS[op] as TvmRule;
    const want = arityOf(rule, inputs - next);
    const operands: number[] = i === 0 ? [] : [-1];
    while (operands.length < want && next < inputs) operands.push(next++);
    return { op, rule, operands };
  });
  if (next < inputs && members.length > 0) {
    // more inputs than the rules take (an operator with an optional operand): the last member reads them
    const last = members.at(-1) as Member;
    members[members.length - 1] = { ...last, operands: [...last.operands, ...Array.from({ length: inputs - next }, (_, k) => next + k)] };
  }
  const first = members[0];
  if (first && first.operands.length === 0) throw new UserError(`node '${node}': ${first.op} has no input`);
  return members;
}

function build(req: BuildRequest): OpGraphData {
  const file = modelFile(req, 'TVM graph JSON');
  if (req.inputShapes) throw new UserError('a TVM graph JSON has static shapes; drop --input-shape');
  const src = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const g = readTvmGraph(text, src);
  const order = dependencyOrder(
    g.nodes.length,
    (i) => (g.nodes[i] as TvmNode).inputs.map((e) => e[0] as number),
    (i) => (g.nodes[i] as TvmNode).name,
    src,
  );
  const b = new GraphBuilder({
    id: src.replace(/\.json$/i, ''),
    family: 'tvm',
    phase: 'prefill',
    seqLen: 1,
    batch: 1,
    dtype: req.dtype,
    layers: 0,
  });
  const entryTensor = (e: number) => tensor(g.shapes[e] as number[], importedDtype(g.dtypes[e] as string, req));
  const values: (Value | undefined)[] = new Array(g.shapes.length);
  const owned = new Set<number>();
  const names = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let k = 2; names.has(n); k++) n = `${name}#${k}`;
    names.add(n);
    return n;
  };

  for (const i of order) {
    const node = g.nodes[i] as TvmNode;
    const first = g.rowPtr[i] as number;
    const outs = Array.from({ length: (g.rowPtr[i + 1] as number) - first }, (_, k) => first + k);
    if (node.op === 'null') {
      for (const e of outs) values[e] = { tensor: entryTensor(e), ...(PARAM_NAME.test(node.name) ? { param: i } : {}) };
      continue;
    }
    if (node.op !== 'tvm_op')
      throw new UserError(`${src}: node '${node.name}' has op '${node.op}'; a graph-executor JSON has only "null" and "tvm_op"`);
    const funcName = String(node.attrs?.func_name ?? '');
    if (funcName === '') throw new UserError(`${src}: node '${node.name}' has no attrs.func_name`);
    const ins = node.inputs.map(([nid = 0, idx = 0]) => values[(g.rowPtr[nid] as number) + idx] as Value);
    const declared = outs.map(entryTensor);
    const ops = membersOf(funcName, node.name);
    lowerNode(b, {
      node: node.name,
      funcName,
      members: planMembers(ops, ins.length, node.name),
      ins,
      declared,
      owned,
      unique,
    }).forEach((v, k) => {
      values[outs[k] as number] = v;
    });
  }
  return b.build();
}

/** Lowers one graph node (a fused function) to one op per member; returns the values of its outputs. */
function lowerNode(
  b: GraphBuilder,
  o: {
    node: string;
    funcName: string;
    members: readonly Member[];
    ins: readonly Value[];
    declared: readonly TensorSpec[];
    owned: Set<number>;
    unique: (name: string) => string;
  },
): Value[] {
  const { members, ins, declared } = o;
  const last = declared[0] as TensorSpec;
  if (members.length === 0) {
    // a view (`__nop`): the output is the input under its new shape
    const v = ins[0];
    if (!v) throw new UserError(`node '${o.node}': ${o.funcName} has no input`);
    return [{ ...v, tensor: last }];
  }
  // shapes: forward where the rules tell, the declared shape at the end, then back through shape-keeping members
  const shapes: (readonly number[] | undefined)[] = [];
  members.forEach((m, k) => {
    const operandShapes = m.operands.map((x) => (x < 0 ? shapes[k - 1] : ins[x]?.tensor.shape));
    shapes.push(inferShape(m.rule, operandShapes, o.node, m.op));
  });
  const end = members.length - 1;
  const inferred = shapes[end];
  if (inferred && shapeSize(inferred) !== shapeSize(last.shape) && members[end]?.rule.type !== 'alias') {
    throw new UserError(
      `node '${o.node}': ${members[end]?.op} gives [${inferred.join(', ')}] but attrs.shape says [${last.shape.join(', ')}]; the graph is inconsistent`,
    );
  }
  shapes[end] = last.shape;
  for (let k = end - 1; k >= 0; k--) {
    const next = members[k + 1] as Member;
    // an unknown shape before a shape-keeping member is that member's; before any other, the best guess is the same
    if (shapes[k] === undefined) shapes[k] = keepsShape(next.rule) ? shapes[k + 1] : (shapes[k + 1] ?? last.shape);
  }

  const dtype = last.dtype;
  let prev: Value | undefined;
  const multi = members.length > 1;
  members.forEach((m, k) => {
    const operands = m.operands.map((x) => (x < 0 ? (prev as Value) : (ins[x] as Value)));
    const outShape = shapes[k] as number[];
    const out = k === end ? declared : [tensor(outShape, dtype)];
    if (m.rule.type === 'alias') {
      const v = operands[0] as Value;
      prev = { ...v, tensor: out[0] as TensorSpec };
      return;
    }
    const name = o.unique(multi ? `${o.node}.${m.op}` : o.node);
    const spec = memberOp(m, name, operands, out, o.owned);
    const feeds: Feed[] = operands.filter((v) => v.producer !== undefined).map((v) => [v.producer as string, v.tensor]);
    const id = b.add(spec, feeds);
    prev = { tensor: out[0] as TensorSpec, producer: id };
  });
  const result = prev as Value;
  return declared.map((t) => ({ ...result, tensor: t }));
}

/** The op of one member: its kind, activations, owned parameters and attrs. */
function memberOp(m: Member, name: string, operands: readonly Value[], outs: readonly TensorSpec[], owned: Set<number>): OpSpec {
  const acts = operands.filter((v) => v.param === undefined).map((v) => v.tensor);
  const params = operands.filter((v) => v.param !== undefined);
  const fresh = params.filter((v) => !owned.has(v.param as number));
  for (const v of params) owned.add(v.param as number);
  const weights = params.map((v) => v.tensor);
  // a parameter another op already owns (a tied weight) is read but not counted again
  const attrs: Record<string, AttrValue> = { tvmOp: m.op };
  if (params.length > 0 && fresh.length === 0) attrs.tiedWeights = true;
  const base = { name, layer: null, attrs };
  const out = outs[0] as TensorSpec;
  const [x, w] = operands;
  switch (m.rule.type) {
    case 'dense': {
      const input = x?.tensor as TensorSpec;
      const k = input.shape.at(-1) ?? 1;
      const rows = shapeSize(input.shape) / k;
      const n = shapeSize(out.shape) / rows;
      if (w?.param === undefined) {
        // both operands are activations: a matrix product
        return {
          ...base,
          kind: 'matmul',
          inputs: [tensor([rows, k], input.dtype), tensor([k, n], w?.tensor.dtype ?? input.dtype)],
          outputs: [tensor([rows, n], out.dtype)],
          weights,
        };
      }
      return { ...base, kind: 'linear', inputs: [tensor([rows, k], input.dtype)], outputs: [tensor([rows, n], out.dtype)], weights };
    }
    case 'batch_matmul': {
      const a = x?.tensor as TensorSpec;
      const bshape = w?.tensor.shape ?? [];
      const k = a.shape.at(-1) ?? 1;
      const n = out.shape.at(-1) ?? 1;
      const batch = bshape.length > 2 ? (bshape[0] ?? 1) : 1;
      const right = tensor([batch, k, n], w?.tensor.dtype ?? a.dtype);
      return { ...base, kind: 'matmul', inputs: [a, ...(w?.param === undefined ? [right] : [])], outputs: outs, weights };
    }
    case 'conv':
    case 'conv_transpose': {
      const input = x?.tensor as TensorSpec;
      const kernel = w?.tensor as TensorSpec;
      const packed = m.rule.type === 'conv' && m.rule.layout === 'NCHWc';
      const chans = (s: readonly number[]) => (packed ? (s[1] ?? 1) * (s[4] ?? 1) : (s[1] ?? 1));
      const kernelWeights = w?.param === undefined ? [] : weights;
      let spec: OpSpec;
      if (m.rule.type === 'conv_transpose') {
        const cin = chans(input.shape);
        const groups = cin / (kernel.shape[0] ?? cin) || 1;
        spec = convTransposeOp({
          name,
          layer: null,
          input,
          weight: kernel,
          output: out,
          inChannels: cin,
          groups,
          weights: kernelWeights,
          attrs: base.attrs,
        });
      } else {
        const cin = chans(input.shape);
        const perGroup = packed ? (kernel.shape[1] ?? 1) * (kernel.shape[4] ?? 1) : (kernel.shape[1] ?? 1);
        const groups = cin / perGroup;
        if (!Number.isInteger(groups) || groups < 1) {
          throw new UserError(
            `node '${name}': ${cin} input channels do not split into groups of ${perGroup} (weight [${kernel.shape.join(', ')}])`,
          );
        }
        spec = convolutionOp({
          name,
          layer: null,
          input,
          weight: kernel,
          output: out,
          outChannels: chans(out.shape),
          groups,
          weights: kernelWeights,
          attrs: { ...base.attrs, layout: packed ? 'NCHWc' : 'NCHW' },
        });
      }
      return w?.param === undefined ? { ...spec, inputs: [...spec.inputs, kernel] } : spec;
    }
    case 'elementwise':
      return {
        ...base,
        kind: m.rule.kind,
        inputs: acts,
        outputs: outs,
        weights,
        attrs: m.rule.kind === 'elementwise' ? { ...base.attrs, fn: m.op, flopsPerElement: m.rule.flops } : base.attrs,
      };
    case 'norm':
      return { ...base, kind: m.rule.kind, inputs: acts, outputs: outs, weights };
    case 'pool': {
      const input = x?.tensor as TensorSpec;
      const window = Math.max(1, Math.round(shapeSize(input.shape) / shapeSize(out.shape)));
      return { ...base, kind: 'pool', inputs: acts, outputs: outs, weights, attrs: { ...base.attrs, window } };
    }
    case 'reduce':
      return { ...base, kind: 'reduce', inputs: acts, outputs: outs, weights };
    case 'take':
      if (x?.param !== undefined) {
        // a lookup into a parameter table: an embedding, which reads only the rows it gathers
        return { ...base, kind: 'embedding', inputs: w ? [w.tensor] : [], outputs: outs, weights: [x.tensor] };
      }
      return { ...base, kind: 'copy', inputs: acts, outputs: outs, weights };
    default:
      return { ...base, kind: 'copy', inputs: acts, outputs: outs, weights };
  }
}

/** Whether the first bytes look like a TVM graph-executor JSON (a `nodes` list of `null` / `tvm_op` nodes). */
export function looksLikeTvmGraph(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head);
  return /"nodes"\s*:\s*\[/.test(text) && /"op"\s*:\s*"(null|tvm_op)"/.test(text);
}

export default defineFrontend({
  id: 'tvm',
  name: 'TVM graph JSON',
  description:
    'TVM graph-executor JSON (what relay.build writes): every operator of each fused function, packed layouts, reshapes as views, shapes from attrs.shape.',
  models: [],
  modelTypes: [],
  files: [{ name: 'TVM graph JSON', extensions: ['.json'], sniff: looksLikeTvmGraph }],
  build,
});
