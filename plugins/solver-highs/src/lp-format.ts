import type { MilpProblem } from '@lightcode/cost-model';

/** A column name HiGHS' LP reader accepts, stable by index. */
export const column = (j: number): string => `v${j}`;

function num(v: number): string {
  // 17 significant digits round-trip a double exactly
  return Number.isInteger(v) ? String(v) : v.toPrecision(17).replace(/\.?0+(e|$)/, '$1');
}

function linear(terms: readonly (readonly [number, number])[]): string {
  const merged = new Map<number, number>();
  for (const [j, v] of terms) merged.set(j, (merged.get(j) ?? 0) + v);
  const parts: string[] = [];
  for (const [j, v] of merged) {
    if (v === 0) continue;
    parts.push(`${parts.length === 0 ? (v < 0 ? '- ' : '') : v < 0 ? ' - ' : ' + '}${num(Math.abs(v))} ${column(j)}`);
  }
  return parts.length > 0 ? parts.join('') : `0 ${column(0)}`;
}

/** Writes a MILP in CPLEX LP format. Ranged rows become two rows. */
export function toLpFormat(p: MilpProblem): string {
  const out: string[] = [p.sense === 'minimize' ? 'Minimize' : 'Maximize'];
  out.push(` obj: ${linear(p.variables.map((v, j) => [j, v.cost ?? 0] as const))}`);
  out.push('Subject To');
  p.rows.forEach((r, i) => {
    const body = linear(r.terms);
    if (r.lower !== undefined && r.upper !== undefined && r.lower === r.upper) out.push(` r${i}: ${body} = ${num(r.lower)}`);
    else {
      if (r.lower !== undefined) out.push(` r${i}l: ${body} >= ${num(r.lower)}`);
      if (r.upper !== undefined) out.push(` r${i}u: ${body} <= ${num(r.upper)}`);
    }
  });
  out.push('Bounds');
  p.variables.forEach((v, j) => {
    if (v.type === 'binary') return;
    const lower = v.lower ?? 0;
    const lo = lower === Number.NEGATIVE_INFINITY ? '-inf' : num(lower);
    out.push(
      v.upper !== undefined && v.upper !== Number.POSITIVE_INFINITY
        ? ` ${lo} <= ${column(j)} <= ${num(v.upper)}`
        : ` ${column(j)} >= ${lo}`,
    );
  });
  const of = (t: string) => p.variables.flatMap((v, j) => (v.type === t ? [column(j)] : []));
  const binaries = of('binary');
  const generals = of('integer');
  if (binaries.length > 0) out.push('Binary', ` ${binaries.join(' ')}`);
  if (generals.length > 0) out.push('General', ` ${generals.join(' ')}`);
  out.push('End', '');
  return out.join('\n');
}
