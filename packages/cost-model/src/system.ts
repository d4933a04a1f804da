import { type JsonSchema, UserError, validateSchema } from '@lightcode/ir';
import type { ParamValues } from './params.js';
import { resolveParams } from './params.js';
import type { TargetPlugin } from './plugin.js';

/** A device class: `count` identical instances of one target. */
export interface DeviceSpec {
  readonly id: string;
  readonly target: string;
  readonly count: number;
  readonly preset?: string;
  readonly params?: Readonly<Record<string, number | string>>;
}

/** A memory and the device classes that use it. */
export interface MemorySpec {
  readonly id: string;
  readonly kind: 'hbm' | 'dram' | 'sram';
  readonly capacityBytes: number;
  readonly bandwidthBps: number;
  readonly energyPerByteJ: number;
  readonly attachedTo: readonly string[];
}

/** A link between two device classes. */
export interface LinkSpec {
  readonly id: string;
  readonly between: readonly [string, string];
  readonly bandwidthBps: number;
  readonly latencyS: number;
  readonly energyPerByteJ: number;
  /** Where the figures come from. */
  readonly source?: string;
}

/** A machine: device classes, memories, links. What `--system FILE` holds. */
export interface SystemSpec {
  readonly id: string;
  readonly description?: string;
  readonly devices: readonly DeviceSpec[];
  readonly memories?: readonly MemorySpec[];
  readonly links?: readonly LinkSpec[];
}

/**
 * Largest systems a system file may describe: instances per device class,
 * device classes, memories and links. Beyond them a schedule's per-instance
 * state no longer fits a run (a count of 1e9 exhausted the heap).
 */
export const SYSTEM_LIMITS = { deviceCount: 1024, devices: 64, memories: 64, links: 2048 } as const;

const positive: JsonSchema = { type: 'number', exclusiveMinimum: 0 };
const nonNegative: JsonSchema = { type: 'number', minimum: 0 };
const ident: JsonSchema = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' };

/** JSON Schema of a system file (published by `lightcode schema system`). */
export const SYSTEM_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'LightCode system',
  description: 'Device classes with instance counts, memories and links. All quantities in SI units.',
  type: 'object',
  required: ['id', 'devices'],
  additionalProperties: false,
  properties: {
    id: ident,
    description: { type: 'string' },
    devices: {
      type: 'array',
      minItems: 1,
      maxItems: SYSTEM_LIMITS.devices,
      items: {
        type: 'object',
        required: ['id', 'target', 'count'],
        additionalProperties: false,
        properties: {
          id: ident,
          target: { type: 'string', minLength: 1, description: 'id of a loaded target plugin' },
          count: { type: 'integer', minimum: 1, maximum: SYSTEM_LIMITS.deviceCount, description: 'number of identical instances' },
          preset: { type: 'string', minLength: 1 },
          params: { type: 'object', additionalProperties: { type: ['number', 'string'] } },
        },
      },
    },
    memories: {
      type: 'array',
      maxItems: SYSTEM_LIMITS.memories,
      items: {
        type: 'object',
        required: ['id', 'kind', 'capacityBytes', 'bandwidthBps', 'energyPerByteJ', 'attachedTo'],
        additionalProperties: false,
        properties: {
          id: ident,
          kind: { enum: ['hbm', 'dram', 'sram'] },
          capacityBytes: positive,
          bandwidthBps: positive,
          energyPerByteJ: nonNegative,
          attachedTo: { type: 'array', minItems: 1, items: { type: 'string' } },
        },
      },
    },
    links: {
      type: 'array',
      maxItems: SYSTEM_LIMITS.links,
      items: {
        type: 'object',
        required: ['id', 'between', 'bandwidthBps', 'latencyS', 'energyPerByteJ'],
        additionalProperties: false,
        properties: {
          id: ident,
          between: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } },
          bandwidthBps: positive,
          latencyS: nonNegative,
          energyPerByteJ: nonNegative,
          source: { type: 'string' },
        },
      },
    },
  },
};

/** A device class with its target loaded and parameters resolved. */
export interface ResolvedDevice {
  readonly id: string;
  readonly target: TargetPlugin;
  readonly count: number;
  readonly preset: string;
  readonly params: ParamValues;
  readonly staticPowerW: number;
}

/** Affine cost of moving bytes along the chosen path between two device classes. */
export interface PathCost {
  readonly links: readonly string[];
  readonly fixedS: number;
  readonly perByteS: number;
  readonly perByteJ: number;
}

export interface ResolvedSystem {
  readonly spec: SystemSpec;
  readonly devices: readonly ResolvedDevice[];
  /** Path cost between two device classes (zero on the same class). */
  path(from: string, to: string): PathCost;
}

