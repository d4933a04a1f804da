import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { main } from '../src/main.js';

/**
 * Random flag sets and random model and system documents for the CLI's
 * parse-and-validate layer (issue 13). Shared by the bounded property in
 * fuzz.test.ts and the long run in bench/fuzz.bench.ts.
 *
 * Inputs never spell NaN or Infinity: values that parse to them are written
 * as 1e400, 1e999ms or 300 digits, so any NaN or Infinity in an output is the
 * program's own. Valid cases stay small (gpt2 or a two-layer config at up to
 * 32 tokens) so that a case takes well under a second.
 */

/** Mostly `valid`, sometimes `hostile`: most cases get past the flags to the documents and the outputs. */
function mostly<T>(valid: readonly T[], hostile: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...hostile) });
}

/** A flag that is there one time in three. */
function maybe<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
}

const digits300 = '9'.repeat(300);
/** A count flag's value. */
const numberText = mostly(
  ['1', '8', '16', '32'],
  ['0', '-1', '1e400', digits300, 'abc', '', ' ', '1.5', '0x10', '1e3', '16.0', '1e-400', '+8', '08'],
);
const seconds = mostly(['2', '1', '0.5', '500ms'], ['0', '-1', '1e400', '1e999ms', 'abc', '', '3 parsecs', digits300, '1e-400']);
const quantity = mostly(['5ms', '10s', '1J', '300mJ'], ['0', '-5ms', '1e400', '1e999J', 'abc', '']);
const range = mostly(
  ['16', '16,32', '16:32:16', '8:32:8'],
  ['1:1000000000', '1000:10000000:1', '0:5', '5:1', ':', '1::1', '', '16,,32', digits300, '1:100000:1000'],
);
const systemsList = mostly(['cpu', 'cpu,lightcode-2025', 'sys.json'], ['', ',', 'nosuch', 'missing.json', 'fifo', '/dev/zero', 'folder']);
const param = mostly(
  ['ptu.count=2', 'ptu.count=1,2'],
  ['ptu.count=1000000000', 'ptu.wavelengths=1e400', 'ptu.wavelengths=0', 'cpu.count=0', 'nonsense', 'ptu.count=', '=1'],
);
/** Where an output goes: new, existing, or something that must be refused and left as it is. */
const outTarget = mostly(
  ['out', 'out/sub', 'existing'],
  ['', '/proc/x', 'link', 'fifo', 'folder/..', '/dev/null', 'file.txt', 'file.txt/sub'],
);
const traceTarget = mostly(
  ['trace.json', 'existing/trace.json'],
  ['file.txt', '', '/proc/x', '/sys/x', 'link', 'fifo', 'folder', '/dev/null', 'missing/trace.json', 'file.txt/x.json'],
);
const modelSpec = mostly(['gpt2', 'model.json'], ['/dev/zero', 'fifo', 'missing.json', 'folder', 'nosuch-model', 'sys.json']);
const systemSpec = mostly(
  ['cpu', 'lightcode-2025', 'hybrid-a100-ptu', 'sys.json'],
  ['missing.json', 'fifo', 'folder', 'nosuch', 'model.json'],
);

/** A value that replaces a field of a document: most hostile. */
const hostile = fc.constantFrom<unknown>(0, -1, 1.5, 1e200, 2 ** 31, 1e9, '12', null, [], {}, true, 'x'.repeat(50), 3, 2);

/** JSON text of a document with some fields replaced, sometimes with a raw 1e400 or broken syntax. */
function documentText(base: Record<string, unknown>, keys: readonly string[]) {
  return fc
    .record({
      changes: fc.oneof(
        { weight: 1, arbitrary: fc.constant([] as [string, unknown][]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...keys), hostile), { minLength: 1, maxLength: 2 }) },
      ),
      raw: fc.constantFrom<'none' | 'inf' | 'broken' | 'yaml-ish' | 'empty' | 'array'>(
        'none',
        'none',
        'none',
        'none',
        'none',
        'none',
        'inf',
        'broken',
        'yaml-ish',
        'empty',
        'array',
      ),
    })
    .map(({ changes, raw }) => {
      const doc: Record<string, unknown> = { ...base };
      for (const [k, v] of changes) doc[k] = v;
      const text = JSON.stringify(doc, null, 1);
      if (raw === 'inf') return text.replace(/: (\d+)/, ': 1e400');
      if (raw === 'broken') return text.slice(0, Math.floor(text.length / 2));
      if (raw === 'yaml-ish') return 'a: b: c\n';
      if (raw === 'empty') return '';
      if (raw === 'array') return '[1, 2]';
      return text;
    });
}

