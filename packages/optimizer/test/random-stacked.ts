import { brokenFusion, type Candidate, type DeviceClass, OpGraph, type StackedGraph, tensor } from '@lightcode/ir';
import { evaluateSelection, type Objective, objectiveValue } from '@lightcode/optimizer';
import fc from 'fast-check';

/** A small random Stacked Graph: a DAG, 2 device classes, 1-3 candidates per op, affine transfers. */
export interface RandomCase {
  readonly n: number;
  readonly edges: readonly (readonly [number, number, number])[];
  readonly cands: readonly (readonly (readonly [number, number, number, number?])[])[];
  readonly counts: readonly [number, number];
  readonly staticW: readonly [number, number];
  readonly link: readonly [number, number, number];
  /** A fused realization: first op, ops covered, device, latency, energy. */
  readonly fused?: readonly [number, number, number, number, number] | null;
}

export const randomCase: fc.Arbitrary<RandomCase> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.integer({ min: 1, max: 1000 })), { maxLength: 10 }),
    cands: fc.array(
      fc.uniqueArray(
        fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 4 })),
        {
          minLength: 1,
          maxLength: 2,
          selector: (c) => c[0],
        },
      ),
      { minLength: n, maxLength: n },
    ),
    counts: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    staticW: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
    link: fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 10 })),
    fused: fc.option(
      fc.tuple(
        fc.nat(n - 1),
        fc.integer({ min: 2, max: 3 }),
        fc.nat(1),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
      ),
    ),
  }),
);

const DEVICES = ['d0', 'd1'];

export function stackedFrom(c: RandomCase): StackedGraph {
  const g = new OpGraph({ id: 'rand', family: 'rand', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
  for (let i = 0; i < c.n; i++) {
    g.addOp({ id: `o${i}`, name: `op${i}`, kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
  }
  for (const [x, y, bytes] of c.edges) {
    const [a, b] = [Math.min(x, y), Math.max(x, y)];
    if (a !== b) g.connect(`o${a}`, `o${b}`, tensor([bytes], 'int8'));
  }
  const candidates = new Map<string, Candidate[]>();
  c.cands.forEach((list, i) => {
    candidates.set(
      `o${i}`,
      list.map(([d, lat, en, parts]) => ({
        device: DEVICES[d] as string,
        target: 't',
        algorithm: 'a',
        latencyS: lat,
        energy: { compute: en },
        energyJ: en,
        ...(parts && parts > 1 ? { parts } : {}),
      })),
    );
  });
  if (c.fused) {
    const [first, size, d, lat, en] = c.fused;
    const n = Math.min(size, c.n - first);
    for (let i = 0; n >= 2 && i < n; i++) {
      candidates.get(`o${first + i}`)?.push({
        device: DEVICES[d] as string,
        target: 't',
        algorithm: 'fused',
        latencyS: i === 0 ? lat : 0,
        energy: i === 0 ? { compute: en } : {},
        energyJ: i === 0 ? en : 0,
        fusion: { id: 'f', index: i, size: n },
      });
    }
  }
  const devices: DeviceClass[] = DEVICES.map((id, i) => ({
    id,
    target: 't',
    count: c.counts[i] as number,
    staticPowerW: c.staticW[i] as number,
  }));
  const [fixed, perKB, ePerKB] = c.link;
  return {
    graph: g,
    devices,
    candidates,
    links: ['l'],
    route: (from, to) => (from === to ? [] : ['l']),
    transfer: (from, to, bytes) =>
      from === to || bytes === 0
        ? { latencyS: 0, energyJ: 0 }
        : { latencyS: fixed + (bytes * perKB) / 1000, energyJ: (bytes * ePerKB) / 1000 },
  };
}

/** Every selection of a Stacked Graph that takes fused realizations whole, as candidate-index maps. */
export function* allChoices(sg: StackedGraph): Generator<Map<string, number>> {
  const ids = [...sg.candidates.keys()];
  const rec = function* (i: number, acc: Map<string, number>): Generator<Map<string, number>> {
    if (i === ids.length) {
      if (brokenFusion(sg.candidates, acc) === undefined) yield new Map(acc);
      return;
    }
    const id = ids[i] as string;
    for (let k = 0; k < (sg.candidates.get(id)?.length ?? 0); k++) {
      acc.set(id, k);
      yield* rec(i + 1, acc);
    }
  };
  yield* rec(0, new Map());
}

/** The least objective value over every selection (brute force). */
export function bruteForceBest(sg: StackedGraph, objective: Objective): number {
  return Math.min(...[...allChoices(sg)].map((ch) => objectiveValue(evaluateSelection(sg, ch), objective)));
}
