import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../src/limits.js';
import {
  groupBySeqLen,
  mergeSweeps,
  parseRange,
  parseShard,
  planSweep,
  type SweepPoint,
  type SweepResult,
  type SweepSpec,
  shardPoints,
  sweep,
  sweepId,
} from '../src/sweep.js';
import { checkSweepDocument } from '../src/sweep-document.js';
import { rejection, thrown } from './fixtures.js';
import { BOTH, FAST, FAST_ONLY, LEAN_ONLY, systemFile, toyRegistry, W } from './toy.js';

/*
 * sweep.ts and sweep-document.ts: ranges counted before they are expanded,
 * shards, the plan's order and count, its id, merging shards, checking a
 * shard's document; and a small sweep on the toy machine (test/toy.ts)
 * against the closed form 3 S W^2 x 1 ps of the fast device.
 */

describe('parseRange', () => {
  const syntax = (text: string) =>
    `--seq-len takes START:STOP[:STEP] or a comma list of positive integers, e.g. 64:4096:64 or 128,512 (got '${text}')`;

  it('START:STOP:STEP is inclusive; STEP defaults to 1; START = STOP is one value', () => {
    expect(parseRange('64:256:64', '--seq-len')).toEqual([64, 128, 192, 256]);
    expect(parseRange('64:250:64', '--seq-len')).toEqual([64, 128, 192]);
    expect(parseRange('3:6', '--seq-len')).toEqual([3, 4, 5, 6]);
    expect(parseRange('7:7', '--seq-len')).toEqual([7]);
    expect(parseRange(' 1 : 3 ', '--seq-len')).toEqual([1, 2, 3]);
  });

  it('a comma list is sorted and deduplicated', () => {
    expect(parseRange('512,128,512,2048', '--seq-len')).toEqual([128, 512, 2048]);
    expect(parseRange('5', '--seq-len')).toEqual([5]);
  });

  it.each(['1:2:3:4', 'a:5', '5:b', '0:4', '4:2', '4:8:0', '4:8:', ':8', '1,,2', '1,x', '-1', '1.5', '0', ''])(
    "refuses '%s' as syntax (E_SYNTAX, the flag as option)",
    (text) => {
      const e = thrown(() => parseRange(text, '--seq-len'));
      expect([e.code, e.option, e.message]).toEqual(['E_SYNTAX', '--seq-len', syntax(text)]);
    },
  );

  it('the token cap: 2^24 passes, one more is E_RANGE naming the value', () => {
    expect(parseRange(String(LIMITS.seqLen), '--seq-len')).toEqual([LIMITS.seqLen]);
    const e = thrown(() => parseRange(`1,${LIMITS.seqLen + 1}`, '--kv-len'));
    expect([e.code, e.option, e.message]).toEqual([
      'E_RANGE',
      '--kv-len',
      `--kv-len '1,16777217': 16777217 is above the longest sequence LightCode takes (16777216 tokens)`,
    ]);
  });

  it('the point cap: a range or a list of exactly maxCount values passes, one more is E_PLAN_TOO_LARGE', () => {
    expect(parseRange('1:10', '--seq-len', 10)).toHaveLength(10);
    expect(parseRange('1:19:2', '--seq-len', 10)).toHaveLength(10);
    expect(parseRange('1,2,3', '--seq-len', 3)).toEqual([1, 2, 3]);
    const e = thrown(() => parseRange('1:11', '--seq-len', 10));
    expect([e.code, e.option, e.message]).toEqual([
      'E_PLAN_TOO_LARGE',
      '--seq-len',
      "--seq-len '1:11' has 11 values, over the limit of 10 points",
    ]);
    expect(thrown(() => parseRange('1:21:2', '--seq-len', 10)).message).toBe(
      "--seq-len '1:21:2' has 11 values, over the limit of 10 points",
    );
    // a list is counted before its values are read
    expect(thrown(() => parseRange('1,2,x,4', '--seq-len', 3)).code).toBe('E_PLAN_TOO_LARGE');
    expect(parseRange('1:10000', '--seq-len')).toHaveLength(LIMITS.points);
    expect(thrown(() => parseRange('1:10001', '--seq-len')).code).toBe('E_PLAN_TOO_LARGE');
  });
});

