import { BUILTIN_SYSTEMS, CONFIG_SCHEMA } from '@lightcode/core';
import {
  type DType,
  type EnergyComponent,
  formatQuantity,
  formatValue,
  linearOp,
  OPGRAPH_SCHEMA,
  opArithmetic,
  resolveParams,
  SYSTEM_SCHEMA,
  sumEnergy,
  type TargetPlugin,
  UserError,
} from '@lightcode/cost-model';
import { renderTable } from '@lightcode/report';
import { type PluginFlags, parse } from '../args.js';
import { type Io, loadRegistry } from '../context.js';

export const TARGETS_HELP = `lightcode targets [ID] [--json]
lightcode targets ID --explain [B x]MxKxN [--preset NAME] [--dtype DTYPE] [--json]

Lists the loaded hardware targets; with an ID, every parameter with its default
value, unit and source, and the presets.

  --explain SHAPE   price one linear op, X[M x K] . W[K x N] (B of them), on one
                    instance and print where its energy goes per MAC: each
                    component the target reports (DACs, laser, memory ...), with
                    how it was counted, and its static power over the op's latency
  --preset NAME     the target's preset to explain (default: its default preset)
  --dtype DTYPE     the op's number format (default fp16)
`;

/** `MxKxN` or `BxMxKxN`, each a positive integer. */
function parseShape(text: string): { batch: number; m: number; k: number; n: number } {
  const parts = text.toLowerCase().split('x');
  if ((parts.length !== 3 && parts.length !== 4) || !parts.every((d) => /^\d+$/.test(d) && Number(d) >= 1)) {
    throw new UserError(`--explain takes a shape MxKxN or BxMxKxN of positive integers, e.g. 2048x4096x4096 (got '${text}')`);
  }
  const [batch, m, k, n] = (parts.length === 4 ? parts : ['1', ...parts]).map(Number) as [number, number, number, number];
  return { batch, m, k, n };
}

function explain(
  t: TargetPlugin,
  shapeText: string,
  presetFlag: string | undefined,
  dtypeFlag: string | undefined,
  io: Io,
  json: boolean,
): number {
  const shape = parseShape(shapeText);
  const dtype = (dtypeFlag ?? 'fp16') as DType;
  if (!t.dtypes.includes(dtype)) throw new UserError(`--dtype: target '${t.id}' runs ${t.dtypes.join(', ')} (got '${dtype}')`);
  if (!t.opKinds.includes('linear')) throw new UserError(`--explain: target '${t.id}' does not run linear ops`);
  const preset = presetFlag ?? t.defaultPreset;
  const params = resolveParams(t.id, t.params, t.presets, preset, {}, t.validate?.bind(t));
  const op = linearOp(shape.m, shape.k, shape.n, dtype, 'explain', shape.batch);
  const arith = opArithmetic(op);
  const realizations = t.realize(op, arith, params);
  if (realizations.length === 0) throw new UserError(`--explain: target '${t.id}' declines a ${shapeText} ${dtype} linear op`);
  const staticW = t.staticPowerW(params);
  const perMac = (j: number) => (arith.macs > 0 ? j / arith.macs : 0);
  const docs = realizations.map((r) => {
    const energyJ = sumEnergy(r.energy);
    const components: readonly EnergyComponent[] = r.components ?? [
      ...Object.entries(r.energy).map(([kind, j]) => ({ name: kind, kind, energyJ: j })),
      {
        name: 'static power',
        kind: 'static',
        energyJ: staticW * r.latencyS,
        detail: `${formatQuantity(staticW, 'W')} over the op's latency`,
      },
    ];
    const staticJ = components.filter((c) => c.kind === 'static').reduce((s, c) => s + c.energyJ, 0);
    return { algorithm: r.algorithm, latencyS: r.latencyS, energy: r.energy, energyJ, staticJ, components };
  });
  if (json) {
    io.out(`${JSON.stringify({ target: t.id, preset, op: { ...shape, dtype, macs: arith.macs }, realizations: docs }, null, 2)}\n`);
    return 0;
  }
  const dims = `${shape.batch > 1 ? `${shape.batch} x ` : ''}${shape.m} x ${shape.k} x ${shape.n}`;
  for (const d of docs) {
    const all = d.energyJ + d.staticJ;
    const rows = d.components.map((c) => [
      c.name,
      c.kind,
      (perMac(c.energyJ) * 1e12).toPrecision(3),
      all > 0 ? `${((100 * c.energyJ) / all).toFixed(1)} %` : '-',
      c.detail ?? '',
    ]);
    io.out(
      `${t.id}/${preset}: linear ${dims} ${dtype} (${formatQuantity(arith.macs, 'MAC')}), ${d.algorithm}, latency ${formatQuantity(d.latencyS, 's')} on one instance\n\n` +
        `${renderTable(['component', 'kind', 'pJ/MAC', 'share', 'how counted'], rows)}\n\n` +
        `energy ${formatQuantity(d.energyJ, 'J')} = ${(perMac(d.energyJ) * 1e12).toPrecision(4)} pJ/MAC (every row but static); ` +
        `with static power over the latency ${formatQuantity(all, 'J')} = ${(perMac(all) * 1e12).toPrecision(4)} pJ/MAC. ` +
        `The simulator charges static power over the whole makespan.\n`,
    );
  }
  return 0;
}

export async function targetsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse(
    'targets',
    argv,
    { explain: { type: 'string' }, preset: { type: 'string' }, dtype: { type: 'string' } },
    true,
  );
  const reg = await loadRegistry(io, v as PluginFlags);
  const id = positionals[0];
  const targets = [...reg.targets.values()].filter((t) => id === undefined || t.id === id);
  if (id !== undefined && targets.length === 0)
    throw new UserError(`unknown target '${id}' (loaded: ${[...reg.targets.keys()].join(', ')})`);
  if (v.explain !== undefined || v.preset !== undefined || v.dtype !== undefined) {
    const [t] = targets;
    if (id === undefined || !t) throw new UserError('--explain needs a target: lightcode targets ID --explain MxKxN');
    if (typeof v.explain !== 'string') throw new UserError('--preset and --dtype go with --explain MxKxN');
    return explain(t, v.explain, v.preset as string | undefined, v.dtype as string | undefined, io, v.json === true);
  }
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
      const rows = d.params.map((p) => [p.name, formatValue(p.default, p.unit), p.unit, p.description, p.source]);
      const unit = (name: string) => d.params.find((p) => p.name === name)?.unit ?? '1';
      const presets = Object.entries(d.presets).map(([name, p]) => [
        name,
        Object.entries(p.values)
          .map(([k, x]) => `${k}=${formatValue(x, unit(k))}`)
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

Lists the built-in systems with their device classes and links (bandwidth, latency).
`;

export async function systemsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('systems', argv, {});
  const systems = Object.values(BUILTIN_SYSTEMS);
  if (v.json) io.out(`${JSON.stringify({ systems }, null, 2)}\n`);
  else {
    const rows = systems.map((s) => [
      s.id,
      s.devices.map((d) => `${d.id} x${d.count} (${d.target}/${d.preset ?? 'default'})`).join(', '),
      (s.links ?? []).map((l) => `${l.id} ${formatValue(l.bandwidthBps, 'B/s')}, ${formatValue(l.latencyS, 's')}`).join('; ') || '-',
      s.description ?? '',
    ]);
    io.out(`${renderTable(['id', 'devices', 'links', 'description'], rows)}\n`);
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
