import { brokenFusion, type Candidate, fusionMembers, type StackedGraph } from '@lightcode/ir';
import type { Choice } from './selection.js';

/**
 * Removes the members of fused realizations that lost a member (to a pin or
 * an exclude): a fusion is taken whole or not at all, so a partial one can
 * never be chosen.
 */
export function dropIncompleteFusions(candidates: ReadonlyMap<string, readonly Candidate[]>): Map<string, readonly Candidate[]> {
  const incomplete = new Set<string>();
  for (const list of candidates.values()) {
    for (const c of list) if (c.fusion && !incomplete.has(c.fusion.id)) incomplete.add(c.fusion.id);
  }
  for (const [fid, members] of fusionMembers(candidates)) {
    const size = candidates.get(members[0]?.[0] ?? '')?.[members[0]?.[1] ?? -1]?.fusion?.size;
    if (members.length === size) incomplete.delete(fid);
  }
  const out = new Map<string, readonly Candidate[]>();
  for (const [id, list] of candidates) out.set(id, incomplete.size ? list.filter((c) => !c.fusion || !incomplete.has(c.fusion.id)) : list);
  return out;
}

/**
 * Makes a per-op choice take every fusion whole or not at all: for each fusion
 * taken in part, either all its members (cost: the fused candidates' scores)
 * or each member's best unfused candidate, whichever scores lower. Used by the
 * heuristics (greedy, single-device baselines); the exact solvers never break
 * a fusion.
 */
export function mendFusions(sg: StackedGraph, choice: Map<string, number>, score: (c: Candidate) => number): Map<string, number> {
  const members = fusionMembers(sg.candidates);
  for (let pass = 0; pass <= members.size; pass++) {
    let mended = false;
    for (const ms of members.values()) {
      const taken = ms.filter(([id, k]) => choice.get(id) === k).length;
      if (taken === 0 || taken === ms.length) continue;
      mended = true;
      let fused = 0;
      let unfused = 0;
      const alone: number[] = [];
      for (const [id, k] of ms) {
        const list = sg.candidates.get(id) ?? [];
        fused += score(list[k] as Candidate);
        let best = -1;
        list.forEach((c, j) => {
          if (!c.fusion && (best < 0 || score(c) < score(list[best] as Candidate))) best = j;
        });
        unfused += best < 0 ? Number.POSITIVE_INFINITY : score(list[best] as Candidate);
        alone.push(best);
      }
      for (const [i, [id, k]] of ms.entries()) choice.set(id, fused <= unfused ? k : (alone[i] as number));
    }
    if (!mended) return choice;
  }
  throw new Error('could not make the selection take fused realizations whole');
}

/** Throws when a choice takes a fused realization for some of its ops only (an optimizer bug). */
export function assertWholeFusions(sg: StackedGraph, choice: Choice): void {
  const fid = brokenFusion(sg.candidates, choice);
  if (fid !== undefined) throw new Error(`selection takes fused realization '${fid}' for some of its ops only`);
}