describe('parseShard', () => {
  it('I/N with 1 <= I <= N', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard('8/8')).toEqual({ index: 8, count: 8 });
    expect(parseShard('12/16')).toEqual({ index: 12, count: 16 });
  });

  it.each(['3', '3/', '/8', 'a/8', '3/8/9', '-1/8', '3/0', '0/0', ''])("'%s' is not I/N", (text) => {
    expect(thrown(() => parseShard(text)).message).toBe(`--shard takes I/N with 1 <= I <= N, e.g. --shard 3/8 (got '${text}')`);
  });

  it('an index outside 1..N', () => {
    expect(thrown(() => parseShard('0/8')).message).toBe('--shard 0/8: shard index 0 is out of range 1..8');
    expect(thrown(() => parseShard('9/8')).message).toBe('--shard 9/8: shard index 9 is out of range 1..8');
  });
});

const point = (index: number, seqLen: number, system = 's'): SweepPoint => ({ index, system, objective: 'latency', seqLen, params: {} });

describe('shardPoints and groupBySeqLen', () => {
  it('shard I of N takes every N-th point from the I-th; the shards partition the plan', () => {
    const plan = Array.from({ length: 10 }, (_, i) => point(i, 64));
    expect(shardPoints(plan, { index: 1, count: 3 }).map((p) => p.index)).toEqual([0, 3, 6, 9]);
    expect(shardPoints(plan, { index: 3, count: 3 }).map((p) => p.index)).toEqual([2, 5, 8]);
    expect(shardPoints(plan, { index: 1, count: 1 })).toHaveLength(10);
    const all = [1, 2, 3, 4].flatMap((i) => shardPoints(plan, { index: i, count: 4 }).map((p) => p.index));
    expect(all.sort((a, b) => a - b)).toEqual(plan.map((p) => p.index));
  });

  it('groups by length in order of first appearance, plan order inside a group', () => {
    const pts = [point(0, 64), point(1, 128), point(2, 64, 't'), point(3, 32), point(4, 128, 't')];
    expect(groupBySeqLen(pts).map((g) => g.map((p) => p.index))).toEqual([[0, 2], [1, 4], [3]]);
    expect(groupBySeqLen([])).toEqual([]);
  });
});

