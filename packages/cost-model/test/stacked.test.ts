import {
  buildStackedGraph,
  defineTarget,
  deviceFormats,
  GraphBuilder,
  graphFromData,
  matchChains,
  type OpNode,
  opDtype,
  PluginError,
  type Realization,
  resolveSystem,
  storedDtypes,
  type TargetPlugin,
  tensor,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * Building the Stacked Graph: what a target's answers must be before they
 * become candidates (each bad answer named), ops with one shape priced once,
 * the formats an op computes in and holds, chains matched disjointly, and the
 * transfer over a route of several links.
 */

function target(id: string, realize: TargetPlugin['realize'], over: Partial<TargetPlugin> = {}): TargetPlugin {
  return defineTarget({
    id,
    name: id,
    description: 'test target',
    dtypes: ['fp16'],
    opKinds: ['linear', 'add', 'softmax'],
    params: {},
    presets: { base: { description: 'base', source: 'test', values: {} } },
    defaultPreset: 'base',
    realize,
    staticPowerW: () => 0,
    ...over,
  });
}

const one = (realize: TargetPlugin['realize']) =>
  resolveSystem({ id: 's', devices: [{ id: 'x', target: 't', count: 1 }] }, new Map([['t', target('t', realize)]]));

/** Three linear layers of one shape and an add of another. */
function layers() {
  const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'prefill', seqLen: 2, batch: 1, dtype: 'fp16', layers: 3 });
  const x = tensor([2, 8], 'fp16');
  let prev: string | undefined;
  for (const name of ['l0', 'l1', 'l2']) {
    prev = b.add({ name, kind: 'linear', layer: 0, inputs: [x], outputs: [x], weights: [tensor([8, 8], 'fp16')] }, prev ? [[prev, x]] : []);
  }
  b.add({ name: 'sum', kind: 'add', layer: 0, inputs: [x, x], outputs: [x] }, [[prev as string, x]]);
  return graphFromData(b.build());
}

describe('what a target answers', () => {
  it('ops of one shape are priced once; each candidate carries its device, target, algorithm, energy and the sum of it', () => {
    let calls = 0;
    const sg = buildStackedGraph(
      layers(),
      one((_op, a) => {
        calls++;
        return [{ algorithm: 'k', latencyS: a.macs * 1e-12, energy: { compute: a.flops * 1e-12, memory: 2e-12 } }];
      }),
    );
    expect(calls).toBe(2);
    expect(sg.candidates.get('0')).toEqual([
      { device: 'x', target: 't', algorithm: 'k', latencyS: 2 * 64 * 1e-12, energy: { compute: 256e-12, memory: 2e-12 }, energyJ: 258e-12 },
    ]);
    expect(sg.candidates.get('1')).toBe(sg.candidates.get('0'));
    expect(sg.devices).toEqual([{ id: 'x', target: 't', count: 1, staticPowerW: 0 }]);
    expect(sg.links).toEqual([]);
    expect(sg.route('x', 'x')).toEqual([]);
  });

  it('keeps parts above 1 and drops parts of 1; offers several realizations of one op', () => {
    const sg = buildStackedGraph(
      layers(),
      one(() => [
        { algorithm: 'whole', latencyS: 1, energy: {}, parts: 1 },
        { algorithm: 'split', latencyS: 1, energy: {}, parts: 4 },
      ]),
    );
    expect(sg.candidates.get('0')?.map((c) => [c.algorithm, c.parts, c.energyJ])).toEqual([
      ['whole', undefined, 0],
      ['split', 4, 0],
    ]);
  });

  it.each<[string, TargetPlugin['realize'], RegExp]>([
    ['no array', () => ({}) as never, /plugin 't': realize\(\) must return an array for op 'l0'/],
    ['a malformed realization', () => [null as never], /plugin 't': realize\(\) returned a malformed realization for op 'l0'/],
    ['no algorithm', () => [{ latencyS: 1, energy: {} } as never], /malformed realization for op 'l0'/],
    ['a negative latency', () => [{ algorithm: 'k', latencyS: -1, energy: {} }], /plugin 't': returned latency -1 s for op 'l0'/],
    ['an infinite latency', () => [{ algorithm: 'k', latencyS: Number.POSITIVE_INFINITY, energy: {} }], /returned latency Infinity s/],
    ['a NaN energy', () => [{ algorithm: 'k', latencyS: 1, energy: { memory: Number.NaN } }], /returned memory energy NaN J for op 'l0'/],
    [
      'fractional parts',
      () => [{ algorithm: 'k', latencyS: 1, energy: {}, parts: 1.5 }],
      /returned 1.5 parts for op 'l0' \(a positive integer\)/,
    ],
    ['zero parts', () => [{ algorithm: 'k', latencyS: 1, energy: {}, parts: 0 }], /returned 0 parts/],
    [
      'a throw that is no Error',
      () => {
        throw 'kaput';
      },
      /realize\(\) threw on op 'l0': kaput/,
    ],
  ])('refuses %s, naming the plugin and the op', (_what, realize, msg) => {
    expect(() => buildStackedGraph(layers(), one(realize))).toThrow(PluginError);
    expect(() => buildStackedGraph(layers(), one(realize))).toThrow(msg);
  });

  it('a zero latency and no energy are fine (a free op)', () => {
    const sg = buildStackedGraph(
      layers(),
      one(() => [{ algorithm: 'free', latencyS: 0, energy: {} } satisfies Realization]),
    );
    expect(sg.candidates.get('3')?.[0]).toMatchObject({ latencyS: 0, energyJ: 0 });
  });
});

