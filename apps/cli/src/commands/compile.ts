import { compile, DEFAULT_SYSTEM, OBJECTIVES } from '@lightcode/core';
import { DTYPES } from '@lightcode/cost-model';
import { renderCompile } from '@lightcode/report';
import { choiceFlag, type FlagValues, intFlag, type PluginFlags, parse } from '../args.js';
import { type Io, loadRegistry } from '../context.js';

export const MODEL_OPTIONS = {
  model: { type: 'string', default: 'gpt2' },
  'seq-len': { type: 'string' },
  phase: { type: 'string' },
  batch: { type: 'string' },
  dtype: { type: 'string' },
  'kv-len': { type: 'string' },
  logits: { type: 'string' },
  'split-heads': { type: 'boolean' },
} as const;

export const MODEL_HELP = `  --model ID|PATH        built-in model id or a Hugging Face config.json (default gpt2)
  --seq-len N            prompt tokens per sequence (default 1024)
  --phase prefill|decode decode: one new token per sequence against --kv-len cached tokens
  --kv-len N             cached tokens for decode (default: --seq-len)
  --batch N              sequences (default 1)
  --dtype fp32|fp16|bf16|int8   (default fp16)
  --logits last|all      LM head on the last position only (default) or every position
  --split-heads          one attention chain per head
`;

export const COMPILE_HELP = `lightcode compile [options]

Builds the model graph, selects a realization per op, schedules it, reports latency and energy.

${MODEL_HELP}  --system ID|FILE       built-in system or a system file (default ${DEFAULT_SYSTEM})
  --objective latency|energy    (default latency)
  --solver auto|exhaustive|greedy  (default auto)
  --json                 one JSON document on stdout
  --config FILE, --plugin NAME|PATH, --debug
`;

/** Model flags shared by every command that builds a graph. */
export function modelRequest(v: FlagValues) {
  const dtypes = DTYPES.filter((d) => d !== 'int32');
  return {
    model: String(v.model),
    seqLen: intFlag(v['seq-len'] as string | undefined, '--seq-len'),
    phase: choiceFlag(v.phase as string | undefined, '--phase', ['prefill', 'decode'] as const),
    batch: intFlag(v.batch as string | undefined, '--batch'),
    dtype: choiceFlag(v.dtype as string | undefined, '--dtype', dtypes),
    kvLen: intFlag(v['kv-len'] as string | undefined, '--kv-len', 0),
    logits: choiceFlag(v.logits as string | undefined, '--logits', ['last', 'all'] as const),
    splitHeads: v['split-heads'] === true,
  };
}

export async function compileCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('compile', argv, {
    ...MODEL_OPTIONS,
    system: { type: 'string' },
    objective: { type: 'string' },
    solver: { type: 'string' },
  });
  if (v.help) {
    io.out(COMPILE_HELP);
    return 0;
  }
  const req = modelRequest(v);
  const objective = choiceFlag(v.objective as string | undefined, '--objective', OBJECTIVES);
  const reg = await loadRegistry(io, v as PluginFlags);
  const { result } = compile(reg, {
    ...req,
    ...(typeof v.system === 'string' ? { system: v.system } : {}),
    ...(objective ? { objective } : {}),
    ...(typeof v.solver === 'string' ? { solver: v.solver } : {}),
    cwd: io.cwd,
  });
  io.out(v.json ? `${JSON.stringify(result, null, 2)}\n` : renderCompile(result));
  return 0;
}
