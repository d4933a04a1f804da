import { crossover, LIMITS, loadSystem, type Metric, shown } from '@lightcode/core';
import { isLightcodeError, UserError } from '@lightcode/cost-model';
import { renderCrossoverReport, renderTable, systemSummary } from '@lightcode/report';
import { checkPoints, choiceFlag, intFlag, maxPointsFlag, type PluginFlags, parse } from '../args.js';
import { checkOutDir, csvCell, type Io, jsonText, loadRegistry, writeOutputs } from '../context.js';
import { MODEL_HELP, MODEL_OPTIONS, modelWithoutLength, SELECTION_OPTIONS, selectionFlags } from './compile.js';
import { workloadFlags } from './sweep.js';

export const CROSSOVER_HELP = `lightcode crossover --systems A,B [--metric latency|energy] [--range 16:1024] [--json]
lightcode crossover --workload generate --prompt-len P --systems A,B [--range 16:1024] [...]

The sequence lengths where system B starts or stops beating system A, found on a
geometric scan and located exactly by integer bisection, and for system A the
length at which each op's cheapest device changes (a runtime dispatch table).
With --workload generate the range is of output lengths, each a whole request
of P prompt tokens valued end to end (latency, or energy per request).

${MODEL_HELP}  --workload compile|generate, --prompt-len P   (default compile)
  --scan N               scan points before bisection (default 24)
  --out DIR              write result.json and dispatch.csv there
  --max-points N         scan at most N points (default 10000; see docs/limits.md)
`;

export async function crossoverCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('crossover', argv, {
    ...MODEL_OPTIONS,
    ...SELECTION_OPTIONS,
    systems: { type: 'string' },
    metric: { type: 'string' },
    range: { type: 'string' },
    scan: { type: 'string' },
    out: { type: 'string' },
    'max-points': { type: 'string' },
    workload: { type: 'string' },
    'prompt-len': { type: 'string' },
  });
  const { workload } = workloadFlags(v, 'crossover');
  const systems = typeof v.systems === 'string' ? v.systems.split(',') : [];
  if (systems.length !== 2 || systems.some((s) => !s))
    throw new UserError('--systems takes two systems, e.g. --systems cpu,lightcode-2025');
  const metric: Metric = choiceFlag(v.metric as string | undefined, '--metric', ['latency', 'energy'] as const) ?? 'latency';
  const rangeText = typeof v.range === 'string' ? v.range : '16:1024';
  const m = /^(\d+):(\d+)$/.exec(rangeText);
  if (!m) throw new UserError(`--range takes START:STOP, e.g. 16:1024 (got '${shown(rangeText)}')`);
  if (Number(m[2]) > LIMITS.seqLen) {
    throw new UserError(`--range '${shown(rangeText)}' goes past the longest sequence LightCode takes (${LIMITS.seqLen} tokens)`);
  }
  const scan = intFlag(v.scan as string | undefined, '--scan', 2);
  checkPoints(scan ?? 0, `--scan ${scan}`, maxPointsFlag(v));
  const model = modelWithoutLength(v);
  checkOutDir(io, v.out, ['result.json', 'dispatch.csv', 'report.html']);
  const reg = await loadRegistry(io, v as PluginFlags);
  const r = await crossover(reg, {
    ...model,
    ...selectionFlags(v),
    systems: [systems[0] as string, systems[1] as string],
    metric,
    range: [Number(m[1]), Number(m[2])],
    ...(scan !== undefined ? { scan } : {}),
    ...(workload ? { workload } : {}),
    cwd: io.cwd,
  }).catch((e: unknown) => {
    // the model refuses an end of the range: say so of --range, the flag the user gave
    if (isLightcodeError(e) && e.code === 'E_LENGTH_REFUSED') {
      const why = e.message.replace(/^--seq-len \d+ /, '');
      throw new UserError(`--range ${rangeText}: ${why === e.message ? `at ${e.option} tokens, ${why}` : `${e.option} tokens ${why}`}`, {
        cause: e,
      });
    }
    throw e;
  });
  const unit = workload ? 'output tokens' : 'tokens';
  const json = jsonText(r, 'the crossover result');
  const dispatchCsv = [
    'op,initial_device,changes',
    ...r.dispatch.map((d) => [csvCell(d.op), d.initial, csvCell(d.changes.map((c) => `${c.device}@${c.seqLen}`).join(' '))].join(',')),
  ];
  writeOutputs(io, v.out, {
    'result.json': json,
    'dispatch.csv': `${dispatchCsv.join('\n')}\n`,
    ...(typeof v.out === 'string'
      ? {
          'report.html': renderCrossoverReport(
            r,
            model.model,
            r.systems.map((s) => systemSummary(loadSystem(reg, s, io.cwd))),
          ),
        }
      : {}),
  });
  if (v.json) {
    io.out(json);
    return 0;
  }
  const lines = [
    r.crossings.length === 0
      ? `no crossing in ${r.range[0]}..${r.range[1]} ${unit}: ${r.initialBetter} has the lower ${r.metric} throughout`
      : [
          `at ${r.range[0]} ${unit} ${r.initialBetter} has the lower ${r.metric}`,
          ...r.crossings.map((c) => `from ${c.seqLen} ${unit} ${c.better} has`),
        ].join('\n'),
  ];
  const changing = r.dispatch.filter((d) => d.changes.length > 0);
  if (changing.length > 0) {
    const rows = changing.map((d) => [d.op, d.initial, d.changes.map((c) => `${c.device} from ${c.seqLen}`).join(', ')]);
    lines.push(
      '',
      `${r.systems[0]}: ops whose cheapest device changes (${r.dispatch.length - changing.length} others never change)`,
      renderTable(['op', 'first', 'then'], rows),
    );
  }
  io.out(`${lines.join('\n')}\n`);
  return 0;
}
