import { pareto } from '@lightcode/core';
import { formatQuantity } from '@lightcode/cost-model';
import { renderParetoReport, renderTable, systemSummary } from '@lightcode/report';
import { checkPoints, intFlag, maxPointsFlag, type PluginFlags, parse } from '../args.js';
import { checkOutDir, type Io, jsonText, loadRegistry, writeOutputs } from '../context.js';
import { MODEL_HELP, MODEL_OPTIONS, modelRequest, SELECTION_OPTIONS, selectionFlags } from './compile.js';

export const PARETO_HELP = `lightcode pareto [options] [--points N] [--json | --csv]

The latency-energy front: the latency-optimal and energy-optimal selections and
N points between them (least energy under evenly spaced latency budgets).

${MODEL_HELP}  --system ID|FILE, --solver ID, --time-limit S, --pin, --exclude, budgets: as for compile
  --points N             points between the extremes (default 8)
  --out DIR              write result.json and pareto.csv there
  --max-points N         at most N points in all (default 10000; see docs/limits.md)
`;

export async function paretoCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('pareto', argv, {
    ...MODEL_OPTIONS,
    ...SELECTION_OPTIONS,
    points: { type: 'string' },
    csv: { type: 'boolean' },
    out: { type: 'string' },
    'max-points': { type: 'string' },
  });
  const points = intFlag(v.points as string | undefined, '--points', 0);
  checkPoints((points ?? 0) + 2, `--points ${points}`, maxPointsFlag(v));
  checkOutDir(io, v.out, ['result.json', 'pareto.csv', 'report.html']);
  const reg = await loadRegistry(io, v as PluginFlags);
  const r = await pareto(reg, {
    ...modelRequest(v),
    ...selectionFlags(v),
    ...(typeof v.system === 'string' ? { system: v.system } : {}),
    ...(points !== undefined ? { points } : {}),
    cwd: io.cwd,
  });
  const devices = r.system.devices.map((d) => d.id);
  const doc = {
    model: r.graph.meta,
    system: {
      id: r.system.spec.id,
      devices: r.system.devices.map((d) => ({ id: d.id, target: d.target.id, count: d.count, preset: d.preset })),
    },
    points: r.points.map((p) => ({
      latencyS: p.latencyS,
      energyJ: p.energyJ,
      status: p.status,
      solver: p.selection.solver,
      opsPerDevice: p.opsPerDevice,
    })),
  };
  const json = jsonText(doc, 'the Pareto front');
  const lines = [['latency_s', 'energy_j', 'status', ...devices.map((d) => `ops_${d}`)].join(',')];
  for (const p of r.points) lines.push([p.latencyS, p.energyJ, p.status, ...devices.map((d) => p.opsPerDevice[d] ?? 0)].join(','));
  const csv = `${lines.join('\n')}\n`;
  writeOutputs(io, v.out, {
    'result.json': json,
    'pareto.csv': csv,
    ...(typeof v.out === 'string' ? { 'report.html': renderParetoReport(doc, systemSummary(r.system)) } : {}),
  });
  if (v.json) io.out(json);
  else if (v.csv) io.out(csv);
  else {
    const rows = r.points.map((p) => [
      formatQuantity(p.latencyS, 's', 4),
      formatQuantity(p.energyJ, 'J', 4),
      p.status,
      ...devices.map((d) => String(p.opsPerDevice[d] ?? 0)),
    ]);
    io.out(`${renderTable(['latency', 'energy', 'status', ...devices.map((d) => `ops on ${d}`)], rows)}\n`);
  }
  return 0;
}
