import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir, writePlugin } from '../../../packages/core/test/fixtures.js';
import { run, runBin } from './run.js';

describe('lightcode compile --json', () => {
  it('honours the JSON contract for GPT-2 prefill on a GPU + PTU system', async () => {
    const r = await run([
      'compile',
      '--model',
      'gpt2',
      '--seq-len',
      '256',
      '--system',
      'hybrid-a100-ptu',
      '--objective',
      'energy',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.model).toMatchObject({ id: 'gpt2', phase: 'prefill', seqLen: 256, batch: 1, dtype: 'fp16' });
    expect(j.system.id).toBe('hybrid-a100-ptu');
    expect(j.system.devices).toEqual([
      { id: 'gpu', target: 'gpu', count: 1, preset: 'a100' },
      { id: 'ptu', target: 'ptu', count: 4, preset: 'lightcode-2025' },
    ]);
    expect(j.objective).toBe('energy');
    expect(Object.keys(j.selection)).toEqual(
      expect.arrayContaining(['status', 'solver', 'objectiveValue', 'bound', 'gap', 'method', 'decomposition', 'baselines']),
    );
    // one latency: totals carry the schedule's latency and energy, nothing else estimates them
    expect(j).not.toHaveProperty('simulation');
    expect(j.selection).not.toHaveProperty('latencyS');
    expect(j.selection).not.toHaveProperty('energyJ');
    expect(['enumeration', 'decomposition', 'search', 'baseline']).toContain(j.selection.method);
    expect(Math.abs(j.selection.objectiveValue - j.totals.energyJ)).toBeLessThanOrEqual(1e-9 * j.totals.energyJ);
    expect(j.selection.objectiveValue).toBeGreaterThan(0);
    for (const k of ['latencyS', 'energyJ', 'macs', 'flops']) expect(typeof j.totals[k]).toBe('number');
    // the ops' own energies, the transfers and static power make the total (the breakdown's sum is the total by definition)
    const opsJ = j.ops.reduce((s: number, o: { energyJ: number }) => s + o.energyJ, 0);
    const { transfer = 0, static: idle = 0 } = j.totals.energyBreakdownJ as Record<string, number>;
    expect(opsJ + transfer + idle).toBeCloseTo(j.totals.energyJ, 12);
    expect(j.ops.length).toBe(12 * 13 + 5);
    for (const op of j.ops) {
      for (const k of ['id', 'name', 'kind', 'device', 'algorithm']) expect(typeof op[k], k).toBe('string');
      for (const k of ['startS', 'latencyS', 'energyJ', 'macs']) expect(Number.isFinite(op[k]), k).toBe(true);
      expect(op.layer === null || Number.isInteger(op.layer)).toBe(true);
    }
    expect(j.ops.reduce((s: number, o: { macs: number }) => s + o.macs, 0)).toBe(j.totals.macs);
    expect(Math.max(...j.ops.map((o: { startS: number; latencyS: number }) => o.startS + o.latencyS))).toBeCloseTo(j.totals.latencyS, 12);
  });

  it('prints a short human table by default', async () => {
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '64']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/latency .*s {3}energy .*J/);
    expect(r.stdout).toMatch(/device {2}ops/);
  });

  it('says how far above the proven lower bound a result is when it is not proven optimal, and nothing of an estimate', async () => {
    // GPT-2 and Llama on the hybrid machine (tiled photonic ops, four units): optimal or not, the
    // human output must match the JSON's status and gap
    for (const model of ['gpt2', 'llama-2-7b']) {
      const args = ['compile', '--model', model, '--seq-len', '512', '--system', 'hybrid-a100-ptu'];
      const [human, json] = await Promise.all([run(args), run([...args, '--json'])]);
      expect(human.code).toBe(0);
      const s = JSON.parse(json.stdout).selection;
      expect(human.stdout).toContain(`(${s.status}, by ${s.method})`);
      expect(human.stdout).not.toMatch(/estimate|longer/);
      if (s.status === 'optimal') expect(human.stdout).not.toMatch(/above the proven lower bound/);
      else {
        expect(s.gap).toBeGreaterThan(0);
        expect(human.stdout).toContain(`${(100 * s.gap).toFixed(2)} % above the proven lower bound (`);
      }
    }
  });

  it('compiles Llama for energy on the study machine, proven optimal', async () => {
    const r = await run([
      'compile',
      '--model',
      'llama-2-7b',
      '--seq-len',
      '2048',
      '--system',
      'lightcode-2025',
      '--objective',
      'energy',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // 32 identical layers: a handful of segment classes, each enumerated; no budget, so the chain master is a shortest path
    expect(j.selection).toMatchObject({ status: 'optimal', solver: 'shortest-path', method: 'decomposition', gap: 0 });
    const d = j.selection.decomposition;
    expect(d.searched).toBe(0);
    expect(d.classes).toBeLessThan(d.segments / 4);
    expect(d.scheduled).toBeLessThanOrEqual(d.evaluated);
    expect(j.selection.bound).toBeLessThanOrEqual(j.selection.objectiveValue);
    expect(j.selection.objectiveValue).toBeLessThanOrEqual(j.selection.bound * (1 + 1e-5));
    expect(Math.abs(j.totals.energyJ - j.selection.objectiveValue)).toBeLessThanOrEqual(1e-9 * j.totals.energyJ);
    for (const b of j.selection.baselines) if (b.feasible) expect(j.totals.energyJ).toBeLessThanOrEqual(b.energyJ * (1 + 1e-9));
    expect(j.opsPerDevice.ptu).toBeGreaterThan(0);
  });
});

describe('lightcode plugins', () => {
  it('lists the first-party plugins with kind, id, version and origin', async () => {
    const r = await run(['plugins', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout).plugins as { id: string; kind: string; version: string; origin: string; path: string }[];
    expect(list.map((p) => `${p.kind}:${p.id}`).sort()).toEqual([
      'frontend:gpt2',
      'frontend:llama',
      'frontend:onnx',
      'frontend:tvm',
      'solver:highs',
      'target:cpu',
      'target:gpu',
      'target:ptu',
    ]);
    for (const p of list) {
      expect(p.version).toBe('1.0.0');
      expect(p.origin).toBe('builtin');
      expect(fs.existsSync(path.join(p.path, 'package.json'))).toBe(true);
    }
  });
});

describe('bad input: one line, exit 2, no stack trace', () => {
  const badPlugins = tmpDir();
  writePlugin(path.join(badPlugins, 'nomanifest'), { name: 'nomanifest', manifest: null });
  writePlugin(path.join(badPlugins, 'future'), { name: 'future', manifest: { apiVersion: 7, kind: 'target', id: 'future' } });
  writePlugin(path.join(badPlugins, 'throws'), { name: 'throws', code: "throw new TypeError('cannot read x of undefined');" });
  const badConfig = tmpDir();
  fs.writeFileSync(path.join(badConfig, 'lightcode.config.json'), '{ "plugins": [1] }');
  const brokenJson = tmpDir();
  fs.writeFileSync(path.join(brokenJson, 'lightcode.config.json'), '{ "plugins": [');
  const badSystem = tmpDir();
  fs.writeFileSync(path.join(badSystem, 'sys.yaml'), 'id: s\ndevices:\n  - { id: gpu, target: gpu, count: -1 }\n');

  it.each([
    [['compile', '--model', 'gpt5'], /unknown model 'gpt5' \(known: gpt2, gpt2-medium, .*llama-2-7b/],
    [['compile', '--system', 'tpu-pod'], /unknown system 'tpu-pod' \(built-in: gpu-a100, /],
    [['compile', '--objective', 'speed'], /--objective must be one of latency, energy, weighted \(got 'speed'\)/],
    [['compile', '--frobnicate'], /Unknown option '--frobnicate' \(see 'lightcode compile --help'\)/],
    [['compile', '--seq-len', '0'], /--seq-len must be a positive integer \(got '0'\)/],
    [['compile', '--seq-len', 'abc'], /--seq-len must be a positive integer \(got 'abc'\)/],
    [['compile', '--seq-len', '1.5'], /--seq-len must be a positive integer/],
    [['compile', '--seq-len', '4096'], /--seq-len 4096 exceeds gpt2's limit of 1024 positions/],
    [['compile', '--kv-len', '12'], /--kv-len applies only to --phase decode/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['plugins', '--plugin', path.join(badPlugins, 'nomanifest')], /package 'nomanifest' is not a LightCode plugin/],
    [['plugins', '--plugin', path.join(badPlugins, 'future')], /written for plugin API 7/],
    [['plugins', '--plugin', path.join(badPlugins, 'throws')], /plugin 'fake': package 'throws' threw while loading: cannot read x/],
    [['plugins', '--config', path.join(badConfig, 'lightcode.config.json')], /plugins\[0\]: must be a string or an array \(got 1\)/],
    [['plugins', '--config', path.join(brokenJson, 'lightcode.config.json')], /is not valid JSON/],
    [['plugins', '--config', path.join(badConfig, 'missing.json')], /cannot read config file .*ENOENT/],
    [['compile', '--system', path.join(badSystem, 'sys.yaml')], /devices\[0\]\.count: must be >= 1 \(got -1\)/],
  ])('%j', async (argv, msg) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the stack with --debug', async () => {
    const r = await run(['compile', '--model', 'gpt5', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('the real binary', () => {
  it('writes exactly one JSON document to stdout with --json', () => {
    const r = runBin(['compile', '--model', 'gpt2', '--seq-len', '128', '--json']);
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('}');
  });

  it('exits 2 with one line on a bad flag', () => {
    const r = runBin(['compile', '--seq-len', '-3']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
