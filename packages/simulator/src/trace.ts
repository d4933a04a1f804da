import type { OpGraph } from '@lightcode/ir';
import type { Schedule } from './schedule.js';

/** One Chrome Trace Event (the JSON that Perfetto and chrome://tracing open). */
export interface TraceEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: 'X' | 'M';
  readonly ts?: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: Record<string, string | number>;
}

/**
 * The schedule as Chrome Trace Event JSON: one track (thread) per device
 * instance and one per link, op names as
 * event names and op kinds as categories. Times in microseconds.
 */
export function toChromeTrace(graph: OpGraph, s: Schedule): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
  const events: TraceEvent[] = [];
  const tracks = new Map<string, number>();
  const track = (name: string) => {
    let tid = tracks.get(name);
    if (tid === undefined) {
      tid = tracks.size + 1;
      tracks.set(name, tid);
      events.push({ name: 'thread_name', ph: 'M', pid: 1, tid, args: { name } });
      events.push({ name: 'thread_sort_index', ph: 'M', pid: 1, tid, args: { sort_index: tid } });
    }
    return tid;
  };
  events.push({ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: `${graph.meta.id} ${graph.meta.phase}` } });
  for (const i of s.instances) track(i.id);
  for (const o of s.ops) {
    const op = graph.op(o.id);
    for (const t of o.tiles) {
      events.push({
        name: op.name,
        cat: op.kind,
        ph: 'X',
        ts: t.startS * 1e6,
        dur: (t.endS - t.startS) * 1e6,
        pid: 1,
        tid: track(`${o.device}#${t.instance}`),
        args: { id: op.id, layer: op.layer ?? -1, ...(o.tiles.length > 1 ? { tiles: o.tiles.length } : {}) },
      });
    }
  }
  for (const l of s.links) track(`link ${l.id}`);
  for (const t of s.transfers) {
    for (const l of t.links) {
      events.push({
        name: `${graph.op(t.from).name} -> ${graph.op(t.to).name}`,
        cat: 'transfer',
        ph: 'X',
        ts: t.startS * 1e6,
        dur: (t.endS - t.startS) * 1e6,
        pid: 1,
        tid: track(`link ${l}`),
        args: { bytes: t.bytes },
      });
    }
  }
  return { traceEvents: events, displayTimeUnit: 'ns' };
}
