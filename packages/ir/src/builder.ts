import type { ModelMeta } from './graph.js';
import type { OpGraphData } from './json.js';
import type { AttrValue, OpKind, OpNode } from './ops.js';
import type { TensorSpec } from './tensor.js';

/** An op to add: everything but its id, which the builder assigns. */
export interface OpSpec {
  readonly name: string;
  readonly kind: OpKind;
  readonly layer: number | null;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly weights?: readonly TensorSpec[];
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

/** A producer and the tensor it hands over. */
export type Feed = readonly [producerId: string, tensor: TensorSpec];

/**
 * Assembles graph data op by op, for frontends. Ids are assigned in order
 * (`0`, `1`, ...), so a graph's ids follow its construction.
 */
export class GraphBuilder {
  private readonly ops: OpNode[] = [];
  private readonly edges: { from: string; to: string; tensors: TensorSpec[] }[] = [];
  private readonly edgeIndex = new Map<string, { from: string; to: string; tensors: TensorSpec[] }>();

  constructor(private readonly meta: ModelMeta) {}

  /** Adds an op fed by `feeds`; returns its id. */
  add(spec: OpSpec, feeds: readonly Feed[] = []): string {
    const id = String(this.ops.length);
    this.ops.push({
      id,
      name: spec.name,
      kind: spec.kind,
      layer: spec.layer,
      inputs: spec.inputs,
      outputs: spec.outputs,
      weights: spec.weights ?? [],
      attrs: spec.attrs ?? {},
    });
    for (const [from, t] of feeds) {
      const key = `${from}>${id}`;
      const e = this.edgeIndex.get(key);
      if (e) e.tensors.push(t);
      else {
        const edge = { from, to: id, tensors: [t] };
        this.edges.push(edge);
        this.edgeIndex.set(key, edge);
      }
    }
    return id;
  }

  build(): OpGraphData {
    return { meta: this.meta, ops: this.ops, edges: this.edges };
  }
}
