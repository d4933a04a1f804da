/**
 * The simulator: replays the schedule the optimizer produced and checks it.
 *
 * Nothing is rescheduled here. The replay checks that every op runs once, on
 * instances of its device class, its tiles adding up to its work; that no
 * instance or link runs two things at once; that every input (and every
 * transfer between device classes) arrives before its consumer starts; and
 * that the makespan is the one the optimizer charged. It then reports what
 * the schedule costs: energy by kind (summing to the total), busy time and
 * utilization per instance and per link.
 */

import type { Candidate, StackedGraph } from '@lightcode/ir';
import type { Plan, PlannedOp, PlannedTransfer } from '@lightcode/optimizer';

export type { Tile } from '@lightcode/optimizer';
/** One op placed on one or more instances of its class. */
export type ScheduledOp = PlannedOp;
/** A transfer between device classes on an edge. */
export type ScheduledTransfer = PlannedTransfer;

export interface InstanceUse {
  /** `device#index`. */
  readonly id: string;
  readonly device: string;
  readonly busyS: number;
  readonly utilization: number;
}

export interface LinkUse {
  readonly id: string;
  readonly busyS: number;
  readonly utilization: number;
}

export interface Schedule {
  readonly makespanS: number;
  readonly ops: readonly ScheduledOp[];
  readonly transfers: readonly ScheduledTransfer[];
  readonly instances: readonly InstanceUse[];
  readonly links: readonly LinkUse[];
  /** Joules by category; sums exactly (to rounding) to `energyJ`. */
  readonly energyBreakdownJ: Readonly<Record<string, number>>;
  readonly energyJ: number;
}

/** Relative slack for comparing times that were summed in different orders. */
const EPS = 1e-9;

/** A schedule that breaks a rule: an optimizer bug, never a user's mistake. */
export class InvalidScheduleError extends Error {
  constructor(message: string) {
    super(`invalid schedule: ${message}`);
    this.name = 'InvalidScheduleError';
  }
}

function fail(message: string): never {
  throw new InvalidScheduleError(message);
}

/** Checks that intervals on one resource never overlap. */
function checkExclusive(what: string, spans: { startS: number; endS: number; name: string }[], scale: number): void {
  spans.sort((a, b) => a.startS - b.startS || a.endS - b.endS);
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1] as (typeof spans)[number];
    const b = spans[i] as (typeof spans)[number];
    if (b.startS < a.endS - EPS * scale) fail(`${what} runs '${a.name}' and '${b.name}' at once`);
  }
}

function checkOps(sg: StackedGraph, plan: Plan, pick: (id: string) => Candidate, scale: number): Map<string, ScheduledOp> {
  const at = new Map<string, ScheduledOp>();
  const count = new Map(sg.devices.map((d) => [d.id, d.count]));
  for (const o of plan.ops) {
    if (at.has(o.id)) fail(`op '${o.id}' is scheduled twice`);
    at.set(o.id, o);
    const c = pick(o.id);
    if (o.device !== c.device) fail(`op '${o.id}' runs on '${o.device}' but chose '${c.device}'`);
    const parts = c.parts ?? 1;
    if (o.tiles.length < 1 || o.tiles.length > parts) fail(`op '${o.id}' has ${o.tiles.length} tiles for ${parts} parts`);
    let work = 0;
    const seen = new Set<number>();
    for (const t of o.tiles) {
      if (!(Number.isInteger(t.instance) && t.instance >= 0 && t.instance < (count.get(o.device) ?? 0))) {
        fail(`op '${o.id}' uses instance ${t.instance} of '${o.device}'`);
      }
      if (seen.has(t.instance)) fail(`op '${o.id}' uses instance ${t.instance} twice`);
      seen.add(t.instance);
      if (t.startS < o.startS - EPS * scale || t.endS > o.endS + EPS * scale) fail(`op '${o.id}' has a tile outside its span`);
      work += t.endS - t.startS;
    }
    if (Math.abs(work - c.latencyS) > EPS * Math.max(scale, c.latencyS)) fail(`op '${o.id}' tiles add to ${work} s of its ${c.latencyS} s`);
  }
  for (const id of sg.graph.topologicalOrder()) if (!at.has(id)) fail(`op '${id}' is not scheduled`);
  return at;
}

