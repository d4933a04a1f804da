#!/usr/bin/env node
// Run by every public package's `prepack`: refuses to pack a package that is
// not built, so a tarball never ships without the files its package.json
// points at. Checks, from the package folder:
//   - every file the published `exports` (publishConfig.exports, else exports)
//     and `bin` name exists;
//   - every TypeScript source under src/ has its compiled .js under dist/, and
//     nothing under dist/ is left from a source that no longer exists.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const problems = [];

function targets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) targets(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) targets(v, out);
  return out;
}

const exportsField = pkg.publishConfig?.exports ?? pkg.exports;
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const rel of [...targets(exportsField), ...bins]) {
  if (rel.includes('*')) continue;
  if (!fs.existsSync(path.join(dir, rel))) problems.push(`${rel} is missing`);
}

function walk(d) {
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
}
for (const file of walk(path.join(dir, 'src'))) {
  if (!/\.ts$/.test(file) || /\.d\.ts$/.test(file)) continue;
  const js = path.join(dir, 'dist', path.relative(path.join(dir, 'src'), file)).replace(/\.ts$/, '.js');
  if (!fs.existsSync(js)) problems.push(`${path.relative(dir, js)} is missing`);
}

for (const file of walk(path.join(dir, 'dist'))) {
  const m = /^(.*?)(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/.exec(path.relative(path.join(dir, 'dist'), file));
  if (!m) continue;
  const stem = path.join(dir, 'src', m[1]);
  if (!fs.existsSync(`${stem}.ts`) && !fs.existsSync(`${stem}.js`)) problems.push(`${path.relative(dir, file)} is left from an old build`);
}

if (problems.length > 0) {
  const shown = problems.slice(0, 3).join(', ') + (problems.length > 3 ? ` and ${problems.length - 3} more` : '');
  console.error(`${pkg.name}: not ready to pack (${shown}); run 'pnpm build' before packing (delete dist/ first for a leftover)`);
  process.exit(1);
}
