import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SDK = '@lightcode/cost-model';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The workspace's package folders, as pnpm-workspace.yaml lists them (`group/*`). */
function workspaceDirs(): string[] {
  const globs = fs
    .readFileSync(path.join(ROOT, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((l) => /^\s*-\s*['"]?([\w-]+)\/\*['"]?\s*$/.exec(l)?.[1])
    .filter((g): g is string => g !== undefined);
  return globs.flatMap((g) =>
    fs
      .readdirSync(path.join(ROOT, g))
      .map((n) => path.join(g, n))
      .filter((d) => fs.existsSync(path.join(ROOT, d, 'package.json'))),
  );
}

/**
 * `changeset version` on a scratch copy of the workspace (its package.json
 * files and the changesets config, in a fresh git repository) with the given
 * changeset; returns every package's manifest afterwards, by name.
 */
function versionWith(bumps: Record<string, 'major' | 'minor' | 'patch'>): Map<string, Manifest> {
  const scratch = tmpDir('lightcode-changesets-');
  const copy = (rel: string) => {
    fs.mkdirSync(path.dirname(path.join(scratch, rel)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, rel), path.join(scratch, rel));
  };
  for (const rel of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) copy(rel);
  const dirs = workspaceDirs();
  for (const d of dirs) copy(path.join(d, 'package.json'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: scratch });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'scratch');
  const front = Object.entries(bumps)
    .map(([name, bump]) => `"${name}": ${bump}`)
    .join('\n');
  fs.writeFileSync(path.join(scratch, '.changeset', 'release.md'), `---\n${front}\n---\n\nA change.\n`);
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'changeset'), ['version'], { cwd: scratch, stdio: 'pipe' });
  const out = new Map<string, Manifest>();
  for (const d of dirs) {
    const m = JSON.parse(fs.readFileSync(path.join(scratch, d, 'package.json'), 'utf8')) as Manifest;
    out.set(m.name, m);
  }
  return out;
}

function before(): Map<string, Manifest> {
  return new Map(
    workspaceDirs().map((d) => {
      const m = JSON.parse(fs.readFileSync(path.join(ROOT, d, 'package.json'), 'utf8')) as Manifest;
      return [m.name, m];
    }),
  );
}

const plugins = (ms: Map<string, Manifest>) => [...ms.values()].filter((m) => m.peerDependencies?.[SDK] !== undefined);

describe('changesets: an SDK minor or patch never forces a plugin major', () => {
  const old = before();

  it('every package is published (the CLI too) and every plugin peer-depends on the SDK ^1.0.0', () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, '.changeset/config.json'), 'utf8'));
    expect(config.ignore).toEqual([]);
    expect(config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH?.onlyUpdatePeerDependentsWhenOutOfRange).toBe(true);
    expect([...old.values()].filter((m) => m.private).map((m) => m.name)).toEqual([]);
    expect(plugins(old).length).toBeGreaterThanOrEqual(6);
    for (const m of plugins(old)) expect(m.peerDependencies?.[SDK], m.name).toBe('^1.0.0');
  });

  for (const bump of ['minor', 'patch'] as const) {
    it(`an SDK ${bump} bumps the SDK alone and leaves every peer range at ^1.0.0`, () => {
      const after = versionWith({ [SDK]: bump });
      const sdkVersion = bump === 'minor' ? '1.1.0' : '1.0.1';
      for (const [name, m] of after) {
        const was = old.get(name) as Manifest;
        expect(m.version, name).toBe(name === SDK ? sdkVersion : was.version);
        expect(m.peerDependencies ?? {}, name).toEqual(was.peerDependencies ?? {});
        expect(m.dependencies ?? {}, name).toEqual(was.dependencies ?? {});
      }
    }, 60_000);
  }

  it('an SDK major moves the plugins to a new major with the new peer range', () => {
    const after = versionWith({ [SDK]: 'major' });
    expect(after.get(SDK)?.version).toBe('2.0.0');
    for (const m of plugins(after)) {
      expect(m.version, m.name).toBe('2.0.0');
      expect(m.peerDependencies?.[SDK], m.name).toBe('^2.0.0');
    }
  }, 60_000);

  it('a CLI change releases the CLI', () => {
    const after = versionWith({ '@lightcode/cli': 'patch' });
    expect(after.get('@lightcode/cli')?.version).toBe('1.0.1');
    expect(after.get(SDK)?.version).toBe('1.0.0');
  }, 60_000);
});
