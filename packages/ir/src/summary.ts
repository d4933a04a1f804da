import { biconnectedBlocks, blockSignature } from './blocks.js';
import type { OpGraph } from './graph.js';
import { numel, sumBytes } from './tensor.js';

/** What a graph computes and holds, for `lightcode graph`. */
export interface GraphSummary {
  readonly ops: number;
  readonly macs: number;
  readonly flops: number;
  /** Parameters owned by the model (tied weights counted once). */
  readonly paramBytes: number;
  /** How many parameters those bytes hold, whatever their formats (int4 weights take half a byte each). */
  readonly parameters: number;
  /** Every tensor the ops produce, summed. */
  readonly activationBytes: number;
  /** The KV cache after this step: what prefill writes, or what decode reads plus writes. */
  readonly kvCacheBytes: number;
  readonly opsByKind: Readonly<Record<string, number>>;
  /** Biconnected blocks, articulation ops, and blocks distinct up to isomorphism (what a decomposed solve would face). */
  readonly blocks: number;
  readonly articulationPoints: number;
  readonly distinctBlocks: number;
}

export function summarizeGraph(g: OpGraph): GraphSummary {
  const t = g.totals();
  let activationBytes = 0;
  let kvCacheBytes = 0;
  const opsByKind: Record<string, number> = {};
  let parameters = 0;
  for (const op of g.ops()) {
    if (op.attrs.tiedWeights !== true) for (const w of op.weights) parameters += numel(w);
    opsByKind[op.kind] = (opsByKind[op.kind] ?? 0) + 1;
    activationBytes += sumBytes(op.outputs);
    if (op.kind === 'kv_write') kvCacheBytes += sumBytes(op.inputs);
    if (op.kind === 'kv_read') kvCacheBytes += sumBytes(op.outputs);
  }
  const d = biconnectedBlocks(g);
  const distinctBlocks = new Set(d.blocks.map((b) => blockSignature(g, b))).size;
  return {
    ops: t.ops,
    macs: t.macs,
    flops: t.flops,
    paramBytes: t.paramBytes,
    parameters,
    activationBytes,
    kvCacheBytes,
    opsByKind,
    blocks: d.blocks.length,
    articulationPoints: d.articulationPoints.length,
    distinctBlocks,
  };
}
