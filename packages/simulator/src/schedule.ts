import { type Candidate, MinHeap, type StackedGraph } from '@lightcode/ir';

/** Part of an op on one instance. */
export interface Tile {
  readonly instance: number;
  readonly startS: number;
  readonly endS: number;
}

/** One op placed on one or more instances of its class. */
export interface ScheduledOp {
  readonly id: string;
  readonly device: string;
  /** Instance index within the device class, from 0 (the first tile's). */
  readonly instance: number;
  readonly startS: number;
  readonly endS: number;
  /** Where its parts ran: one tile unless the op split across instances. */
  readonly tiles: readonly Tile[];
}

/** A transfer between device classes on an edge. */
export interface ScheduledTransfer {
  readonly from: string;
  readonly to: string;
  /** Links it occupies, for its whole duration. */
  readonly links: readonly string[];
  readonly bytes: number;
  readonly startS: number;
  readonly endS: number;
  readonly energyJ: number;
}

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

/**
 * Upward rank (HEFT): an op's latency plus the longest chain of transfer and
 * op latencies after it. Ready ops with the highest rank go first.
 */
export function upwardRanks(sg: StackedGraph, pick: (id: string) => Candidate): Map<string, number> {
  const g = sg.graph;
  const order = g.topologicalOrder();
  const rank = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] as string;
    const c = pick(id);
    let tail = 0;
    for (const { to, bytes } of g.outEdges(id)) {
      const tr = sg.transfer(c.device, pick(to).device, bytes);
      tail = Math.max(tail, tr.latencyS + (rank.get(to) ?? 0));
    }
    rank.set(id, c.latencyS + tail);
  }
  return rank;
}

/**
 * Where and when an op runs: on the k instances that free up first, for the k
 * (up to its parts) that ends it earliest; parts spread evenly, the first
 * (parts mod k) instances taking one more. Ties keep fewer instances.
 */
function place(slots: readonly number[], arrive: number, c: Candidate): { startS: number; tiles: Tile[] } {
  const parts = c.parts ?? 1;
  const byFree = slots.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let bestK = 1;
  let bestStart = Math.max(arrive, byFree[0]?.[0] ?? 0);
  let bestEnd = bestStart + c.latencyS;
  for (let k = 2; k <= Math.min(parts, byFree.length); k++) {
    const start = Math.max(arrive, byFree[k - 1]?.[0] ?? 0);
    const end = start + (c.latencyS * Math.ceil(parts / k)) / parts;
    if (end < bestEnd * (1 - 1e-12)) {
      bestK = k;
      bestStart = start;
      bestEnd = end;
    }
  }
  const tiles: Tile[] = [];
  for (let j = 0; j < bestK; j++) {
    const share = Math.floor(parts / bestK) + (j < parts % bestK ? 1 : 0);
    tiles.push({ instance: byFree[j]?.[1] ?? 0, startS: bestStart, endS: bestStart + (c.latencyS * share) / parts });
  }
  return { startS: bestStart, tiles };
}

/**
 * List-schedules a selection: each device class has `count` instances, each
 * runs one op at a time. A ready op (all inputs scheduled) with the highest
 * upward rank goes next, on the instance of its class that frees up first (or
 * tiled over several, when it splits into parts and that ends it sooner), and
 * starts once that instance is free and every input has arrived. A transfer
 * between device classes starts when its producer ends and every link on its
 * route is free, and holds those links until it arrives (one transfer per link
 * at a time, in scheduling order).
 */
export function simulate(sg: StackedGraph, pick: (id: string) => Candidate): Schedule {
  const g = sg.graph;
  const rank = upwardRanks(sg, pick);
  const index = new Map<string, number>();
  for (const id of g.topologicalOrder()) index.set(id, index.size);
  const free = new Map<string, number[]>(sg.devices.map((d) => [d.id, new Array<number>(d.count).fill(0)]));
  const busy = new Map<string, number[]>(sg.devices.map((d) => [d.id, new Array<number>(d.count).fill(0)]));
  const waiting = new Map<string, number>();
  const end = new Map<string, number>();
  const ready = new MinHeap<string>((a, b) => (rank.get(b) ?? 0) - (rank.get(a) ?? 0) || (index.get(a) ?? 0) - (index.get(b) ?? 0));
  for (const id of g.topologicalOrder()) {
    const n = g.predecessors(id).length;
    waiting.set(id, n);
    if (n === 0) ready.push(id);
  }
  const linkFree = new Map<string, number>(sg.links.map((l) => [l, 0]));
  const linkBusy = new Map<string, number>(sg.links.map((l) => [l, 0]));
  const ops: ScheduledOp[] = [];
  const transfers: ScheduledTransfer[] = [];
  const energy: Record<string, number> = {};
  const add = (k: string, v: number) => {
    energy[k] = (energy[k] ?? 0) + v;
  };
  let makespanS = 0;
  while (ready.size > 0) {
    const id = ready.pop() as string;
    const c = pick(id);
    let arrive = 0;
    for (const { from: p, bytes } of g.inEdges(id)) {
      const pc = pick(p);
      const tr = sg.transfer(pc.device, c.device, bytes);
      let sent = end.get(p) ?? 0;
      if (pc.device !== c.device && bytes > 0) {
        const route = sg.route(pc.device, c.device);
        for (const l of route) sent = Math.max(sent, linkFree.get(l) ?? 0);
        for (const l of route) {
          linkFree.set(l, sent + tr.latencyS);
          linkBusy.set(l, (linkBusy.get(l) ?? 0) + tr.latencyS);
        }
        transfers.push({ from: p, to: id, links: route, bytes, startS: sent, endS: sent + tr.latencyS, energyJ: tr.energyJ });
        add('transfer', tr.energyJ);
      }
      arrive = Math.max(arrive, sent + tr.latencyS);
    }
    const slots = free.get(c.device);
    if (!slots) throw new Error(`op '${id}' chose device '${c.device}', which the system does not have`);
    const { startS, tiles } = place(slots, arrive, c);
    const b = busy.get(c.device) as number[];
    let endS = startS;
    for (const t of tiles) {
      slots[t.instance] = t.endS;
      b[t.instance] = (b[t.instance] ?? 0) + (t.endS - t.startS);
      endS = Math.max(endS, t.endS);
    }
    end.set(id, endS);
    makespanS = Math.max(makespanS, endS);
    ops.push({ id, device: c.device, instance: tiles[0]?.instance ?? 0, startS, endS, tiles });
    for (const [k, v] of Object.entries(c.energy)) add(k, v);
    for (const s of g.successors(id)) {
      const n = (waiting.get(s) ?? 0) - 1;
      waiting.set(s, n);
      if (n === 0) ready.push(s);
    }
  }
  let staticW = 0;
  for (const d of sg.devices) staticW += d.count * d.staticPowerW;
  add('static', staticW * makespanS);
  const instances: InstanceUse[] = sg.devices.flatMap((d) =>
    (busy.get(d.id) ?? []).map((busyS, i) => ({
      id: `${d.id}#${i}`,
      device: d.id,
      busyS,
      utilization: makespanS > 0 ? busyS / makespanS : 0,
    })),
  );
  const links: LinkUse[] = sg.links.map((id) => {
    const busyS = linkBusy.get(id) ?? 0;
    return { id, busyS, utilization: makespanS > 0 ? busyS / makespanS : 0 };
  });
  let energyJ = 0;
  for (const v of Object.values(energy)) energyJ += v;
  return { makespanS, ops, transfers, instances, links, energyBreakdownJ: energy, energyJ };
}
