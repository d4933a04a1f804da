import { DirectedGraph } from 'graphology';
import type { DType } from './dtype.js';
import { UserError } from './errors.js';
import { type OpArithmetic, type OpNode, opArithmetic } from './ops.js';
import { sumBytes, type TensorSpec } from './tensor.js';

/** What a graph was built from; echoed in every result. */
export interface ModelMeta {
  readonly id: string;
  readonly family: string;
  readonly phase: 'prefill' | 'decode';
  readonly seqLen: number;
  readonly batch: number;
  /** The activations' format, which ops compute in. */
  readonly dtype: DType;
  /** Weight-only quantization: the format linear layers' weight matrices are stored and read in (default: `dtype`). */
  readonly weightDtype?: DType;
  /** The format the KV cache is stored and read in (default: `dtype`). */
  readonly kvDtype?: DType;
  /** Decode: tokens already in the KV cache. */
  readonly kvLen?: number;
  readonly layers: number;
}

/** A data dependency: the tensors one op hands to another. */
export interface OpEdge {
  readonly from: string;
  readonly to: string;
  readonly tensors: readonly TensorSpec[];
  readonly bytes: number;
}

interface EdgeAttrs {
  tensors: TensorSpec[];
  bytes: number;
}

/** Totals over a whole graph. */
export interface GraphTotals extends OpArithmetic {
  readonly ops: number;
}

/**
 * The operator graph: a DAG of {@link OpNode}s whose edges carry the tensors
 * passed between them. Insertion order is kept and used to break ties, so every
 * traversal is deterministic.
 */
export class OpGraph {
  readonly meta: ModelMeta;
  private readonly g = new DirectedGraph<OpNode, EdgeAttrs>();
  private topo: string[] | null = null;
  // adjacency lists are read far more often than the graph changes (every
  // evaluation walks them); graphology builds a fresh array per call
  private preds = new Map<string, readonly string[]>();
  private succs = new Map<string, readonly string[]>();
  private ins = new Map<string, readonly { readonly from: string; readonly bytes: number }[]>();
  private outs = new Map<string, readonly { readonly to: string; readonly bytes: number }[]>();
  private readonly arith = new Map<string, OpArithmetic>();

  constructor(meta: ModelMeta) {
    this.meta = meta;
  }

  get size(): number {
    return this.g.order;
  }

  /** Adds an op; its id must be new. */
  addOp(op: OpNode): string {
    if (this.g.hasNode(op.id)) throw new UserError(`duplicate op id '${op.id}'`);
    this.g.addNode(op.id, op);
    this.changed();
    return op.id;
  }

  /** Records that `to` consumes `tensor` produced by `from`; repeated pairs accumulate. */
  connect(from: string, to: string, tensor: TensorSpec): void {
    for (const id of [from, to]) if (!this.g.hasNode(id)) throw new UserError(`edge names unknown op '${id}'`);
    if (from === to) throw new UserError(`op '${from}' cannot consume its own output`);
    const key = this.g.edge(from, to);
    if (key === undefined) {
      this.g.addDirectedEdge(from, to, { tensors: [tensor], bytes: sumBytes([tensor]) });
    } else {
      const attrs = this.g.getEdgeAttributes(key);
      attrs.tensors.push(tensor);
      attrs.bytes = sumBytes(attrs.tensors);
    }
    this.changed();
  }

  private changed(): void {
    this.topo = null;
    if (this.preds.size) this.preds = new Map();
    if (this.succs.size) this.succs = new Map();
    if (this.ins.size) this.ins = new Map();
    if (this.outs.size) this.outs = new Map();
  }

  has(id: string): boolean {
    return this.g.hasNode(id);
  }

  op(id: string): OpNode {
    if (!this.g.hasNode(id)) throw new UserError(`unknown op '${id}'`);
    return this.g.getNodeAttributes(id);
  }

