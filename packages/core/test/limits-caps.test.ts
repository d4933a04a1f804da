import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { graphFromData, type OpGraph, type OpNode, SYSTEM_LIMITS, tensor } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import {
  assertFinite,
  checkConfigSizes,
  checkGraph,
  checkModelFile,
  LIMITS,
  nonFinitePath,
  notRegular,
  readRegularFile,
  shown,
} from '../src/limits.js';
import { thrown, tmpDir } from './fixtures.js';

/*
 * limits.ts on its own: the documented caps (read back from docs/limits.md),
 * the one-line cut of a typed value, where a non-finite number sits, which
 * file system entries are read, and each cap at its boundary (the cap
 * itself passes, one more is refused).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('LIMITS are the caps docs/limits.md documents', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/limits.md'), 'utf8');
  /** The cap column of the table row whose first column contains `what`. */
  const cap = (what: string): string => {
    const line = doc.split('\n').find((l) => l.startsWith('|') && (l.split('|')[1] ?? '').includes(what));
    if (!line) throw new Error(`no row for ${what}`);
    return (line.split('|')[2] ?? '').trim();
  };
  const num = (s: string) => Number(s.replace(/,/g, '').replace(/ s$/, ''));

  it('each cap equals its row of the table', () => {
    expect(LIMITS.points).toBe(num(cap('compiles one command plans')));
    expect(LIMITS.seqLen).toBe(num(cap('tokens per sequence')));
    expect(LIMITS.batch).toBe(num(cap('`--batch`')));
    expect(LIMITS.workers).toBe(num(cap('`--workers`')));
    expect(LIMITS.timeLimitS).toBe(num(cap('`--time-limit`')));
    expect(LIMITS.layers).toBe(num(cap('layers of a model config')));
    expect(LIMITS.size).toBe(num(cap('any other size of a model config')));
    expect(LIMITS.graphOps).toBe(num(cap('ops of one model graph')));
    expect(LIMITS.deviceCount).toBe(num(cap('instances per device class')));
    expect(cap('device classes, memories, links')).toBe(
      [LIMITS.devices, LIMITS.memories, LIMITS.links].map((n) => n.toLocaleString('en-US')).join(', '),
    );
    expect(cap('bytes of a JSON or YAML file')).toBe('128 MiB');
    expect(LIMITS.dataFileBytes).toBe(128 * 2 ** 20);
    expect(cap('bytes of a model file')).toBe('2 GiB');
    expect(LIMITS.modelFileBytes).toBe(2 * 2 ** 30);
    expect({ ...LIMITS }).toMatchObject(SYSTEM_LIMITS);
  });
});

describe('shown: a typed value on one readable line', () => {
  it('keeps up to 40 characters as typed', () => {
    expect(shown('')).toBe('');
    expect(shown('x'.repeat(40))).toBe('x'.repeat(40));
  });

  it('cuts 41 or more to the first 20, "...", the last 8 and the length', () => {
    const t = `${'a'.repeat(20)}${'b'.repeat(13)}${'c'.repeat(8)}`;
    expect(t).toHaveLength(41);
    expect(shown(t)).toBe(`${'a'.repeat(20)}...${'c'.repeat(8)} (41 characters)`);
    expect(shown(`0123456789abcdefghijKLMNOPQRSTUVWXYZ-${'z'.repeat(60)}-tail1234`)).toBe(
      '0123456789abcdefghij...tail1234 (106 characters)',
    );
  });
});

describe('nonFinitePath: where a number that is not finite sits', () => {
  it('a bare value is "(the value)"; finite numbers, strings, booleans and null have none', () => {
    expect(nonFinitePath(Number.NaN)).toBe('(the value)');
    expect(nonFinitePath(Number.NEGATIVE_INFINITY)).toBe('(the value)');
    for (const v of [0, -1.5, 'NaN', true, null, undefined, [], {}]) expect(nonFinitePath(v)).toBeUndefined();
  });

  it('paths: keys joined by dots, indices in brackets, the first in document order', () => {
    expect(nonFinitePath({ a: 1, b: Number.POSITIVE_INFINITY })).toBe('b');
    expect(nonFinitePath([1, [2, Number.NaN]])).toBe('[1][1]');
    expect(nonFinitePath({ rows: [{ x: 1 }, { x: 2, y: { z: [0, Number.NaN] } }] })).toBe('rows[1].y.z[1]');
    expect(nonFinitePath({ a: [Number.NaN], b: Number.NaN })).toBe('a[0]');
    expect(nonFinitePath({ a: { b: 1 }, c: { d: Number.NaN } })).toBe('c.d');
  });

  it("an infeasible baseline's NaN latency and energy are allowed (JSON null); nothing else is", () => {
    expect(nonFinitePath({ feasible: false, latencyS: Number.NaN, energyJ: Number.NaN })).toBeUndefined();
    // only NaN, only those two keys, only when infeasible
    expect(nonFinitePath({ feasible: false, latencyS: Number.POSITIVE_INFINITY })).toBe('latencyS');
    expect(nonFinitePath({ feasible: false, energyJ: 1, other: Number.NaN })).toBe('other');
    expect(nonFinitePath({ feasible: true, latencyS: Number.NaN })).toBe('latencyS');
    expect(nonFinitePath({ latencyS: 1, energyJ: Number.NaN })).toBe('energyJ');
  });
});

