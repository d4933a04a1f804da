import { type Candidate, type StackedGraph, UserError } from '@lightcode/ir';
import { dropIncompleteFusions } from './fusions.js';

/** `--pin GLOB=DEVICE` / `--exclude GLOB=DEVICE`: op names matched by a glob (`*`, `?`). */
export interface PlacementRule {
  readonly glob: string;
  readonly device: string;
}

export interface SelectionConstraints {
  /** Seconds. */
  readonly latencyBudgetS?: number;
  /** Joules. */
  readonly energyBudgetJ?: number;
  readonly pins?: readonly PlacementRule[];
  readonly excludes?: readonly PlacementRule[];
}

/** Whether a priced selection keeps the budgets (to a relative 1e-12, for rounding in the solvers). */
export function meetsBudgets(c: SelectionConstraints, cost: { readonly latencyS: number; readonly energyJ: number }): boolean {
  const eps = 1e-12;
  return (
    (c.latencyBudgetS === undefined || cost.latencyS <= c.latencyBudgetS * (1 + eps)) &&
    (c.energyBudgetJ === undefined || cost.energyJ <= c.energyBudgetJ * (1 + eps))
  );
}

/** A glob over op names: `*` any run of characters, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Parses `GLOB=DEVICE`. */
export function parseRule(text: string, flag: string): PlacementRule {
  const i = text.lastIndexOf('=');
  if (i <= 0 || i === text.length - 1) throw new UserError(`${flag} takes GLOB=DEVICE, e.g. '*.attn.c_attn=ptu' (got '${text}')`);
  return { glob: text.slice(0, i), device: text.slice(i + 1) };
}

/**
 * Applies pins and excludes to the candidate lists: a pinned op keeps only its
 * candidates on the pinned device, an excluded device loses the op. Every rule
 * must name a device of the system and match at least one op; an op left with
 * no candidate is named.
 */
export function restrictCandidates(sg: StackedGraph, c: SelectionConstraints): StackedGraph {
  const pins = c.pins ?? [];
  const excludes = c.excludes ?? [];
  if (pins.length === 0 && excludes.length === 0) return sg;
  const devices = new Set(sg.devices.map((d) => d.id));
  const ops = sg.graph.ops();
  const compiled = (rules: readonly PlacementRule[], flag: string) =>
    rules.map((r) => {
      if (!devices.has(r.device))
        throw new UserError(`${flag} ${r.glob}=${r.device}: the system has no device '${r.device}' (devices: ${[...devices].join(', ')})`);
      const re = globToRegExp(r.glob);
      if (!ops.some((op) => re.test(op.name))) throw new UserError(`${flag} ${r.glob}=${r.device}: no op name matches '${r.glob}'`);
      return { re, device: r.device };
    });
  const pinRules = compiled(pins, '--pin');
  const excludeRules = compiled(excludes, '--exclude');
  const kept = new Map<string, readonly Candidate[]>();
  for (const op of ops) {
    let list = sg.candidates.get(op.id) ?? [];
    for (const r of pinRules) if (r.re.test(op.name)) list = list.filter((x) => x.device === r.device);
    for (const r of excludeRules) if (r.re.test(op.name)) list = list.filter((x) => x.device !== r.device);
    kept.set(op.id, list);
  }
  const candidates = dropIncompleteFusions(kept);
  for (const op of ops) {
    if ((candidates.get(op.id) ?? []).length === 0) {
      const before = [...new Set((sg.candidates.get(op.id) ?? []).map((x) => x.device))].join(', ');
      throw new UserError(`op '${op.name}' has no device left after --pin/--exclude (it can run on: ${before})`);
    }
  }
  return { ...sg, candidates, transfer: sg.transfer, route: sg.route };
}