const LLAMA = {
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 1000,
  max_position_embeddings: 64,
};

const SYSTEM = {
  id: 'fuzz',
  devices: [
    { id: 'cpu', target: 'cpu', count: 1 },
    { id: 'ptu', target: 'ptu', count: 2 },
  ],
  links: [{ id: 'l', between: ['cpu', 'ptu'], bandwidthBps: 1e10, latencyS: 1e-6, energyPerByteJ: 1e-12 }],
};

const systemDoc = fc.oneof(
  documentText(SYSTEM, ['id', 'devices', 'links', 'memories', 'extra']),
  fc.record({ count: hostile, bandwidth: hostile, param: hostile }).map(({ count, bandwidth, param: p }) =>
    JSON.stringify({
      ...SYSTEM,
      devices: [{ id: 'cpu', target: 'cpu', count, params: { cores: p } }, SYSTEM.devices[1]],
      links: [{ ...SYSTEM.links[0], bandwidthBps: bandwidth }],
    }),
  ),
);

/** One case: a command line and the documents it may read. */
export interface FuzzCase {
  readonly argv: string[];
  readonly model: string;
  readonly system: string;
}

const common = {
  model: modelSpec,
  seqLen: maybe(numberText),
  batch: maybe(numberText),
  timeLimit: maybe(seconds),
  pluginTimeout: maybe(seconds),
  json: fc.boolean(),
};

const flags = (o: Record<string, string | boolean | undefined>) =>
  Object.entries(o).flatMap(([k, v]) => (v === undefined || v === false ? [] : v === true ? [`--${k}`] : [`--${k}`, v]));

const compileArgs = fc
  .record({
    ...common,
    system: systemSpec,
    objective: maybe(fc.constantFrom('latency', 'energy', 'weighted', 'speed')),
    budget: maybe(quantity),
    phase: maybe(fc.constantFrom('decode', 'prefill', 'middle')),
    kvLen: maybe(numberText),
    out: maybe(outTarget),
    trace: maybe(traceTarget),
  })
  .map((r) => [
    'compile',
    ...flags({
      model: r.model,
      system: r.system,
      'seq-len': r.seqLen ?? '16',
      batch: r.batch,
      'time-limit': r.timeLimit ?? '2',
      'plugin-timeout': r.pluginTimeout,
      objective: r.objective,
      'latency-budget': r.budget,
      phase: r.phase,
      'kv-len': r.phase === 'decode' ? r.kvLen : undefined,
      out: r.out,
      trace: r.trace,
      json: r.json,
    }),
  ]);

const graphArgs = fc
  .record({ ...common, format: maybe(fc.constantFrom('text', 'dot', 'mermaid', 'svg')) })
  .map((r) => ['graph', ...flags({ model: r.model, 'seq-len': r.seqLen, batch: r.batch, format: r.format, json: r.json })]);

const sweepArgs = fc
  .record({
    model: fc.constantFrom('gpt2', 'model.json', 'llama-2-7b'),
    range,
    systems: systemsList,
    param: maybe(param),
    maxPoints: maybe(fc.constantFrom('1', '2', '0', '1e400', '9'.repeat(300), '2000000')),
    shard: maybe(fc.constantFrom('1/2', '2/2', '3/2', '0/0', '1/1000000000', 'x')),
    out: maybe(outTarget),
    csv: fc.boolean(),
  })
  .map((r) => [
    'sweep',
    '--workers',
    '1',
    '--time-limit',
    '2',
    ...flags({
      model: r.model,
      'seq-len': r.range,
      systems: r.systems,
      param: r.param,
      'max-points': r.maxPoints,
      shard: r.shard,
      out: r.out,
      csv: r.csv,
    }),
  ]);

const otherArgs = fc.oneof(
  fc
    .record({
      range: fc.constantFrom('16:32', '16:100000', '32:16', 'x', `16:${digits300}`),
      scan: maybe(numberText),
    })
    .map((r) => ['crossover', '--systems', 'cpu,lightcode-2025', '--time-limit', '2', ...flags({ range: r.range, scan: r.scan })]),
  fc
    .record({
      points: maybe(fc.constantFrom('0', '1', '99999999', '-1', '1e400')),
      out: maybe(outTarget),
    })
    .map((r) => ['pareto', '--seq-len', '16', '--system', 'cpu', '--time-limit', '2', ...flags({ points: r.points, out: r.out })]),
  fc
    .record({ prompt: numberText, output: numberText, every: fc.boolean() })
    .map((r) => [
      'generate',
      '--system',
      'cpu',
      '--time-limit',
      '2',
      ...flags({ 'prompt-len': r.prompt, 'output-len': r.output, 'every-step': r.every }),
    ]),
  fc.constantFrom(['merge', 'shard.json'], ['merge', 'fifo'], ['merge', '/dev/zero'], ['merge', 'missing.json'], ['merge', 'folder']),
);