describe('assertFinite: the one check every output passes', () => {
  it('passes a finite document', () => {
    expect(() => assertFinite({ ops: [{ name: 'a', latencyS: 1 }], totals: { energyJ: 0 } }, 'result')).not.toThrow();
  });

  it('names the path, the value, and the op when it sits in an op', () => {
    const e = thrown(() =>
      assertFinite(
        {
          ops: [
            { name: 'fc0', x: 1 },
            { name: 'fc1', cost: { j: [0, Number.NaN] } },
          ],
        },
        'r',
      ),
    );
    expect([e.code, e.option, e.exitCode]).toEqual(['E_NOT_FINITE', 'ops[1].cost.j[1]', 2]);
    expect(e.message).toBe("r: ops[1].cost.j[1] (op 'fc1') is NaN, not a finite number; an input or a plugin gave a value out of range");
  });

  it('outside ops, or in an op without a name, no op is named', () => {
    expect(thrown(() => assertFinite({ totals: { latencyS: Number.NEGATIVE_INFINITY } }, 'w')).message).toBe(
      'w: totals.latencyS is -Infinity, not a finite number; an input or a plugin gave a value out of range',
    );
    expect(thrown(() => assertFinite({ ops: [{ latencyS: Number.NaN }] }, 'w')).message).toBe(
      'w: ops[0].latencyS is NaN, not a finite number; an input or a plugin gave a value out of range',
    );
    // "ops" must start the path: a nested ops list names no op (not even the top-level op of that index)
    expect(thrown(() => assertFinite({ ops: [{ name: 'top' }], x: { ops: [{ name: 'n', v: Number.NaN }] } }, 'w')).message).toBe(
      'w: x.ops[0].v is NaN, not a finite number; an input or a plugin gave a value out of range',
    );
  });

  it('an op index of several digits', () => {
    const ops = Array.from({ length: 13 }, (_, i) => ({ name: `op${i}`, latencyS: i === 12 ? Number.NaN : 1 }));
    expect(thrown(() => assertFinite({ ops }, 'w')).message).toBe(
      "w: ops[12].latencyS (op 'op12') is NaN, not a finite number; an input or a plugin gave a value out of range",
    );
  });
});

