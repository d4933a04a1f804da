import { checkLengths, DEFAULT_SYSTEM, generate, maxBatch } from '@lightcode/core';
import { isLightcodeError, UserError } from '@lightcode/cost-model';
import { renderGenerate, renderGenerateReport } from '@lightcode/report';
import { checkPoints, intFlag, maxPointsFlag, type PluginFlags, parse } from '../args.js';
import { checkOutDir, type Io, jsonText, loadRegistry, writeOutputs } from '../context.js';
import { MODEL_OPTIONS, modelRequest, objectiveFlag, SELECTION_OPTIONS, selectionFlags } from './compile.js';

export const GENERATE_HELP = `lightcode generate --prompt-len P --output-len N [options]

A whole request: the prompt's prefill, then one decode step per output token
against the growing KV cache, each step on its own optimal mapping. Reports time
to first token (prefill + first step), time per output token (mean, first,
last), end-to-end latency, tokens per second, and energy per request and per
output token by phase and by kind; and the KV lengths where the decode mapping
changes. Steps are compiled at regime boundaries and summed exactly between.

  --model ID|PATH        built-in model id or a Hugging Face config.json (default gpt2)
  --prompt-len P         prompt tokens per sequence
  --output-len N         tokens generated per sequence
  --batch B              sequences of the same lengths (default 1)
  --max-batch            find the largest batch whose whole request fits in memory (weights, KV cache at
                         its largest, activations at their peak) and run the request at it
  --dtype, --weights, --kv-dtype   formats of activations, weights and KV cache, as for compile
  --system ID|FILE       (default ${DEFAULT_SYSTEM}); --objective, budgets, --pin, --exclude, --solver, --time-limit as for compile
  --every-step           compile every decode step (to check the integration)
  --out DIR              write result.json, steps.csv and report.html there
  --max-points N         --every-step compiles at most N steps (default 10000; see docs/limits.md)
  --json                 one JSON document on stdout
`;

export async function generateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('generate', argv, {
    ...MODEL_OPTIONS,
    ...SELECTION_OPTIONS,
    objective: { type: 'string' },
    'latency-weight': { type: 'string' },
    'energy-weight': { type: 'string' },
    'prompt-len': { type: 'string' },
    'output-len': { type: 'string' },
    'every-step': { type: 'boolean' },
    'max-batch': { type: 'boolean' },
    out: { type: 'string' },
    'max-points': { type: 'string' },
  });
  if (v['max-batch'] && v.batch !== undefined) throw new UserError('--max-batch finds the batch itself; drop --batch');
  for (const flag of ['seq-len', 'phase', 'kv-len'] as const) {
    if (v[flag] !== undefined) throw new UserError(`generate takes --prompt-len and --output-len, not --${flag}`);
  }
  const promptLen = intFlag(v['prompt-len'] as string | undefined, '--prompt-len');
  const outputLen = intFlag(v['output-len'] as string | undefined, '--output-len');
  if (promptLen === undefined || outputLen === undefined)
    throw new UserError('generate needs --prompt-len P and --output-len N (positive integers)');
  const { seqLen: _s, phase: _p, kvLen: _k, ...model } = modelRequest(v);
  const objective = objectiveFlag(v);
  if (v['every-step']) checkPoints(outputLen + 1, `--every-step with --output-len ${outputLen}`, maxPointsFlag(v));
  checkOutDir(io, v.out, ['steps.csv', 'report.html', 'result.json']);
  const reg = await loadRegistry(io, v as PluginFlags);
  // the last step's positions against the model before the first compile
  try {
    checkLengths(reg, { ...model, phase: 'decode', kvLen: promptLen + outputLen - 1 }, [1], io.cwd);
  } catch (e) {
    if (!isLightcodeError(e) || e.code !== 'E_LENGTH_REFUSED') throw e;
    const why = e.message.replace(/^decode at --kv-len \d+ needs \d+ positions, /, '');
    throw new UserError(`--prompt-len ${promptLen} and --output-len ${outputLen} need ${promptLen + outputLen} positions, ${why}`, {
      cause: e,
    });
  }
  const request = {
    ...model,
    ...selectionFlags(v),
    ...(typeof v.system === 'string' ? { system: v.system } : {}),
    ...(objective ? { objective } : {}),
    promptLen,
    outputLen,
    cwd: io.cwd,
  };
  const largest = v['max-batch'] ? await maxBatch(reg, request) : undefined;
  const ran = await generate(reg, {
    ...request,
    ...(largest ? { batch: largest.batch } : {}),
    ...(v['every-step'] ? { everyStep: true } : {}),
  });
  const r = largest ? { ...ran, maxBatch: largest } : ran;
  const json = jsonText(r, 'the generate result');
  if (typeof v.out === 'string') {
    const steps = [
      'kv_len,position,latency_s,energy_j,status',
      ...r.points.map((p) => [p.kvLen, p.kvLen + 1, p.latencyS, p.energyJ, p.status].join(',')),
    ];
    writeOutputs(io, v.out, { 'steps.csv': `${steps.join('\n')}\n`, 'report.html': renderGenerateReport(r), 'result.json': json });
  }
  io.out(v.json ? json : renderGenerate(r));
  return 0;
}