function checkEdges(
  sg: StackedGraph,
  plan: Plan,
  at: ReadonlyMap<string, ScheduledOp>,
  pick: (id: string) => Candidate,
  scale: number,
): void {
  const moved = new Map(plan.transfers.map((t) => [`${t.from}\u0000${t.to}`, t]));
  for (const e of sg.graph.edges()) {
    const from = at.get(e.from) as ScheduledOp;
    const to = at.get(e.to) as ScheduledOp;
    const a = pick(e.from).device;
    const b = pick(e.to).device;
    const tr = sg.transfer(a, b, e.bytes);
    if (to.startS < from.endS + tr.latencyS - EPS * scale) fail(`op '${e.to}' starts before its input from '${e.from}' arrives`);
    if (a === b || e.bytes <= 0) continue;
    const t = moved.get(`${e.from}\u0000${e.to}`);
    if (!t) fail(`the transfer from '${e.from}' to '${e.to}' is missing`);
    if (t.startS < from.endS - EPS * scale || t.endS > to.startS + EPS * scale)
      fail(`the transfer from '${e.from}' to '${e.to}' is out of order`);
    if (Math.abs(t.endS - t.startS - tr.latencyS) > EPS * scale) fail(`the transfer from '${e.from}' to '${e.to}' takes the wrong time`);
  }
}

/**
 * Replays a selection's schedule (`plan`, from the optimizer) on the system,
 * checks it (see the module header), and reports its cost. Throws
 * InvalidScheduleError when the plan breaks a rule.
 */
export function simulate(sg: StackedGraph, pick: (id: string) => Candidate, plan: Plan): Schedule {
  const scale = Math.max(plan.makespanS, 1e-30);
  const at = checkOps(sg, plan, pick, scale);
  checkEdges(sg, plan, at, pick, scale);
  const onInstance = new Map<string, { startS: number; endS: number; name: string }[]>();
  const busy = new Map<string, number>();
  const energy: Record<string, number> = {};
  const add = (k: string, v: number) => {
    energy[k] = (energy[k] ?? 0) + v;
  };
  let makespanS = 0;
  for (const o of plan.ops) {
    for (const t of o.tiles) {
      const k = `${o.device}#${t.instance}`;
      const spans = onInstance.get(k) ?? [];
      spans.push({ startS: t.startS, endS: t.endS, name: o.id });
      onInstance.set(k, spans);
      busy.set(k, (busy.get(k) ?? 0) + (t.endS - t.startS));
    }
    makespanS = Math.max(makespanS, o.endS);
    for (const [k, v] of Object.entries(pick(o.id).energy)) add(k, v);
  }
  for (const [k, spans] of onInstance) checkExclusive(`instance ${k}`, spans, scale);
  const onLink = new Map<string, { startS: number; endS: number; name: string }[]>();
  const linkBusy = new Map<string, number>();
  for (const t of plan.transfers) {
    for (const l of t.links) {
      const spans = onLink.get(l) ?? [];
      spans.push({ startS: t.startS, endS: t.endS, name: `${t.from} -> ${t.to}` });
      onLink.set(l, spans);
      linkBusy.set(l, (linkBusy.get(l) ?? 0) + (t.endS - t.startS));
    }
  }
  for (const [l, spans] of onLink) checkExclusive(`link ${l}`, spans, scale);
  // edges between device classes cost transfer energy whether or not they occupy a link
  for (const e of sg.graph.edges()) {
    const tr = sg.transfer(pick(e.from).device, pick(e.to).device, e.bytes);
    if (tr.energyJ > 0) add('transfer', tr.energyJ);
  }
  if (Math.abs(makespanS - plan.makespanS) > EPS * scale) fail(`it ends at ${makespanS} s, not the ${plan.makespanS} s charged for it`);
  let staticW = 0;
  for (const d of sg.devices) staticW += d.count * d.staticPowerW;
  add('static', staticW * makespanS);
  const instances: InstanceUse[] = sg.devices.flatMap((d) =>
    Array.from({ length: d.count }, (_, i) => {
      const busyS = busy.get(`${d.id}#${i}`) ?? 0;
      return { id: `${d.id}#${i}`, device: d.id, busyS, utilization: makespanS > 0 ? busyS / makespanS : 0 };
    }),
  );
  const links: LinkUse[] = sg.links.map((id) => {
    const busyS = linkBusy.get(id) ?? 0;
    return { id, busyS, utilization: makespanS > 0 ? busyS / makespanS : 0 };
  });
  let energyJ = 0;
  for (const v of Object.values(energy)) energyJ += v;
  return { makespanS, ops: plan.ops, transfers: plan.transfers, instances, links, energyBreakdownJ: energy, energyJ };
}
