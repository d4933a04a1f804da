import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightcodeError } from '@lightcode/cost-model';

export function tmpDir(prefix = 'lightcode-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface FakePlugin {
  readonly name: string;
  readonly manifest?: unknown;
  readonly keywords?: string[];
  readonly code?: string;
  readonly exportsField?: unknown;
  /** `peerDependencies` (default: the SDK at ^1.0.0; null for none). */
  readonly peers?: Record<string, string> | null;
}

/** A minimal target plugin's code, with no SDK import so it loads from anywhere. */
export function targetCode(id: string): string {
  return `export default {
  kind: 'target', id: ${JSON.stringify(id)}, name: ${JSON.stringify(id)}, description: 'fixture',
  dtypes: ['fp16'], opKinds: ['linear', 'matmul'],
  params: { speed: { unit: 'FLOP/s', default: 1e12, description: 'speed', source: 'fixture' } },
  presets: { base: { description: 'base', source: 'fixture', values: {} } }, defaultPreset: 'base',
  realize: (op, a, p) => [{ algorithm: 'fixture', latencyS: a.flops / p.speed, energy: { compute: a.macs * 1e-13 } }],
  staticPowerW: () => 0,
};
`;
}

/** Writes a plugin package into `dir` (a folder or node_modules/NAME); returns its folder. */
export function writePlugin(dir: string, p: FakePlugin): string {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: p.name,
    version: '2.3.4',
    type: 'module',
    keywords: p.keywords ?? ['lightcode-plugin'],
    ...(p.manifest === undefined
      ? { lightcode: { apiVersion: 1, kind: 'target', id: 'fake' } }
      : p.manifest === null
        ? {}
        : { lightcode: p.manifest }),
    exports: p.exportsField ?? { '.': './index.js', './package.json': './package.json' },
    ...(p.peers === null ? {} : { peerDependencies: p.peers ?? { '@lightcode/cost-model': '^1.0.0' } }),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, 'index.js'), p.code ?? targetCode('fake'));
  return dir;
}

/** A minimal frontend plugin's code (no models), with no SDK import. */
export function frontendCode(id: string): string {
  return `export default {
  kind: 'frontend', id: ${JSON.stringify(id)}, name: ${JSON.stringify(id)}, description: 'fixture',
  models: [], modelTypes: [], build: () => { throw new Error('fixture'); },
};
`;
}

/** A minimal solver plugin's code, with no SDK import. */
export function solverCode(id: string): string {
  return `export default {
  kind: 'solver', id: ${JSON.stringify(id)}, name: ${JSON.stringify(id)}, description: 'fixture',
  solve: () => { throw new Error('fixture'); },
};
`;
}

/** The error a call throws; fails the test when it throws none. */
export function thrown(fn: () => unknown): LightcodeError {
  try {
    fn();
  } catch (e) {
    return e as LightcodeError;
  }
  throw new Error('expected an error');
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<LightcodeError> {
  try {
    await p;
  } catch (e) {
    return e as LightcodeError;
  }
  throw new Error('expected a rejection');
}