describe('mergeSweeps', () => {
  const part = (index: number, count: number, rows: SweepPoint[], over: Partial<SweepResult> = {}): SweepResult => ({
    id: 'abc',
    points: 4,
    shard: { index, count },
    rows: rows.map((p) => ({ ...p, latencyS: 1, energyJ: 1, status: 'optimal', opsPerDevice: {} })),
    ...over,
  });

  it('merged shards are the rows in plan order, without a shard', () => {
    const m = mergeSweeps([part(2, 2, [point(1, 8), point(3, 8)]), part(1, 2, [point(0, 8), point(2, 8)])]);
    expect([m.id, m.points, 'shard' in m, m.rows.map((r) => r.index)]).toEqual(['abc', 4, false, [0, 1, 2, 3]]);
  });

  it('an unsharded result first, and a row beyond the plan', () => {
    const { shard: _s, ...whole } = part(1, 1, []);
    expect(thrown(() => mergeSweeps([whole, part(1, 2, [])])).message).toBe(
      'lightcode merge takes the results of one --shard I/N run per shard, all with the same N',
    );
    // five rows for four points, indices 0..4: more rows than points
    expect(
      thrown(() => mergeSweeps([part(1, 2, [point(0, 8), point(2, 8), point(4, 8)]), part(2, 2, [point(1, 8), point(3, 8)])])).message,
    ).toBe("the shards hold 5 of the sweep's 4 points; rerun the incomplete shards");
  });

  it('none given', () => {
    expect(thrown(() => mergeSweeps([])).message).toBe('lightcode merge needs the result.json of every shard');
  });

  it('shards of different sweeps: another id or another point count', () => {
    const want = 'cannot merge shards of different sweeps (ids abc and xyz); run every shard with the same options';
    expect(thrown(() => mergeSweeps([part(1, 2, []), part(2, 2, [], { id: 'xyz' })])).message).toBe(want);
    expect(thrown(() => mergeSweeps([part(1, 2, []), part(2, 2, [], { points: 5 })])).message).toBe(
      'cannot merge shards of different sweeps (ids abc and abc); run every shard with the same options',
    );
  });

  it('an unsharded result, or shards with another N', () => {
    const want = 'lightcode merge takes the results of one --shard I/N run per shard, all with the same N';
    const { shard: _s, ...whole } = part(1, 1, []);
    expect(thrown(() => mergeSweeps([part(1, 2, []), whole])).message).toBe(want);
    expect(thrown(() => mergeSweeps([part(1, 2, []), part(2, 3, [])])).message).toBe(want);
  });

  it('a shard given twice', () => {
    expect(thrown(() => mergeSweeps([part(1, 2, []), part(1, 2, [])])).message).toBe('shard 1/2 is given twice');
  });

  it('missing shards: the first ten are named, and how many more', () => {
    const e = thrown(() => mergeSweeps([part(2, 3, [])]));
    expect([e.code, e.message]).toEqual(['E_SHARDS_MISSING', 'shards missing: 1/3, 3/3']);
    const eleven = thrown(() => mergeSweeps([part(1, 12, [], { points: 12 })]));
    expect(eleven.message).toBe(`shards missing: ${[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => `${i}/12`).join(', ')} and 1 more`);
    const ten = thrown(() => mergeSweeps([part(1, 11, [], { points: 11 })]));
    expect(ten.message).toBe(`shards missing: ${[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => `${i}/11`).join(', ')}`);
  });

  it('every shard present but points missing, or an index twice', () => {
    const want = (n: number) => `the shards hold ${n} of the sweep's 4 points; rerun the incomplete shards`;
    expect(thrown(() => mergeSweeps([part(1, 2, [point(0, 8)]), part(2, 2, [point(1, 8), point(3, 8)])])).message).toBe(want(3));
    expect(thrown(() => mergeSweeps([part(1, 2, [point(0, 8), point(2, 8)]), part(2, 2, [point(1, 8), point(1, 8)])])).message).toBe(
      want(4),
    );
  });
});

describe('sweepId: the same for every shard of one plan', () => {
  const spec: SweepSpec = { model: 'm', seqLens: [1], systems: ['a'], objectives: ['latency'], batch: 2, dtype: 'fp16' };
  const pts = [point(0, 1, 'a')];

  it('16 hex digits; independent of the order options were given in', () => {
    const id = sweepId(spec, pts);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(sweepId({ dtype: 'fp16', batch: 2, objectives: ['latency'], systems: ['a'], seqLens: [1], model: 'm' }, pts)).toBe(id);
  });

  it('changes with any option and with the points; not with the lists the points already hold', () => {
    const id = sweepId(spec, pts);
    expect(sweepId({ ...spec, batch: 3 }, pts)).not.toBe(id);
    expect(sweepId({ ...spec, model: 'n' }, pts)).not.toBe(id);
    expect(sweepId(spec, [point(0, 2, 'a')])).not.toBe(id);
    expect(sweepId({ ...spec, seqLens: [9], systems: ['z'], objectives: ['energy'], params: ['x=1'] }, pts)).toBe(id);
  });
});

