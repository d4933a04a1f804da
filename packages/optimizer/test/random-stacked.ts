import { brokenFusion, type Candidate, type DeviceClass, OpGraph, type StackedGraph, tensor } from '@lightcode/ir';
import {
  candidateOf,
  dynamicEnergyJ,
  evaluateSelection,
  type Objective,
  objectiveValue,
  relaxedCost,
  type SelectionCost,
  scheduleSegment,
  staticPowerW,
  wholeGraphSegment,
} from '@lightcode/optimizer';
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

/** The least relaxed objective value over every selection (brute force over relaxedCost). */
export function relaxedBruteForce(sg: StackedGraph, objective: Objective): number {
  return Math.min(...[...allChoices(sg)].map((ch) => objectiveValue(relaxedCost(sg, ch), objective)));
}

/**
 * The least objective over every selection and every schedule, or undefined
 * when the reference search cannot prove it: each selection's shortest
 * schedule of the whole graph as one window (no segments), by the exact
 * order search, which is exact without tiling when it finishes.
 */
export function trueOptimum(sg: StackedGraph, objective: Objective): number | undefined {
  const whole = wholeGraphSegment(sg);
  let best = Number.POSITIVE_INFINITY;
  for (const ch of allChoices(sg)) {
    const cost = scheduleSegment(
      sg,
      whole,
      whole.ops.map((id) => candidateOf(sg, ch, id)),
    );
    if (!cost.exact) return undefined;
    const latencyS = cost.makespanS;
    best = Math.min(best, objectiveValue({ latencyS, energyJ: dynamicEnergyJ(sg, ch) + staticPowerW(sg) * latencyS }, objective));
  }
  return best;
}

export type Cand = readonly [number, number, number, number?];

/**
 * A chain of blocks joined at articulation ops with one candidate each: every
 * block has 1-3 inner ops fed from its entry and feeding its exit (and maybe
 * each other), and maybe a sink of its own. Blocks repeat from a small pool, so isomorphic blocks occur.
 */
export const chainCase: fc.Arbitrary<RandomCase> = fc
  .record({
    pool: fc.array(
      fc.record({
        inner: fc.array(
          fc.uniqueArray(
            fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3 })),
            { minLength: 1, maxLength: 2, selector: (c) => c[0] },
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        link: fc.boolean(),
        // a sink inside the block (as the KV-cache write is): it may end after the block's exit
        sink: fc.option(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 60 }))),
        bytes: fc.integer({ min: 1, max: 800 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    order: fc.array(fc.nat(1), { minLength: 2, maxLength: 4 }),
    art: fc.array(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })), { minLength: 5, maxLength: 5 }),
    // articulation ops with a second candidate make neighbours agree on them
    artAlt: fc.option(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }))),
    // a dangling op off an articulation op (a bridge block off the spine)
    leaf: fc.option(fc.tuple(fc.nat(3), fc.nat(1), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 40 }))),
    counts: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    staticW: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
    link: fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 10 })),
  })
  .map(({ pool, order, art, artAlt, leaf, counts, staticW, link }) => {
    const cands: (readonly Cand[])[] = [];
    const edges: [number, number, number][] = [];
    const artOf = (i: number): readonly Cand[] => {
      const [d, l, e] = art[i % art.length] as [number, number, number];
      return artAlt && i % 2 === 1
        ? [
            [d, l, e],
            [1 - d, artAlt[0], artAlt[1]],
          ]
        : [[d, l, e]];
    };
    cands.push(artOf(0));
    let entry = 0;
    order.forEach((pick, bi) => {
      const spec = pool[pick % pool.length] as (typeof pool)[number];
      const inner = spec.inner.map((c) => {
        cands.push(c);
        return cands.length - 1;
      });
      cands.push(artOf(bi + 1));
      const exit = cands.length - 1;
      for (const x of inner) edges.push([entry, x, spec.bytes], [x, exit, spec.bytes]);
      if (spec.link && inner.length > 1) edges.push([inner[0] as number, inner[1] as number, spec.bytes]);
      if (spec.sink) {
        cands.push([spec.sink]);
        edges.push([entry, cands.length - 1, spec.bytes], [inner[0] as number, cands.length - 1, spec.bytes]);
      }
      if (leaf && leaf[0] === bi) {
        cands.push([[leaf[1], leaf[2], leaf[3]]]);
        edges.push([exit, cands.length - 1, 100]);
      }
      entry = exit;
    });
    return { n: cands.length, edges, cands, counts, staticW, link };
  });