  /** All ops in insertion order. */
  ops(): OpNode[] {
    return this.g.mapNodes((_, attrs) => attrs);
  }

  edges(): OpEdge[] {
    return this.g.mapEdges((_, attrs, from, to) => ({ from, to, tensors: attrs.tensors, bytes: attrs.bytes }));
  }

  edge(from: string, to: string): OpEdge | undefined {
    const key = this.g.edge(from, to);
    if (key === undefined) return undefined;
    const a = this.g.getEdgeAttributes(key);
    return { from, to, tensors: a.tensors, bytes: a.bytes };
  }

  predecessors(id: string): readonly string[] {
    return memo(this.preds, id, () => this.g.inNeighbors(id));
  }

  successors(id: string): readonly string[] {
    return memo(this.succs, id, () => this.g.outNeighbors(id));
  }

  /** The op's producers with the bytes each sends it (memoized): what cost evaluations walk. */
  inEdges(id: string): readonly { readonly from: string; readonly bytes: number }[] {
    return memo(this.ins, id, () => this.predecessors(id).map((from) => ({ from, bytes: this.edge(from, id)?.bytes ?? 0 })));
  }

  /** The op's consumers with the bytes it sends each (memoized). */
  outEdges(id: string): readonly { readonly to: string; readonly bytes: number }[] {
    return memo(this.outs, id, () => this.successors(id).map((to) => ({ to, bytes: this.edge(id, to)?.bytes ?? 0 })));
  }

  /** The op's MACs, FLOPs and bytes (memoized). */
  arithmetic(id: string): OpArithmetic {
    return memo(this.arith, id, () => opArithmetic(this.op(id)));
  }

  totals(): GraphTotals {
    let macs = 0;
    let flops = 0;
    let bytesRead = 0;
    let bytesWritten = 0;
    let paramBytes = 0;
    for (const id of this.g.nodes()) {
      const a = this.arithmetic(id);
      macs += a.macs;
      flops += a.flops;
      bytesRead += a.bytesRead;
      bytesWritten += a.bytesWritten;
      paramBytes += a.paramBytes;
    }
    return { ops: this.g.order, macs, flops, bytesRead, bytesWritten, paramBytes };
  }

  /**
   * Kahn's algorithm; among ready ops the earliest inserted goes first, so the
   * order is deterministic. Throws naming an op on a cycle.
   */
  topologicalOrder(): readonly string[] {
    if (this.topo) return this.topo;
    const index = new Map<string, number>();
    const indeg = new Map<string, number>();
    this.g.forEachNode((id) => {
      index.set(id, index.size);
      indeg.set(id, this.g.inDegree(id));
    });
    const ready = new MinHeap<string>((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
    for (const [id, d] of indeg) if (d === 0) ready.push(id);
    const order: string[] = [];
    while (ready.size > 0) {
      const id = ready.pop() as string;
      order.push(id);
      for (const s of this.g.outNeighbors(id)) {
        const d = (indeg.get(s) ?? 0) - 1;
        indeg.set(s, d);
        if (d === 0) ready.push(s);
      }
    }
    if (order.length !== this.g.order) {
      const stuck = [...indeg].find(([, d]) => d > 0)?.[0];
      throw new UserError(`the op graph has a cycle through op '${stuck}'`);
    }
    this.topo = order;
    return order;
  }
}

/** The cached value for a key, made and stored on first use (a Map or a WeakMap). */
export function memo<K, T>(cache: { get(key: K): T | undefined; set(key: K, value: T): unknown }, key: K, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

/** A binary heap; small and allocation-free per operation. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i] as T, a[p] as T) >= 0) break;
      [a[i], a[p]] = [a[p] as T, a[i] as T];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const end = a.pop() as T;
    if (a.length > 0) {
      a[0] = end;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l] as T, a[m] as T) < 0) m = l;
        if (r < a.length && this.less(a[r] as T, a[m] as T) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as T, a[i] as T];
        i = m;
      }
    }
    return top;
  }
}