describe('formats', () => {
  const t16 = (...s: number[]) => tensor(s, 'fp16');
  const op = (kind: OpNode['kind'], inputs: OpNode['inputs'], outputs: OpNode['outputs'], weights: OpNode['weights'] = []): OpNode => ({
    id: 'o',
    name: 'o',
    kind,
    layer: 0,
    attrs: {},
    inputs,
    outputs,
    weights,
  });

  it('an op computes in its output format, else its first input, else its weights; nothing without tensors', () => {
    expect(opDtype(op('add', [tensor([2], 'fp32')], [t16(2)]))).toBe('fp16');
    expect(opDtype(op('add', [tensor([2], 'fp32')], []))).toBe('fp32');
    expect(opDtype(op('add', [], [], [tensor([2], 'int8')]))).toBe('int8');
    expect(opDtype(op('add', [], []))).toBeUndefined();
  });

  it('it holds its weights, the KV cache it reads or writes, and product operands stored at another width', () => {
    expect(storedDtypes(op('linear', [t16(2, 4)], [t16(2, 4)], [tensor([4, 4], 'int4')]))).toEqual(['int4']);
    expect(storedDtypes(op('kv_read', [], [tensor([2, 4], 'fp8')]))).toEqual(['fp8']);
    expect(storedDtypes(op('kv_write', [tensor([2, 4], 'fp8')], []))).toEqual(['fp8']);
    expect(storedDtypes(op('matmul', [t16(2, 4), tensor([4, 2], 'fp8')], [t16(2, 2)]))).toEqual(['fp8']);
    expect(storedDtypes(op('add', [t16(2), tensor([2], 'fp8')], [t16(2)]))).toEqual([]);
    expect(storedDtypes(op('matmul', [t16(2, 4), t16(4, 2)], [t16(2, 2)]))).toEqual([]);
  });

  it('a device computes and holds what formats() says, else its dtypes; storage defaults to what it computes', () => {
    const plain = target('p', () => []);
    expect(deviceFormats({ target: plain, params: {} })).toEqual({ compute: ['fp16'], storage: ['fp16'] });
    const computeOnly = target('c', () => [], { formats: () => ({ compute: ['fp16', 'fp8'] }) });
    expect(deviceFormats({ target: computeOnly, params: {} })).toEqual({ compute: ['fp16', 'fp8'], storage: ['fp16', 'fp8'] });
    const both = target('b', () => [], { formats: () => ({ compute: ['fp16'], storage: ['fp16', 'int4'] }) });
    expect(deviceFormats({ target: both, params: {} })).toEqual({ compute: ['fp16'], storage: ['fp16', 'int4'] });
  });

  it('KV-cache ops run on a device whatever format it computes in, as long as it holds the cache format', () => {
    const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
    b.add({ name: 'read', kind: 'kv_read', layer: 0, inputs: [], outputs: [tensor([1, 4], 'fp32')] });
    const g = graphFromData(b.build());
    const holds = target('h', () => [{ algorithm: 'k', latencyS: 1, energy: {} }], {
      opKinds: ['kv_read'],
      formats: () => ({ compute: ['fp16'], storage: ['fp16', 'fp32'] }),
    });
    const sys = resolveSystem({ id: 's', devices: [{ id: 'x', target: 'h', count: 1 }] }, new Map([['h', holds]]));
    expect(buildStackedGraph(g, sys).candidates.get('0')).toHaveLength(1);
  });
});

