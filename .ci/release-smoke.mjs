#!/usr/bin/env node
// Release smoke test: what a user gets from the registry, without a registry.
//
// 1. Packs every public workspace package with `pnpm pack` (the prepack guard
//    refuses an unbuilt one) and checks each tarball: its published exports,
//    bin and source maps point only at files inside it, and no `workspace:`
//    range is left.
// 2. Packs the third-party packages they depend on from the local pnpm store
//    (the installed folders, tarred again) and the two example plugins.
// 3. Installs all of it with plain npm into a scratch project outside the
//    workspace, offline, with an empty npm cache and an unreachable registry.
// 4. There runs `npx lightcode --version`, `npx lightcode compile --model
//    gpt2`, and the example target and solver, found through
//    lightcode.config.json; and `lightcode compile` in an empty folder.
//
// Needs a build (`pnpm build`); run by .ci/run. Prints one line per step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-release-'));
const dirs = {
  packs: path.join(tmp, 'packs'),
  deps: path.join(tmp, 'deps'),
  project: path.join(tmp, 'project'),
  empty: path.join(tmp, 'empty'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d);

// npm never reaches a registry here: offline, a fresh cache, and a registry address nothing answers on
const env = {
  ...process.env,
  npm_config_offline: 'true',
  npm_config_cache: path.join(tmp, 'npm-cache'),
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
  NODE_OPTIONS: '',
};
delete env.npm_config_user_agent;

function fail(message) {
  console.error(`release smoke: ${message}`);
  console.error(`(scratch files kept in ${tmp})`);
  process.exit(1);
}

function sh(cmd, args, cwd, what) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));

