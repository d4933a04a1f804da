import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  publishConfig?: { access?: string; exports?: Record<string, unknown> };
  files?: string[];
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
}

const DIRS = ['packages', 'plugins', 'apps'].flatMap((g) =>
  fs
    .readdirSync(path.join(ROOT, g))
    .map((n) => path.join(g, n))
    .filter((d) => fs.existsSync(path.join(ROOT, d, 'package.json'))),
);
const read = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));

/** `exports` without the workspace-only `lightcode-source` condition. */
function published(e: unknown): unknown {
  if (!e || typeof e !== 'object' || Array.isArray(e)) return e;
  return Object.fromEntries(
    Object.entries(e)
      .filter(([k]) => k !== 'lightcode-source')
      .map(([k, v]) => [k, published(v)]),
  );
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

describe('every workspace package is publishable', () => {
  const license = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');

  it('the repository has an MIT LICENSE', () => {
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The LightCode authors\n/);
  });

  for (const dir of DIRS) {
    it(`${dir}: metadata, licence, published exports and the prepack guard`, () => {
      const m = read(dir);
      expect(m.private, 'not private').toBeUndefined();
      expect(m.license).toBe('MIT');
      expect(fs.readFileSync(path.join(ROOT, dir, 'LICENSE'), 'utf8')).toBe(license);
      expect(m.repository).toEqual({ type: 'git', url: read(DIRS[0] as string).repository?.url, directory: dir });
      expect(m.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
      expect(m.engines).toEqual({ node: '>=20' });
      expect(m.publishConfig?.access).toBe('public');
      // what is published points only at shipped files: no source condition, and src/ ships for the maps
      expect(m.publishConfig?.exports).toEqual(published(m.exports));
      expect(JSON.stringify(m.publishConfig?.exports)).not.toContain('lightcode-source');
      for (const target of [...strings(m.publishConfig?.exports), ...strings(m.bin)]) {
        expect(target === './package.json' || target.startsWith('./dist/'), target).toBe(true);
      }
      expect(m.files).toEqual(['dist', 'src']);
      expect(m.scripts?.prepack).toBe('node ../../scripts/prepack.mjs');
    });
  }
});

describe('lightcode --version', () => {
  it('prints the CLI, core and SDK versions', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `@lightcode/cli ${read('apps/cli').version}`,
        `@lightcode/core ${read('packages/core').version}`,
        `@lightcode/cost-model ${read('packages/cost-model').version} (SDK, plugin API ${PLUGIN_API_VERSION})`,
        '',
      ].join('\n'),
    );
  });
});

describe('the prepack guard', () => {
  /** A package laid out like the workspace's, with the guard beside it at ../../scripts. */
  function fakePackage(): { dir: string; pack: () => { code: number; out: string; tarball?: string } } {
    const root = tmpDir('lightcode-prepack-');
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.copyFileSync(path.join(ROOT, 'scripts/prepack.mjs'), path.join(root, 'scripts/prepack.mjs'));
    const dir = path.join(root, 'packages', 'demo');
    fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
    const ir = read('packages/ir');
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify(
        { ...ir, name: '@demo/pkg', dependencies: {}, devDependencies: {}, scripts: { prepack: ir.scripts?.prepack } },
        null,
        2,
      ),
    );
    fs.writeFileSync(path.join(dir, 'src', 'index.ts'), 'export const x = 1;\n');
    const dest = path.join(root, 'out');
    fs.mkdirSync(dest);
    return {
      dir,
      pack() {
        const r = spawnSync('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' });
        const tarball = fs.readdirSync(dest).find((f) => f.endsWith('.tgz'));
        return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, ...(tarball ? { tarball: path.join(dest, tarball) } : {}) };
      },
    };
  }

  it('refuses to pack an unbuilt package, packs a built one, and refuses leftovers of an old build', () => {
    const p = fakePackage();
    const unbuilt = p.pack();
    expect(unbuilt.code).not.toBe(0);
    expect(unbuilt.out).toContain(
      "@demo/pkg: not ready to pack (./dist/index.d.ts is missing, ./dist/index.js is missing, dist/index.js is missing); run 'pnpm build'",
    );
    expect(unbuilt.tarball).toBeUndefined();

    fs.mkdirSync(path.join(p.dir, 'dist'));
    fs.writeFileSync(path.join(p.dir, 'dist', 'index.js'), 'export const x = 1;\n');
    fs.writeFileSync(path.join(p.dir, 'dist', 'index.d.ts'), 'export declare const x = 1;\n');
    const built = p.pack();
    expect(built.code, built.out).toBe(0);
    const listing = spawnSync('tar', ['tzf', built.tarball as string], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .sort();
    expect(listing).toEqual(['package/dist/index.d.ts', 'package/dist/index.js', 'package/package.json', 'package/src/index.ts']);
    const manifest = JSON.parse(spawnSync('tar', ['xzOf', built.tarball as string, 'package/package.json'], { encoding: 'utf8' }).stdout);
    expect(JSON.stringify(manifest.exports)).not.toContain('lightcode-source');

    fs.writeFileSync(path.join(p.dir, 'dist', 'removed.js'), '');
    const stale = p.pack();
    expect(stale.code).not.toBe(0);
    expect(stale.out).toContain('dist/removed.js is left from an old build');
  }, 60_000);
});
