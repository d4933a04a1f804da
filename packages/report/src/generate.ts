import type { GenerateResult } from '@lightcode/core';
import { formatQuantity } from '@lightcode/cost-model';
import { page, table } from './html.js';
import { xyChart } from './svg.js';
import { renderTable } from './table.js';

const q = (v: number | null, unit: string) => (v === null ? 'n/a' : formatQuantity(v, unit, 4));

/** Which device each op runs on, in prefill and in each decode regime (ops listed once, in graph order). */
function placementRows(r: GenerateResult): { header: string[]; rows: string[][] } {
  const names = Object.keys(r.prefill.devices);
  const header = ['op', 'prefill', ...r.regimes.map((g) => `decode kv ${g.fromKv}-${g.toKv}`)];
  const rows = names.map((n) => [n, r.prefill.devices[n] ?? '', ...r.regimes.map((g) => g.devices[n] ?? '')]);
  // only ops whose device is not the same everywhere, unless none differs
  const differing = rows.filter((row) => new Set(row.slice(1)).size > 1);
  return { header, rows: differing.length ? differing : rows.slice(0, 0) };
}

function summaryRows(r: GenerateResult): string[][] {
  return [
    ['time to first token', q(r.ttftS, 's')],
    ['time per output token (mean / first / last)', `${q(r.tpot.meanS, 's')} / ${q(r.tpot.firstS, 's')} / ${q(r.tpot.lastS, 's')}`],
    ['end-to-end latency', q(r.endToEndS, 's')],
    ['output tokens per second', (Math.round(r.tokensPerS * 100) / 100).toString()],
    [
      'energy per request',
      `${q(r.energy.requestJ, 'J')} (prefill ${q(r.energy.byPhase.prefillJ, 'J')}, decode ${q(r.energy.byPhase.decodeJ, 'J')})`,
    ],
    ['energy per output token', q(r.energy.perOutputTokenJ, 'J')],
    ...r.memories.map((m) => [
      `peak memory '${m.id}'`,
      `${q(m.peakBytes, 'B')} of ${q(m.capacityBytes, 'B')} (weights ${q(m.weightsBytes, 'B')}, KV cache ${q(m.kvCacheBytes, 'B')}, activations ${q(m.activationPeakBytes, 'B')})`,
    ]),
    ...(r.maxBatch
      ? [
          [
            'largest batch that fits',
            `${r.maxBatch.batch}: batch ${r.maxBatch.batch + 1} needs ${q(r.maxBatch.limit.nextPeakBytes, 'B')} of ${q(r.maxBatch.limit.capacityBytes, 'B')} in '${r.maxBatch.limit.memory}' (${r.maxBatch.limit.devices.join(', ')}); ${r.maxBatch.probes.length} ${r.maxBatch.probes.length === 1 ? 'batch' : 'batches'} tried, ${r.maxBatch.compiles} compiles`,
          ],
        ]
      : []),
  ];
}

/** The terminal summary of a whole request. */
export function renderGenerate(r: GenerateResult): string {
  const lines = [
    `model   ${r.model.id}, prompt ${r.promptLen} + ${r.outputLen} output tokens, batch ${r.batch}, ${r.model.dtype}${r.model.weightDtype ? `, weights ${r.model.weightDtype}` : ''}${r.model.kvDtype ? `, KV cache ${r.model.kvDtype}` : ''}`,
    `system  ${r.system.id}: ${r.system.devices.map((d) => `${d.id} x${d.count} (${d.target}/${d.preset})`).join(', ')}`,
    '',
    renderTable(['', ''], summaryRows(r)),
    '',
    renderTable(
      ['energy', 'J', 'share'],
      Object.entries(r.energy.byKind).map(([k, v]) => [k, formatQuantity(v, 'J'), `${((100 * v) / r.energy.requestJ).toFixed(1)} %`]),
    ),
    '',
    r.changes.length
      ? `decode mapping changes at KV length ${r.changes.join(', ')} (${r.regimes.length} regimes)`
      : `one decode mapping for every step (KV ${r.promptLen}..${r.promptLen + r.outputLen - 1})`,
    `${r.compiles} compiles (the prefill and ${r.points.length} of ${r.outputLen} decode steps)`,
  ];
  const p = placementRows(r);
  if (p.rows.length) lines.push('', renderTable(p.header, p.rows));
  return `${lines.join('\n')}\n`;
}

/** The report page: the summary, per-step latency and energy against position, and where ops run in each phase. */
export function renderGenerateReport(r: GenerateResult): string {
  const p = placementRows(r);
  return page(`LightCode request: ${r.model.id}, ${r.promptLen} + ${r.outputLen} tokens on ${r.system.id}`, [
    `<h2>Summary</h2>${table(['', ''], summaryRows(r))}`,
    `<h2>Decode steps</h2>${xyChart({
      title: 'Decode step latency against position',
      x: { label: 'position', unit: 'tokens' },
      y: { label: 'latency', unit: 's' },
      lines: true,
      series: [{ name: 'step', points: r.points.map((s) => [s.kvLen + 1, s.latencyS] as const) }],
      markers: r.changes.map((kv) => ({ x: kv + 1, label: `mapping changes at ${kv}` })),
    })}${xyChart({
      title: 'Decode step energy against position',
      x: { label: 'position', unit: 'tokens' },
      y: { label: 'energy', unit: 'J' },
      lines: true,
      series: [{ name: 'step', points: r.points.map((s) => [s.kvLen + 1, s.energyJ] as const) }],
    })}`,
    `<h2>Energy by kind</h2>${table(
      ['kind', 'energy'],
      Object.entries(r.energy.byKind).map(([k, v]) => [k, q(v, 'J')]),
    )}`,
    `<h2>Where ops run</h2>${p.rows.length ? table(p.header, p.rows) : '<p>Every op runs on the same device in prefill and in every decode regime.</p>'}${table(
      ['phase', ...Object.keys(r.prefill.opsPerDevice).map((d) => `ops on ${d}`)],
      [
        ['prefill', ...Object.values(r.prefill.opsPerDevice).map(String)],
        ...r.regimes.map((g) => [
          `decode kv ${g.fromKv}-${g.toKv}`,
          ...Object.keys(r.prefill.opsPerDevice).map((d) => String(g.opsPerDevice[d] ?? 0)),
        ]),
      ],
    )}`,
  ]);
}
