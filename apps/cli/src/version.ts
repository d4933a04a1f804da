import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION } from '@lightcode/cost-model';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function versionOf(pkgFile: string): string {
  return String((JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version?: unknown }).version ?? 'unknown');
}

/** The versions of the CLI and of the core and SDK packages it runs with (resolved as the CLI resolves them). */
export function versions(): { cli: string; core: string; sdk: string; pluginApi: number } {
  const req = createRequire(path.join(HERE, 'noop.js'));
  return {
    // src/ and dist/ both sit one level below the package root
    cli: versionOf(path.join(HERE, '..', 'package.json')),
    core: versionOf(req.resolve('@lightcode/core/package.json')),
    sdk: versionOf(req.resolve('@lightcode/cost-model/package.json')),
    pluginApi: PLUGIN_API_VERSION,
  };
}

/** What `lightcode --version` prints. */
export function versionText(): string {
  const v = versions();
  return `@lightcode/cli ${v.cli}\n@lightcode/core ${v.core}\n@lightcode/cost-model ${v.sdk} (SDK, plugin API ${v.pluginApi})\n`;
}
