import { renderTable } from '@lightcode/report';
import { type PluginFlags, parse } from '../args.js';
import { type Io, loadRegistry } from '../context.js';

export const PLUGINS_HELP = `lightcode plugins [--json] [--config FILE] [--plugin NAME|PATH]

Lists every loaded plugin: id, kind, package, version, and where it was found.
`;

export async function pluginsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('plugins', argv, {});
  const reg = await loadRegistry(io, v as PluginFlags);
  const rows = reg.loaded.map((p) => ({
    id: p.plugin.id,
    kind: p.plugin.kind,
    package: p.packageName,
    version: p.version,
    origin: p.origin,
    path: p.path,
  }));
  if (v.json) io.out(`${JSON.stringify({ plugins: rows }, null, 2)}\n`);
  else
    io.out(
      `${renderTable(
        ['id', 'kind', 'package', 'version', 'from'],
        rows.map((r) => [r.id, r.kind, r.package, r.version, r.origin]),
      )}\n`,
    );
  return 0;
}
