import {
  buildStackedGraph,
  checkParam,
  defineTarget,
  type Fusion,
  formatQuantity,
  fusionMembers,
  GraphBuilder,
  graphFromData,
  PluginError,
  paramRange,
  paramSource,
  parseQuantity,
  resolveSystem,
  type TargetPlugin,
  tensor,
  UserError,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

function fakeTarget(id: string, over: Partial<TargetPlugin> = {}): TargetPlugin {
  return defineTarget({
    id,
    name: id,
    description: 'test target',
    dtypes: ['fp16'],
    opKinds: ['linear', 'add'],
    params: { speed: { unit: 'FLOP/s', default: 1e9, description: 'speed', source: 'test' } },
    presets: {
      base: { description: 'base', source: 'test', values: {} },
      fast: { description: 'fast', source: 'test', values: { speed: 1e12 } },
    },
    defaultPreset: 'base',
    realize: (_op, a, p) => [{ algorithm: 'x', latencyS: a.flops / (p.speed as number), energy: { compute: a.flops * 1e-12 } }],
    staticPowerW: () => 1,
    ...over,
  });
}

const targets = new Map([
  ['a', fakeTarget('a')],
  ['b', fakeTarget('b')],
]);

const twoDevices = {
  id: 'two',
  devices: [
    { id: 'x', target: 'a', count: 2 },
    { id: 'y', target: 'b', count: 1, preset: 'fast' },
  ],
  links: [{ id: 'l', between: ['x', 'y'], bandwidthBps: 1e9, latencyS: 1e-6, energyPerByteJ: 1e-12 }],
};

function graph(kind: 'linear' | 'softmax' = 'linear') {
  const b = new GraphBuilder({ id: 't', family: 't', phase: 'prefill', seqLen: 2, batch: 1, dtype: 'fp16', layers: 1 });
  const x = tensor([2, 4], 'fp16');
  b.add({ name: 'first', kind, layer: 0, inputs: [x], outputs: [x], weights: kind === 'linear' ? [tensor([4, 4], 'fp16')] : [] });
  return graphFromData(b.build());
}

describe('units', () => {
  it.each([
    ['5ms', 's', 0.005],
    ['2.5J', 'J', 2.5],
    ['300mJ', 'J', 0.3],
    ['80GiB', 'B', 80 * 2 ** 30],
    ['12', 's', 12],
    ['1.5 us', 's', 1.5e-6],
  ])('parses %s', (text, unit, value) => {
    expect(parseQuantity(text, unit)).toBeCloseTo(value, 12);
  });

  it('rejects a quantity in the wrong unit', () => {
    expect(() => parseQuantity('5J', 's', '--latency-budget')).toThrow(/--latency-budget '5J' is not a quantity in s/);
  });

  it('formats with SI prefixes', () => {
    expect(formatQuantity(0.00243, 's')).toBe('2.43 ms');
    expect(formatQuantity(535e-3, 'J')).toBe('535 mJ');
  });
});

describe('system model', () => {
  it('resolves presets and the cheapest path, affine in bytes', () => {
    const s = resolveSystem(twoDevices, targets);
    expect(s.devices.map((d) => d.params.speed)).toEqual([1e9, 1e12]);
    const p = s.path('x', 'y');
    expect(p.links).toEqual(['l']);
    expect(p.fixedS + 1e6 * p.perByteS).toBeCloseTo(1e-6 + 1e-3, 12);
    expect(s.path('x', 'x').perByteS).toBe(0);
  });

  it.each([
    [{ ...twoDevices, devices: [{ id: 'x', target: 'a', count: 0 }] }, /devices\[0\]\.count: must be >= 1/],
    [{ ...twoDevices, devices: [{ id: 'x', target: 'nope', count: 1 }], links: [] }, /target 'nope' is not loaded \(loaded: a, b\)/],
    [
      { ...twoDevices, devices: [{ id: 'x', target: 'a', count: 1, preset: 'turbo' }], links: [] },
      /has no preset 'turbo' \(known: base, fast\)/,
    ],
    [{ ...twoDevices, devices: [{ id: 'x', target: 'a', count: 1, params: { speed: -1 } }], links: [] }, /parameter 'speed' must be > 0/],
    [
      { ...twoDevices, devices: [{ id: 'x', target: 'a', count: 1, params: { speed: 'fast' } }], links: [] },
      /parameter 'speed' must be a finite number/,
    ],
    [
      { ...twoDevices, devices: [{ id: 'x', target: 'a', count: 1, params: { sped: 1 } }], links: [] },
      /unknown parameter 'sped' \(known: speed\)/,
    ],
    [{ ...twoDevices, links: [] }, /devices 'x' and 'y' are not connected by any link/],
    [{ ...twoDevices, links: [{ ...twoDevices.links[0], between: ['x', 'z'] }] }, /links\[0\]\.between: no device 'z'/],
    [{ ...twoDevices, colour: 'red' }, /colour: unknown field/],
    [{ ...twoDevices, links: [{ ...twoDevices.links[0], bandwidthBps: 0 }] }, /links\[0\]\.bandwidthBps: must be > 0/],
  ])('rejects a bad system with one line naming the field (%#)', (spec, msg) => {
    expect(() => resolveSystem(spec, targets)).toThrow(UserError);
    expect(() => resolveSystem(spec, targets)).toThrow(msg);
  });
});

describe('stacked graph', () => {
  it('lists a candidate per capable device, with transfers', () => {
    const sg = buildStackedGraph(graph(), resolveSystem(twoDevices, targets));
    const c = sg.candidates.get('0') ?? [];
    expect(c.map((x) => x.device)).toEqual(['x', 'y']);
    expect(c[0]?.latencyS).toBeCloseTo((2 * 32) / 1e9, 15);
    expect(c[0]?.energyJ).toBeCloseTo(64e-12, 20);
    const tr = sg.transfer('x', 'y', 1000);
    expect(tr.latencyS).toBeCloseTo(1e-6 + 1000 / 1e9, 18);
    expect(tr.energyJ).toBeCloseTo(1000 * 1e-12, 20);
    expect(sg.transfer('y', 'y', 1000)).toEqual({ latencyS: 0, energyJ: 0 });
  });

  it('names an op no device supports and why each device cannot run it', () => {
    expect(() => buildStackedGraph(graph('softmax'), resolveSystem(twoDevices, targets))).toThrow(
      "op 'first' (softmax, fp16) is not supported by any device: x (target a, preset base) runs no softmax ops; y (target b, preset fast) runs no softmax ops",
    );
  });

  it('runs an op only where its compute format and its stored formats are supported (formats(params) or dtypes)', () => {
    const b = new GraphBuilder({ id: 't', family: 't', phase: 'prefill', seqLen: 2, batch: 1, dtype: 'fp16', layers: 1 });
    const x = tensor([2, 4], 'fp16');
    b.add({ name: 'q', kind: 'linear', layer: 0, inputs: [x], outputs: [x], weights: [tensor([4, 4], 'int4')] });
    const g = graphFromData(b.build());
    const int4 = fakeTarget('c', { formats: (p) => ({ compute: ['fp16'], storage: p.speed === 1e12 ? ['fp16', 'int4'] : ['fp16'] }) });
    const withInt4 = new Map([...targets, ['c', int4]]);
    const sys = (preset: string) => ({ id: 's', devices: [{ id: 'x', target: 'c', count: 1, preset }] });
    expect(buildStackedGraph(g, resolveSystem(sys('fast'), withInt4)).candidates.get('0')?.length).toBe(1);
    expect(() => buildStackedGraph(g, resolveSystem(sys('base'), withInt4))).toThrow(
      "op 'q' (linear, fp16, holding int4) is not supported by any device: x (target c, preset base) holds int4 in none of its formats (fp16)",
    );
    // without formats(), dtypes is both what it computes in and what it holds
    expect(() => buildStackedGraph(g, resolveSystem({ id: 's', devices: [{ id: 'x', target: 'a', count: 1 }] }, targets))).toThrow(
      /x \(target a, preset base\) holds int4 in none of its formats \(fp16\)/,
    );
  });

  it.each([
    [
      () => {
        throw new Error('boom');
      },
      /plugin 'bad': realize\(\) threw on op 'first': boom/,
    ],
    [() => [{ algorithm: 'x', latencyS: Number.NaN, energy: {} }], /plugin 'bad': returned latency NaN s for op 'first'/],
    [() => [{ algorithm: 'x', latencyS: 1, energy: { compute: -1 } }], /plugin 'bad': returned compute energy -1 J/],
  ])('catches and names a misbehaving target (%#)', (realize, msg) => {
    const bad = new Map([['bad', fakeTarget('bad', { realize })]]);
    const sys = resolveSystem({ id: 's', devices: [{ id: 'x', target: 'bad', count: 1 }] }, bad);
    expect(() => buildStackedGraph(graph(), sys)).toThrow(PluginError);
    expect(() => buildStackedGraph(graph(), sys)).toThrow(msg);
  });
});

describe('fused realizations', () => {
  /** x -> add -> linear -> add: one chain (linear, add) when the linear's only consumer is the add. */
  function chainGraph(extraConsumer: boolean) {
    const b = new GraphBuilder({ id: 't', family: 't', phase: 'prefill', seqLen: 2, batch: 1, dtype: 'fp16', layers: 1 });
    const x = tensor([2, 4], 'fp16');
    const a = b.add({ name: 'pre', kind: 'add', layer: 0, inputs: [x], outputs: [x] });
    const l = b.add({ name: 'mm', kind: 'linear', layer: 0, inputs: [x], outputs: [x], weights: [tensor([4, 4], 'fp16')] }, [[a, x]]);
    b.add({ name: 'post', kind: 'add', layer: 0, inputs: [x], outputs: [x] }, [[l, x]]);
    if (extraConsumer) b.add({ name: 'side', kind: 'add', layer: 0, inputs: [x], outputs: [x] }, [[l, x]]);
    return graphFromData(b.build());
  }
  const fusing = (realize: Fusion['realize']) =>
    new Map([['f', fakeTarget('f', { fusions: [{ id: 'mm-add', description: 'test', chain: ['linear', 'add'], realize }] })]]);
  const one = { id: 's', devices: [{ id: 'x', target: 'f', count: 1 }] };

  it('offers a fused candidate on every member of a matched chain; the first carries the cost', () => {
    const sg = buildStackedGraph(
      chainGraph(false),
      resolveSystem(
        one,
        fusing(() => [{ algorithm: 'fused', latencyS: 5, energy: { compute: 2 } }]),
      ),
    );
    const mm = sg.candidates.get('1') ?? [];
    const post = sg.candidates.get('2') ?? [];
    expect(sg.candidates.get('0')?.some((c) => c.fusion)).toBe(false);
    expect(mm[1]).toMatchObject({ algorithm: 'fused', latencyS: 5, energyJ: 2, fusion: { index: 0, size: 2 } });
    expect(post[1]).toMatchObject({ algorithm: 'fused', latencyS: 0, energyJ: 0, fusion: { id: mm[1]?.fusion?.id, index: 1, size: 2 } });
    expect([...fusionMembers(sg.candidates).values()]).toEqual([
      [
        ['1', 1],
        ['2', 1],
      ],
    ]);
  });

  it('does not fuse when an intermediate escapes to another consumer', () => {
    const sg = buildStackedGraph(
      chainGraph(true),
      resolveSystem(
        one,
        fusing(() => [{ algorithm: 'fused', latencyS: 5, energy: {} }]),
      ),
    );
    expect(fusionMembers(sg.candidates).size).toBe(0);
  });

  it('catches and names a misbehaving fusion', () => {
    const sys = (r: Fusion['realize']) => resolveSystem(one, fusing(r));
    expect(() =>
      buildStackedGraph(
        chainGraph(false),
        sys(() => {
          throw new Error('boom');
        }),
      ),
    ).toThrow(/plugin 'f': fusion 'mm-add' at op 'mm': realize\(\) threw: boom/);
    expect(() =>
      buildStackedGraph(
        chainGraph(false),
        sys(() => [{ algorithm: 'x', latencyS: Number.NaN, energy: {} }]),
      ),
    ).toThrow(/returned latency NaN s for fusion 'mm-add' at op 'mm'/);
  });
});

describe('defineTarget', () => {
  it('refuses a default preset it does not have', () => {
    expect(() => fakeTarget('z', { defaultPreset: 'missing' })).toThrow(/defaultPreset 'missing' is not one of its presets/);
  });

  it('refuses a preset source for a value the preset does not set', () => {
    const presets = { base: { description: 'base', source: 'test', sources: { speed: 'elsewhere' }, values: {} } };
    expect(() => fakeTarget('z', { presets })).toThrow(/preset 'base' gives a source for 'speed', which it does not set/);
  });
});

describe('paramSource', () => {
  const spec = { unit: 'FLOP/s', default: 1e9, description: 'speed', source: 'default source' };
  const preset = { description: 'p', source: 'preset source', sources: { speed: 'own figure' }, values: { speed: 2e9, other: 1 } };
  it('cites the override, then the preset (its per-value source first), then the parameter', () => {
    expect(paramSource('speed', spec, preset, { speed: 3e9 })).toBe('set in the system spec');
    expect(paramSource('speed', spec, preset, { speed: 3e9 }, 'set in system x')).toBe('set in system x');
    expect(paramSource('speed', spec, preset)).toBe('own figure');
    expect(paramSource('other', spec, preset)).toBe('preset source');
    expect(paramSource('unset', spec, preset)).toBe('default source');
    expect(paramSource('unset', spec, undefined)).toBe('default source');
  });
});

describe('parameter ranges and cross-checks', () => {
  const eff = { unit: '1', default: 0.2, max: 1, description: 'efficiency', source: 'test' };
  const dbm = { unit: 'dBm', default: -25, min: -100, max: 30, description: 'sensitivity', source: 'test' };
  it('checks a value against min and max, naming the parameter and its range', () => {
    expect(checkParam('eff', eff, 0.5)).toBeNull();
    expect(checkParam('eff', eff, 1)).toBeNull();
    expect(checkParam('eff', eff, 1.5)).toBe("parameter 'eff' must be > 0 and <= 1 (got 1.5)");
    expect(checkParam('eff', eff, 0)).toBe("parameter 'eff' must be > 0 and <= 1 (got 0)");
    expect(checkParam('dbm', dbm, -25)).toBeNull();
    expect(checkParam('dbm', dbm, -120)).toBe("parameter 'dbm' must be >= -100 and <= 30 dBm (got -120)");
    expect(paramRange({ unit: 'dB', default: 1, allowZero: true, description: 'loss', source: 'test' })).toBe('>= 0 dB');
  });

  it("runs a target's validate after single values, as a one-line UserError naming the device", () => {
    const t = fakeTarget('c', {
      params: {
        speed: { unit: 'FLOP/s', default: 1e9, description: 'speed', source: 'test' },
        buffer: { unit: 'B', default: 100, description: 'buffer', source: 'test' },
      },
      validate: (p) => ((p.buffer as number) < 64 ? `parameter 'buffer' must be >= 64 B (got ${p.buffer})` : null),
    });
    const spec = { id: 's', devices: [{ id: 'x', target: 'c', count: 1, params: { buffer: 10 } }] };
    const run = () => resolveSystem(spec, new Map([['c', t]]), 'sys.json');
    expect(run).toThrow(UserError);
    expect(run).toThrow("sys.json: devices[0] ('x'): target 'c': parameter 'buffer' must be >= 64 B (got 10)");
    expect(
      resolveSystem({ ...spec, devices: [{ ...spec.devices[0], params: { buffer: 64 } }] }, new Map([['c', t]])).devices[0]?.params.buffer,
    ).toBe(64);
  });
});
