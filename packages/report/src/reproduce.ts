import type { ReproduceResult } from '@lightcode/core';
import { formatQuantity } from '@lightcode/cost-model';
import { page, type SystemSummary, systemSection, table } from './html.js';
import { esc, xyChart } from './svg.js';
import { renderTable } from './table.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a');

/** The tables of a reproduction, as header and rows: one per CSV file, the same in the terminal and the report. */
export function reproduceTables(r: ReproduceResult): Record<string, { header: string[]; rows: (string | number)[][] }> {
  return {
    claims: {
      header: ['finding', 'paper', 'reference code', 'LightCode', 'verdict', 'assumption'],
      rows: r.claims.map((c) => [c.finding, c.paper, c.reference, c.lightcode, c.verdict, c.assumption]),
    },
    energy: {
      header: ['model', 'tokens', 'hybrid J', 'CPU alone J', 'reduction', 'compute + conversion reduction', 'hybrid memory share'],
      rows: r.energy.map((e) => [
        e.model,
        e.seqLen,
        e.hybridJ,
        e.cpuJ,
        pct(e.reduction),
        pct(e.computeReduction),
        pct((e.hybridBreakdownJ.memory ?? 0) / e.hybridJ),
      ]),
    },
    sensitivity: {
      header: ['model', 'tokens', 'parameter', 'setting', 'reduction'],
      rows: r.sensitivity.map((s) => [s.model, s.seqLen, s.parameter, s.setting, pct(s.reduction)]),
    },
    thresholds: {
      header: ['model', 'tokens', 'memory pJ per number for 50 %', 'reduction with free memory'],
      rows: r.thresholds.map((t) => [
        t.model,
        t.seqLen,
        t.memoryEnergyPerNumberJ === null ? 'never' : (t.memoryEnergyPerNumberJ * 1e12).toFixed(2),
        pct(t.reductionAtZero),
      ]),
    },
    latency: {
      header: ['model', 'tokens', 'wavelengths', 'strategy', 'latency s', 'improvement'],
      rows: r.latency.map((l) => [l.model, l.seqLen, l.wavelengths, l.strategy, l.latencyS, times(l.improvement)]),
    },
    shares: {
      header: ['model', 'tokens', 'total', 'multiplexing', 'assignment'],
      rows: r.shares.map((s) => [s.model, s.seqLen, times(s.total), times(s.multiplexing), times(s.assignment)]),
    },
    mappings: {
      header: [
        'machine',
        'model',
        'tokens',
        'ops that differ',
        'latency mapping: s / J',
        'energy mapping: s / J',
        'ops (latency device -> energy device)',
      ],
      rows: r.mappings.map((m) => [
        m.machine,
        m.model,
        m.seqLen,
        m.differing.length,
        `${formatQuantity(m.latencyMapping.latencyS, 's')} / ${formatQuantity(m.latencyMapping.energyJ, 'J')}`,
        `${formatQuantity(m.energyMapping.latencyS, 's')} / ${formatQuantity(m.energyMapping.energyJ, 'J')}`,
        m.differing.map((d) => `${d.op} (${d.latencyDevice} -> ${d.energyDevice})`).join('; '),
      ]),
    },
    devices: {
      header: [
        'machine',
        'against',
        'model',
        'tokens',
        'energy reduction',
        'compute + conversion',
        'latency improvement',
        'ops that differ by objective',
      ],
      rows: r.devices.map((d) => [
        d.machine,
        d.baseline,
        d.model,
        d.seqLen,
        pct(d.energyReduction),
        pct(d.computeReduction),
        times(d.latencyImprovement),
        d.differingOps,
      ]),
    },
  };
}