describe('notRegular: what an entry is when it is not a regular file', () => {
  it('a file is regular; a folder, a FIFO, a device, a socket and a symlink (lstat) are named', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'x');
    expect(notRegular(fs.statSync(file))).toBeUndefined();
    expect(notRegular(fs.statSync(dir))).toBe('a folder');
    expect(notRegular(fs.statSync('/dev/null'))).toBe('a device');
    const link = path.join(dir, 'l');
    fs.symlinkSync(file, link);
    expect(notRegular(fs.lstatSync(link))).toBe('not a regular file');
    const sock = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expect(notRegular(fs.statSync(sock))).toBe('a socket');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('readRegularFile: a regular file of at most maxBytes', () => {
  it('returns the bytes of a file at exactly the cap, and of an empty file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'ten');
    fs.writeFileSync(file, '0123456789');
    expect(readRegularFile(file, 'x', 10).toString('utf8')).toBe('0123456789');
    fs.writeFileSync(path.join(dir, 'empty'), '');
    expect(readRegularFile(path.join(dir, 'empty'), 'x', 10)).toHaveLength(0);
  });

  it('reads a file longer than one read call returns, whole', () => {
    const file = path.join(tmpDir(), 'long');
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    fs.writeFileSync(file, body);
    expect(readRegularFile(file, 'x').equals(body)).toBe(true);
  });

  it('one byte over the cap is refused before reading, with its size and the cap', () => {
    const file = path.join(tmpDir(), 'eleven');
    fs.writeFileSync(file, '01234567890');
    const e = thrown(() => readRegularFile(file, 'shard', 10));
    expect([e.code, e.option, e.message]).toEqual([
      'E_FILE_TOO_LARGE',
      file,
      `shard '${file}' is 11 bytes, over the 10-byte limit for shards`,
    ]);
  });

  it('the default cap is LIMITS.dataFileBytes (a sparse file one byte over it is refused unread)', () => {
    const file = path.join(tmpDir(), 'sparse');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, LIMITS.dataFileBytes + 1);
    expect(thrown(() => readRegularFile(file, 'system file')).message).toBe(
      `system file '${file}' is ${LIMITS.dataFileBytes + 1} bytes, over the ${LIMITS.dataFileBytes}-byte limit for system files`,
    );
  });

  it('a file that holds more than its size says (a /proc file reports 0 bytes) is refused once a read passes its stated size', () => {
    const e = thrown(() => readRegularFile('/proc/self/status', 'status', 5));
    expect([e.code, e.message]).toEqual(['E_FILE_TOO_LARGE', "status '/proc/self/status' is over the 5-byte limit for statuss"]);
    // its stated size is what the cap is checked against: whatever the cap, the first byte past 0 refuses it
    expect(thrown(() => readRegularFile('/proc/self/status', 'status', 1_000_000)).code).toBe('E_FILE_TOO_LARGE');
  });

  it('a missing file: E_READ with the errno code, the file as option and the cause', () => {
    const file = path.join(tmpDir(), 'missing.json');
    const e = thrown(() => readRegularFile(file, 'model config'));
    expect([e.code, e.option, e.message]).toEqual(['E_READ', file, `cannot read model config '${file}': ENOENT`]);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a folder and a device are refused by kind, with their path as option', () => {
    const dir = tmpDir();
    const e = thrown(() => readRegularFile(dir, 'config'));
    expect([e.code, e.option, e.message]).toEqual(['E_NOT_A_FILE', dir, `config '${dir}' is a folder, not a regular file`]);
  });

  it('closes every descriptor it opens, read or refused', () => {
    const dir = tmpDir();
    const ok = path.join(dir, 'ok');
    const big = path.join(dir, 'big');
    fs.writeFileSync(ok, 'x');
    fs.writeFileSync(big, 'x'.repeat(100));
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      readRegularFile(ok, 'x');
      thrown(() => readRegularFile(big, 'x', 10));
      thrown(() => readRegularFile(dir, 'x'));
      thrown(() => readRegularFile('/proc/self/status', 'x', 1));
    }
    expect(open()).toBe(before);
  });
});

describe('checkModelFile: a model file a frontend reads', () => {
  it('a regular file up to 2 GiB passes; one byte more is refused with its size (sparse files)', () => {
    const dir = tmpDir();
    const at = path.join(dir, 'at.onnx');
    const over = path.join(dir, 'over.onnx');
    for (const [f, n] of [
      [at, LIMITS.modelFileBytes],
      [over, LIMITS.modelFileBytes + 1],
    ] as const) {
      fs.writeFileSync(f, '');
      fs.truncateSync(f, n);
    }
    expect(() => checkModelFile(at)).not.toThrow();
    const e = thrown(() => checkModelFile(over));
    expect([e.code, e.option, e.message]).toEqual([
      'E_FILE_TOO_LARGE',
      over,
      `model file '${over}' is ${LIMITS.modelFileBytes + 1} bytes, over the ${LIMITS.modelFileBytes}-byte limit`,
    ]);
  });

  it('a folder is refused by kind', () => {
    const dir = tmpDir();
    const e = thrown(() => checkModelFile(dir));
    expect([e.code, e.option, e.message]).toEqual(['E_NOT_A_FILE', dir, `model '${dir}' is a folder, not a regular file`]);
  });
});

