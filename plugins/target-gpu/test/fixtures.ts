import { type OpNode, tensor } from '@lightcode/cost-model';

/** QK^T, softmax, AV of one causal attention (batch 1) as the frontends build them. */
export function attentionChain(heads: number, s: number, d: number, kvHeads = heads): OpNode[] {
  const t = (shape: number[]) => tensor(shape, 'fp16');
  const scores = t([1, heads, s, s]);
  const base = { layer: 0, weights: [] };
  return [
    {
      ...base,
      id: 'qk',
      name: 'qk',
      kind: 'matmul',
      attrs: { causalMask: s > 1 },
      inputs: [t([1, heads, s, d]), t([1, kvHeads, d, s])],
      outputs: [scores],
    },
    { ...base, id: 'sm', name: 'softmax', kind: 'softmax', attrs: {}, inputs: [scores], outputs: [scores] },
    { ...base, id: 'av', name: 'av', kind: 'matmul', attrs: {}, inputs: [scores, t([1, kvHeads, s, d])], outputs: [t([1, heads, s, d])] },
  ];
}
