import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolveSystem, UserError } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import {
  assertFinite,
  checkConfigSizes,
  checkSweepDocument,
  LIMITS,
  mergeSweeps,
  nonFinitePath,
  parseRange,
  readDataFile,
  readRegularFile,
  underWatchdog,
} from '../src/index.js';
import { thrown, tmpDir } from './fixtures.js';

/** The error `fn` throws (a test fails when it throws none). */
describe('errors carry a code, an option and a cause', () => {
  it('keeps the one-line message and exit code, and adds what tests match on', () => {
    const cause = new Error('inner');
    const e = new UserError('what to change', { code: 'E_X', option: 'seqLens', cause });
    expect([e.message, e.exitCode, e.code, e.option, e.cause]).toEqual(['what to change', 2, 'E_X', 'seqLens', cause]);
    expect(new UserError('plain').code).toBeUndefined();
  });
});

describe('only regular files of bounded size are read', () => {
  it('refuses a FIFO without blocking on it, a device, and a folder', () => {
    const dir = tmpDir();
    const fifo = path.join(dir, 'model.json');
    execFileSync('mkfifo', [fifo]);
    expect(thrown(() => readRegularFile(fifo, 'model config')).code).toBe('E_NOT_A_FILE');
    expect(thrown(() => readDataFile(fifo, 'model config')).message).toBe(`model config '${fifo}' is a FIFO, not a regular file`);
    expect(thrown(() => readDataFile('/dev/zero', 'system file')).message).toBe("system file '/dev/zero' is a device, not a regular file");
    expect(thrown(() => readDataFile(dir, 'system file')).code).toBe('E_NOT_A_FILE');
  });

  it('refuses a file over the cap before reading it', () => {
    const file = path.join(tmpDir(), 'big.json');
    fs.writeFileSync(file, JSON.stringify({ pad: 'x'.repeat(2000) }));
    const e = thrown(() => readRegularFile(file, 'shard', 1000));
    expect(e.code).toBe('E_FILE_TOO_LARGE');
    expect(e.message).toMatch(/^shard '.*big\.json' is \d+ bytes, over the 1000-byte limit for shards$/);
  });

  it('refuses numbers that are not finite (JSON 1e400, YAML .inf), naming where they are', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 's.json'), '{"id": "x", "devices": [{"id": "gpu", "count": 1e400}]}');
    fs.writeFileSync(path.join(dir, 's.yaml'), 'id: x\nlinks:\n  - bandwidthBps: .inf\n');
    const json = thrown(() => readDataFile(path.join(dir, 's.json'), 'system file'));
    expect([json.code, json.option]).toEqual(['E_NOT_FINITE', 'devices[0].count']);
    expect(thrown(() => readDataFile(path.join(dir, 's.yaml'), 'system file')).message).toMatch(
      /links\[0\]\.bandwidthBps is not a finite number/,
    );
  });

  it('puts a parse error on one line, with its line and column', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.json'), '{\n  "a": 1\n  "b": 2\n}');
    fs.writeFileSync(path.join(dir, 'b.json'), '{"a": 1,\n "b": }');
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'a: b: c\n');
    const a = thrown(() => readDataFile(path.join(dir, 'a.json'), 'model config')).message;
    expect(a).toMatch(/is not valid JSON: .* \(line 3, column 3\)$/);
    for (const f of ['a.json', 'b.json', 'c.yaml']) {
      const m = thrown(() => readDataFile(path.join(dir, f), 'model config')).message;
      expect(m, f).not.toContain('\n');
      expect(m, f).not.toMatch(/:$/);
    }
    expect(thrown(() => readDataFile(path.join(dir, 'b.json'), 'x')).message).toContain('"b": }');
  });
});

describe('plans are counted before they are expanded', () => {
  it('refuses a range over the cap at once, whatever its size', () => {
    const started = performance.now();
    const e = thrown(() => parseRange('1000:10000000:1', '--seq-len'));
    expect([e.code, e.option]).toEqual(['E_PLAN_TOO_LARGE', '--seq-len']);
    expect(e.message).toBe(`--seq-len '1000:10000000:1' has 9999001 values, over the limit of ${LIMITS.points} points`);
    expect(thrown(() => parseRange('1,2,3', '--seq-len', 2)).code).toBe('E_PLAN_TOO_LARGE');
    expect(parseRange('1:20000:1', '--seq-len', 20_000)).toHaveLength(20_000);
    // counted, not expanded: no time to speak of
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses lengths above the token cap and numbers too large to count', () => {
    expect(thrown(() => parseRange('1000:1000000000:1', '--seq-len')).code).toBe('E_RANGE');
    expect(thrown(() => parseRange('9'.repeat(300), '--seq-len')).message).toMatch(/^--seq-len '9{20}\.\.\.9{8} \(300 characters\)'/);
  });

  it('merge names the first missing shards of a huge count instead of listing them all', () => {
    const e = thrown(() => mergeSweeps([{ id: 'a', points: 1e9, shard: { index: 1, count: 1e9 }, rows: [] }]));
    expect(e.code).toBe('E_SHARDS_MISSING');
    expect(e.message).toMatch(/^shards missing: 2\/1000000000, .* and 999999989 more$/);
  });
});