describe('planSweep', () => {
  const reg = toyRegistry();
  const fast = systemFile(FAST_ONLY);
  const lean = systemFile(LEAN_ONLY);

  it('systems outermost, then the parameter grid, then objectives, then lengths; indices from 0', () => {
    const plan = planSweep(reg, {
      model: 'toy-chain',
      seqLens: [8, 16],
      systems: [fast, lean],
      objectives: ['latency', 'energy'],
      params: [],
    });
    expect(plan.map((p) => [p.index, p.system === fast ? 'F' : 'L', p.objective, p.seqLen])).toEqual([
      [0, 'F', 'latency', 8],
      [1, 'F', 'latency', 16],
      [2, 'F', 'energy', 8],
      [3, 'F', 'energy', 16],
      [4, 'L', 'latency', 8],
      [5, 'L', 'latency', 16],
      [6, 'L', 'energy', 8],
      [7, 'L', 'energy', 16],
    ]);
    expect(plan.every((p) => Object.keys(p.params).length === 0)).toBe(true);
  });

  it("each system's own parameter grid, the first axis slowest", () => {
    const plan = planSweep(reg, {
      model: 'toy-chain',
      seqLens: [8],
      systems: [fast],
      objectives: ['latency'],
      params: ['f.count=1,2', 'f.preset=base,slow'],
    });
    expect(plan.map((p) => p.params)).toEqual([
      { 'f.count': 1, 'f.preset': 'base' },
      { 'f.count': 1, 'f.preset': 'slow' },
      { 'f.count': 2, 'f.preset': 'base' },
      { 'f.count': 2, 'f.preset': 'slow' },
    ]);
  });

  it('counted before expanding: (sum over systems of grid sizes) x objectives x lengths, at most maxPoints', () => {
    const spec = { model: 'toy-chain', seqLens: [8, 16, 32], systems: [fast, fast], objectives: ['latency', 'energy'] } as const;
    expect(planSweep(reg, spec, process.cwd(), 12)).toHaveLength(12);
    const e = thrown(() => planSweep(reg, spec, process.cwd(), 11));
    expect([e.code, e.option, e.message]).toEqual([
      'E_PLAN_TOO_LARGE',
      'points',
      'the sweep has 12 points (2 system(s), their parameter grids, 2 objective(s), 3 length(s)), over the limit of 11',
    ]);
    const grid = thrown(() => planSweep(reg, { ...spec, systems: [fast], params: ['f.count=1,2,3'] }, process.cwd(), 17));
    expect(grid.message).toMatch(/^the sweep has 18 points /);
    expect(thrown(() => planSweep(reg, { ...spec, seqLens: Array.from({ length: 2501 }, (_, i) => i + 1) })).code).toBe('E_PLAN_TOO_LARGE');
    expect(planSweep(reg, { ...spec, seqLens: Array.from({ length: 2500 }, (_, i) => i + 1) })).toHaveLength(LIMITS.points);
  });

  it('a system a grid reads is named in its errors', () => {
    const bad = systemFile({ id: 'bad', devices: [{ id: 'f', target: 'fast', count: 0 }] }, 'bad.json');
    expect(
      thrown(() => planSweep(reg, { model: 'toy-chain', seqLens: [8], systems: [bad], objectives: ['latency'], params: ['f.count=1'] }))
        .message,
    ).toMatch(new RegExp(`^system '${bad}': `));
  });

  it('a grid counts the product of its axes; systems are read from cwd', () => {
    const dir = path.dirname(fast);
    const spec = {
      model: 'toy-chain',
      seqLens: [8],
      systems: [path.basename(fast)],
      objectives: ['latency'],
      params: ['f.count=1,2', 'f.preset=base,slow,base'],
    } as const;
    expect(planSweep(reg, spec, dir, 6)).toHaveLength(6);
    expect(thrown(() => planSweep(reg, spec, dir, 5)).message).toMatch(/^the sweep has 6 points /);
  });

  it.each([
    [{ systems: [] }, 'a sweep needs at least one system', 'systems'],
    [{ objectives: [] }, 'a sweep needs at least one objective', 'objectives'],
    [{ seqLens: [] }, 'a sweep needs at least one sequence length', 'seqLens'],
  ])('an empty list is refused: %o', (over, message, option) => {
    const e = thrown(() => planSweep(reg, { model: 'toy-chain', seqLens: [8], systems: [fast], objectives: ['latency'], ...over }));
    expect([e.code, e.option, e.message]).toEqual(['E_EMPTY', option, message]);
  });
});

