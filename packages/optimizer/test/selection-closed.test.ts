import type { StackedGraph } from '@lightcode/ir';
import {
  baselineChoices,
  baselines,
  CERTIFICATE_TOLERANCE,
  candidateOf,
  dynamicEnergyJ,
  evaluateSelection,
  greedySelect,
  makeSelection,
  meetsBound,
  objectiveLabel,
  objectiveScaling,
  objectiveValue,
  objectiveWeights,
  relaxedCost,
  staticPowerW,
  studyPathSelect,
} from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { firstChoice, handMade } from './hand-made.js';

/*
 * Pricing a selection and the baselines on hand-made Stacked Graphs whose
 * costs are added up by hand in each test (links: 1 s + 1 s/kB, 1 J/kB).
 */

describe('objectives', () => {
  it('labels: the metric, or "w x latency (s) + v x energy (J)"', () => {
    expect(objectiveLabel('latency')).toBe('latency');
    expect(objectiveLabel('energy')).toBe('energy');
    expect(objectiveLabel({ latencyWeight: 2, energyWeight: 0.5 })).toBe('2 x latency (s) + 0.5 x energy (J)');
  });

  it('weights: latency = 1 x latency, energy = 1 x energy, a weighted sum its own', () => {
    expect(objectiveWeights('latency')).toEqual({ latencyWeight: 1, energyWeight: 0 });
    expect(objectiveWeights('energy')).toEqual({ latencyWeight: 0, energyWeight: 1 });
    const w = { latencyWeight: 3, energyWeight: 4 };
    expect(objectiveWeights(w)).toBe(w);
  });

  it('value: the metric, or w x latency + v x energy', () => {
    const cost = { latencyS: 3, energyJ: 10 };
    expect(objectiveValue(cost, 'latency')).toBe(3);
    expect(objectiveValue(cost, 'energy')).toBe(10);
    expect(objectiveValue(cost, { latencyWeight: 2, energyWeight: 0.5 })).toBe(2 * 3 + 0.5 * 10);
  });

  it('scaling: a metric is its own unit; a weighted sum is divided by its larger term (w t, v e), 1 when both are 0', () => {
    expect(objectiveScaling('latency', 1e-3, 10)).toEqual({ latency: 1, energy: 0, unit: 1e-3 });
    expect(objectiveScaling('energy', 1e-3, 10)).toEqual({ latency: 0, energy: 1, unit: 10 });
    // 2 x 1e-3 = 0.002 vs 0.5 x 10 = 5: unit 5
    expect(objectiveScaling({ latencyWeight: 2, energyWeight: 0.5 }, 1e-3, 10)).toEqual({ latency: 0.002 / 5, energy: 1, unit: 5 });
    // 1000 x 1 = 1000 vs 1 x 2 = 2: unit 1000
    expect(objectiveScaling({ latencyWeight: 1000, energyWeight: 1 }, 1, 2)).toEqual({ latency: 1, energy: 2 / 1000, unit: 1000 });
    expect(objectiveScaling({ latencyWeight: 0, energyWeight: 0 }, 1, 2)).toEqual({ latency: 0, energy: 0, unit: 1 });
  });
});

/** o0 (d0 3 s 5 J | d1 1 s 9 J) -1000 B-> o1 (d0 4 s 2 J | d1 2 s 7 J); d0: 2 instances of 1 W, d1: 1 of 3 W. */
function twoOps(): StackedGraph {
  return handMade(
    [
      [
        [0, 3, 5],
        [1, 1, 9],
      ],
      [
        [0, 4, 2],
        [1, 2, 7],
      ],
    ],
    [[0, 1, 1000]],
    [2, 1],
    [1, 3],
  );
}