describe('shards are checked before a merge trusts them', () => {
  const row = {
    index: 0,
    system: 'cpu',
    objective: 'latency',
    seqLen: 64,
    params: {},
    latencyS: 1,
    energyJ: 2,
    status: 'optimal',
    opsPerDevice: { cpu: 3 },
  };
  const doc = (over: object = {}, rowOver: object = {}) => ({
    kind: 'sweep',
    sweep: { id: 'a', points: 2, shard: { index: 1, count: 2 } },
    rows: [{ ...row, ...rowOver }],
    ...over,
  });

  it.each([
    [doc({}, { latencyS: 'abc' }), /^shard 'x': rows\[0\]\.latencyS: must be a number \(got "abc"\)$/],
    [doc({}, { energyJ: -1 }), /rows\[0\]\.energyJ: must be >= 0/],
    [doc({}, { latencyS: Number.POSITIVE_INFINITY }), /rows\[0\]\.latencyS: must be a number \(got Infinity\)/],
    [
      doc({ sweep: { id: 'a', points: 2, shard: { index: 1, count: 1e9 } } }),
      /sweep\.shard: count 1000000000 is above the sweep's 2 points/,
    ],
    [doc({ sweep: { id: 'a', points: 2, shard: { index: 3, count: 2 } } }), /sweep\.shard: index 3 is above its count 2/],
    [doc({}, { index: 5 }), /rows\[0\]\.index 5 is outside the sweep's 2 points/],
    [doc({}, { objective: 'speed' }), /rows\[0\]\.objective/],
  ])('refuses a bad shard in one line (%#)', (d, re) => {
    const e = thrown(() => checkSweepDocument(d, "shard 'x'"));
    expect(e.code).toBe('E_BAD_SHARD');
    expect(e.message).toMatch(re);
  });

  it('accepts a good one, with extra fields on rows', () => {
    expect(() => checkSweepDocument(doc({}, { generate: { ttftS: 1 } }), "shard 'x'")).not.toThrow();
  });
});

describe('one finite-number check', () => {
  it('finds a NaN or an infinity anywhere, and names the op it sits in', () => {
    expect(nonFinitePath({ a: [1, { b: 2 }] })).toBeUndefined();
    expect(nonFinitePath({ a: [1, { b: Number.NaN }] })).toBe('a[1].b');
    // an infeasible baseline has no cost: null in JSON, by contract
    expect(nonFinitePath({ baselines: [{ name: 'all-ptu', latencyS: Number.NaN, energyJ: Number.NaN, feasible: false }] })).toBeUndefined();
    const e = thrown(() =>
      assertFinite(
        {
          ops: [
            { name: 'h.0.mlp', latencyS: 1 },
            { name: 'h.1.mlp', latencyS: Number.POSITIVE_INFINITY },
          ],
        },
        'result',
      ),
    );
    expect([e.code, e.message]).toEqual([
      'E_NOT_FINITE',
      "result: ops[1].latencyS (op 'h.1.mlp') is Infinity, not a finite number; an input or a plugin gave a value out of range",
    ]);
  });
});

describe('sizes are capped before a frontend sees them', () => {
  it('refuses a layer count or a size over the caps, naming the key', () => {
    expect(thrown(() => checkConfigSizes({ hidden_size: 1e200 }, "model config 'm.json'")).message).toBe(
      `model config 'm.json': 'hidden_size' is 1e+200, above the largest size LightCode takes (${LIMITS.size})`,
    );
    expect(thrown(() => checkConfigSizes({ num_hidden_layers: 100_000 }, 'c')).code).toBe('E_MODEL_TOO_LARGE');
    expect(() => checkConfigSizes({ hidden_size: 8192, num_hidden_layers: 80, rope_theta: 1e9, vocab_size: 256_000 }, 'c')).not.toThrow();
  });

  it('refuses a device count over the system cap (1e9 exhausted the heap)', () => {
    const e = thrown(() => resolveSystem({ id: 'x', devices: [{ id: 'gpu', target: 'gpu', count: 1e9 }] }, new Map(), 'system file'));
    expect(e.message).toBe(`system file: devices[0].count: must be <= ${LIMITS.deviceCount} (got 1000000000)`);
  });
});

describe('the plugin watchdog', () => {
  it('stops plugin code that never returns and names the plugin and the op', () => {
    const started = performance.now();
    const e = thrown(() =>
      underWatchdog(
        0.2,
        () => {
          for (;;) {
            // a realize() that never returns
          }
        },
        () => ({ plugin: 'hang', call: 'realize()', op: 'h.0.attn' }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect([e.exitCode, e.code]).toEqual([2, 'E_PLUGIN_TIMEOUT']);
    expect(e.message).toMatch(/^plugin 'hang': realize\(\) on op 'h\.0\.attn' did not return within 0\.2 s/);
  });

  it('returns what the code returns and passes its errors through', () => {
    expect(
      underWatchdog(
        5,
        () => 42,
        () => undefined,
      ),
    ).toBe(42);
    expect(() =>
      underWatchdog(
        5,
        () => {
          throw new UserError('mine');
        },
        () => undefined,
      ),
    ).toThrow('mine');
  });
});
