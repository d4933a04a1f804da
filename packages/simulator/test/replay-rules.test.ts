import { type Candidate, OpGraph, type StackedGraph, tensor } from '@lightcode/ir';
import type { Plan, PlannedOp, PlannedTransfer } from '@lightcode/optimizer';
import { InvalidScheduleError, simulate } from '@lightcode/simulator';
import { describe, expect, it } from 'vitest';

/*
 * Each rule of the replay on one hand-built schedule, with the numbers counted
 * by hand: the exact message of every broken rule, both sides of every
 * tolerance (the relative slack is 1e-9 of the makespan, 9 s here, so 9e-9 s:
 * 5e-9 s off passes, 2e-8 s off fails), and what the replay reports.
 *
 * Two device classes: g (2 instances, 3 W static each) and p (1 instance,
 * 0.5 W). A transfer from g to p takes 1 ms and 0.5 mJ per byte over link l0;
 * p to g would take l1 (unused). Ops and candidates:
 *   a on g: 2 s, 5 J compute + 1 J memory
 *   b on g: 4 s, may split in 2 parts; 8 J compute
 *   c on p: 1 s, 2 J compute
 *   d on p: 3 s, 1 J compute + 0.25 J io
 *   z on p: 0 s, no energy, no edges
 * Edges: a->b 100 B (one class, no transfer), a->c 1000 B (1 s, 0.5 J),
 * b->d 2000 B (2 s, 1 J), c->d 500 B (one class), a->d 0 B (no transfer).
 *
 * The plan (listed out of time order on purpose, so the replay has to sort):
 *   g#0: a [0,2], b [2,4]; g#1: b [2,4]; p#0: c [3,4], z [3,3], d [6,9];
 *   l0: a->c [2,3], b->d [4,6]; makespan 9.
 */

const EPS = 1e-9;
const SCALE = 9;
/** The slack the replay allows at this makespan: a time this far off still passes, by the rule `x < y - EPS * scale`. */
const SLACK = EPS * SCALE;
const WITHIN = 5e-9;
const BEYOND = 2e-8;

const cand = (device: string, latencyS: number, energy: Record<string, number>, parts?: number): Candidate => ({
  device,
  target: 't',
  algorithm: 'x',
  latencyS,
  energy,
  energyJ: Object.values(energy).reduce((s, v) => s + v, 0),
  ...(parts ? { parts } : {}),
});

