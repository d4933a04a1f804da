import { BUILTIN_SYSTEMS, CONFIG_SCHEMA } from '@lightcode/core';
import { OPGRAPH_SCHEMA, SYSTEM_SCHEMA, UserError } from '@lightcode/cost-model';
import { renderTable } from '@lightcode/report';
import { type PluginFlags, parse } from '../args.js';
import { type Io, loadRegistry } from '../context.js';

export const TARGETS_HELP = `lightcode targets [ID] [--json]

Lists the loaded hardware targets; with an ID, every parameter with its default
value, unit and source, and the presets.
`;

function show(v: number | string): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : v;
}

export async function targetsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('targets', argv, {}, true);
  const reg = await loadRegistry(io, v as PluginFlags);
  const id = positionals[0];
  const targets = [...reg.targets.values()].filter((t) => id === undefined || t.id === id);
  if (id !== undefined && targets.length === 0)
    throw new UserError(`unknown target '${id}' (loaded: ${[...reg.targets.keys()].join(', ')})`);
  const docs = targets.map((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    opKinds: t.opKinds,
    dtypes: t.dtypes,
    defaultPreset: t.defaultPreset,
    presets: t.presets,
    params: Object.entries(t.params).map(([name, p]) => ({ name, ...p })),
  }));
  if (v.json) {
    io.out(`${JSON.stringify({ targets: docs }, null, 2)}\n`);
  } else if (id === undefined) {
    io.out(
      `${renderTable(
        ['id', 'name', 'presets', 'ops'],
        docs.map((d) => [d.id, d.name, Object.keys(d.presets).join(', '), d.opKinds.join(' ')]),
      )}\n`,
    );
  } else {
    for (const d of docs) {
      const rows = d.params.map((p) => [p.name, show(p.default), p.unit, p.description, p.source]);
      const presets = Object.entries(d.presets).map(([name, p]) => [
        name,
        Object.entries(p.values)
          .map(([k, x]) => `${k}=${show(x)}`)
          .join(' ') || '(defaults)',
        p.source,
      ]);
      io.out(
        `${d.name} (${d.id}): ${d.description}\n\n${renderTable(['parameter', 'default', 'unit', 'meaning', 'source'], rows)}\n\n${renderTable(['preset', 'values', 'source'], presets)}\n`,
      );
    }
  }
  return 0;
}

export const SYSTEMS_HELP = `lightcode systems [--json]

Lists the built-in systems with their device classes and links.
`;

export async function systemsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('systems', argv, {});
  const systems = Object.values(BUILTIN_SYSTEMS);
  if (v.json) io.out(`${JSON.stringify({ systems }, null, 2)}\n`);
  else {
    const rows = systems.map((s) => [
      s.id,
      s.devices.map((d) => `${d.id} x${d.count} (${d.target}/${d.preset ?? 'default'})`).join(', '),
      s.description ?? '',
    ]);
    io.out(`${renderTable(['id', 'devices', 'description'], rows)}\n`);
  }
  return 0;
}

const SCHEMAS = { system: SYSTEM_SCHEMA, config: CONFIG_SCHEMA, opgraph: OPGRAPH_SCHEMA } as const;

export const SCHEMA_HELP = `lightcode schema system|config|opgraph

Prints the JSON Schema of a file format, for editors and validators.
`;

export async function schemaCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals } = parse('schema', argv, {}, true);
  const name = positionals[0] ?? '';
  const schema = SCHEMAS[name as keyof typeof SCHEMAS];
  if (!schema) throw new UserError(`lightcode schema takes one of ${Object.keys(SCHEMAS).join(', ')} (got '${name}')`);
  io.out(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}