describe('pricing a selection', () => {
  it('candidateOf names an op without a valid choice', () => {
    const sg = twoOps();
    expect(candidateOf(sg, new Map([['o0', 1]]), 'o0').latencyS).toBe(1);
    expect(() => candidateOf(sg, new Map(), 'o0')).toThrow("selection has no valid candidate for op 'o0'");
    expect(() => candidateOf(sg, new Map([['o0', 2]]), 'o0')).toThrow("selection has no valid candidate for op 'o0'");
    expect(() => candidateOf(sg, new Map([['zz', 0]]), 'zz')).toThrow("selection has no valid candidate for op 'zz'");
  });

  it('static power = sum of count x W = 2 x 1 + 1 x 3 = 5 W', () => {
    expect(staticPowerW(twoOps())).toBe(5);
  });

  it('dynamic energy: ops plus 1 J/kB for the edge between classes, nothing within one class', () => {
    const sg = twoOps();
    expect(
      dynamicEnergyJ(
        sg,
        new Map([
          ['o0', 0],
          ['o1', 0],
        ]),
      ),
    ).toBe(5 + 2);
    expect(
      dynamicEnergyJ(
        sg,
        new Map([
          ['o0', 0],
          ['o1', 1],
        ]),
      ),
    ).toBe(5 + 7 + 1);
    expect(
      dynamicEnergyJ(
        sg,
        new Map([
          ['o0', 1],
          ['o1', 0],
        ]),
      ),
    ).toBe(9 + 2 + 1);
  });

  it('evaluate: latency = 3 + (1 + 1) + 2 = 7 s across the link; energy = 5 + 7 + 1 + 5 W x 7 s', () => {
    const sg = twoOps();
    expect(
      evaluateSelection(
        sg,
        new Map([
          ['o0', 0],
          ['o1', 1],
        ]),
      ),
    ).toEqual({ latencyS: 7, energyJ: 13 + 35 });
    expect(
      evaluateSelection(
        sg,
        new Map([
          ['o0', 1],
          ['o1', 1],
        ]),
      ),
    ).toEqual({ latencyS: 3, energyJ: 16 + 15 });
  });

  it('relaxation: critical path and per-class load over instances; energy at that latency', () => {
    const sg = twoOps();
    const r = relaxedCost(
      sg,
      new Map([
        ['o0', 0],
        ['o1', 0],
      ]),
    );
    // path 3 + 4 = 7; d0 load 7 over 2 instances = 3.5
    expect(r).toEqual({ latencyS: 7, criticalPathS: 7, loadBoundS: 3.5, energyJ: 7 + 5 * 7 });
  });

  it('relaxation: a link carrying three 2 s transfers is busy 6 s, more than any path (1 + 2 + 1)', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 3, 1000],
        [1, 4, 1000],
        [2, 5, 1000],
      ],
      [3, 3],
    );
    const r = relaxedCost(sg, firstChoice(sg));
    expect([r.criticalPathS, r.loadBoundS, r.latencyS]).toEqual([4, 6, 6]);
    expect(evaluateSelection(sg, firstChoice(sg)).latencyS).toBe(1 + 3 * 2 + 1);
  });

  it('relaxation: a transfer that takes time with no bytes loads no link (four of them: path 3 s, no 4 s on the link)', () => {
    const base = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 4, 0],
        [1, 5, 0],
        [2, 6, 0],
        [3, 7, 0],
      ],
      [4, 4],
    );
    const sg: StackedGraph = { ...base, transfer: (a, b) => (a === b ? { latencyS: 0, energyJ: 0 } : { latencyS: 1, energyJ: 0 }) };
    const r = relaxedCost(sg, firstChoice(sg));
    expect([r.criticalPathS, r.loadBoundS, r.latencyS]).toEqual([3, 1, 3]);
  });

  it('relaxation: a 4-part op on 2 instances spans half its latency; its class load counts whole', () => {
    const sg = handMade([[0, 8, 1, 4]], [], [2]);
    const r = relaxedCost(sg, firstChoice(sg));
    expect([r.criticalPathS, r.loadBoundS]).toEqual([4, 4]);
    const one = handMade([[0, 8, 1, 4]], [], [1]);
    expect(relaxedCost(one, firstChoice(one)).criticalPathS).toBe(8);
  });
});

