import { loadSystem, reproduce } from '@lightcode/core';
import { renderReproduceReport, renderReproduceText, reproduceTables, systemSummary } from '@lightcode/report';
import { type PluginFlags, parse } from '../args.js';
import { checkOutDir, csvCell, type Io, jsonText, loadRegistry, writeOutputs } from '../context.js';

export const REPRODUCE_HELP = `lightcode reproduce [--quick] [--out DIR] [--json]

Re-measures the three findings of "LightCode: Compiling LLM Inference for
Photonic-Electronic Systems" (2025) for GPT-2 and Llama-2-7B prefill on the
study's machine (lightcode-2025) against its CPU alone: the paper's claim, what
the study's own reference code computes, LightCode's figure, a verdict (holds,
holds only under stated assumptions, does not hold) and the assumption that
decides it; then the same on machines built from public device figures.
Exit status 0 means the study ran, not that the findings held.

  --quick      a reduced matrix (seconds, for CI and tests)
  --out DIR    write result.json, one CSV per table, and report.html there
  --solver ID  MILP solver (auto, yalps, highs)
  --json       print the whole result as JSON
`;

export async function reproduceCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('reproduce', argv, { quick: { type: 'boolean' }, out: { type: 'string' }, solver: { type: 'string' } });
  checkOutDir(io, v.out, ['report.html', 'result.json']);
  const reg = await loadRegistry(io, v as PluginFlags);
  const r = await reproduce(reg, {
    quick: v.quick === true,
    cwd: io.cwd,
    ...(typeof v.solver === 'string' ? { solver: v.solver } : {}),
    ...(io.interactive ? { progress: (stage: string) => io.err(`${stage}\n`) } : {}),
  });
  const json = jsonText(r, 'the reproduction');
  if (typeof v.out === 'string') {
    const csv = Object.fromEntries(
      Object.entries(reproduceTables(r)).map(([name, t]) => [
        `${name}.csv`,
        `${[t.header.map(csvCell).join(','), ...t.rows.map((row) => row.map(csvCell).join(','))].join('\n')}\n`,
      ]),
    );
    // result.json last: a run cut short leaves no result that looks complete
    const systems = ['lightcode-2025', 'cpu'].map((id) => systemSummary(loadSystem(reg, id, io.cwd)));
    writeOutputs(io, v.out, { ...csv, 'report.html': renderReproduceReport(r, systems), 'result.json': json });
  }
  io.out(v.json ? json : renderReproduceText(r));
  return 0;
}
