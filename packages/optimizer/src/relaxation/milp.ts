import type { MilpProblem, MilpRow, MilpVariable } from '@lightcode/cost-model';
import { type Candidate, fusionMembers, type StackedGraph, spanS } from '@lightcode/ir';
import type { SelectionConstraints } from '../constraints.js';
import { type Choice, type Objective, objectiveScaling } from '../selection.js';

/** A selection MILP and how to read a choice back from a solution. */
export interface SelectionMilp {
  readonly problem: MilpProblem;
  /** Seconds per model time unit and joules per model energy unit (coefficients are kept near 1). */
  readonly timeUnit: number;
  readonly energyUnit: number;
  /** Objective value in model units -> SI. */
  toSI(value: number): number;
  decode(values: readonly number[]): Choice;
}

/**
 * The exact selection problem as a MILP.
 *
 * Binary x[v,c] picks candidate c of op v (ops with one candidate are fixed).
 * Continuous f[v] is v's finish time: f[v] >= f[u] + transfer(u,v) + span(v) for
 * every edge, f[v] >= lat(v) at sources. T >= f[v] at sinks and
 * T >= load(d) / instances(d) for each device class and T >= each link's
 * transfer time, so T is the optimizer's
 * latency. Where both ends of an edge have choices, y[e,a,b] is the joint
 * choice, linked by sum_b y[e,a,b] = x[u,a] and sum_a y[e,a,b] = x[v,b] (the
 * tight marginal form, exact for binaries); transfer time and energy are linear
 * in y. Energy = dynamic + transfers + static power x T. Budgets bound T and
 * energy. The members of a fused realization are chosen together (equal x).
 */