describe('makeSelection: status from a proven bound', () => {
  const sg = () => twoOps();
  const ch = new Map([
    ['o0', 1],
    ['o1', 1],
  ]);

  it('without a bound: feasible, no bound; the plan, value and solver name', () => {
    const s = makeSelection(sg(), ch, 'latency', 'mine');
    expect([s.latencyS, s.energyJ, s.status, s.solver, s.objective, s.objectiveValue]).toEqual([3, 31, 'feasible', 'mine', 'latency', 3]);
    expect('bound' in s).toBe(false);
    expect(s.plan.makespanS).toBe(3);
    expect(s.choice).toBe(ch);
  });

  it('a bound equal to the value: optimal; within 1e-5 above: optimal, reported as the value; below: feasible with that bound', () => {
    expect(makeSelection(sg(), ch, 'latency', 'x', 3)).toMatchObject({ status: 'optimal', bound: 3 });
    expect(makeSelection(sg(), ch, 'latency', 'x', 3 * (1 + 0.5e-5))).toMatchObject({ status: 'optimal', bound: 3 });
    expect(makeSelection(sg(), ch, 'latency', 'x', 2)).toMatchObject({ status: 'feasible', bound: 2 });
    expect(makeSelection(sg(), ch, 'energy', 'x', 31)).toMatchObject({ status: 'optimal', objectiveValue: 31 });
  });

  it('a bound above the value by more than the tolerance is an error naming both', () => {
    expect(() => makeSelection(sg(), ch, 'latency', 'x', 4)).toThrow(
      'lower bound 4 is above the value 3 of the schedule it bounds (objective "latency")',
    );
    expect(() => makeSelection(sg(), ch, 'latency', 'x', 3 * (1 + 2e-5))).toThrow(/is above the value 3 /);
  });

  it('meetsBound at its edge: value <= bound x (1 + 1e-5)', () => {
    expect(CERTIFICATE_TOLERANCE).toBe(1e-5);
    expect(meetsBound(1, 1)).toBe(true);
    expect(meetsBound(1 + 0.9e-5, 1)).toBe(true);
    expect(meetsBound(1 + 1.1e-5, 1)).toBe(false);
    expect(meetsBound(0, 0)).toBe(true);
    expect(meetsBound(1e-19, 0)).toBe(true);
    expect(meetsBound(1e-18, 0)).toBe(true);
    expect(meetsBound(1e-17, 0)).toBe(false);
  });
});