describe('sweep on the toy machine', () => {
  const reg = toyRegistry();
  const fast = systemFile(FAST_ONLY);
  const both = systemFile(BOTH);
  const spec: SweepSpec = { model: 'toy-chain', seqLens: [8, 16], systems: [fast, both], objectives: ['latency', 'energy'] };

  it('rows in plan order, each the compile at its point: on fast alone latency 3 S W^2 x 1 ps, energy 3 S W^2 x 4 pJ', async () => {
    const seen: [number, number][] = [];
    const r = await sweep(reg, spec, { progress: (done, total) => seen.push([done, total]) });
    expect([r.points, r.rows.length, 'shard' in r]).toEqual([8, 8, false]);
    expect(r.id).toBe(sweepId(spec, planSweep(reg, spec)));
    expect(r.rows.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const row of r.rows.slice(0, 4)) {
      expect(row.latencyS).toBeCloseTo(3 * row.seqLen * W * W * FAST.spm, 20);
      expect(row.energyJ).toBeCloseTo(3 * row.seqLen * W * W * FAST.jpm, 20);
      expect([row.status, row.opsPerDevice]).toEqual(['optimal', { f: 3 }]);
    }
    // on both devices the energy objective puts every layer on lean (1 pJ per MAC against 4)
    expect(r.rows[6]?.opsPerDevice).toEqual({ f: 0, l: 3 });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [i, 8]));
  });

  it('system files are found from the run folder', async () => {
    const r = await sweep(
      reg,
      { model: 'toy-chain', seqLens: [8], systems: [path.basename(fast)], objectives: ['latency'] },
      { cwd: path.dirname(fast) },
    );
    expect(r.rows[0]?.latencyS).toBeCloseTo(3 * 8 * W * W * FAST.spm, 20);
  });

  it('a shard runs its own points; merged, the shards equal the whole sweep', async () => {
    const whole = await sweep(reg, spec);
    const parts = await Promise.all([1, 2, 3].map((index) => sweep(reg, spec, { shard: { index, count: 3 } })));
    expect(parts.map((p) => p.rows.map((x) => x.index))).toEqual([
      [0, 3, 6],
      [1, 4, 7],
      [2, 5],
    ]);
    expect(parts[0]?.shard).toEqual({ index: 1, count: 3 });
    expect(parts.every((p) => p.id === whole.id && p.points === 8)).toBe(true);
    expect(mergeSweeps(parts)).toEqual(whole);
  });

  it('every length is checked against the model first: a length it refuses is E_LENGTH_REFUSED', async () => {
    const e = await rejection(sweep(reg, { ...spec, systems: [fast], seqLens: [8, 9], batch: 0 }));
    expect(e.message).toBe('--batch must be a positive integer (got 0)');
    expect(e.code).toBe('E_LENGTH_REFUSED');
  });
});

describe('a sweep of whole requests (generate workload)', () => {
  const reg = toyRegistry();
  const fast = systemFile(FAST_ONLY);
  // on fast alone (test/toy.ts): prefill of P tokens 3 P W^2 ps; decode step at K: 2 K W x 1 fs + W K ps + 3 W^2 ps
  const prefillS = (P: number) => 3 * P * W * W * FAST.spm;
  const stepS = (K: number) => 2 * K * W * 1e-15 + W * K * FAST.spm + 3 * W * W * FAST.spm;
  const stepJ = (K: number) => (W * K + 3 * W * W) * FAST.jpm;
  const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * want);

  it("each length is an output length; a row holds the request's end to end, energy and figures", async () => {
    const P = 4;
    const r = await sweep(reg, {
      model: 'toy-chain',
      seqLens: [1, 3],
      systems: [fast],
      objectives: ['latency'],
      workload: { kind: 'generate', promptLen: P },
    });
    const [one, three] = r.rows;
    near(one?.latencyS as number, prefillS(P) + stepS(4));
    near(three?.latencyS as number, prefillS(P) + stepS(4) + stepS(5) + stepS(6));
    near(three?.energyJ as number, 3 * P * W * W * FAST.jpm + stepJ(4) + stepJ(5) + stepJ(6));
    expect([one?.status, one?.opsPerDevice, one?.seqLen]).toEqual(['optimal', { f: 3 }, 1]);
    expect(one?.generate).toEqual({
      promptLen: P,
      ttftS: one?.latencyS,
      tpotMeanS: null,
      tokensPerS: 1 / (one?.latencyS as number),
      energyPerOutputTokenJ: one?.energyJ,
      compiles: 2,
    });
    expect(three?.generate?.compiles).toBe(4);
    near(three?.generate?.tpotMeanS as number, (stepS(5) + stepS(6)) / 2);
    near(three?.generate?.tokensPerS as number, 3 / (three?.latencyS as number));
    near(three?.generate?.energyPerOutputTokenJ as number, (three?.energyJ as number) / 3);
    near(three?.generate?.ttftS as number, prefillS(P) + stepS(4));
  });

  it('output lengths are not checked as sequence lengths: a refusal comes from the request itself', async () => {
    const e = await rejection(
      sweep(reg, {
        model: 'toy-chain',
        seqLens: [2],
        systems: [fast],
        objectives: ['latency'],
        batch: 0,
        workload: { kind: 'generate', promptLen: 4 },
      }),
    );
    expect([e.message, e.code]).toEqual(['--batch must be a positive integer (got 0)', undefined]);
  });
});

