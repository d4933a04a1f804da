import { biconnectedBlocks, blockSignature, OpGraph, tensor } from '@lightcode/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const meta = { id: 't', family: 't', phase: 'prefill' as const, seqLen: 1, batch: 1, dtype: 'fp16' as const, layers: 0 };
const t = tensor([2], 'fp16');

function graphOf(n: number, pairs: readonly (readonly [number, number])[]): OpGraph {
  const g = new OpGraph(meta);
  for (let i = 0; i < n; i++)
    g.addOp({ id: `o${i}`, name: `op${i}`, kind: 'add', layer: null, inputs: [t], outputs: [t], weights: [], attrs: {} });
  for (const [x, y] of pairs) {
    const [a, b] = [Math.min(x, y), Math.max(x, y)];
    if (a !== b && !g.edge(`o${a}`, `o${b}`)) g.connect(`o${a}`, `o${b}`, t);
  }
  return g;
}

/** Connected components of the undirected skeleton without `skip`. */
function components(g: OpGraph, skip?: string): number {
  const seen = new Set<string>(skip ? [skip] : []);
  let count = 0;
  for (const op of g.ops()) {
    if (seen.has(op.id)) continue;
    count++;
    const stack = [op.id];
    seen.add(op.id);
    while (stack.length) {
      const v = stack.pop() as string;
      for (const w of [...g.predecessors(v), ...g.successors(v)]) {
        if (!seen.has(w)) {
          seen.add(w);
          stack.push(w);
        }
      }
    }
  }
  return count;
}

const randomGraph = fc
  .integer({ min: 1, max: 9 })
  .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 14 })));

describe('Hopcroft-Tarjan blocks', () => {
  it('finds exactly the ops whose removal adds a component (property, brute force)', () => {
    fc.assert(
      fc.property(randomGraph, ([n, pairs]) => {
        const g = graphOf(n, pairs);
        const base = components(g);
        const brute = g
          .ops()
          .filter((op) => components(g, op.id) > base)
          .map((op) => op.id);
        expect([...biconnectedBlocks(g).articulationPoints].sort()).toEqual(brute.sort());
      }),
      { numRuns: 400 },
    );
  });

  it('partitions the edges into blocks that share only articulation points (property)', () => {
    fc.assert(
      fc.property(randomGraph, ([n, pairs]) => {
        const g = graphOf(n, pairs);
        const { blocks, articulationPoints } = biconnectedBlocks(g);
        const cut = new Set(articulationPoints);
        // every edge lies in exactly one block
        for (const e of g.edges()) expect(blocks.filter((b) => b.includes(e.from) && b.includes(e.to)).length).toBe(1);
        // an op in several blocks is an articulation point
        for (const op of g.ops()) {
          const k = blocks.filter((b) => b.includes(op.id)).length;
          expect(k).toBeGreaterThan(0);
          if (k > 1) expect(cut.has(op.id)).toBe(true);
        }
        // removing any single op of a block with 3+ ops leaves the block connected (2-connectedness)
        for (const b of blocks.filter((x) => x.length >= 3)) {
          for (const v of b) {
            const rest = b.filter((x) => x !== v);
            const inner = graphOf(0, []);
            for (const id of rest) inner.addOp(g.op(id));
            for (const e of g.edges()) if (rest.includes(e.from) && rest.includes(e.to)) inner.connect(e.from, e.to, t);
            expect(components(inner)).toBe(1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives equal signatures to isomorphic blocks regardless of names', () => {
    const g = graphOf(7, [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [3, 4],
      [3, 5],
      [4, 6],
      [5, 6],
    ]);
    const { blocks, articulationPoints } = biconnectedBlocks(g);
    expect(articulationPoints).toEqual(['o3']);
    expect(blocks).toEqual([
      ['o0', 'o1', 'o2', 'o3'],
      ['o3', 'o4', 'o5', 'o6'],
    ]);
    expect(blockSignature(g, blocks[0] as string[])).toBe(blockSignature(g, blocks[1] as string[]));
  });
});
