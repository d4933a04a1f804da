import { type CompileResult, type CrossoverResult, objectiveLabel, type SweepRow } from '@lightcode/core';
import { formatQuantity, formatValue, paramSource, type ResolvedSystem } from '@lightcode/cost-model';
import type { ExplainedBaseline } from './baselines.js';
import { barChart, esc, type GanttItem, ganttChart, type Series, xyChart } from './svg.js';

/** A system's devices with every parameter value, unit and source, and its links: what a report lists. */
export interface SystemSummary {
  readonly id: string;
  readonly devices: readonly {
    readonly id: string;
    readonly target: string;
    readonly count: number;
    readonly preset: string;
    readonly params: readonly { readonly name: string; readonly value: number | string; readonly unit: string; readonly source: string }[];
  }[];
  readonly links: readonly {
    readonly id: string;
    readonly between: readonly string[];
    readonly bandwidthBps: number;
    readonly latencyS: number;
  }[];
}

export function systemSummary(s: ResolvedSystem): SystemSummary {
  return {
    id: s.spec.id,
    devices: s.devices.map((d) => {
      // a value's source: the system's override, else the preset's (its own figure), else the parameter's default
      const overrides = s.spec.devices.find((x) => x.id === d.id)?.params ?? {};
      const preset = d.target.presets[d.preset];
      return {
        id: d.id,
        target: d.target.id,
        count: d.count,
        preset: d.preset,
        params: Object.entries(d.target.params).map(([name, spec]) => ({
          name,
          value: d.params[name] ?? spec.default,
          unit: spec.unit,
          source: paramSource(name, spec, preset, overrides, `set in system '${s.spec.id}'`),
        })),
      };
    }),
    links: (s.spec.links ?? []).map((l) => ({ id: l.id, between: l.between, bandwidthBps: l.bandwidthBps, latencyS: l.latencyS })),
  };
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:980px;color:#1a1a1a;padding:0 12px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.chart{max-width:100%;height:auto;display:block;margin:8px 0}
.chart text{font-size:11px;fill:#333}.chart .title{font-size:13px;font-weight:600}.chart .label{font-size:12px}
.chart .grid{stroke:#eee}.chart .axis{stroke:#555}details{margin:8px 0}.note{color:#8a4b00}`;

/** A self-contained report page: title, sections, the shared style. */
export function page(title: string, sections: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1>
${sections.join('\n')}
<footer><p>Written by LightCode; self-contained (no scripts, no network).</p></footer>
</body></html>
`;
}

/** An HTML table; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number) => (typeof v === 'number' ? `<td class="n">${esc(v)}</td>` : `<td>${esc(v)}</td>`);
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

const q = (v: number, unit: string) => formatQuantity(v, unit, 4);

/** Every parameter of the systems, with units and sources. */
export function systemSection(systems: readonly SystemSummary[]): string {
  return `<h2>System parameters</h2>${systems
    .map(
      (s) =>
        `<h3>${esc(s.id)}</h3>${s.devices
          .map(
            (d) =>
              `<details open><summary>${esc(`${d.id}: ${d.count} x ${d.target} (preset ${d.preset})`)}</summary>${table(
                ['parameter', 'value', 'unit', 'source'],
                d.params.map((p) => [p.name, formatValue(p.value, p.unit), p.unit, p.source]),
              )}</details>`,
          )
          .join('')}${
          s.links.length
            ? table(
                ['link', 'between', 'bandwidth', 'latency'],
                s.links.map((l) => [l.id, l.between.join(' - '), q(l.bandwidthBps, 'B/s'), q(l.latencyS, 's')]),
              )
            : ''
        }`,
    )
    .join('')}`;
}

/** Longest schedules keep the Gantt chart readable and small: beyond this many bars, the longest are drawn. */
const GANTT_MAX_BARS = 4000;

/** The compile report: summary, schedule Gantt chart, energy breakdown, ops per device, baselines, system. */
export function renderCompileReport(r: CompileResult, system: SystemSummary): string {
  const m = r.model;
  const summary = table(
    ['', ''],
    [
      [
        'model',
        `${m.id} ${m.phase}, ${m.phase === 'decode' ? `kv ${m.kvLen} + 1 token` : `${m.seqLen} tokens`}, batch ${m.batch}, ${m.dtype}`,
      ],
      ['system', `${r.system.id}: ${r.system.devices.map((d) => `${d.id} x${d.count} (${d.target}/${d.preset})`).join(', ')}`],
      ['objective', objectiveLabel(r.objective)],
      ['latency (makespan)', q(r.totals.latencyS, 's')],
      ['energy', q(r.totals.energyJ, 'J')],
      [
        'selection',
        `${r.selection.status} by ${r.selection.solver}, gap ${r.selection.gap === null ? 'unknown' : `${(100 * r.selection.gap).toFixed(3)} %`}`,
      ],
      ['work', `${(r.totals.macs / 1e9).toFixed(2)} GMAC, ${r.ops.length} ops`],
    ],
  );
  const classes = r.system.devices.map((d) => d.id);
  const rows = r.devices.map((d) => d.id);
  const items: GanttItem[] = [];
  for (const op of r.ops) {
    if (op.endS <= op.startS) continue;
    for (const inst of op.instances.length ? op.instances : [op.instance]) {
      items.push({ row: inst, startS: op.startS, endS: op.endS, label: `${op.name} (${op.algorithm})`, color: classes.indexOf(op.device) });
    }
  }
  const drawn =
    items.length > GANTT_MAX_BARS ? [...items].sort((a, b) => b.endS - b.startS - (a.endS - a.startS)).slice(0, GANTT_MAX_BARS) : items;
  const opsBy = Object.entries(r.opsPerDevice).map(([label, value]) => ({ label, value }));
  return page(`LightCode compile: ${m.id} on ${r.system.id}`, [
    `<h2>Summary</h2>${summary}`,
    r.selection.note ? `<p class="note">${esc(r.selection.note)}</p>` : '',
    `<h2>Schedule</h2>${ganttChart(`Schedule on ${r.system.id} (${drawn.length} of ${items.length} bars)`, rows, drawn)}`,
    `<h2>Energy</h2>${barChart(
      'Energy breakdown',
      'J',
      Object.entries(r.totals.energyBreakdownJ).map(([label, value]) => ({ label, value })),
    )}`,
    `<h2>Ops by device</h2>${barChart('Ops per device class', '', opsBy)}${table(
      ['instance', 'busy', 'utilization'],
      r.devices.map((d) => [d.id, q(d.busyS, 's'), `${(100 * d.utilization).toFixed(1)} %`]),
    )}`,
    `<h2>Baselines</h2>${table(
      ['baseline', 'latency', 'energy', 'feasible'],
      r.selection.baselines.map((b: ExplainedBaseline) => [
        b.name,
        Number.isFinite(b.latencyS) ? q(b.latencyS, 's') : '-',
        Number.isFinite(b.energyJ) ? q(b.energyJ, 'J') : '-',
        b.feasible ? 'yes' : `no${b.why ? `: ${b.why}` : ''}`,
      ]),
    )}`,
    systemSection([system]),
  ]);
}

/** What a sweep report needs (the sweep's result.json). */
export interface SweepReportInput {
  readonly model: Readonly<Record<string, unknown>>;
  readonly sweep: { readonly id: string; readonly points: number };
  readonly rows: readonly SweepRow[];
  readonly systems?: readonly SystemSummary[];
}

/** The sweep report: latency and energy against the swept variable, one series per other combination; the rows; the systems. */
export function renderSweepReport(doc: SweepReportInput): string {
  const lengths = new Set(doc.rows.map((r) => r.seqLen));
  const paramNames = [...new Set(doc.rows.flatMap((r) => Object.keys(r.params)))];
  const numericParam = paramNames.find((p) => doc.rows.every((r) => typeof r.params[p] === 'number'));
  const xParam = lengths.size > 1 || !numericParam ? undefined : numericParam;
  const xOf = (r: SweepRow) => (xParam ? (r.params[xParam] as number) : r.seqLen);
  // a generate workload sweeps output lengths
  const lengthAxis = doc.rows.some((r) => r.generate) ? 'output length' : 'sequence length';
  const seriesName = (r: SweepRow) =>
    [r.system, r.objective, ...paramNames.filter((p) => p !== xParam).map((p) => `${p}=${r.params[p]}`)].join(' · ');
  const chart = (metric: 'latencyS' | 'energyJ', unit: string, label: string) => {
    const by = new Map<string, [number, number][]>();
    for (const r of doc.rows) {
      const k = seriesName(r);
      const list = by.get(k) ?? [];
      list.push([xOf(r), r[metric]]);
      by.set(k, list);
    }
    const series: Series[] = [...by].map(([name, points]) => ({ name, points }));
    return xyChart({
      title: `${label} against ${xParam ?? lengthAxis}`,
      x: { label: xParam ?? lengthAxis, unit: xParam ? '' : 'tokens', log: true },
      y: { label, unit, log: true },
      series,
    });
  };
  const model = String(doc.model.model ?? doc.model.id ?? 'model');
  return page(`LightCode sweep: ${model}`, [
    `<h2>Summary</h2>${table(
      ['', ''],
      [
        ['model', model],
        ['points', doc.sweep.points],
        ['sweep id', doc.sweep.id],
      ],
    )}`,
    `<h2>Latency</h2>${chart('latencyS', 's', 'latency')}`,
    `<h2>Energy</h2>${chart('energyJ', 'J', 'energy')}`,
    `<h2>Results</h2>${table(
      ['system', 'objective', 'seq len', ...paramNames, 'latency', 'energy', 'status'],
      doc.rows.map((r) => [
        r.system,
        r.objective,
        r.seqLen,
        ...paramNames.map((p) => r.params[p] ?? ''),
        q(r.latencyS, 's'),
        q(r.energyJ, 'J'),
        r.status,
      ]),
    )}`,
    doc.systems ? systemSection(doc.systems) : '',
  ]);
}

/** What a Pareto report needs. */
export interface ParetoReportInput {
  readonly model: { readonly id: string; readonly seqLen: number };
  readonly points: readonly {
    readonly latencyS: number;
    readonly energyJ: number;
    readonly status: string;
    readonly opsPerDevice: Readonly<Record<string, number>>;
  }[];
}

/** The Pareto report: the front as a chart and a table, and the system. */
export function renderParetoReport(doc: ParetoReportInput, system: SystemSummary): string {
  const devices = system.devices.map((d) => d.id);
  return page(`LightCode Pareto front: ${doc.model.id} at ${doc.model.seqLen} tokens on ${system.id}`, [
    `<h2>Front</h2>${xyChart({
      title: 'Latency-energy front',
      x: { label: 'latency', unit: 's' },
      y: { label: 'energy', unit: 'J' },
      series: [{ name: system.id, points: doc.points.map((p) => [p.latencyS, p.energyJ] as const) }],
    })}`,
    `<h2>Points</h2>${table(
      ['latency', 'energy', 'status', ...devices.map((d) => `ops on ${d}`)],
      doc.points.map((p) => [q(p.latencyS, 's'), q(p.energyJ, 'J'), p.status, ...devices.map((d) => p.opsPerDevice[d] ?? 0)]),
    )}`,
    systemSection([system]),
  ]);
}

/** The crossover report: both systems' metric over the range with the crossings marked, the dispatch table, the systems. */
export function renderCrossoverReport(r: CrossoverResult, model: string, systems: readonly SystemSummary[]): string {
  const unit = r.metric === 'latency' ? 's' : 'J';
  const changing = r.dispatch.filter((d) => d.changes.length > 0);
  return page(`LightCode crossover: ${model}, ${r.systems.join(' vs ')} (${r.metric})`, [
    `<h2>Crossings</h2><p>${esc(
      r.crossings.length === 0
        ? `No crossing in ${r.range[0]}..${r.range[1]} tokens: ${r.initialBetter} has the lower ${r.metric} throughout.`
        : `At ${r.range[0]} tokens ${r.initialBetter} has the lower ${r.metric}; ${r.crossings.map((c) => `from ${c.seqLen} tokens ${c.better}`).join('; ')}.`,
    )}</p>${xyChart({
      title: `${r.metric} against sequence length`,
      x: { label: 'sequence length', unit: 'tokens', log: true },
      y: { label: r.metric, unit, log: true },
      series: r.systems.map((s, i) => ({ name: s, points: r.curve.map((c) => [c.seqLen, c.values[i] as number] as const) })),
      markers: r.crossings.map((c) => ({ x: c.seqLen, label: `${c.better} from ${c.seqLen}` })),
    })}`,
    `<h2>Dispatch table (${esc(r.systems[0])})</h2><p>${changing.length} ops change device in the range; ${r.dispatch.length - changing.length} never do.</p>${table(
      ['op', 'first', 'then'],
      changing.map((d) => [d.op, d.initial, d.changes.map((c) => `${c.device} from ${c.seqLen}`).join(', ')]),
    )}`,
    systemSection(systems),
  ]);
}