describe('checkSweepDocument: a shard before a merge trusts it', () => {
  const row = {
    index: 0,
    system: 'cpu',
    objective: 'latency',
    seqLen: 64,
    params: { 'ptu.wavelengths': 4, 'ptu.preset': 'x' },
    latencyS: 0,
    energyJ: 0,
    status: 'optimal',
    opsPerDevice: { cpu: 3 },
  };
  const doc = (sweep: object, rows: object[] = [row], extra: object = {}) => ({ kind: 'sweep', sweep, rows, ...extra });
  const problem = (d: unknown) => {
    const e = thrown(() => checkSweepDocument(d, 'S'));
    expect(e.code).toBe('E_BAD_SHARD');
    return e.message;
  };

  it('accepts a good shard and an unsharded result, zero costs, extra top-level fields', () => {
    expect(() => checkSweepDocument(doc({ id: 'a', points: 2, shard: { index: 2, count: 2 } }), 'S')).not.toThrow();
    expect(() => checkSweepDocument(doc({ id: 'a', points: 1 }, [row], { model: {}, systems: [] }), 'S')).not.toThrow();
    expect(() => checkSweepDocument(doc({ id: 'a', points: 0 }, []), 'S')).not.toThrow();
    expect(() => checkSweepDocument(doc({ id: 'a', points: 0, shard: { index: 1, count: 1 } }, []), 'S')).not.toThrow();
  });

  it('the schema: kind, sweep and rows required, each field typed', () => {
    expect(problem({ kind: 'sweep', sweep: { id: 'a', points: 1 } })).toMatch(/^S: .*rows/);
    expect(problem(doc({ id: 'a', points: 1 }, [row], { kind: 'pareto' }))).toMatch(/^S: kind/);
    expect(problem(doc({ id: '', points: 1 }))).toMatch(/^S: sweep\.id/);
    expect(problem(doc({ id: 'a', points: -1 }, []))).toMatch(/^S: sweep\.points/);
    expect(problem(doc({ id: 'a', points: 1.5 }, []))).toMatch(/^S: sweep\.points/);
    expect(problem(doc({ id: 'a' }, []))).toMatch(/^S: sweep/);
    expect(problem(doc({ id: 'a', points: 2, shard: { index: 0, count: 2 } }))).toMatch(/^S: sweep\.shard\.index/);
    expect(problem(doc({ id: 'a', points: 2, shard: { index: 1, count: 0 } }))).toMatch(/^S: sweep\.shard\.count/);
    expect(problem(doc({ id: 'a', points: 2, shard: { index: 1 } }))).toMatch(/^S: sweep\.shard/);
    for (const [field, bad] of [
      ['index', -1],
      ['system', ''],
      ['objective', 'speed'],
      ['seqLen', 0],
      ['seqLen', LIMITS.seqLen + 1],
      ['params', { a: true }],
      ['latencyS', -1e-9],
      ['energyJ', '1'],
      ['status', ''],
      ['opsPerDevice', { cpu: -1 }],
    ] as const) {
      expect(problem(doc({ id: 'a', points: 2 }, [{ ...row, [field]: bad }])), `${field}=${JSON.stringify(bad)}`).toMatch(
        new RegExp(`^S: rows\\[0\\]\\.${field}`),
      );
    }
    const { status: _s, ...noStatus } = row;
    expect(problem(doc({ id: 'a', points: 2 }, [noStatus]))).toMatch(/^S: rows\[0\]/);
    expect(() => checkSweepDocument(doc({ id: 'a', points: 2 }, [{ ...row, seqLen: LIMITS.seqLen }]), 'S')).not.toThrow();
  });

  it('every required field of the document, its sweep, its shard and its rows', () => {
    const good = doc({ id: 'a', points: 2, shard: { index: 1, count: 2 } });
    for (const key of ['kind', 'sweep', 'rows']) {
      const { [key]: _gone, ...rest } = good as Record<string, unknown>;
      expect(problem(rest), key).toMatch(/^S: /);
    }
    expect(problem(doc({ points: 2 }))).toMatch(/^S: sweep/);
    expect(problem(doc({ id: 'a', points: 2, shard: { count: 2 } }))).toMatch(/^S: sweep\.shard/);
    for (const key of Object.keys(row)) {
      const { [key]: _gone, ...rest } = row as Record<string, unknown>;
      expect(problem(doc({ id: 'a', points: 2 }, [rest])), key).toMatch(/^S: rows\[0\]/);
    }
    expect(problem(doc({ id: 'a', points: 2 }, [row], { model: 5 }))).toMatch(/^S: model/);
    expect(problem(doc({ id: 'a', points: 2 }, [row], { systems: 'x' }))).toMatch(/^S: systems/);
  });

  it('the option names where a shard is wrong', () => {
    expect(thrown(() => checkSweepDocument(doc({ id: 'a', points: 2, shard: { index: 1, count: 3 } }), 'S')).option).toBe('sweep.shard');
    expect(thrown(() => checkSweepDocument(doc({ id: 'a', points: 1 }, [row, row]), 'S')).option).toBe('rows');
  });

  it('a number that is not finite, named by path', () => {
    const e = thrown(() => checkSweepDocument(doc({ id: 'a', points: 2 }, [row], { model: { x: Number.NaN } }), 'S'));
    expect([e.option, e.message]).toEqual(['model.x', 'S: model.x is not a finite number']);
  });

  it('the shard index within its count, the count within the points', () => {
    expect(problem(doc({ id: 'a', points: 4, shard: { index: 3, count: 2 } }))).toBe('S: sweep.shard: index 3 is above its count 2');
    expect(thrown(() => checkSweepDocument(doc({ id: 'a', points: 4, shard: { index: 3, count: 2 } }), 'S')).option).toBe('sweep.shard');
    expect(problem(doc({ id: 'a', points: 2, shard: { index: 1, count: 3 } }))).toBe(
      "S: sweep.shard: count 3 is above the sweep's 2 points",
    );
    // a sweep of 0 points may still be one shard
    expect(problem(doc({ id: 'a', points: 0, shard: { index: 1, count: 2 } }, []))).toBe(
      "S: sweep.shard: count 2 is above the sweep's 0 points",
    );
  });

  it('no more rows than points, and every row index inside the plan', () => {
    expect(problem(doc({ id: 'a', points: 1 }, [row, { ...row, index: 0 }]))).toBe("S: holds 2 rows, more than the sweep's 1 points");
    expect(problem(doc({ id: 'a', points: 3 }, [row, { ...row, index: 3 }]))).toBe("S: rows[1].index 3 is outside the sweep's 3 points");
    expect(thrown(() => checkSweepDocument(doc({ id: 'a', points: 3 }, [{ ...row, index: 3 }]), 'S')).option).toBe('rows[0].index');
    expect(() => checkSweepDocument(doc({ id: 'a', points: 3 }, [{ ...row, index: 2 }]), 'S')).not.toThrow();
  });
});
