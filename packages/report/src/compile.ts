import { type CompileResult, objectiveLabel } from '@lightcode/core';
import { formatQuantity } from '@lightcode/cost-model';
import { renderTable } from './table.js';

/** The bound in the objective's own unit. */
function objectiveBound(r: CompileResult): string {
  const b = r.selection.bound as number;
  if (r.objective === 'latency') return formatQuantity(b, 's');
  if (r.objective === 'energy') return formatQuantity(b, 'J');
  return String(Number(b.toPrecision(6)));
}

/** The human summary of a compile: totals, energy breakdown, ops per device. */
export function renderCompile(r: CompileResult): string {
  const m = r.model;
  const head = [
    `model   ${m.id} ${m.phase}, ${m.phase === 'decode' ? `kv ${m.kvLen} + 1 token` : `${m.seqLen} tokens`}, batch ${m.batch}, ${m.dtype}`,
    `system  ${r.system.id}: ${r.system.devices.map((d) => `${d.id} x${d.count} (${d.target}/${d.preset})`).join(', ')}`,
    `select  ${objectiveLabel(r.objective)} objective, ${r.selection.solver} (${r.selection.status}, by ${r.selection.method})`,
    '',
    `latency ${formatQuantity(r.totals.latencyS, 's')}   energy ${formatQuantity(r.totals.energyJ, 'J')}   ${(r.totals.macs / 1e9).toFixed(2)} GMAC`,
    ...(r.selection.status === 'optimal' || r.selection.gap === null
      ? []
      : [
          `        ${(100 * r.selection.gap).toFixed(2)} % above the proven lower bound ${r.selection.bound === null ? '' : `(${objectiveBound(r)})`}`.trimEnd(),
        ]),
    // the gap line above already says what the generic note would
    ...(r.selection.note && !/above the proven lower bound$/.test(r.selection.note) ? [`note    ${r.selection.note}`] : []),
  ];
  const energy = renderTable(
    ['energy', 'J', 'share'],
    Object.entries(r.totals.energyBreakdownJ).map(([k, v]) => [
      k,
      formatQuantity(v, 'J'),
      `${((100 * v) / (r.totals.energyJ || 1)).toFixed(1)} %`,
    ]),
  );
  const perDevice = new Map<string, { ops: number; busy: number; energy: number; macs: number }>();
  for (const op of r.ops) {
    const d = perDevice.get(op.device) ?? { ops: 0, busy: 0, energy: 0, macs: 0 };
    d.ops++;
    d.busy += op.latencyS;
    d.energy += op.energyJ;
    d.macs += op.macs;
    perDevice.set(op.device, d);
  }
  const devices = renderTable(
    ['device', 'ops', 'busy', 'op energy', 'GMAC'],
    r.system.devices.map((dev) => {
      const d = perDevice.get(dev.id) ?? { ops: 0, busy: 0, energy: 0, macs: 0 };
      return [dev.id, String(d.ops), formatQuantity(d.busy, 's'), formatQuantity(d.energy, 'J'), (d.macs / 1e9).toFixed(2)];
    }),
  );
  return `${head.join('\n')}\n\n${energy}\n\n${devices}\n`;
}
