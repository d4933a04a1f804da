import type { OpGraph } from './graph.js';

/** Energy of one realization by where it goes (joules). Keys: compute, memory, conversion, ... */
export type EnergyBreakdown = Readonly<Record<string, number>>;

/** One way a device class can run one op, with its cost. */
export interface Candidate {
  /** System device class id (e.g. `ptu`). */
  readonly device: string;
  /** Target plugin id that priced it. */
  readonly target: string;
  /** The target's name for how it runs the op (e.g. `dot-product-serial`). */
  readonly algorithm: string;
  readonly latencyS: number;
  readonly energy: EnergyBreakdown;
  /** Sum of `energy`. */
  readonly energyJ: number;
  /** Equal independent parts (batch x heads) the op can tile into across instances; 1 when it cannot. */
  readonly parts?: number;
  /**
   * Set when this candidate is one member of a fused realization that runs
   * several ops as one kernel (fused causal attention): it is chosen for every
   * member or for none. The first member carries the whole cost, the others
   * cost nothing and follow it on the same device.
   */
  readonly fusion?: FusionTag;
}

/** Which fused realization a candidate belongs to, and how many ops it covers. */
export interface FusionTag {
  /** Unique within one Stacked Graph. */
  readonly id: string;
  /** Member position in the fused chain, from 0. */
  readonly index: number;
  readonly size: number;
}

/** (op id, candidate index) of each member of every fused realization, by fusion id, in chain order. */
export function fusionMembers(candidates: ReadonlyMap<string, readonly Candidate[]>): Map<string, [string, number][]> {
  const found = new Map<string, [number, string, number][]>();
  for (const [id, list] of candidates) {
    list.forEach((c, k) => {
      if (!c.fusion) return;
      const m = found.get(c.fusion.id) ?? [];
      m.push([c.fusion.index, id, k]);
      found.set(c.fusion.id, m);
    });
  }
  const out = new Map<string, [string, number][]>();
  for (const [fid, m] of found)
    out.set(
      fid,
      m.sort((a, b) => a[0] - b[0]).map(([, id, k]) => [id, k]),
    );
  return out;
}

/**
 * The first fused realization a choice takes for some members but not for all,
 * or undefined when every fusion is taken whole or not at all.
 */
export function brokenFusion(
  candidates: ReadonlyMap<string, readonly Candidate[]>,
  choice: ReadonlyMap<string, number>,
  /** `fusionMembers(candidates)`, when the caller checks many choices. */
  members: ReadonlyMap<string, readonly [string, number][]> = fusionMembers(candidates),
): string | undefined {
  for (const [fid, ms] of members) {
    let taken = 0;
    for (const [id, k] of ms) if (choice.get(id) === k) taken++;
    if (taken > 0 && taken < ms.length) return fid;
  }
  return undefined;
}

/**
 * The shortest time a candidate can take on `instances` instances of its class:
 * its parts spread evenly, the busiest instance running ceil(parts / instances).
 */
export function spanS(c: Candidate, instances: number): number {
  const parts = c.parts ?? 1;
  if (parts <= 1 || instances <= 1) return c.latencyS;
  return (c.latencyS * Math.ceil(parts / Math.min(parts, instances))) / parts;
}

/** A device class of the system as the optimizer and simulator see it. */
export interface DeviceClass {
  readonly id: string;
  readonly target: string;
  readonly count: number;
  /** Static power of one instance (idle, laser, thermal tuning), watts. */
  readonly staticPowerW: number;
}

/** Cost of moving bytes between device classes. */
export interface TransferCost {
  readonly latencyS: number;
  readonly energyJ: number;
}

/**
 * The Stacked Graph: for every op, each realization the system's devices offer,
 * and for every edge, what moving its tensors between two devices costs.
 */
export interface StackedGraph {
  readonly graph: OpGraph;
  readonly devices: readonly DeviceClass[];
  /** Candidates per op id, never empty. */
  readonly candidates: ReadonlyMap<string, readonly Candidate[]>;
  /** Zero when `from === to`. */
  transfer(from: string, to: string, bytes: number): TransferCost;
  /** Every link of the system. */
  readonly links: readonly string[];
  /** The links a transfer from one device class to another occupies (none on one class). */
  route(from: string, to: string): readonly string[];
}

/** Sum of an energy breakdown. */
export function sumEnergy(e: EnergyBreakdown): number {
  let s = 0;
  for (const v of Object.values(e)) s += v;
  return s;
}
