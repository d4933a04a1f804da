import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetCode, tmpDir, writePlugin } from '../../../packages/core/test/fixtures.js';
import { writeOutputs } from '../src/context.js';
import { type RunResult, run } from './run.js';

/**
 * Issue 13: one bad point fails fast and cleanly (one line, exit 2, nothing
 * half-written, no crash, no hang). Each test is built from a command that
 * broke, run in a temporary folder.
 */

/** Exit 2 with one line on stderr matching `re`, nothing on stdout. */
function refused(r: RunResult, re: RegExp): void {
  expect(r.stderr).toMatch(re);
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
}

/** Every entry under `dir` with what it is, to show nothing was written or replaced. */
function listing(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => {
      const st = fs.lstatSync(path.join(dir, name));
      const kind = st.isSymbolicLink() ? 'link' : st.isFIFO() ? 'fifo' : st.isDirectory() ? 'dir' : 'file';
      return `${name} ${kind} ${kind === 'file' ? fs.readFileSync(path.join(dir, name), 'utf8').length : ''}`;
    })
    .sort();
}

function writeJson(dir: string, name: string, doc: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

const LLAMA_CONFIG = {
  model_type: 'llama',
  hidden_size: 256,
  intermediate_size: 512,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  vocab_size: 1000,
  max_position_embeddings: 512,
};

describe('crashes: resources are bounded before any work', () => {
  it('sweep --seq-len 1000:1000000000:1 is refused at once (it built the whole range and crashed, exit 133)', async () => {
    const dir = tmpDir();
    refused(
      await run(['sweep', '--seq-len', '1000:1000000000:1'], dir),
      /^lightcode: --seq-len '1000:1000000000:1': 1000000000 is above the longest sequence LightCode takes \(16777216 tokens\)\n$/,
    );
    refused(
      await run(['sweep', '--seq-len', '1000:10000000:1'], dir),
      /^lightcode: --seq-len '1000:10000000:1' has 9999001 values, over the limit of 10000 points; narrow it, or raise the limit with --max-points N\n$/,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('graph --model /dev/zero is refused, not read without end (16.8 GB after 58 s)', async () => {
    refused(
      await run(['graph', '--model', '/dev/zero'], tmpDir()),
      /^lightcode: model config '\/dev\/zero' is a device, not a regular file\n$/,
    );
  });

  it('a device count of 1e9, in a system file or by --param, is refused (the heap ran out)', async () => {
    const dir = tmpDir();
    writeJson(dir, 'big.json', { id: 'big', devices: [{ id: 'cpu', target: 'cpu', count: 1e9 }] });
    refused(
      await run(['compile', '--system', 'big.json', '--seq-len', '16'], dir),
      /devices\[0\]\.count: must be <= 1024 \(got 1000000000\)/,
    );
    refused(
      await run(['sweep', '--seq-len', '64', '--systems', 'lightcode-2025', '--param', 'ptu.count=1000000000'], dir),
      /^lightcode: --param ptu\.count: an instance count is at most 1024 \(got '1000000000'\)\n$/,
    );
  });

  it('a merged shard whose shard.count is 1e9 is refused (the heap ran out)', async () => {
    const dir = tmpDir();
    const shard = { kind: 'sweep', model: {}, sweep: { id: 'a', points: 1e9, shard: { index: 1, count: 1e9 } }, rows: [], systems: [] };
    writeJson(dir, 'a.json', shard);
    refused(await run(['merge', 'a.json'], dir), /^lightcode: shards missing: 2\/1000000000, .* and 999999989 more\n$/);
  });
});

describe('hangs: every wait is bounded', () => {
  it('a FIFO given as --model is refused without blocking on it', async () => {
    const dir = tmpDir();
    execFileSync('mkfifo', [path.join(dir, 'model.json')]);
    refused(
      await run(['graph', '--model', './model.json'], dir),
      /^lightcode: model config '.*model\.json' is a FIFO, not a regular file\n$/,
    );
  });

  it('--out /proc/x is refused (it never returned)', async () => {
    refused(await run(['compile', '--seq-len', '16', '--out', '/proc/x'], tmpDir()), /^lightcode: --out '\/proc\/x' is under \/proc/);
    refused(
      await run(['compile', '--seq-len', '16', '--trace', '/sys/x.json'], tmpDir()),
      /^lightcode: --trace '\/sys\/x\.json' is under \/sys/,
    );
  });

  it('a plugin whose realize() never returns is stopped by the watchdog, naming the plugin and the op', async () => {
    const dir = tmpDir();
    const plugin = writePlugin(path.join(dir, 'hang'), {
      name: 'hang',
      manifest: { apiVersion: 1, kind: 'target', id: 'hang' },
      code: targetCode('hang')
        .replace("opKinds: ['linear', 'matmul']", "opKinds: ['embedding', 'linear', 'matmul']")
        .replace(/realize: \(op, a, p\) => .*,\n/, 'realize: () => { for (;;) {} },\n'),
    });
    writeJson(dir, 'hang.json', { id: 'hang', devices: [{ id: 'h', target: 'hang', count: 1 }] });
    const started = performance.now();
    const r = await run(['compile', '--plugin', plugin, '--system', 'hang.json', '--seq-len', '16', '--plugin-timeout', '0.5'], dir);
    refused(
      r,
      /^lightcode: plugin 'hang': realize\(\) on op 'transformer\.wte' did not return within 0\.5 s \(the plugin watchdog, --plugin-timeout\); fix the plugin or raise the limit\n$/,
    );
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('a sweep over lengths the model refuses fails before its first compile (it started 100000 compiles)', async () => {
    refused(
      await run(['sweep', '--model', 'llama-2-7b', '--seq-len', '1:100000:1000', '--system', 'lightcode-2025', '--workers', '1'], tmpDir()),
      /^lightcode: --seq-len 99001 exceeds llama-2-7b's limit of 4096 positions \(max_position_embeddings\)\n$/,
    );
  });
});

describe('exit codes: user input is exit 2, before any plugin sees it', () => {
  it('--time-limit 1e400 names the flag and the value as typed (it failed in HiGHS, exit 1)', async () => {
    refused(
      await run(['compile', '--seq-len', '16', '--time-limit', '1e400'], tmpDir()),
      /^lightcode: --time-limit '1e400' is not a finite number of seconds\n$/,
    );
    refused(
      await run(['compile', '--seq-len', '16', '--latency-budget', '1e999ms'], tmpDir()),
      /^lightcode: --latency-budget '1e999ms' is not a finite number\n$/,
    );
    refused(
      await run(['compile', '--seq-len', '16', '--plugin-timeout', '1e400'], tmpDir()),
      /^lightcode: --plugin-timeout '1e400' is not a finite/,
    );
  });

  it('a config with hidden_size 1e200 names the file and the key (it was blamed on the cpu plugin, exit 1)', async () => {
    const dir = tmpDir();
    writeJson(dir, 'huge.json', { ...LLAMA_CONFIG, hidden_size: 1e200 });
    for (const command of [['compile', '--system', 'cpu'], ['graph']]) {
      refused(
        await run([...command, '--model', 'huge.json', '--seq-len', '16'], dir),
        /^lightcode: model config '.*huge\.json': 'hidden_size' is 1e\+200, above the largest size LightCode takes \(16777216\)\n$/,
      );
    }
    writeJson(dir, 'deep.json', { ...LLAMA_CONFIG, num_hidden_layers: 1e6 });
    refused(
      await run(['graph', '--model', 'deep.json'], dir),
      /'num_hidden_layers' is 1000000, above the largest layer count LightCode takes \(1024\)/,
    );
  });

  it("sweep --systems '' is an error (it printed an empty table, exit 0)", async () => {
    refused(await run(['sweep', '--seq-len', '64', '--systems', ''], tmpDir()), /^lightcode: --systems '' names no system/);
  });

  it("--out '' is an error and writes nothing (it wrote into the current folder)", async () => {
    const dir = tmpDir();
    refused(await run(['compile', '--seq-len', '16', '--out', ''], dir), /^lightcode: --out needs a folder name\n$/);
    refused(await run(['compile', '--seq-len', '16', '--trace', ''], dir), /^lightcode: --trace needs a file name\n$/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('no NaN or Infinity in any output', () => {
  it('a 300-digit --batch is refused (it printed latency Infinity s, energy NaN J, optimal)', async () => {
    const digits = '9'.repeat(300);
    refused(
      await run(['compile', '--seq-len', '16', '--batch', digits], tmpDir()),
      /^lightcode: --batch must be at most 1048576 \(got '9{20}\.\.\.9{8} \(300 characters\)'\)\n$/,
    );
    refused(await run(['compile', '--seq-len', digits], tmpDir()), /^lightcode: --seq-len must be at most 16777216/);
  });

  it('a shard row whose latency is a string is refused by merge (it showed "abc s" and NaN coordinates)', async () => {
    const dir = tmpDir();
    const row = {
      index: 0,
      system: 'cpu',
      objective: 'latency',
      seqLen: 64,
      params: {},
      latencyS: 'abc',
      energyJ: 1,
      status: 'optimal',
      opsPerDevice: {},
    };
    writeJson(dir, 'a.json', {
      kind: 'sweep',
      model: {},
      sweep: { id: 'a', points: 1, shard: { index: 1, count: 1 } },
      rows: [row],
      systems: [],
    });
    refused(
      await run(['merge', 'a.json', '--out', 'merged'], dir),
      /^lightcode: shard 'a\.json': rows\[0\]\.latencyS: must be a number \(got "abc"\)\n$/,
    );
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  it('a compile result carries only finite numbers; an infeasible baseline has null cost', async () => {
    const r = await run(['compile', '--seq-len', '16', '--system', 'lightcode-2025', '--json'], tmpDir());
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
    const j = JSON.parse(r.stdout);
    const allPtu = j.selection.baselines.find((b: { name: string }) => b.name === 'all-ptu');
    expect([allPtu.latencyS, allPtu.energyJ, allPtu.feasible]).toEqual([null, null, false]);
  });
});

describe('writes never damage what is there', () => {
  const targets = (dir: string) => {
    fs.writeFileSync(path.join(dir, 'kept.txt'), 'kept');
    fs.symlinkSync(path.join(dir, 'kept.txt'), path.join(dir, 'link'));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    fs.mkdirSync(path.join(dir, 'folder'));
    return [
      ['link', 'a symlink'],
      ['fifo', 'a FIFO'],
      ['folder', 'a folder'],
      ['/dev/null', 'a device'],
    ] as const;
  };

  it('a symlink, a FIFO, a folder and a device node as --trace are refused and left unchanged', async () => {
    const dir = tmpDir();
    const before = listing(dir);
    for (const [target, kind] of targets(dir)) {
      const after = listing(dir);
      refused(
        await run(['compile', '--seq-len', '16', '--trace', target], dir),
        new RegExp(`^lightcode: --trace '${target}': '.*' is ${kind}; LightCode writes only regular files and leaves it as it is`),
      );
      expect(listing(dir)).toEqual(after);
    }
    expect(before).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'kept.txt'), 'utf8')).toBe('kept');
    expect(fs.lstatSync(path.join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a symlink, a FIFO and a device node as --out are refused and left unchanged', async () => {
    const dir = tmpDir();
    targets(dir);
    const before = listing(dir);
    refused(await run(['compile', '--seq-len', '16', '--out', 'link'], dir), /^lightcode: --out 'link': '.*link' is a symlink/);
    refused(await run(['compile', '--seq-len', '16', '--out', 'fifo'], dir), /^lightcode: --out 'fifo': '.*fifo' is not a folder/);
    refused(
      await run(['compile', '--seq-len', '16', '--out', '/dev/null'], dir),
      /^lightcode: --out '\/dev\/null': '\/dev\/null' is not a folder/,
    );
    expect(listing(dir)).toEqual(before);
  });

  it('--out DIR where one output cannot be written writes none of them (it left result.json and ops.csv without report.html)', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    fs.mkdirSync(path.join(out, 'report.html'), { recursive: true });
    fs.writeFileSync(path.join(out, 'result.json'), 'old');
    const before = listing(dir);
    refused(await run(['compile', '--seq-len', '16', '--out', 'out'], dir), /^lightcode: --out 'out': '.*report\.html' is a folder/);
    expect(listing(dir)).toEqual(before);
    expect(fs.readFileSync(path.join(out, 'result.json'), 'utf8')).toBe('old');
  });

  it('writeOutputs writes the whole set or nothing, in a new folder and in an existing one', () => {
    const dir = tmpDir();
    const io = { cwd: dir, out: () => {}, err: () => {} };
    // a name that cannot be written stands for a disk that fills up half way
    expect(() => writeOutputs(io, 'a/b/new', { 'one.json': '1', 'no/such/two.json': '2' })).toThrow(/nothing was written/);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.mkdirSync(path.join(dir, 'old'));
    fs.writeFileSync(path.join(dir, 'old', 'one.json'), 'before');
    expect(() => writeOutputs(io, 'old', { 'one.json': '1', 'no/such/two.json': '2' })).toThrow(/nothing was written/);
    expect(listing(dir)).toEqual(['old dir ', 'old/one.json file 6']);
    writeOutputs(io, 'old', { 'one.json': '1', 'two.json': '22' });
    expect(listing(dir)).toEqual(['old dir ', 'old/one.json file 1', 'old/two.json file 2']);
    writeOutputs(io, 'a/b/new', { 'one.json': '1' });
    expect(listing(path.join(dir, 'a'))).toEqual(['b dir ', 'b/new dir ', 'b/new/one.json file 1']);
  });
});

describe('clear messages', () => {
  it('a parameter with unit 1 reads "must be > 0", and a non-finite value prints as typed, not null', async () => {
    const dir = tmpDir();
    refused(
      await run(['sweep', '--seq-len', '64', '--systems', 'lightcode-2025', '--param', 'ptu.wavelengths=0'], dir),
      /--param ptu\.wavelengths: parameter 'wavelengths' must be > 0 \(got 0\)\n$/,
    );
    refused(
      await run(['sweep', '--seq-len', '64', '--systems', 'lightcode-2025', '--param', 'ptu.wavelengths=1e400'], dir),
      /--param ptu\.wavelengths: '1e400' is not a finite number\n$/,
    );
  });

  it('a missing system file is said to be missing, not an unknown system id', async () => {
    refused(
      await run(['compile', '--system', 'systems/mine.json'], tmpDir()),
      /^lightcode: system file 'systems\/mine\.json' does not exist\n$/,
    );
  });

  it('crossover --range 16:100000 names --range, not a --seq-len the user never passed', async () => {
    refused(
      await run(['crossover', '--model', 'llama-2-7b', '--systems', 'cpu,lightcode-2025', '--range', '16:100000'], tmpDir()),
      /^lightcode: --range 16:100000: 100000 tokens exceeds llama-2-7b's limit of 4096 positions \(max_position_embeddings\)\n$/,
    );
  });

  it('a JSON parse error stays on one line whole', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'm.json'), '{"model_type": "llama",\n "hidden_size": }');
    refused(
      await run(['graph', '--model', 'm.json'], dir),
      /^lightcode: model config '.*m\.json' is not valid JSON: Unexpected token '}', .*_size": }" is not valid JSON\n$/,
    );
  });

  it('a model error names the config file it came from, not config.json', async () => {
    const dir = tmpDir();
    writeJson(dir, 'my-model.json', { ...LLAMA_CONFIG, hidden_size: 0 });
    refused(
      await run(['graph', '--model', 'my-model.json'], dir),
      /^lightcode: model config '.*my-model\.json': 'hidden_size' must be a positive integer \(got 0\)\n$/,
    );
  });
});

describe('a time limit that holds everywhere', () => {
  it('an answer cut short by --time-limit says so (gpt2 --split-heads on lightcode-2025)', async () => {
    const r = await run(
      ['compile', '--model', 'gpt2', '--seq-len', '256', '--split-heads', '--system', 'lightcode-2025', '--time-limit', '0.05', '--json'],
      tmpDir(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.selection.status).toBe('feasible');
    expect(j.selection.note).toMatch(/^the 0\.05 s time limit was reached; /);
  });
});