export function buildSelectionMilp(sg: StackedGraph, objective: Objective, c: SelectionConstraints = {}): SelectionMilp {
  const g = sg.graph;
  const order = g.topologicalOrder();
  let maxLat = 0;
  let maxEnergy = 0;
  for (const list of sg.candidates.values()) {
    for (const x of list) {
      maxLat = Math.max(maxLat, x.latencyS);
      maxEnergy = Math.max(maxEnergy, x.energyJ);
    }
  }
  const timeUnit = maxLat > 0 ? maxLat : 1;
  const staticW = sg.devices.reduce((s, d) => s + d.count * d.staticPowerW, 0);
  const energyUnit = Math.max(maxEnergy, staticW * timeUnit) || 1;

  const vars: MilpVariable[] = [];
  const rows: MilpRow[] = [];
  const addVar = (v: MilpVariable) => vars.push(v) - 1;
  // x index per op and candidate; -1 when the op is fixed to its only candidate
  const xIndex = new Map<string, number[]>();
  for (const id of order) {
    const list = sg.candidates.get(id) ?? [];
    if (list.length > 1) {
      const idx = list.map((_, k) => addVar({ name: `x_${id}_${k}`, type: 'binary' }));
      xIndex.set(id, idx);
      rows.push({ name: `one_${id}`, terms: idx.map((i) => [i, 1] as const), lower: 1, upper: 1 });
    }
  }
  // a fused realization is taken by all its members or none: x[first] = x[member]
  for (const [fid, members] of fusionMembers(sg.candidates)) {
    const pick = ([id, k]: [string, number]): [number, number] | undefined => {
      const idx = xIndex.get(id);
      return idx ? [idx[k] as number, 1] : undefined;
    };
    const [first, ...rest] = members;
    if (!first) continue;
    const a = pick(first);
    for (const m of rest) {
      const b = pick(m);
      if (a && b) rows.push({ name: `fuse_${fid}_${m[0]}`, terms: [a, [b[0], -1]], lower: 0, upper: 0 });
      // an op fixed to its only (fused) candidate forces the other members to take theirs
      else if (a || b) rows.push({ name: `fuse_${fid}_${m[0]}`, terms: [(a ?? b) as [number, number]], lower: 1, upper: 1 });
    }
  }
  const fIndex = new Map<string, number>();
  for (const id of order) fIndex.set(id, addVar({ name: `f_${id}`, type: 'continuous', lower: 0 }));
  const T = addVar({ name: 'T', type: 'continuous', lower: 0 });

  /** Linear expression in model units: terms plus a constant. */
  type Expr = { terms: [number, number][]; constant: number };
  const count = new Map(sg.devices.map((d) => [d.id, d.count]));
  const span = (x: Candidate) => spanS(x, count.get(x.device) ?? 1);
  const latencyOf = (id: string): Expr => {
    const list = sg.candidates.get(id) ?? [];
    const idx = xIndex.get(id);
    if (!idx) return { terms: [], constant: (list[0] ? span(list[0]) : 0) / timeUnit };
    return { terms: list.map((x, k) => [idx[k] as number, span(x) / timeUnit]), constant: 0 };
  };
  const energy: Expr = { terms: [], constant: 0 };
  for (const id of order) {
    const list = sg.candidates.get(id) ?? [];
    const idx = xIndex.get(id);
    if (!idx) energy.constant += (list[0]?.energyJ ?? 0) / energyUnit;
    else
      list.forEach((x, k) => {
        energy.terms.push([idx[k] as number, x.energyJ / energyUnit]);
      });
  }

  // per link: the transfer time it carries, as terms and a constant (model time units)
  const linkTerms = new Map<string, [number, number][]>(sg.links.map((l) => [l, []]));
  const linkConst = new Map<string, number>(sg.links.map((l) => [l, 0]));
  const onLinks = (from: string, to: string, latencyS: number, v?: number) => {
    if (latencyS <= 0) return;
    for (const l of sg.route(from, to)) {
      if (v === undefined) linkConst.set(l, (linkConst.get(l) ?? 0) + latencyS / timeUnit);
      else linkTerms.get(l)?.push([v, latencyS / timeUnit]);
    }
  };
  // f[v] - f[u] - lat(v) - transfer(u, v) >= 0
  for (const id of order) {
    const lat = latencyOf(id);
    const f = fIndex.get(id) as number;
    const preds = g.predecessors(id);
    if (preds.length === 0) {
      rows.push({ name: `src_${id}`, terms: [[f, 1], ...lat.terms.map(([i, v]) => [i, -v] as [number, number])], lower: lat.constant });
    }
    for (const { from: p, bytes } of g.inEdges(id)) {
      const from = sg.candidates.get(p) ?? [];
      const to = sg.candidates.get(id) ?? [];
      const xp = xIndex.get(p);
      const xv = xIndex.get(id);
      const terms: [number, number][] = [[f, 1], [fIndex.get(p) as number, -1], ...lat.terms.map(([i, v]) => [i, -v] as [number, number])];
      let constant = lat.constant;
      const cost = (a: number, b: number) => sg.transfer(from[a]?.device ?? '', to[b]?.device ?? '', bytes);
      const device = (list: readonly Candidate[], k: number) => list[k]?.device ?? '';
      if (!xp && !xv) {
        const t = cost(0, 0);
        constant += t.latencyS / timeUnit;
        energy.constant += t.energyJ / energyUnit;
        onLinks(device(from, 0), device(to, 0), t.latencyS);
      } else if (!xp || !xv) {
        const idx = (xp ?? xv) as number[];
        idx.forEach((i, k) => {
          const t = xp ? cost(k, 0) : cost(0, k);
          if (t.latencyS > 0) terms.push([i, -t.latencyS / timeUnit]);
          if (t.energyJ > 0) energy.terms.push([i, t.energyJ / energyUnit]);
          onLinks(device(from, xp ? k : 0), device(to, xp ? 0 : k), t.latencyS, i);
        });
      } else if (from.some((a) => to.some((b) => a.device !== b.device))) {
        const y: number[][] = from.map((_, a) =>
          to.map((__, b) => addVar({ name: `y_${p}_${id}_${a}_${b}`, type: 'continuous', lower: 0 })),
        );
        for (const [a, ya] of y.entries()) {
          rows.push({ terms: [...ya.map((i) => [i, 1] as const), [xp[a] as number, -1]], lower: 0, upper: 0 });
        }
        for (const [b, xb] of xv.entries()) {
          rows.push({ terms: [...y.map((r) => [r[b] as number, 1] as const), [xb, -1]], lower: 0, upper: 0 });
        }
        for (const [a, ya] of y.entries()) {
          for (const [b, yi] of ya.entries()) {
            const t = cost(a, b);
            if (t.latencyS > 0) terms.push([yi, -t.latencyS / timeUnit]);
            if (t.energyJ > 0) energy.terms.push([yi, t.energyJ / energyUnit]);
            onLinks(device(from, a), device(to, b), t.latencyS, yi);
          }
        }
      }
      rows.push({ name: `edge_${p}_${id}`, terms, lower: constant });
    }
    if (g.successors(id).length === 0)
      rows.push({
        name: `sink_${id}`,
        terms: [
          [T, 1],
          [f, -1],
        ],
        lower: 0,
      });
  }
  // T >= load(d) / instances(d)
  for (const d of sg.devices) {
    const terms: [number, number][] = [[T, 1]];
    let constant = 0;
    for (const id of order) {
      const list = sg.candidates.get(id) ?? [];
      const idx = xIndex.get(id);
      list.forEach((x, k) => {
        if (x.device !== d.id) return;
        if (idx) terms.push([idx[k] as number, -x.latencyS / timeUnit / d.count]);
        else constant += x.latencyS / timeUnit / d.count;
      });
    }
    if (terms.length > 1 || constant > 0) rows.push({ name: `load_${d.id}`, terms, lower: constant });
  }
  // T >= the time each link spends carrying transfers
  for (const l of sg.links) {
    const terms = linkTerms.get(l) ?? [];
    const constant = linkConst.get(l) ?? 0;
    if (terms.length || constant > 0)
      rows.push({ name: `link_${l}`, terms: [[T, 1], ...terms.map(([i, v]) => [i, -v] as [number, number])], lower: constant });
  }
  if (staticW > 0) energy.terms.push([T, (staticW * timeUnit) / energyUnit]);

  if (c.latencyBudgetS !== undefined) rows.push({ name: 'latency_budget', terms: [[T, 1]], upper: c.latencyBudgetS / timeUnit });
  if (c.energyBudgetJ !== undefined) {
    rows.push({ name: 'energy_budget', terms: energy.terms, upper: c.energyBudgetJ / energyUnit - energy.constant });
  }

  const scale = objectiveScaling(objective, timeUnit, energyUnit);
  const costs = new Map<number, number>();
  const addCost = (i: number, v: number) => costs.set(i, (costs.get(i) ?? 0) + v);
  if (scale.latency) addCost(T, scale.latency);
  if (scale.energy) for (const [i, v] of energy.terms) addCost(i, scale.energy * v);
  const offset = scale.energy * energy.constant;
  const variables = vars.map((v, i) => (costs.has(i) ? { ...v, cost: costs.get(i) } : v));

  return {
    problem: { sense: 'minimize', variables, rows },
    timeUnit,
    energyUnit,
    toSI: (value) => (value + offset) * scale.unit,
    decode(values) {
      const choice = new Map<string, number>();
      for (const id of order) {
        const idx = xIndex.get(id);
        if (!idx) {
          choice.set(id, 0);
          continue;
        }
        let best = 0;
        idx.forEach((i, k) => {
          if ((values[i] ?? 0) > (values[idx[best] as number] ?? 0)) best = k;
        });
        choice.set(id, best);
      }
      return choice;
    },
  };
}