/** The workspace's package folders, from pnpm-workspace.yaml (`group/*` entries). */
function workspaceDirs() {
  const globs = fs
    .readFileSync(path.join(ROOT, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((l) => /^\s*-\s*['"]?([\w-]+)\/\*['"]?\s*$/.exec(l)?.[1])
    .filter(Boolean);
  return globs.flatMap((g) =>
    fs
      .readdirSync(path.join(ROOT, g))
      .map((n) => path.join(ROOT, g, n))
      .filter((d) => fs.existsSync(path.join(d, 'package.json'))),
  );
}

/** Packs a folder into `dest`; returns the tarball's path (the newest .tgz there). */
function pack(tool, dir, dest) {
  const before = new Set(fs.readdirSync(dest));
  const args = tool === 'pnpm' ? ['pack', '--pack-destination', dest] : ['pack', dir, '--pack-destination', dest, '--ignore-scripts'];
  sh(tool, args, tool === 'pnpm' ? dir : dest, `${tool} pack ${path.relative(ROOT, dir) || dir}`);
  const made = fs.readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (made.length !== 1) fail(`${tool} pack ${dir} made ${made.length} tarballs`);
  return path.join(dest, made[0]);
}

function strings(v) {
  if (typeof v === 'string') return [v];
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/** Unpacks a tarball and checks that what it publishes points only at files inside it. */
function checkTarball(tgz) {
  const out = path.join(tmp, 'unpacked', path.basename(tgz, '.tgz'));
  fs.mkdirSync(out, { recursive: true });
  sh('tar', ['xzf', tgz, '-C', out], tmp, `unpack ${tgz}`);
  const root = path.join(out, 'package');
  const pkg = readJson(path.join(root, 'package.json'));
  const exportsText = JSON.stringify(pkg.exports ?? {});
  if (exportsText.includes('lightcode-source')) fail(`${pkg.name}: published exports keep the lightcode-source condition`);
  for (const rel of [...strings(pkg.exports), ...strings(pkg.bin)]) {
    if (!fs.existsSync(path.join(root, rel))) fail(`${pkg.name}: published ${rel} is not in the tarball`);
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) fail(`${pkg.name}: ${field}.${name} is still '${range}'`);
    }
  }
  if (!fs.existsSync(path.join(root, 'LICENSE'))) fail(`${pkg.name}: no LICENSE in the tarball`);
  if (!fs.existsSync(path.join(root, 'README.md'))) fail(`${pkg.name}: no README.md in the tarball`);
  let maps = 0;
  const walk = (d) =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const file of walk(root).filter((f) => f.endsWith('.map'))) {
    maps++;
    for (const src of readJson(file).sources ?? []) {
      const target = path.resolve(path.dirname(file), src);
      if (!target.startsWith(root) || !fs.existsSync(target))
        fail(`${pkg.name}: ${path.relative(root, file)} points at ${src}, which is not shipped`);
    }
  }
  return { pkg, maps };
}

// ---- 1. our packages
const t0 = Date.now();
const ours = [];
for (const dir of workspaceDirs()) {
  const manifest = readJson(path.join(dir, 'package.json'));
  if (manifest.private) continue;
  const tgz = pack('pnpm', dir, dirs.packs);
  const { pkg, maps } = checkTarball(tgz);
  ours.push({ name: pkg.name, version: pkg.version, tgz, dir, maps });
}
if (ours.length === 0) fail('no public packages found');
const names = new Set(ours.map((p) => p.name));
console.log(`packed ${ours.length} packages (${ours.reduce((s, p) => s + p.maps, 0)} source maps checked)`);

// ---- 2. third-party dependencies from the local store, and the example plugins
function findInstalled(fromDir, name) {
  for (let d = fromDir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(d) === d) return undefined;
  }
}
const thirdParty = new Map();
function addClosure(name, fromDirs, wanted) {
  if (names.has(name)) return;
  const dir = fromDirs.map((d) => findInstalled(d, name)).find(Boolean);
  if (!dir) fail(`cannot find ${name} (needed by ${wanted}) installed in the workspace`);
  const pkg = readJson(path.join(dir, 'package.json'));
  const known = thirdParty.get(name);
  if (known) {
    if (known.version !== pkg.version)
      fail(`two versions of ${name} are needed (${known.version}, ${pkg.version}); the smoke test installs one`);
    return;
  }
  thirdParty.set(name, { name, version: pkg.version, dir });
  const optionalPeers = pkg.peerDependenciesMeta ?? {};
  const next = {
    ...pkg.dependencies,
    ...Object.fromEntries(Object.entries(pkg.peerDependencies ?? {}).filter(([n]) => !optionalPeers[n]?.optional)),
  };
  for (const dep of Object.keys(next)) addClosure(dep, [dir], name);
}
for (const p of ours) {
  const m = readJson(path.join(p.dir, 'package.json'));
  for (const dep of Object.keys(m.dependencies ?? {})) addClosure(dep, [p.dir], p.name);
}
const examples = ['third-party-target', 'third-party-solver'].map((e) => path.join(ROOT, 'examples', e));
for (const ex of examples) {
  const m = readJson(path.join(ex, 'package.json'));
  for (const dep of Object.keys(m.dependencies ?? {})) addClosure(dep, [ex, ...ours.map((p) => p.dir)], m.name);
}
// an installed folder holds exactly what its tarball held: tar it again (npm pack of some
// installed folders, ajv's among them, dies with "Exit handler never called")
function repack(dep) {
  const stage = path.join(tmp, 'stage', `${dep.name.replace('/', '+')}@${dep.version}`);
  fs.cpSync(dep.dir, path.join(stage, 'package'), { recursive: true, dereference: true });
  const tgz = path.join(dirs.deps, `${dep.name.replace('@', '').replace('/', '-')}-${dep.version}.tgz`);
  sh('tar', ['czf', tgz, '-C', stage, 'package'], tmp, `tar ${dep.name}`);
  return tgz;
}
for (const dep of thirdParty.values()) dep.tgz = repack(dep);
const exampleTgz = examples.map((ex) => ({ name: readJson(path.join(ex, 'package.json')).name, tgz: pack('npm', ex, dirs.packs) }));
console.log(
  `packed ${thirdParty.size} third-party dependencies (${[...thirdParty.keys()].sort().join(', ')}) and ${exampleTgz.length} example plugins`,
);

// ---- 3. install with plain npm, offline
const spec = (tgz) => `file:${tgz}`;
const dependencies = Object.fromEntries([...ours, ...exampleTgz].map((p) => [p.name, spec(p.tgz)]));
const overrides = Object.fromEntries([
  ...ours.map((p) => [p.name, spec(p.tgz)]),
  ...[...thirdParty.values()].map((d) => [d.name, spec(d.tgz)]),
]);
fs.writeFileSync(
  path.join(dirs.project, 'package.json'),
  `${JSON.stringify({ name: 'lightcode-release-smoke', private: true, type: 'module', dependencies, overrides }, null, 2)}\n`,
);
sh('npm', ['install', '--no-audit', '--no-fund'], dirs.project, 'npm install (offline)');
for (const p of ours) {
  const installed = path.join(dirs.project, 'node_modules', p.name);
  if (fs.lstatSync(installed).isSymbolicLink()) fail(`${p.name} is a link, not installed from its tarball`);
}
console.log(`installed offline into ${dirs.project}`);

// ---- 4. use it
const lightcode = (args, cwd = dirs.project) => sh('npx', ['--no-install', 'lightcode', ...args], cwd, `npx lightcode ${args.join(' ')}`);
const expect = (ok, message) => ok || fail(message);

const version = (dir) => readJson(path.join(ROOT, dir, 'package.json')).version;
const v = lightcode(['--version']);
for (const [name, dir] of [
  ['@lightcode/cli', 'apps/cli'],
  ['@lightcode/core', 'packages/core'],
  ['@lightcode/cost-model', 'packages/cost-model'],
]) {
  expect(v.includes(`${name} ${version(dir)}`), `lightcode --version does not name ${name} ${version(dir)}:\n${v}`);
}

const quick = lightcode(['compile', '--model', 'gpt2']);
expect(/latency\s+\S+ \S*s\b/.test(quick) && /energy/.test(quick), `compile --model gpt2 printed no latency and energy:\n${quick}`);
console.log('npx lightcode compile --model gpt2: ok');

fs.writeFileSync(
  path.join(dirs.project, 'lightcode.config.json'),
  `${JSON.stringify({ plugins: ['lightcode-target-aimc', ['lightcode-solver-gap', { gap: 0 }]] }, null, 2)}\n`,
);
const listed = JSON.parse(lightcode(['plugins', '--json'])).plugins;
for (const [id, pkg] of [
  ['aimc', 'lightcode-target-aimc'],
  ['gap', 'lightcode-solver-gap'],
]) {
  const p = listed.find((x) => x.id === id);
  expect(
    p?.package === pkg && String(p.origin).startsWith('config:'),
    `plugin '${id}' was not loaded from lightcode.config.json: ${JSON.stringify(p)}`,
  );
}
fs.writeFileSync(
  path.join(dirs.project, 'system.json'),
  JSON.stringify({
    id: 'gpu-plus-aimc',
    devices: [
      { id: 'gpu', target: 'gpu', preset: 'a100', count: 1 },
      { id: 'aimc', target: 'aimc', count: 2 },
    ],
    links: [{ id: 'pcie', between: ['gpu', 'aimc'], bandwidthBps: 31.5e9, latencyS: 1e-6, energyPerByteJ: 40e-12 }],
  }),
);
const target = JSON.parse(
  lightcode(['compile', '--model', 'gpt2', '--seq-len', '128', '--system', 'system.json', '--objective', 'energy', '--json']),
);
expect(
  target.ops.some((o) => o.device === 'aimc' && o.algorithm === 'weight-stationary'),
  'the third-party target priced no op in an energy compile',
);
console.log('third-party target (lightcode-target-aimc): ok');

const solved = JSON.parse(
  lightcode([
    'compile',
    '--model',
    'gpt2',
    '--seq-len',
    '64',
    '--objective',
    'energy',
    '--latency-budget',
    '0.8ms',
    '--solver',
    'gap',
    '--json',
  ]),
);
expect(solved.selection.solver === 'gap', `--solver gap: the selection names solver '${solved.selection.solver}'`);
expect(solved.totals.latencyS <= 0.8e-3 * (1 + 1e-9), `--solver gap broke the latency budget: ${solved.totals.latencyS} s`);
console.log('third-party solver (lightcode-solver-gap): ok');

// the installed binary in a folder with nothing in it (no package.json, no config)
const bin = path.join(dirs.project, 'node_modules', '.bin', 'lightcode');
const bare = sh(bin, ['compile', '--model', 'gpt2', '--seq-len', '64'], dirs.empty, 'lightcode compile in an empty folder');
expect(/latency/.test(bare), `lightcode compile in an empty folder printed no latency:\n${bare}`);
const viaNpx = sh('npx', ['--no-install', '@lightcode/cli', '--version'], dirs.project, 'npx @lightcode/cli --version');
expect(viaNpx.includes('@lightcode/cli '), `npx @lightcode/cli --version printed:\n${viaNpx}`);
console.log('installed bin in an empty folder and npx @lightcode/cli: ok');

if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
console.log(`release smoke: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