/** The terminal summary: the claims, then the figures behind each. */
export function renderReproduceText(r: ReproduceResult): string {
  const t = reproduceTables(r);
  const lines: string[] = [];
  for (const c of r.claims) {
    lines.push(
      `finding ${c.finding}: ${c.paper}`,
      `  reference code  ${c.reference}`,
      `  LightCode       ${c.lightcode}`,
      `  verdict         ${c.verdict}`,
      `  deciding        ${c.assumption}`,
      '',
    );
  }
  const section = (title: string, key: string) => {
    const x = t[key];
    const cell = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : String(v));
    if (x)
      lines.push(
        title,
        renderTable(
          x.header,
          x.rows.map((row) => row.map(cell)),
        ),
        '',
      );
  };
  section('finding 1: energy against the CPU alone (energy objective)', 'energy');
  section('finding 1: what decides it (longest length per model)', 'sensitivity');
  section('finding 1: memory energy at which the reduction reaches 50 %', 'thresholds');
  section('finding 2: multiplexing and assignment', 'shares');
  section('finding 3: ops placed differently by the two objectives', 'mappings');
  section('on machines from public device figures', 'devices');
  lines.push(
    `${r.compiles} compiles in ${r.wallS.toFixed(1)} s${r.quick ? ' (--quick: a reduced matrix)' : ''}; reference figures: ${r.reference.source}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The report page: the claims table first, then a chart per finding, then the study's systems. */
export function renderReproduceReport(r: ReproduceResult, systems: readonly SystemSummary[]): string {
  const t = reproduceTables(r);
  const tbl = (key: string) => {
    const x = t[key];
    return x ? table(x.header, x.rows) : '';
  };
  const models = [...new Set(r.energy.map((e) => e.model))];
  const strategies = [...new Set(r.latency.map((l) => l.strategy))];
  return page(
    `LightCode reproduces "LightCode: Compiling LLM Inference for Photonic-Electronic Systems" (2025)${r.quick ? ' (quick)' : ''}`,
    [
      `<h2>Claims</h2>${tbl('claims')}<p>Reference figures: ${esc(r.reference.source)}. Every LightCode figure comes from the ${r.compiles} compiles of this run (${r.wallS.toFixed(1)} s).</p>`,
      `<h2>Finding 1: energy</h2>${xyChart({
        title: 'Energy reduction against the CPU alone',
        x: { label: 'sequence length', unit: 'tokens', log: true },
        y: { label: 'reduction', unit: '' },
        lines: true,
        series: models.flatMap((m) => [
          { name: `${m} total`, points: r.energy.filter((e) => e.model === m).map((e) => [e.seqLen, e.reduction] as const) },
          {
            name: `${m} compute + conversion`,
            points: r.energy.filter((e) => e.model === m).map((e) => [e.seqLen, e.computeReduction] as const),
          },
        ]),
      })}${tbl('energy')}<h3>What decides it</h3>${tbl('sensitivity')}${tbl('thresholds')}`,
      `<h2>Finding 2: latency</h2>${models
        .map((m) =>
          xyChart({
            title: `${m}: latency improvement against wavelengths`,
            x: { label: 'wavelengths', unit: '', log: true },
            y: { label: 'improvement', unit: 'x', log: true },
            lines: true,
            series: strategies.map((s) => ({
              name: s,
              points: r.latency
                .filter((l) => l.model === m && l.strategy === s && Number.isFinite(l.improvement))
                .map((l) => [l.wavelengths, l.improvement] as const),
            })),
          }),
        )
        .join('')}${tbl('shares')}`,
      `<h2>Finding 3: mappings</h2>${xyChart({
        title: 'Ops placed differently by the latency and energy objectives',
        x: { label: 'sequence length', unit: 'tokens', log: true },
        y: { label: 'ops', unit: '' },
        lines: true,
        series: models.map((m) => ({
          name: m,
          points: r.mappings.filter((x) => x.model === m).map((x) => [x.seqLen, x.differing.length] as const),
        })),
      })}${
        r.pareto
          ? xyChart({
              title: `Pareto front: ${r.pareto.model} at ${r.pareto.seqLen} tokens`,
              x: { label: 'latency', unit: 's' },
              y: { label: 'energy', unit: 'J' },
              series: [{ name: r.pareto.model, points: r.pareto.points.map((p) => [p.latencyS, p.energyJ] as const) }],
            })
          : ''
      }${tbl('mappings')}`,
      `<h2>On machines from public device figures</h2>${tbl('devices')}`,
      systemSection(systems),
    ],
  );
}