function system(): StackedGraph {
  const g = new OpGraph({ id: 'toy', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
  for (const id of ['a', 'b', 'c', 'd', 'z']) {
    g.addOp({ id, name: id, kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
  }
  g.connect('a', 'b', tensor([100], 'int8'));
  g.connect('a', 'c', tensor([1000], 'int8'));
  g.connect('b', 'd', tensor([2000], 'int8'));
  g.connect('c', 'd', tensor([500], 'int8'));
  g.connect('a', 'd', tensor([0], 'int8'));
  const candidates = new Map<string, Candidate[]>([
    ['a', [cand('g', 2, { compute: 5, memory: 1 })]],
    ['b', [cand('g', 4, { compute: 8 }, 2)]],
    ['c', [cand('p', 1, { compute: 2 })]],
    ['d', [cand('p', 3, { compute: 1, io: 0.25 })]],
    ['z', [cand('p', 0, {})]],
  ]);
  return {
    graph: g,
    devices: [
      { id: 'g', target: 't', count: 2, staticPowerW: 3 },
      { id: 'p', target: 't', count: 1, staticPowerW: 0.5 },
    ],
    candidates,
    links: ['l0', 'l1'],
    route: (from, to) => (from === to ? [] : from === 'g' ? ['l0'] : ['l1']),
    transfer: (from, to, bytes) =>
      from === to || bytes === 0 ? { latencyS: 0, energyJ: 0 } : { latencyS: bytes / 1000, energyJ: bytes / 2000 },
  };
}

const sg = system();
const pick = (id: string) => sg.candidates.get(id)?.[0] as Candidate;

const op = (id: string, device: string, startS: number, endS: number, tiles: [number, number, number][]): PlannedOp => ({
  id,
  device,
  instance: tiles[0]?.[0] ?? 0,
  startS,
  endS,
  tiles: tiles.map(([instance, s, e]) => ({ instance, startS: s, endS: e })),
});
const move = (from: string, to: string, bytes: number, startS: number, endS: number): PlannedTransfer => ({
  from,
  to,
  links: ['l0'],
  bytes,
  startS,
  endS,
  energyJ: bytes / 2000,
});

const ops: Record<string, PlannedOp> = {
  a: op('a', 'g', 0, 2, [[0, 0, 2]]),
  b: op('b', 'g', 2, 4, [
    [0, 2, 4],
    [1, 2, 4],
  ]),
  c: op('c', 'p', 3, 4, [[0, 3, 4]]),
  z: op('z', 'p', 3, 3, [[0, 3, 3]]),
  d: op('d', 'p', 6, 9, [[0, 6, 9]]),
};
const transfers: Record<string, PlannedTransfer> = { ac: move('a', 'c', 1000, 2, 3), bd: move('b', 'd', 2000, 4, 6) };

/** The plan above, with some ops or transfers replaced. */
function plan(over: Partial<Record<string, PlannedOp>> = {}, tr: Partial<Record<string, PlannedTransfer>> = {}, makespanS = 9): Plan {
  const o = { ...ops, ...over };
  const t = { ...transfers, ...tr };
  return {
    makespanS,
    // b before a on g#0, c before z (same start, z ends first) and d before c on p#0, b->d before a->c on l0
    ops: [o.b, o.a, o.d, o.c, o.z] as PlannedOp[],
    transfers: [t.bd, t.ac] as PlannedTransfer[],
    windows: [{ startS: 0, makespanS }],
  };
}
const shifted = (o: PlannedOp, by: number): PlannedOp => ({
  ...o,
  startS: o.startS + by,
  endS: o.endS + by,
  tiles: o.tiles.map((t) => ({ ...t, startS: t.startS + by, endS: t.endS + by })),
});
const later = (t: PlannedTransfer, by: number): PlannedTransfer => ({ ...t, startS: t.startS + by, endS: t.endS + by });

/** Asserts the replay refuses the plan with exactly this message. */
const rejects = (p: Plan, message: string, pk: (id: string) => Candidate = pick) => {
  let err: unknown;
  try {
    simulate(sg, pk, p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InvalidScheduleError);
  expect((err as Error).name).toBe('InvalidScheduleError');
  expect((err as Error).message).toBe(`invalid schedule: ${message}`);
};

describe('simulate: what a valid plan reports, counted by hand', () => {
  // replayed in each test, not while the file loads, so a broken replay fails the test
  const replay = () => simulate(sg, pick, plan());

  it('the makespan is the last op end (9 s); the plan ops and transfers come back as given', () => {
    const s = replay();
    expect(s.makespanS).toBe(9);
    expect(s.ops.map((o) => o.id)).toEqual(['b', 'a', 'd', 'c', 'z']);
    expect(s.transfers).toEqual([transfers.bd, transfers.ac]);
  });

  it('energy by kind: compute 5+8+2+1, memory 1, io 0.25, transfer 0.5+1 (a->c, b->d), static (2*3 + 0.5) W * 9 s', () => {
    const s = replay();
    expect(s.energyBreakdownJ).toEqual({ compute: 16, memory: 1, io: 0.25, transfer: 1.5, static: 58.5 });
    // the total as counted by hand: candidates 6 + 8 + 2 + 1.25, transfers 1.5, static 58.5
    expect(s.energyJ).toBe(77.25);
  });

  it('busy time per instance is the sum of its tile lengths; utilization is busy / makespan', () => {
    const s = replay();
    expect(s.instances).toEqual([
      { id: 'g#0', device: 'g', busyS: 4, utilization: 4 / 9 },
      { id: 'g#1', device: 'g', busyS: 2, utilization: 2 / 9 },
      { id: 'p#0', device: 'p', busyS: 4, utilization: 4 / 9 },
    ]);
  });

  it('busy time per link is the sum of its transfers (l0: 1 + 2 s); an unused link is idle', () => {
    const s = replay();
    expect(s.links).toEqual([
      { id: 'l0', busyS: 3, utilization: 3 / 9 },
      { id: 'l1', busyS: 0, utilization: 0 },
    ]);
  });

  it('a transfer on two links is busy time on both', () => {
    const both = simulate(sg, pick, plan({}, { ac: { ...transfers.ac, links: ['l0', 'l1'] } as PlannedTransfer }));
    expect(both.links).toEqual([
      { id: 'l0', busyS: 3, utilization: 3 / 9 },
      { id: 'l1', busyS: 1, utilization: 1 / 9 },
    ]);
  });

  it('the replayed makespan is reported, not the charged one, when they differ within the slack', () => {
    expect(simulate(sg, pick, plan({}, {}, 9 + WITHIN)).makespanS).toBe(9);
  });
});

describe('simulate: a schedule of zero length', () => {
  // two free ops on g, one feeding the other: nothing takes time, nothing moves
  const g = new OpGraph({ id: 'free', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
  for (const id of ['x', 'y']) g.addOp({ id, name: id, kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
  g.connect('x', 'y', tensor([10], 'int8'));
  const free: StackedGraph = {
    ...sg,
    graph: g,
    candidates: new Map([
      ['x', [cand('g', 0, {})]],
      ['y', [cand('g', 0, {})]],
    ]),
  };
  const p: Plan = {
    makespanS: 0,
    ops: [op('x', 'g', 0, 0, [[0, 0, 0]]), op('y', 'g', 0, 0, [[1, 0, 0]])],
    transfers: [],
    windows: [],
  };

  it('utilization is 0, not 0/0, and there is no transfer energy at all (not even a 0 J entry)', () => {
    const s = simulate(free, (id) => free.candidates.get(id)?.[0] as Candidate, p);
    expect(s.makespanS).toBe(0);
    expect(s.instances.map((i) => i.utilization)).toEqual([0, 0, 0]);
    expect(s.links.map((l) => l.utilization)).toEqual([0, 0]);
    expect(s.energyBreakdownJ).toEqual({ static: 0 });
    expect(s.energyJ).toBe(0);
  });
});

describe('simulate: each op once, on its class, its tiles adding up to its work', () => {
  it('refuses an op scheduled twice', () => {
    const p = plan();
    rejects({ ...p, ops: [...p.ops, ops.a as PlannedOp] }, "op 'a' is scheduled twice");
  });

  it('refuses an op missing from the plan', () => {
    const p = plan();
    rejects({ ...p, ops: p.ops.filter((o) => o.id !== 'z') }, "op 'z' is not scheduled");
  });

  it('refuses an op on another class than its candidate', () => {
    rejects(plan({ z: { ...(ops.z as PlannedOp), device: 'g' } }), "op 'z' runs on 'g' but chose 'p'");
  });

  it('refuses no tiles, and more tiles than the candidate has parts (1 without parts, 2 for b)', () => {
    rejects(plan({ a: { ...(ops.a as PlannedOp), tiles: [] } }), "op 'a' has 0 tiles for 1 parts");
    rejects(
      plan({
        a: op('a', 'g', 0, 2, [
          [0, 0, 1],
          [1, 0, 1],
        ]),
      }),
      "op 'a' has 2 tiles for 1 parts",
    );
    rejects(
      plan({
        b: op('b', 'g', 2, 4, [
          [0, 2, 3],
          [1, 2, 3],
          [0, 3, 4],
        ]),
      }),
      "op 'b' has 3 tiles for 2 parts",
    );
  });

  it('accepts instances 0 to count - 1 and refuses count, -1, a fraction, and any instance of a class the system lacks', () => {
    // a on g#1 (the last instance) is as good as on g#0
    expect(() => simulate(sg, pick, plan({ a: op('a', 'g', 0, 2, [[1, 0, 2]]) }))).not.toThrow();
    rejects(plan({ a: op('a', 'g', 0, 2, [[2, 0, 2]]) }), "op 'a' uses instance 2 of 'g'");
    rejects(plan({ a: op('a', 'g', 0, 2, [[-1, 0, 2]]) }), "op 'a' uses instance -1 of 'g'");
    rejects(plan({ a: op('a', 'g', 0, 2, [[0.5, 0, 2]]) }), "op 'a' uses instance 0.5 of 'g'");
    const ghost = (id: string) => (id === 'z' ? { ...pick('z'), device: 'ghost' } : pick(id));
    rejects(plan({ z: { ...(ops.z as PlannedOp), device: 'ghost' } }), "op 'z' uses instance 0 of 'ghost'", ghost);
  });

  it('refuses two tiles of one op on one instance', () => {
    rejects(
      plan({
        b: op('b', 'g', 2, 4, [
          [0, 2, 4],
          [0, 2, 4],
        ]),
      }),
      "op 'b' uses instance 0 twice",
    );
  });

  it('a tile may stick out of its op span by the slack, no more, on either side', () => {
    const b = ops.b as PlannedOp;
    const tile1 = (s: number, e: number) => ({ ...b, tiles: [b.tiles[0], { instance: 1, startS: s, endS: e }] }) as PlannedOp;
    expect(() => simulate(sg, pick, plan({ b: tile1(2 - WITHIN, 4 - WITHIN) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({ b: tile1(2 + WITHIN, 4 + WITHIN) }))).not.toThrow();
    // exactly the slack out still passes (`<`, not `<=`)
    expect(() => simulate(sg, pick, plan({ b: tile1(2 - SLACK, 4 - SLACK) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({ b: tile1(2 + SLACK, 4 + SLACK) }))).not.toThrow();
    rejects(plan({ b: tile1(2 - BEYOND, 4 - BEYOND) }), "op 'b' has a tile outside its span");
    rejects(plan({ b: tile1(2 + BEYOND, 4 + BEYOND) }), "op 'b' has a tile outside its span");
  });

  it('tiles must add up to the work within 1e-9 of max(makespan, latency), both short and long', () => {
    rejects(plan({ a: op('a', 'g', 0, 2, [[0, 0, 1.5]]) }), "op 'a' tiles add to 1.5 s of its 2 s");
    rejects(plan({ z: op('z', 'p', 3, 3.25, [[0, 3, 3.25]]) }), "op 'z' tiles add to 0.25 s of its 0 s");
    // z (0 s of work) over exactly the slack passes; a little more fails
    expect(() => simulate(sg, pick, plan({ z: op('z', 'p', 0, SLACK, [[0, 0, SLACK]]) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({ z: op('z', 'p', 0, 2 * SLACK, [[0, 0, 2 * SLACK]]) }))).toThrow(/'z' tiles add to/);
    // b alone, split into two 2 s tiles: its latency (4 s) is twice the makespan (2 s), so the slack is 1e-9 of the latency, 4e-9 s
    const lone = new OpGraph({ id: 'lone', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
    lone.addOp({ id: 'b', name: 'b', kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
    const one: StackedGraph = { ...sg, graph: lone, candidates: new Map([['b', [cand('g', 4, {}, 2)]]]) };
    const split = (w: number): Plan => ({
      makespanS: 2,
      ops: [
        op('b', 'g', 0, 2, [
          [0, 0, 2],
          [1, 0, 2 - w],
        ]),
      ],
      transfers: [],
      windows: [],
    });
    // 3e-9 s short passes (more than 1e-9 of the makespan, less than 1e-9 of the latency); 6e-9 s short is refused
    expect(() => simulate(one, (id) => one.candidates.get(id)?.[0] as Candidate, split(3e-9))).not.toThrow();
    expect(() => simulate(one, (id) => one.candidates.get(id)?.[0] as Candidate, split(6e-9))).toThrow(/'b' tiles add to/);
  });
});

describe('simulate: inputs and transfers in time', () => {
  it('an op may start once its input is in, within the slack; earlier is refused', () => {
    // b right after a (one class, no transfer); c one transfer (1 s) after a
    expect(() => simulate(sg, pick, plan({ b: shifted(ops.b as PlannedOp, -WITHIN) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({ b: shifted(ops.b as PlannedOp, -SLACK) }))).not.toThrow();
    rejects(plan({ b: shifted(ops.b as PlannedOp, -BEYOND) }), "op 'b' starts before its input from 'a' arrives");
    rejects(
      plan({ c: op('c', 'p', 2.5, 3.5, [[0, 2.5, 3.5]]) }, { ac: move('a', 'c', 1000, 2, 2.5) }),
      "op 'c' starts before its input from 'a' arrives",
    );
  });

  it('a transfer between classes may not be missing; one of zero bytes, or within one class, needs none', () => {
    const p = plan();
    rejects({ ...p, transfers: [transfers.bd as PlannedTransfer] }, "the transfer from 'a' to 'c' is missing");
    // a->d (0 B, g to p) and a->b, c->d (one class) have none in the valid plan
    expect(p.transfers.map((t) => `${t.from}${t.to}`)).toEqual(['bd', 'ac']);
    expect(() => simulate(sg, pick, p)).not.toThrow();
  });

  it('a transfer starts after its producer ends and ends before its consumer starts, within the slack', () => {
    const ac = transfers.ac as PlannedTransfer;
    expect(() => simulate(sg, pick, plan({}, { ac: later(ac, -WITHIN) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({}, { ac: later(ac, WITHIN) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({}, { ac: later(ac, -SLACK) }))).not.toThrow();
    rejects(plan({}, { ac: later(ac, -BEYOND) }), "the transfer from 'a' to 'c' is out of order");
    rejects(plan({}, { ac: later(ac, BEYOND) }), "the transfer from 'a' to 'c' is out of order");
    // exactly the slack early, or late (ending the slack after c starts): still in order
    expect(() => simulate(sg, pick, plan({}, { ac: later(ac, SLACK) }))).not.toThrow();
  });

  it('a transfer takes the time of the transfer cost (b->d: 2 s), within the slack, neither shorter nor longer', () => {
    const bd = transfers.bd as PlannedTransfer;
    rejects(plan({}, { bd: { ...bd, endS: 5 } }), "the transfer from 'b' to 'd' takes the wrong time");
    // 3 s, with d moved to 7 s so it stays in order
    rejects(
      plan({ d: op('d', 'p', 7, 10, [[0, 7, 10]]) }, { bd: { ...bd, endS: 7 } }, 10),
      "the transfer from 'b' to 'd' takes the wrong time",
    );
    expect(() => simulate(sg, pick, plan({}, { bd: { ...bd, endS: 6 - WITHIN } }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({}, { bd: { ...bd, endS: 6 + WITHIN } }))).not.toThrow();
  });
});

describe('simulate: one thing at a time on an instance or a link', () => {
  it('refuses an op inside another on one instance, naming the instance and both ops in time order', () => {
    rejects(plan({ z: op('z', 'p', 3.5, 3.5, [[0, 3.5, 3.5]]) }), "instance p#0 runs 'c' and 'z' at once");
  });

  it('ops may touch, or overlap by the slack, but not more', () => {
    expect(() => simulate(sg, pick, plan({ z: op('z', 'p', 4 - WITHIN, 4 - WITHIN, [[0, 4 - WITHIN, 4 - WITHIN]]) }))).not.toThrow();
    expect(() => simulate(sg, pick, plan({ z: op('z', 'p', 4 - SLACK, 4 - SLACK, [[0, 4 - SLACK, 4 - SLACK]]) }))).not.toThrow();
    rejects(plan({ z: op('z', 'p', 4 - BEYOND, 4 - BEYOND, [[0, 4 - BEYOND, 4 - BEYOND]]) }), "instance p#0 runs 'c' and 'z' at once");
  });

  it('refuses two transfers at once on a link, named producer -> consumer', () => {
    // c and its transfer moved to overlap b->d on l0
    rejects(plan({ c: op('c', 'p', 5, 6, [[0, 5, 6]]) }, { ac: move('a', 'c', 1000, 4, 5) }), "link l0 runs 'a -> c' and 'b -> d' at once");
    // on a link the transfers share (l1 here), even when their first links differ
    rejects(
      plan(
        { c: op('c', 'p', 5, 6, [[0, 5, 6]]) },
        { ac: { ...move('a', 'c', 1000, 4, 5), links: ['l1'] }, bd: { ...(transfers.bd as PlannedTransfer), links: ['l0', 'l1'] } },
      ),
      "link l1 runs 'a -> c' and 'b -> d' at once",
    );
    expect(() =>
      simulate(sg, pick, plan({ c: op('c', 'p', 5, 6, [[0, 5, 6]]) }, { ac: { ...move('a', 'c', 1000, 4, 5), links: ['l1'] } })),
    ).not.toThrow();
  });
});

describe('simulate: the makespan charged', () => {
  it('refuses a makespan that is not the last op end (beyond 1e-9 of it)', () => {
    rejects(plan({}, {}, 10), 'it ends at 9 s, not the 10 s charged for it');
    rejects(plan({}, {}, 8.5), 'it ends at 9 s, not the 8.5 s charged for it');
    expect(() => simulate(sg, pick, plan({}, {}, 9 - WITHIN))).not.toThrow();
    expect(() => simulate(sg, pick, plan({}, {}, 9 + 2e-8))).toThrow(/charged for it/);
  });
});

describe('simulate: exactly at the slack, where the float arithmetic is exact', () => {
  // a makespan whose slack, 1e-9 of it, is 2^-20 s exactly: times that far apart differ by exactly the slack
  const P = 1e9 / 2 ** 20;
  const D = 2 ** -20;
  const g = new OpGraph({ id: 'edge', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
  for (const id of ['x', 'y']) g.addOp({ id, name: id, kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
  g.connect('x', 'y', tensor([1000], 'int8'));
  const two: StackedGraph = {
    ...sg,
    graph: g,
    candidates: new Map([
      ['x', [cand('g', 1, {})]],
      ['y', [cand('p', P - 2 - D, {})]],
    ]),
  };
  const pk = (id: string) => two.candidates.get(id)?.[0] as Candidate;
  /** x on g [0,1], its 1 s transfer to y on p from 1 s to `arrive`, y from `startY` to `endY`; charged `charged`. */
  const run = (arrive: number, startY: number, endY: number, charged = P) =>
    simulate(two, pk, {
      makespanS: charged,
      ops: [op('x', 'g', 0, 1, [[0, 0, 1]]), op('y', 'p', startY, endY, [[0, startY, endY]])],
      transfers: [move('x', 'y', 1000, 1, arrive)],
      windows: [],
    });

  it('1e-9 of this makespan is exactly 2^-20 s', () => {
    expect(1e-9 * P).toBe(D);
    expect(P - (P - D)).toBe(D);
  });

  it('a transfer |length - its time| = 1e-9 * makespan passes; 2x that is refused', () => {
    expect(() => run(2 + D, 2 + D, P)).not.toThrow();
    expect(() => run(2 + 2 * D, 2 + 2 * D, P)).toThrow("the transfer from 'x' to 'y' takes the wrong time");
  });

  it('tiles |sum - work| = 1e-9 * makespan passes; 2x that is refused', () => {
    expect(() => run(2, 2, P)).not.toThrow();
    expect(() => run(2, 2, P + D, P + D)).toThrow("op 'y' tiles add to");
  });

  it('|last end - charged makespan| = 1e-9 * makespan passes; 2x that is refused', () => {
    // y of exactly its work, ending D, then 2D, before the charge
    expect(() => run(2, 2, P - D)).not.toThrow();
    expect(() => run(2, 2 - D, P - 2 * D)).toThrow(`it ends at ${P - 2 * D} s, not the ${P} s charged for it`);
  });
});