describe('baselines on two ops', () => {
  it("all-d0 and all-d1 take each op's fastest candidate there; greedy per metric; study path sums with transfers", () => {
    const sg = twoOps();
    const got = Object.fromEntries(baselineChoices(sg).map(([name, c]) => [name, c && [c.get('o0'), c.get('o1')]]));
    expect(Object.keys(got)).toEqual(['all-d0', 'all-d1', 'greedy-latency', 'greedy-energy', 'study-path-latency', 'study-path-energy']);
    expect(got['all-d0']).toEqual([0, 0]);
    expect(got['all-d1']).toEqual([1, 1]);
    // latency: o0 1 s on d1, o1 2 s on d1; energy: o0 5 J on d0, o1 2 J on d0
    expect(got['greedy-latency']).toEqual([1, 1]);
    expect(got['greedy-energy']).toEqual([0, 0]);
    // paths, latency: d0 d0 7, d0 d1 3 + 2 + 2 = 7, d1 d1 3, d1 d0 1 + 2 + 4 = 7; energy: d0 d0 7, d1 d1 16, mixed + 1 J
    expect(got['study-path-latency']).toEqual([1, 1]);
    expect(got['study-path-energy']).toEqual([0, 0]);
    expect(baselineChoices(sg)).toBe(baselineChoices(sg));
  });

  it('priced: d0 alone 3 + 4 = 7 s, 7 J + 5 W x 7 s; d1 alone 3 s, 16 J + 15 J; budgets decide feasibility', () => {
    const sg = twoOps();
    const all = baselines(sg);
    const byName = new Map(all.map((b) => [b.name, b]));
    expect(byName.get('all-d0')).toEqual({ name: 'all-d0', latencyS: 7, energyJ: 42, feasible: true });
    expect(byName.get('all-d1')).toEqual({ name: 'all-d1', latencyS: 3, energyJ: 31, feasible: true });
    const tight = new Map(baselines(sg, { latencyBudgetS: 5 }).map((b) => [b.name, b.feasible]));
    expect([tight.get('all-d0'), tight.get('all-d1')]).toEqual([false, true]);
    const cheap = new Map(baselines(sg, { energyBudgetJ: 40 }).map((b) => [b.name, b.feasible]));
    expect([cheap.get('all-d0'), cheap.get('all-d1')]).toEqual([false, true]);
    // at the budget exactly: feasible
    expect(baselines(sg, { latencyBudgetS: 7, energyBudgetJ: 42 }).every((b) => b.feasible)).toBe(true);
  });

  it('a class that cannot run some op gives no all-<class> selection: infeasible, NaN costs', () => {
    const sg = handMade(
      [
        [
          [0, 1, 1],
          [1, 1, 1],
        ],
        [0, 2, 2],
      ],
      [[0, 1, 0]],
      [1, 1],
    );
    const choices = new Map(baselineChoices(sg));
    expect(choices.get('all-d1')).toBeUndefined();
    const b = baselines(sg).find((x) => x.name === 'all-d1');
    expect(b?.feasible).toBe(false);
    expect(b?.latencyS).toBeNaN();
    expect(b?.energyJ).toBeNaN();
  });

  it('all-<class> keeps the first of its fastest: 2 s before 5 s, and before another 2 s', () => {
    const sg = handMade(
      [
        [
          [0, 2, 1],
          [0, 5, 1],
          [0, 2, 1],
        ],
      ],
      [],
      [1, 1],
    );
    expect(new Map(baselineChoices(sg)).get('all-d0')?.get('o0')).toBe(0);
  });

  it('all-<class> picks the fastest of several candidates on that class', () => {
    const sg = handMade(
      [
        [
          [0, 5, 1],
          [1, 9, 1],
          [0, 2, 9],
          [0, 3, 1],
        ],
      ],
      [],
      [1, 1],
    );
    const choices = new Map(baselineChoices(sg));
    expect(choices.get('all-d0')?.get('o0')).toBe(2);
    expect(choices.get('all-d1')?.get('o0')).toBe(1);
  });
});

describe('greedy and the study path', () => {
  it('greedy takes the cheapest candidate per op for the objective, the first on ties, and never claims optimal', () => {
    const sg = handMade(
      [
        [
          [0, 4, 1],
          [1, 2, 3],
          [1, 2, 1],
        ],
      ],
      [],
      [1, 1],
    );
    expect(greedySelect(sg, 'latency').choice.get('o0')).toBe(1);
    expect(greedySelect(sg, 'energy').choice.get('o0')).toBe(0);
    // 1 x latency + 1 x energy: 5, 5, 3
    const w = greedySelect(sg, { latencyWeight: 1, energyWeight: 1 });
    expect(w.choice.get('o0')).toBe(2);
    expect([w.status, w.solver]).toEqual(['feasible', 'greedy']);
  });

  it('the study path pays for transfers: o0 fast on d0, o1 fast on d1, but 2 s between them make d1 d1 cheapest', () => {
    // o0: d0 1 s | d1 2 s; o1: d0 5 s | d1 1 s; 1000 B: 2 s. Paths: d0 d0 6, d0 d1 4, d1 d1 3, d1 d0 9
    const sg = handMade(
      [
        [
          [0, 1, 1],
          [1, 2, 1],
        ],
        [
          [0, 5, 1],
          [1, 1, 1],
        ],
      ],
      [[0, 1, 1000]],
      [1, 1],
    );
    const p = studyPathSelect(sg, 'latency');
    expect([p.get('o0'), p.get('o1')]).toEqual([1, 1]);
    expect(greedySelect(sg, 'latency').choice).toEqual(
      new Map([
        ['o0', 0],
        ['o1', 1],
      ]),
    );
  });

  it('the study path covers every op: a second path through an op off the first one, keeping what the first fixed', () => {
    // o0 -> o1 and o0 -> o2; o2 is cheap only on d1 (d0 10 s); the path through o1 fixes o0 on d0, then o2's own path
    const sg = handMade(
      [
        [
          [0, 1, 1],
          [1, 5, 1],
        ],
        [
          [0, 1, 1],
          [1, 5, 1],
        ],
        [
          [0, 10, 1],
          [1, 1, 1],
        ],
      ],
      [
        [0, 1, 1000],
        [0, 2, 1000],
      ],
      [1, 1],
    );
    const p = studyPathSelect(sg, 'latency');
    // path through o1: o0 d0 + o1 d0 = 2; through o2 with o0 on d0: 1 + 2 + 1 = 4 < 1 + 10
    expect([p.get('o0'), p.get('o1'), p.get('o2')]).toEqual([0, 0, 1]);
  });
});