describe('checkConfigSizes: a model config capped key by key', () => {
  const refused = (key: string, v: number) => thrown(() => checkConfigSizes({ [key]: v }, 'cfg'));

  it.each(['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'])('%s is a layer count: 1024 passes, 1025 is refused', (key) => {
    expect(() => checkConfigSizes({ [key]: LIMITS.layers }, 'cfg')).not.toThrow();
    const e = refused(key, LIMITS.layers + 1);
    expect([e.code, e.option, e.message]).toEqual([
      'E_MODEL_TOO_LARGE',
      key,
      `cfg: '${key}' is 1025, above the largest layer count LightCode takes (1024)`,
    ]);
  });

  it.each([
    'hidden_size',
    'vocab_size',
    'head_dim',
    'num_attention_heads',
    'max_positions',
    'num_local_experts',
    'max_new_tok',
    'sliding_window',
    'n_embd',
    'n_head',
    'n_inner',
    'n_ctx',
    'n_positions',
    'd_model',
    'd_ff',
    'num_heads',
  ])('%s is a size: 2^24 passes, one more is refused', (key) => {
    expect(() => checkConfigSizes({ [key]: LIMITS.size }, 'cfg')).not.toThrow();
    const e = refused(key, LIMITS.size + 1);
    expect([e.code, e.option, e.message]).toEqual([
      'E_MODEL_TOO_LARGE',
      key,
      `cfg: '${key}' is ${LIMITS.size + 1}, above the largest size LightCode takes (${LIMITS.size})`,
    ]);
  });

  it('a layer key is held to the layer cap, not the size cap', () => {
    expect(refused('n_layer', 2000).message).toContain('above the largest layer count LightCode takes (1024)');
  });

  it('other keys, prefixes matched only at the start, layer names only whole, and non-numbers are not capped', () => {
    const huge = 1e30;
    for (const key of [
      'rope_theta',
      'x_n_embd',
      'my_n_head',
      'a_d_model',
      'xd_ff',
      'xn_inner',
      'xn_ctx',
      'n_embd_scale',
      'layer_norm_eps',
      'my_num_hidden_layers',
      'num_hidden_layers_x',
      'n_layer_ratio',
    ]) {
      expect(() => checkConfigSizes({ [key]: huge }, 'cfg'), key).not.toThrow();
    }
    expect(() => checkConfigSizes({ hidden_size: '1e300', n_layer: [5000], vocab_size: null }, 'cfg')).not.toThrow();
  });

  it('suffixes match only at the end of a key', () => {
    expect(() => checkConfigSizes({ hidden_size_ratio: 1e30, head_dims: 1e30, num_heads_total: 1e30 }, 'cfg')).not.toThrow();
  });
});

describe('checkGraph: a built graph within the op cap, its arithmetic finite', () => {
  const x = tensor([1, 4, 8], 'fp16');
  const linear = (id: string, weights: number[]): OpNode => ({
    id,
    name: `fc${id}`,
    kind: 'linear',
    layer: 0,
    inputs: [x],
    outputs: [x],
    weights: [tensor(weights, 'fp16')],
    attrs: {},
  });
  const graph = (ops: OpNode[]) =>
    graphFromData({
      meta: { id: 'g', family: 'toy', phase: 'prefill', seqLen: 4, batch: 1, dtype: 'fp16', layers: 1 },
      ops,
      edges: [],
    });

  it('a graph of finite arithmetic passes', () => {
    expect(() => checkGraph(graph([linear('0', [8, 8])]), 'm')).not.toThrow();
  });

  it('an op whose arithmetic overflows is named with the quantity, blamed on the model input', () => {
    const g = graph([linear('0', [8, 8]), linear('1', [1e200, 1e200])]);
    const a = g.arithmetic('1') as unknown as Record<string, number>;
    const first = Object.entries(a).find(([, v]) => typeof v === 'number' && !Number.isFinite(v));
    expect(first).toBeDefined();
    const e = thrown(() => checkGraph(g, "model config 'c.json'"));
    expect([e.code, e.option, e.message]).toEqual([
      'E_NOT_FINITE',
      first?.[0],
      `model config 'c.json': op 'fc1' has ${first?.[0]} ${first?.[1]}; a size in the model input is too large`,
    ]);
  });

  it('2,000,000 ops pass the op cap; 2,000,001 are refused before any arithmetic', () => {
    // a stand-in graph: only ops() and arithmetic() are read
    const stub = (n: number, seen: { calls: number }) =>
      ({
        ops: () => Array.from({ length: n }, () => ({ id: 'x', name: 'x' })),
        arithmetic: () => {
          seen.calls++;
          // only numbers are checked
          return { macs: 1, note: 'not a number' };
        },
      }) as unknown as OpGraph;
    const at = { calls: 0 };
    expect(() => checkGraph(stub(LIMITS.graphOps, at), 'm')).not.toThrow();
    expect(at.calls).toBe(LIMITS.graphOps);
    const over = { calls: 0 };
    const e = thrown(() => checkGraph(stub(LIMITS.graphOps + 1, over), 'm'));
    expect([e.code, e.message]).toEqual(['E_MODEL_TOO_LARGE', 'm: the graph has 2000001 ops, over the limit of 2000000']);
    expect(over.calls).toBe(0);
  });
});
