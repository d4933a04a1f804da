import { assertFinite, buildGraph, listModels } from '@lightcode/core';
import { summarizeGraph } from '@lightcode/cost-model';
import { renderDot, renderGraphSummary, renderMermaid, renderTable } from '@lightcode/report';
import { choiceFlag, type PluginFlags, parse } from '../args.js';
import { type Io, jsonText, loadRegistry, warnOpaqueOps } from '../context.js';
import { MODEL_HELP, MODEL_OPTIONS, modelRequest } from './compile.js';

export const GRAPH_HELP = `lightcode graph [options] [--json | --format dot|mermaid]

Builds a model's operator graph and prints its summary (ops by kind, MACs, FLOPs,
parameter, activation and KV-cache bytes), or the graph as JSON, DOT or Mermaid.

${MODEL_HELP}  --format text|dot|mermaid   (default text)
`;

export async function graphCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('graph', argv, { ...MODEL_OPTIONS, format: { type: 'string' } });
  const format = choiceFlag(v.format as string | undefined, '--format', ['text', 'dot', 'mermaid'] as const) ?? 'text';
  const req = modelRequest(v);
  const g = buildGraph(await loadRegistry(io, v as PluginFlags), req, io.cwd);
  warnOpaqueOps(io, g);
  const s = summarizeGraph(g);
  // one finite-number check on what every format below prints
  assertFinite(s, 'the graph summary');
  if (v.json) {
    const { opsByKind, ...totals } = s;
    const doc = {
      model: g.meta,
      totals,
      opsByKind,
      ops: g.ops().map((op) => ({ id: op.id, name: op.name, kind: op.kind, layer: op.layer, ...g.arithmetic(op.id) })),
      edges: g.edges().map((e) => ({ from: e.from, to: e.to, bytes: e.bytes })),
    };
    io.out(jsonText(doc, 'the graph'));
  } else if (format === 'dot') io.out(renderDot(g));
  else if (format === 'mermaid') io.out(renderMermaid(g));
  else io.out(renderGraphSummary(g, s));
  return 0;
}

export const MODELS_HELP = `lightcode models [--json]

Lists the built-in models with their frontends and parameter counts.
`;

export async function modelsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('models', argv, {});
  const models = listModels(await loadRegistry(io, v as PluginFlags));
  if (v.json) io.out(`${JSON.stringify({ models }, null, 2)}\n`);
  else {
    const rows = models.map((m) => [m.id, m.frontend, `${(m.parameters / 1e9).toFixed(3)} B`, m.description]);
    io.out(`${renderTable(['id', 'frontend', 'parameters', 'description'], rows)}\n`);
  }
  return 0;
}
