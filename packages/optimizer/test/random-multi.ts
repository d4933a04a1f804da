import { type Candidate, type DeviceClass, OpGraph, type StackedGraph, tensor } from '@lightcode/ir';
import fc from 'fast-check';

/*
 * Random Stacked Graphs with three or four device classes and routes over
 * several links (a variant of random-stacked.ts, whose cases have two classes
 * and one link). The classes are joined in a line (d0 - d1 - d2 - d3, a
 * transfer from d0 to d2 holds l0 and l1) or a star around d0 (d1 to d2 goes
 * over l1 and l2); each link has its own fixed delay, time per kB and energy
 * per kB, and a transfer takes the sum over its route.
 */

/** One candidate: device class index, latency, energy, parts (when > 1 it may tile). */
export type MultiCand = readonly [number, number, number, number?];

export interface MultiCase {
  readonly n: number;
  /** [from, to, bytes]; from < to after normalization, self-edges dropped. */
  readonly edges: readonly (readonly [number, number, number])[];
  readonly cands: readonly (readonly MultiCand[])[];
  /** Instances per class; its length is the number of classes (3 or 4). */
  readonly counts: readonly number[];
  readonly staticW: readonly number[];
  readonly topology: 'line' | 'star';
  /** Per link: fixed delay, seconds per kB, joules per kB. */
  readonly links: readonly (readonly [number, number, number])[];
}

export const multiCase: fc.Arbitrary<MultiCase> = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), classes: fc.integer({ min: 3, max: 4 }) })
  .chain(({ n, classes }) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.integer({ min: 1, max: 1000 })), { maxLength: 10 }),
      cands: fc.array(
        fc.uniqueArray(
          fc.tuple(fc.nat(classes - 1), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 4 })),
          { minLength: 1, maxLength: 3, selector: (c) => c[0] },
        ),
        { minLength: n, maxLength: n },
      ),
      counts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: classes, maxLength: classes }),
      staticW: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: classes, maxLength: classes }),
      topology: fc.constantFrom('line' as const, 'star' as const),
      links: fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 10 })), {
        minLength: classes - 1,
        maxLength: classes - 1,
      }),
    }),
  );

/** The links between two classes: along the line, or through the hub d0 of the star. */
export function multiRoute(topology: MultiCase['topology'], a: number, b: number): string[] {
  if (a === b) return [];
  if (topology === 'line') {
    const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
    return Array.from({ length: hi - lo }, (_, k) => `l${lo + k}`);
  }
  // star: link l(i-1) joins d0 and di
  return [a, b].filter((x) => x !== 0).map((x) => `l${x - 1}`);
}

export function stackedFromMulti(c: MultiCase): StackedGraph {
  const g = new OpGraph({ id: 'multi', family: 'multi', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
  for (let i = 0; i < c.n; i++) {
    g.addOp({ id: `o${i}`, name: `op${i}`, kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
  }
  for (const [x, y, bytes] of c.edges) {
    const [a, b] = [Math.min(x, y), Math.max(x, y)];
    if (a !== b && !g.edge(`o${a}`, `o${b}`)) g.connect(`o${a}`, `o${b}`, tensor([bytes], 'int8'));
  }
  const ids = c.counts.map((_, i) => `d${i}`);
  const candidates = new Map<string, Candidate[]>();
  c.cands.forEach((list, i) => {
    candidates.set(
      `o${i}`,
      list.map(([d, lat, en, parts]) => ({
        device: ids[d] as string,
        target: 't',
        algorithm: 'a',
        latencyS: lat,
        energy: { compute: en },
        energyJ: en,
        ...(parts && parts > 1 ? { parts } : {}),
      })),
    );
  });
  const devices: DeviceClass[] = ids.map((id, i) => ({
    id,
    target: 't',
    count: c.counts[i] as number,
    staticPowerW: c.staticW[i] as number,
  }));
  const index = (id: string) => Number(id.slice(1));
  const linkOf = new Map(c.links.map((l, i) => [`l${i}`, l]));
  return {
    graph: g,
    devices,
    candidates,
    links: c.links.map((_, i) => `l${i}`),
    route: (from, to) => multiRoute(c.topology, index(from), index(to)),
    transfer: (from, to, bytes) => {
      if (from === to || bytes === 0) return { latencyS: 0, energyJ: 0 };
      let latencyS = 0;
      let energyJ = 0;
      for (const l of multiRoute(c.topology, index(from), index(to))) {
        const [fixed, perKB, ePerKB] = linkOf.get(l) as readonly [number, number, number];
        latencyS += fixed + (bytes * perKB) / 1000;
        energyJ += (bytes * ePerKB) / 1000;
      }
      return { latencyS, energyJ };
    },
  };
}
