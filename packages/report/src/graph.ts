import { formatQuantity, type GraphSummary, type OpGraph } from '@lightcode/cost-model';
import { renderTable } from './table.js';

/** A graph summary as a short table. */
export function renderGraphSummary(g: OpGraph, s: GraphSummary): string {
  const m = g.meta;
  const rows: [string, string][] = [
    ['ops', String(s.ops)],
    ['MACs', `${(s.macs / 1e9).toFixed(3)} G`],
    ['FLOPs', `${(s.flops / 1e9).toFixed(3)} G`],
    ['parameters', `${(s.parameters / 1e9).toFixed(3)} G (${formatQuantity(s.paramBytes, 'B')})`],
    ['activations', formatQuantity(s.activationBytes, 'B')],
    ['KV cache', formatQuantity(s.kvCacheBytes, 'B')],
    ['blocks', `${s.blocks} (${s.distinctBlocks} distinct, ${s.articulationPoints} articulation ops)`],
  ];
  const kinds = Object.entries(s.opsByKind).map(([k, n]) => [k, String(n)]);
  const phase = m.phase === 'decode' ? `decode, kv ${m.kvLen} + 1 token` : `prefill, ${m.seqLen} tokens`;
  const formats = `${m.dtype}${m.weightDtype ? `, weights ${m.weightDtype}` : ''}${m.kvDtype ? `, KV cache ${m.kvDtype}` : ''}`;
  return `${m.id}: ${phase}, batch ${m.batch}, ${formats}, ${m.layers} layers\n\n${renderTable(['total', 'value'], rows)}\n\n${renderTable(['kind', 'ops'], kinds)}\n`;
}

function quote(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Graphviz DOT of the op graph; edges labelled with the bytes they carry. */
export function renderDot(g: OpGraph): string {
  const lines = [`digraph "${quote(g.meta.id)}" {`, '  rankdir=TB;', '  node [shape=box, fontsize=10];'];
  for (const op of g.ops()) lines.push(`  "${quote(op.id)}" [label="${quote(op.name)}\\n${op.kind}"];`);
  for (const e of g.edges()) lines.push(`  "${quote(e.from)}" -> "${quote(e.to)}" [label="${formatQuantity(e.bytes, 'B')}"];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid flowchart of the op graph. */
export function renderMermaid(g: OpGraph): string {
  const id = (x: string) => `n${x.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const esc = (t: string) => t.replace(/"/g, '#quot;');
  const lines = ['flowchart TD'];
  for (const op of g.ops()) lines.push(`  ${id(op.id)}["${esc(op.name)}<br/>${op.kind}"]`);
  for (const e of g.edges()) lines.push(`  ${id(e.from)} --> ${id(e.to)}`);
  return `${lines.join('\n')}\n`;
}