describe('the study path, path by path', () => {
  it('a second path through an op already fixed keeps its fixed candidate (searched again under the fixes)', () => {
    // o0 (d0 only) -> o1 (d0 | d1, 1 s each) <- o2 (d1 only); 1000 B edges (2 s, 1 J between classes)
    // path through o0 fixes o1 on d0 (1 + 1 < 1 + 2 + 1); the path through o2 would like o1 on d1 (1 + 1), but o1 is fixed
    const sg = handMade(
      [
        [0, 1, 1],
        [
          [0, 1, 1],
          [1, 1, 1],
        ],
        [1, 1, 1],
      ],
      [
        [0, 1, 1000],
        [2, 1, 1000],
      ],
      [1, 1],
    );
    const p = studyPathSelect(sg, 'latency');
    expect([p.get('o0'), p.get('o1'), p.get('o2')]).toEqual([0, 0, 0]);
  });

  it('energy paths pay each transfer in joules: o1 leaves the class of o0 when 9 + 1 + 2 = 12 J beats 9 + 7 = 16 J, not at 6 J a transfer', () => {
    // o0 (d1 only, 9 J) -1000 B (1 J)-> o1 (d0 2 J | d1 7 J): 9 + 1 + 2 = 12 J beats 9 + 7 = 16 J
    const sg = handMade(
      [
        [1, 1, 9],
        [
          [0, 4, 2],
          [1, 2, 7],
        ],
      ],
      [[0, 1, 1000]],
      [1, 1],
    );
    expect(studyPathSelect(sg, 'energy').get('o1')).toBe(0);
    // 6000 B cost 6 J: 9 + 6 + 2 = 17 J loses to 16 J
    const dear = handMade(
      [
        [1, 1, 9],
        [
          [0, 4, 2],
          [1, 2, 7],
        ],
      ],
      [[0, 1, 6000]],
      [1, 1],
    );
    expect(studyPathSelect(dear, 'energy').get('o1')).toBe(1);
    // for latency the same transfer is 1 + 6 = 7 s: 1 + 7 + 4 = 12 s loses to 1 + 2 = 3 s
    expect(studyPathSelect(dear, 'latency').get('o1')).toBe(1);
  });

  it('independent ops each take their own cheapest', () => {
    const sg = handMade(
      [
        [
          [0, 3, 1],
          [1, 2, 5],
        ],
        [
          [0, 1, 4],
          [1, 2, 2],
        ],
      ],
      [],
      [1, 1],
    );
    const lat = studyPathSelect(sg, 'latency');
    expect([lat.get('o0'), lat.get('o1')]).toEqual([1, 0]);
    const en = studyPathSelect(sg, 'energy');
    expect([en.get('o0'), en.get('o1')]).toEqual([0, 1]);
  });
});
