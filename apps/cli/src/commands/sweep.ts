import { OBJECTIVES, type Objective, parseRange, sweep } from '@lightcode/core';
import { formatQuantity, UserError } from '@lightcode/cost-model';
import { renderTable } from '@lightcode/report';
import { type PluginFlags, parse } from '../args.js';
import { csvCell, type Io, loadRegistry, writeOutputs } from '../context.js';
import { MODEL_HELP, MODEL_OPTIONS, modelWithoutLength, SELECTION_OPTIONS, selectionFlags } from './compile.js';

export const SWEEP_HELP = `lightcode sweep --seq-len 64:4096:64|LIST [--systems A,B] [--objectives latency,energy] [--json | --csv]

Compiles a model at every sequence length, on each system, for each objective.

${MODEL_HELP}  --systems A,B          built-in systems or files (default hybrid-a100-ptu)
  --objectives LIST      latency, energy or both (default latency)
  --pin, --exclude, budgets, --solver, --time-limit: as for compile
  --out DIR              write result.json and sweep.csv there
`;

export async function sweepCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('sweep', argv, {
    ...MODEL_OPTIONS,
    ...SELECTION_OPTIONS,
    systems: { type: 'string' },
    objectives: { type: 'string' },
    csv: { type: 'boolean' },
    out: { type: 'string' },
  });
  if (typeof v['seq-len'] !== 'string')
    throw new UserError('lightcode sweep needs --seq-len, e.g. --seq-len 64:1024:64 or --seq-len 128,512');
  const seqLens = parseRange(v['seq-len'], '--seq-len');
  const systems =
    typeof v.systems === 'string' ? v.systems.split(',').filter(Boolean) : typeof v.system === 'string' ? [v.system] : ['hybrid-a100-ptu'];
  const objectives = (typeof v.objectives === 'string' ? v.objectives.split(',') : ['latency']).map((x) => {
    if (!(OBJECTIVES as readonly string[]).includes(x)) throw new UserError(`--objectives takes ${OBJECTIVES.join(', ')} (got '${x}')`);
    return x as Objective;
  });
  const model = modelWithoutLength(v);
  const reg = await loadRegistry(io, v as PluginFlags);
  const rows = await sweep(
    reg,
    {
      ...model,
      ...selectionFlags(v),
      seqLens,
      systems,
      objectives,
      cwd: io.cwd,
    },
    io.interactive ? (done, total) => io.err(`\rsweep ${done}/${total}${done === total ? '\n' : ''}`) : undefined,
  );
  const json = `${JSON.stringify({ model: v.model, rows }, null, 2)}\n`;
  const csv = `${['system,objective,seq_len,latency_s,energy_j,status', ...rows.map((r) => [csvCell(r.system), r.objective, r.seqLen, r.latencyS, r.energyJ, r.status].join(','))].join('\n')}\n`;
  writeOutputs(io, v.out, { 'result.json': json, 'sweep.csv': csv });
  if (v.json) io.out(json);
  else if (v.csv) io.out(csv);
  else {
    const table = rows.map((r) => [
      r.system,
      r.objective,
      String(r.seqLen),
      formatQuantity(r.latencyS, 's', 4),
      formatQuantity(r.energyJ, 'J', 4),
      r.status,
    ]);
    io.out(`${renderTable(['system', 'objective', 'seq len', 'latency', 'energy', 'status'], table)}\n`);
  }
  return 0;
}