/** A case from `cases` with budgets between the least and largest values its selections reach (see budgetsWithin). */
export function budgetCaseOf(
  cases: fc.Arbitrary<RandomCase>,
): fc.Arbitrary<{ c: RandomCase; lat: number; en: number; which: 'none' | 'latency' | 'energy' | 'both' }> {
  return fc.record({
    c: cases,
    lat: fc.double({ min: 0, max: 1.2, noNaN: true }),
    en: fc.double({ min: 0, max: 1.2, noNaN: true }),
    which: fc.constantFrom('none', 'latency', 'energy', 'both'),
  });
}

export const budgetCase = budgetCaseOf(randomCase);

/** Budgets between the least and the largest value the selections reach. */
export function budgetsWithin(costs: readonly SelectionCost[], which: string, lat: number, en: number) {
  const minL = Math.min(...costs.map((x) => x.latencyS));
  const maxL = Math.max(...costs.map((x) => x.latencyS));
  const minE = Math.min(...costs.map((x) => x.energyJ));
  const maxE = Math.max(...costs.map((x) => x.energyJ));
  return {
    ...(which === 'latency' || which === 'both' ? { latencyBudgetS: minL + lat * (maxL - minL) } : {}),
    ...(which === 'energy' || which === 'both' ? { energyBudgetJ: minE + en * (maxE - minE) } : {}),
  };
}

/** A block of interchangeable branches, with the op indices each head and the joining consumer got. */
export interface BranchBlock {
  readonly c: RandomCase;
  /** Each head's ops, producer side first: its chain, then its sink if it has one. */
  readonly heads: readonly (readonly number[])[];
  /** Ops in each head's chain. */
  readonly chain: number;
  readonly consumer: number;
}

const candList = fc.uniqueArray(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })), {
  minLength: 1,
  maxLength: 2,
  selector: (c) => c[0],
});

/**
 * One block of interchangeable parallel branches, as attention split per head
 * is: a source feeds a producer, which feeds h identical branches (chains of
 * 1-2 ops, maybe also fed by a shared second producer, as V feeds every head),
 * which a consumer joins; a one-candidate tail makes a second block. With
 * `variants`, the tail may be left out (the block is then the last one), each
 * head may end in a sink of its own (as the KV-cache write does, also fed by the producer), and its
 * first op may also feed the consumer directly.
 */
export function branchBlock(variants: boolean): fc.Arbitrary<BranchBlock> {
  return fc
    .record({
      heads: fc.integer({ min: 2, max: 4 }),
      chain: fc.array(
        fc.uniqueArray(
          fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 })),
          { minLength: 1, maxLength: 2, selector: (c) => c[0] },
        ),
        { minLength: 1, maxLength: 2 },
      ),
      producer: candList,
      shared: fc.option(candList),
      joiner: candList,
      tail: variants ? fc.boolean() : fc.constant(true),
      sink: variants ? fc.option(candList) : fc.constant(null),
      skip: variants ? fc.boolean() : fc.constant(false),
      bytes: fc.integer({ min: 1, max: 500 }),
      counts: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      staticW: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
      link: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 20 })),
    })
    .map(({ heads, chain, producer, shared, joiner, tail, sink, skip, bytes, counts, staticW, link }) => {
      const cands: (readonly Cand[])[] = [[[0, 1, 1]], producer];
      const edges: [number, number, number][] = [[0, 1, bytes]];
      const sharedAt = shared ? cands.push(shared) - 1 : -1;
      if (shared) edges.push([0, sharedAt, bytes]);
      const ops: number[][] = [];
      for (let h = 0; h < heads; h++) {
        const mine: number[] = [];
        let prev = 1;
        for (const c of chain) {
          const at = cands.push(c) - 1;
          edges.push([prev, at, bytes]);
          mine.push(at);
          prev = at;
        }
        if (shared) edges.push([sharedAt, prev, bytes]);
        if (sink) {
          // fed by the producer as well, so it stays in the block rather than hanging off the head
          mine.push(cands.push(sink) - 1);
          edges.push([prev, mine.at(-1) as number, bytes], [1, mine.at(-1) as number, bytes]);
        }
        ops.push(mine);
      }
      const consumer = cands.push(joiner) - 1;
      for (const mine of ops) {
        edges.push([mine[chain.length - 1] as number, consumer, bytes]);
        if (skip && chain.length > 1) edges.push([mine[0] as number, consumer, bytes]);
      }
      if (tail) edges.push([consumer, cands.push([[0, 1, 1]]) - 1, bytes]);
      return { c: { n: cands.length, edges, cands, counts, staticW, link }, heads: ops, chain: chain.length, consumer };
    });
}