const ZERO_PATH: PathCost = { links: [], fixedS: 0, perByteS: 0, perByteJ: 0 };
/** Paths are chosen for a representative 1 MB transfer. */
const PATH_PROBE_BYTES = 1e6;

function duplicate(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/**
 * Validates a system against the schema and the loaded targets, resolves each
 * device's parameters, and precomputes the cheapest path between every pair of
 * device classes (Dijkstra over links, store-and-forward).
 */
export function resolveSystem(raw: unknown, targets: ReadonlyMap<string, TargetPlugin>, source = 'system'): ResolvedSystem {
  const problem = validateSchema(SYSTEM_SCHEMA, raw);
  if (problem) throw new UserError(`${source}: ${problem}`);
  const spec = raw as SystemSpec;
  const fail = (msg: string): never => {
    throw new UserError(`${source}: ${msg}`);
  };
  const ids = spec.devices.map((d) => d.id);
  const dup = duplicate(ids);
  if (dup) fail(`device id '${dup}' appears twice`);
  const known = new Set(ids);
  for (const [i, m] of (spec.memories ?? []).entries()) {
    for (const a of m.attachedTo) if (!known.has(a)) fail(`memories[${i}].attachedTo: no device '${a}' (devices: ${ids.join(', ')})`);
  }
  const links = spec.links ?? [];
  const dupLink = duplicate(links.map((l) => l.id));
  if (dupLink) fail(`link id '${dupLink}' appears twice`);
  for (const [i, l] of links.entries()) {
    for (const end of l.between) if (!known.has(end)) fail(`links[${i}].between: no device '${end}' (devices: ${ids.join(', ')})`);
    if (l.between[0] === l.between[1]) fail(`links[${i}].between: a link joins two different devices`);
  }
  const devices: ResolvedDevice[] = spec.devices.map((d, i) => {
    const target = targets.get(d.target);
    if (!target) {
      fail(
        `devices[${i}].target: target '${d.target}' is not loaded (loaded: ${[...targets.keys()].join(', ') || 'none'}); add its plugin with --plugin or lightcode.config.json`,
      );
    }
    const t = target as TargetPlugin;
    const preset = d.preset ?? t.defaultPreset;
    let params: ParamValues;
    try {
      params = resolveParams(t.id, t.params, t.presets, preset, d.params ?? {}, t.validate?.bind(t));
    } catch (e) {
      if (e instanceof UserError) fail(`devices[${i}] ('${d.id}'): ${e.message}`);
      throw e;
    }
    const staticPowerW = t.staticPowerW(params);
    if (!Number.isFinite(staticPowerW) || staticPowerW < 0) {
      fail(`devices[${i}]: target '${t.id}' returned static power ${staticPowerW} W`);
    }
    return { id: d.id, target: t, count: d.count, preset, params, staticPowerW };
  });
  const paths = shortestPaths(ids, links);
  for (const a of ids) {
    for (const b of ids) {
      if (!paths.has(`${a}>${b}`)) fail(`devices '${a}' and '${b}' are not connected by any link; add a link between them`);
    }
  }
  return {
    spec,
    devices,
    path(from, to) {
      const p = paths.get(`${from}>${to}`);
      if (!p) throw new UserError(`${source}: no path from device '${from}' to '${to}'`);
      return p;
    },
  };
}

function shortestPaths(ids: readonly string[], links: readonly LinkSpec[]): Map<string, PathCost> {
  const out = new Map<string, PathCost>();
  const probe = (l: LinkSpec) => l.latencyS + PATH_PROBE_BYTES / l.bandwidthBps;
  for (const src of ids) {
    const best = new Map<string, { cost: number; path: LinkSpec[] }>([[src, { cost: 0, path: [] }]]);
    const done = new Set<string>();
    for (;;) {
      let u: string | undefined;
      for (const [id, v] of best) if (!done.has(id) && (u === undefined || v.cost < (best.get(u)?.cost ?? 0))) u = id;
      if (u === undefined) break;
      done.add(u);
      const cur = best.get(u) as { cost: number; path: LinkSpec[] };
      for (const l of links) {
        const other = l.between[0] === u ? l.between[1] : l.between[1] === u ? l.between[0] : undefined;
        if (other === undefined || done.has(other)) continue;
        const c = cur.cost + probe(l);
        const prev = best.get(other);
        if (!prev || c < prev.cost) best.set(other, { cost: c, path: [...cur.path, l] });
      }
    }
    for (const [dst, { path }] of best) {
      out.set(
        `${src}>${dst}`,
        dst === src
          ? ZERO_PATH
          : {
              links: path.map((l) => l.id),
              fixedS: path.reduce((s, l) => s + l.latencyS, 0),
              perByteS: path.reduce((s, l) => s + 1 / l.bandwidthBps, 0),
              perByteJ: path.reduce((s, l) => s + l.energyPerByteJ, 0),
            },
      );
    }
  }
  return out;
}