const shardDoc = fc.record({ latency: hostile, count: hostile, points: hostile }).map(({ latency, count, points }) =>
  JSON.stringify({
    kind: 'sweep',
    model: {},
    sweep: { id: 'a', points, shard: { index: 1, count } },
    rows: [
      {
        index: 0,
        system: 'cpu',
        objective: 'latency',
        seqLen: 16,
        params: {},
        latencyS: latency,
        energyJ: 1,
        status: 'optimal',
        opsPerDevice: {},
      },
    ],
    systems: [],
  }),
);

/** A whole case: the command line and the files it may read. */
export const fuzzCase = fc.record({
  argv: fc.oneof(
    { weight: 4, arbitrary: compileArgs },
    { weight: 2, arbitrary: graphArgs },
    { weight: 3, arbitrary: sweepArgs },
    { weight: 2, arbitrary: otherArgs },
  ),
  model: documentText(LLAMA, Object.keys(LLAMA)),
  system: systemDoc,
  shard: shardDoc,
});

/** What a case's folder holds before it runs: the documents, and things an output must never replace. */
function prepare(dir: string, c: { model: string; system: string; shard: string }): void {
  fs.writeFileSync(path.join(dir, 'model.json'), c.model);
  fs.writeFileSync(path.join(dir, 'sys.json'), c.system);
  fs.writeFileSync(path.join(dir, 'shard.json'), c.shard);
  fs.writeFileSync(path.join(dir, 'file.txt'), 'kept');
  fs.symlinkSync(path.join(dir, 'file.txt'), path.join(dir, 'link'));
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  fs.mkdirSync(path.join(dir, 'folder'));
  fs.mkdirSync(path.join(dir, 'existing'));
  fs.writeFileSync(path.join(dir, 'existing', 'result.json'), 'old');
}

/** Every entry under `dir` with its kind and, for files, its content. */
function listing(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => {
      const st = fs.lstatSync(path.join(dir, name));
      const kind = st.isSymbolicLink()
        ? `link>${fs.readlinkSync(path.join(dir, name))}`
        : st.isFIFO()
          ? 'fifo'
          : st.isDirectory()
            ? 'dir'
            : 'file';
      return `${name} ${kind} ${kind === 'file' ? fs.readFileSync(path.join(dir, name), 'utf8') : ''}`;
    })
    .sort();
}

/** Runs one case in a fresh folder and returns what broke the promise, or undefined when it held. */
export async function runCase(c: { argv: readonly string[]; model: string; system: string; shard: string }): Promise<string | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-fuzz-'));
  try {
    prepare(dir, c);
    const before = listing(dir);
    let stdout = '';
    let stderr = '';
    const code = await main(c.argv, { cwd: dir, out: (t) => (stdout += t), err: (t) => (stderr += t) });
    const where = `lightcode ${c.argv.map((a) => JSON.stringify(a)).join(' ')}\nexit ${code}\nstderr: ${stderr}`;
    if (code !== 0 && code !== 2) return `exit ${code} (want 0 or 2): ${where}`;
    if (/NaN|Infinity/.test(stdout + stderr)) return `NaN or Infinity in the output: ${where}\nstdout: ${stdout.slice(0, 2000)}`;
    if (code === 2) {
      const lines = stderr.split('\n').filter(Boolean);
      if (lines.length !== 1 || !lines[0]?.startsWith('lightcode: ')) return `not one line on stderr: ${where}`;
      if (stdout !== '') return `output on failure: ${where}`;
      const after = listing(dir);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        return `files changed on failure: ${where}\nbefore: ${before.join(' | ')}\nafter: ${after.join(' | ')}`;
      }
      return undefined;
    }
    if (/internal error/.test(stderr)) return `internal error: ${where}`;
    if (c.argv.includes('--json')) {
      try {
        JSON.parse(stdout);
      } catch {
        return `--json printed no JSON: ${where}`;
      }
    }
    const leftovers = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => /\.tmp$/.test(n));
    if (leftovers.length) return `temporary files left: ${leftovers.join(', ')}: ${where}`;
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