describe('chains and routes', () => {
  it('matches chains disjointly, from the first op of the first kind, each member but the last with one consumer', () => {
    const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
    const x = tensor([2, 2], 'fp16');
    // l -> a -> l -> a -> l (the last l has no add after it)
    let prev: string | undefined;
    for (const kind of ['linear', 'add', 'linear', 'add', 'linear'] as const) {
      prev = b.add({ name: `${kind}${prev ?? ''}`, kind, layer: 0, inputs: [x], outputs: [x] }, prev ? [[prev, x]] : []);
    }
    const g = graphFromData(b.build());
    const chains = matchChains(g, { id: 'f', description: 'f', chain: ['linear', 'add'], realize: () => [] });
    expect(chains.map((c) => c.map((o) => o.id))).toEqual([
      ['0', '1'],
      ['2', '3'],
    ]);
    expect(
      matchChains(g, { id: 'f', description: 'f', chain: ['add', 'linear', 'add'], realize: () => [] }).map((c) => c.map((o) => o.id)),
    ).toEqual([['1', '2', '3']]);
  });

  it('a transfer over several links costs the sum of their delays, times per byte and energies per byte; the route names them', () => {
    const t = target('t', () => [{ algorithm: 'k', latencyS: 1, energy: {} }]);
    const sys = resolveSystem(
      {
        id: 'line',
        devices: [
          { id: 'a', target: 't', count: 1 },
          { id: 'b', target: 't', count: 1 },
          { id: 'c', target: 't', count: 1 },
        ],
        links: [
          { id: 'ab', between: ['a', 'b'], bandwidthBps: 1e9, latencyS: 1e-6, energyPerByteJ: 1e-12 },
          { id: 'bc', between: ['b', 'c'], bandwidthBps: 4e9, latencyS: 2e-6, energyPerByteJ: 3e-12 },
        ],
      },
      new Map([['t', t]]),
    );
    const sg = buildStackedGraph(layers(), sys);
    expect(sg.links).toEqual(['ab', 'bc']);
    expect(sg.route('a', 'c')).toEqual(['ab', 'bc']);
    expect(sg.route('c', 'b')).toEqual(['bc']);
    const tr = sg.transfer('a', 'c', 1e6);
    expect(tr.latencyS).toBeCloseTo(1e-6 + 2e-6 + 1e6 / 1e9 + 1e6 / 4e9, 15);
    expect(tr.energyJ).toBeCloseTo(1e6 * (1e-12 + 3e-12), 18);
    expect(sg.transfer('a', 'c', 0)).toEqual({ latencyS: 0, energyJ: 0 });
    expect(sg.devices.map((d) => d.id)).toEqual(['a', 'b', 'c']);
  });
});
