import {
  buildStackedGraph,
  defineTarget,
  type Fusion,
  fusionMembers,
  GraphBuilder,
  graphFromData,
  matchChains,
  type OpKind,
  PluginError,
  type Realization,
  resolveSystem,
  type TargetPlugin,
  type TensorSpec,
  tensor,
  UserError,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The Stacked Graph at its edges: the formats a device must compute in and
 * hold (KV-cache ops compute nothing; a stored format equal to the compute
 * format is fine where the device computes in it), why no device runs an op
 * (each device's reason: the kind, the format, or a decline), realizations
 * at their bounds (zero energy, no energy), fused candidates (each chain and
 * realization its own fusion id; members ride along at zero cost; chains of
 * one shape priced once; a member in a format the device lacks stops the
 * chain) and disjoint chain matching.
 */

function target(id: string, realize: TargetPlugin['realize'], over: Partial<TargetPlugin> = {}): TargetPlugin {
  return defineTarget({
    id,
    name: id,
    description: 'test target',
    dtypes: ['fp16'],
    opKinds: ['linear', 'add', 'softmax', 'kv_read', 'kv_write'],
    params: {},
    presets: { base: { description: 'base', source: 'test', values: {} } },
    defaultPreset: 'base',
    realize,
    staticPowerW: () => 0,
    ...over,
  });
}

const unit = (): Realization[] => [{ algorithm: 'k', latencyS: 1, energy: {} }];
const on = (...ts: TargetPlugin[]) =>
  resolveSystem(
    {
      id: 's',
      devices: ts.map((t) => ({ id: `d${t.id}`, target: t.id, count: 1 })),
      links: ts
        .slice(1)
        .map((t, i) => ({ id: `l${i}`, between: [`d${ts[0]?.id}`, `d${t.id}`], bandwidthBps: 1, latencyS: 0, energyPerByteJ: 0 })),
    },
    new Map(ts.map((t) => [t.id, t])),
  );

/** One op of `kind` with these tensors. */
function single(kind: OpKind, inputs: TensorSpec[], outputs: TensorSpec[], weights: TensorSpec[] = [], name = 'op') {
  const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
  b.add({ name, kind, layer: 0, inputs, outputs, weights });
  return graphFromData(b.build());
}

describe('formats a device must run', () => {
  it('a kv_write, like a kv_read, computes nothing: it needs only to hold the cache format', () => {
    const g = single('kv_write', [tensor([1, 4], 'fp8')], []);
    const holds = target('h', unit, { formats: () => ({ compute: ['fp16'], storage: ['fp8'] }) });
    expect(buildStackedGraph(g, on(holds)).candidates.get('0')).toHaveLength(1);
    const not = target('n', unit, { formats: () => ({ compute: ['fp16'], storage: ['fp16'] }) });
    expect(() => buildStackedGraph(g, on(not))).toThrow(
      "op 'op' (kv_write, fp8) is not supported by any device: dn (target n, preset base) holds fp8 in none of its formats (fp16)",
    );
    // as for any op, a device that computes in the format need not list it among those it holds
    const computes = target('c', unit, { formats: () => ({ compute: ['fp16', 'fp8'], storage: ['fp16'] }) });
    expect(buildStackedGraph(g, on(computes)).candidates.get('0')).toHaveLength(1);
  });

  it('an op in a format the device does not compute in is refused with the formats it does', () => {
    const g = single('add', [tensor([4], 'fp32')], [tensor([4], 'fp32')]);
    const t = target('c', unit, { formats: () => ({ compute: ['fp16', 'bf16'] }) });
    expect(() => buildStackedGraph(g, on(t))).toThrow(
      "op 'op' (add, fp32) is not supported by any device: dc (target c, preset base) computes in fp16, bf16, not fp32",
    );
  });

  it('a stored format that is the compute format needs no storage entry where the device computes in it', () => {
    const g = single('linear', [tensor([2, 4], 'fp16')], [tensor([2, 4], 'fp16')], [tensor([4, 4], 'fp16')]);
    const t = target('s', unit, { formats: () => ({ compute: ['fp16'], storage: ['int4'] }) });
    expect(buildStackedGraph(g, on(t)).candidates.get('0')).toHaveLength(1);
    // but a kv_read of fp16 computes nothing, so fp16 must be among what it holds
    const read = single('kv_read', [], [tensor([1, 4], 'fp16')]);
    expect(() => buildStackedGraph(read, on(target('r', unit, { formats: () => ({ compute: ['fp8'], storage: ['int4'] }) })))).toThrow(
      'dr (target r, preset base) holds fp16 in none of its formats (int4)',
    );
  });

  it('a linear, like a matmul, holds an operand read at another width; any other op does not', () => {
    const fp8 = tensor([2, 4], 'fp8');
    const x = tensor([2, 4], 'fp16');
    const t = target('t', unit, { formats: () => ({ compute: ['fp16', 'fp8'], storage: ['fp16'] }) });
    expect(() => buildStackedGraph(single('linear', [x, fp8], [x]), on(t))).toThrow(
      "op 'op' (linear, fp16, holding fp8) is not supported by any device: dt (target t, preset base) holds fp8 in none of its formats (fp16)",
    );
    expect(buildStackedGraph(single('add', [x, fp8], [x]), on(t)).candidates.get('0')).toHaveLength(1);
  });

  it('a stored format other than the compute format must be held, even where the device computes in it', () => {
    const g = single('linear', [tensor([2, 4], 'fp16')], [tensor([2, 4], 'fp16')], [tensor([4, 4], 'fp8'), tensor([4], 'int4')]);
    const t = target('t', unit, { formats: () => ({ compute: ['fp16', 'fp8', 'int4'], storage: ['fp16', 'bf16'] }) });
    expect(() => buildStackedGraph(g, on(t))).toThrow(
      "op 'op' (linear, fp16, holding fp8, int4) is not supported by any device: dt (target t, preset base) holds fp8, int4 in none of its formats (fp16, bf16)",
    );
  });

  it('an op with no tensors has no format to check, and is named as such when no device takes it', () => {
    const g = single('add', [], []);
    expect(buildStackedGraph(g, on(target('a', unit))).candidates.get('0')).toHaveLength(1);
    expect(() => buildStackedGraph(g, on(target('a', () => [])))).toThrow(
      "op 'op' (add, no dtype) is not supported by any device: da (target a, preset base) declines it; choose formats a device runs (--dtype, --weights, --kv-dtype) or add a device that runs it",
    );
  });

  it("gives each device's own reason, in the system's order", () => {
    const g = single('softmax', [tensor([4], 'fp16')], [tensor([4], 'fp16')]);
    const kinds = target('k', unit, { opKinds: ['linear'] });
    const fmt = target('f', unit, { formats: () => ({ compute: ['int8'] }) });
    const declines = target('d', () => []);
    expect(() => buildStackedGraph(g, on(kinds, fmt, declines))).toThrow(
      "op 'op' (softmax, fp16) is not supported by any device: dk (target k, preset base) runs no softmax ops; df (target f, preset base) computes in int8, not fp16; dd (target d, preset base) declines it;",
    );
    // one device that runs it is enough; the others add nothing
    const sg = buildStackedGraph(g, on(kinds, fmt, declines, target('y', unit)));
    expect(sg.candidates.get('0')?.map((c) => c.device)).toEqual(['dy']);
  });

  it('the realize of a device that cannot run an op is not called', () => {
    const g = single('add', [tensor([4], 'fp32')], [tensor([4], 'fp32')]);
    let calls = 0;
    const counting = target('c', () => {
      calls++;
      return unit();
    });
    expect(() => buildStackedGraph(g, on(counting))).toThrow(UserError);
    expect(calls).toBe(0);
  });
});

describe('realizations at their bounds', () => {
  const g = () => single('add', [tensor([4], 'fp16')], [tensor([4], 'fp16')]);

  it('a zero energy of a kind is kept; a realization without energy has none', () => {
    const sg = buildStackedGraph(g(), on(target('z', () => [{ algorithm: 'k', latencyS: 2, energy: { compute: 0, memory: 3 } }])));
    expect(sg.candidates.get('0')).toEqual([
      { device: 'dz', target: 'z', algorithm: 'k', latencyS: 2, energy: { compute: 0, memory: 3 }, energyJ: 3 },
    ]);
    const none = buildStackedGraph(g(), on(target('n', () => [{ algorithm: 'k', latencyS: 2 } as Realization])));
    expect(none.candidates.get('0')).toEqual([{ device: 'dn', target: 'n', algorithm: 'k', latencyS: 2, energy: {}, energyJ: 0 }]);
  });

  it('a candidate has a parts field only for parts above 1', () => {
    const sg = buildStackedGraph(
      g(),
      on(
        target('p', () => [
          { algorithm: 'one', latencyS: 1, energy: {}, parts: 1 },
          { algorithm: 'none', latencyS: 1, energy: {} },
          { algorithm: 'two', latencyS: 1, energy: {}, parts: 2 },
        ]),
      ),
    );
    expect(sg.candidates.get('0')?.map((c) => [c.algorithm, Object.hasOwn(c, 'parts')])).toEqual([
      ['one', false],
      ['none', false],
      ['two', true],
    ]);
  });

  it('the candidate owns a copy of the energy, not the realization object', () => {
    const energy = { compute: 1 };
    const sg = buildStackedGraph(g(), on(target('c', () => [{ algorithm: 'k', latencyS: 2, energy }])));
    energy.compute = 5;
    expect(sg.candidates.get('0')?.[0]?.energy).toEqual({ compute: 1 });
  });

  it.each<[string, () => unknown, string]>([
    [
      'a throw of null',
      () => {
        throw null;
      },
      "plugin 'b': realize() threw on op 'op': null",
    ],
    ['a realization that is a string', () => ['k'], "plugin 'b': realize() returned a malformed realization for op 'op'"],
    [
      'an algorithm that is no string',
      () => [{ algorithm: 1, latencyS: 1, energy: {} }],
      "plugin 'b': realize() returned a malformed realization",
    ],
    ['a latency that is no number', () => [{ algorithm: 'k', latencyS: '1', energy: {} }], "plugin 'b': returned latency 1 s for op 'op'"],
    [
      'a negative energy',
      () => [{ algorithm: 'k', latencyS: 1, energy: { buffer: -1e-12 } }],
      "plugin 'b': returned buffer energy -1e-12 J for op 'op'",
    ],
    [
      'an infinite energy',
      () => [{ algorithm: 'k', latencyS: 1, energy: { other: Number.POSITIVE_INFINITY } }],
      'returned other energy Infinity J',
    ],
    [
      'negative parts',
      () => [{ algorithm: 'k', latencyS: 1, energy: {}, parts: -2 }],
      "returned -2 parts for op 'op' (a positive integer)",
    ],
  ])('refuses %s', (_what, realize, msg) => {
    const sys = on(target('b', realize as TargetPlugin['realize']));
    expect(() => buildStackedGraph(g(), sys)).toThrow(PluginError);
    expect(() => buildStackedGraph(g(), sys)).toThrow(msg);
  });
});

describe('chains', () => {
  /** A line of ops of these kinds, each feeding the next. */
  function line(kinds: OpKind[], dtypes: ('fp16' | 'fp32')[] = []) {
    const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
    let prev: [string, TensorSpec] | undefined;
    kinds.forEach((kind, i) => {
      const x = tensor([2, 2], dtypes[i] ?? 'fp16');
      const id = b.add({ name: `${kind}${i}`, kind, layer: 0, inputs: [x], outputs: [x] }, prev ? [prev] : []);
      prev = [id, x];
    });
    return graphFromData(b.build());
  }
  const fusion = (chain: OpKind[], realize: Fusion['realize'] = () => []): Fusion => ({ id: 'f', description: 'f', chain, realize });

  it('a member of one match does not start another', () => {
    const ids = (chains: ReturnType<typeof matchChains>) => chains.map((c) => c.map((o) => o.id));
    expect(ids(matchChains(line(['add', 'add', 'add']), fusion(['add', 'add'])))).toEqual([['0', '1']]);
    expect(ids(matchChains(line(['add', 'add', 'add', 'add']), fusion(['add', 'add'])))).toEqual([
      ['0', '1'],
      ['2', '3'],
    ]);
  });

  it('every member must be of its kind in the chain, the first as well as the rest', () => {
    const ids = (chains: ReturnType<typeof matchChains>) => chains.map((c) => c.map((o) => o.id));
    expect(ids(matchChains(line(['softmax', 'add']), fusion(['linear', 'add'])))).toEqual([]);
    expect(ids(matchChains(line(['linear', 'softmax']), fusion(['linear', 'add'])))).toEqual([]);
    expect(ids(matchChains(line(['softmax', 'linear', 'add']), fusion(['linear', 'add'])))).toEqual([['1', '2']]);
  });

  it('an op already in a match is not taken as a later member', () => {
    // two linears feed one add: the first linear takes it
    const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
    const x = tensor([2, 2], 'fp16');
    const l0 = b.add({ name: 'l0', kind: 'linear', layer: 0, inputs: [x], outputs: [x] });
    const l1 = b.add({ name: 'l1', kind: 'linear', layer: 0, inputs: [x], outputs: [x] });
    b.add({ name: 'sum', kind: 'add', layer: 0, inputs: [x, x], outputs: [x] }, [
      [l0, x],
      [l1, x],
    ]);
    const chains = matchChains(graphFromData(b.build()), fusion(['linear', 'add']));
    expect(chains.map((c) => c.map((o) => o.name))).toEqual([['l0', 'sum']]);
  });

  const fusing = (realize: Fusion['realize']) =>
    target('f', unit, { fusions: [{ id: 'la', description: 'linear+add', chain: ['linear', 'add'], realize }] });

  it('each match and each realization is its own fusion; members ride along at zero cost with the head algorithm', () => {
    const g = line(['linear', 'add', 'linear', 'add']);
    const sg = buildStackedGraph(
      g,
      on(
        fusing(() => [
          { algorithm: 'fa', latencyS: 3, energy: { compute: 1 } },
          { algorithm: 'fb', latencyS: 4, energy: { memory: 2 }, parts: 2 },
        ]),
      ),
    );
    const members = fusionMembers(sg.candidates);
    expect([...members.values()]).toEqual([
      [
        ['0', 1],
        ['1', 1],
      ],
      [
        ['0', 2],
        ['1', 2],
      ],
      [
        ['2', 1],
        ['3', 1],
      ],
      [
        ['2', 2],
        ['3', 2],
      ],
    ]);
    const head = sg.candidates.get('0')?.[2];
    expect(head).toEqual({
      device: 'df',
      target: 'f',
      algorithm: 'fb',
      latencyS: 4,
      energy: { memory: 2 },
      energyJ: 2,
      parts: 2,
      fusion: { id: head?.fusion?.id, index: 0, size: 2 },
    });
    expect(sg.candidates.get('1')?.[2]).toEqual({
      device: 'df',
      target: 'f',
      algorithm: 'fb',
      latencyS: 0,
      energy: {},
      energyJ: 0,
      fusion: { id: head?.fusion?.id, index: 1, size: 2 },
    });
    // the per-op candidate stays first
    expect(sg.candidates.get('1')?.[0]).toEqual({ device: 'df', target: 'f', algorithm: 'k', latencyS: 1, energy: {}, energyJ: 0 });
  });

  it('chains of one shape are priced once, and each fusion hands realize the chain, its arithmetic and the params', () => {
    const seen: [string[], number[]][] = [];
    buildStackedGraph(
      line(['linear', 'add', 'linear', 'add']),
      on(
        fusing((ops, arith) => {
          seen.push([ops.map((o) => o.name), arith.map((a) => a.flops)]);
          return [{ algorithm: 'fa', latencyS: 1, energy: {} }];
        }),
      ),
    );
    expect(seen).toEqual([
      [
        ['linear0', 'add1'],
        [16, 4],
      ],
    ]);
  });

  it('chains of another shape, or of another fusion, are priced apart', () => {
    const b = new GraphBuilder({ id: 'g', family: 'g', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
    let prev: [string, TensorSpec] | undefined;
    for (const [i, n] of [2, 2, 3, 3].entries()) {
      const x = tensor([n, n], 'fp16');
      const id = b.add({ name: `op${i}`, kind: i % 2 ? 'add' : 'linear', layer: 0, inputs: [x], outputs: [x] }, prev ? [prev] : []);
      prev = [id, x];
    }
    const calls: string[] = [];
    const priced = (id: string): Fusion => ({
      id,
      description: id,
      chain: ['linear', 'add'],
      realize: (ops, arith) => {
        calls.push(`${id}:${ops[0]?.name}`);
        return [{ algorithm: id, latencyS: arith[0]?.flops ?? 0, energy: {} }];
      },
    });
    const sg = buildStackedGraph(graphFromData(b.build()), on(target('f', unit, { fusions: [priced('fa'), priced('fb')] })));
    expect(calls).toEqual(['fa:op0', 'fa:op2', 'fb:op0', 'fb:op2']);
    // each head carries the price of its own chain: an n x n by n x n linear is 2 n^3 FLOPs
    expect(sg.candidates.get('0')?.map((c) => [c.algorithm, c.latencyS])).toEqual([
      ['k', 1],
      ['fa', 2 * 2 ** 3],
      ['fb', 2 * 2 ** 3],
    ]);
    expect(sg.candidates.get('2')?.map((c) => [c.algorithm, c.latencyS])).toEqual([
      ['k', 1],
      ['fa', 2 * 3 ** 3],
      ['fb', 2 * 3 ** 3],
    ]);
  });

  it('a chain with a member in a format the device lacks is not fused', () => {
    const g = line(['linear', 'add'], ['fp16', 'fp32']);
    const t = target('f', unit, {
      formats: () => ({ compute: ['fp16', 'fp32'] }),
      fusions: [{ id: 'la', description: 'd', chain: ['linear', 'add'], realize: () => [{ algorithm: 'x', latencyS: 1, energy: {} }] }],
    });
    expect(fusionMembers(buildStackedGraph(g, on(t)).candidates).size).toBe(1);
    const narrow = target('n', unit, {
      formats: () => ({ compute: ['fp16'], storage: ['fp16'] }),
      opKinds: ['linear'],
      fusions: [{ id: 'la', description: 'd', chain: ['linear', 'add'], realize: () => [{ algorithm: 'x', latencyS: 1, energy: {} }] }],
    });
    const sg = buildStackedGraph(g, on(narrow, target('w', unit, { dtypes: ['fp16', 'fp32'] })));
    expect(fusionMembers(sg.candidates).size).toBe(0);
  });

  it('a fusion that declines offers nothing; one that returns no list, or a bad realization, is named', () => {
    const g = line(['linear', 'add']);
    expect(fusionMembers(buildStackedGraph(g, on(fusing(() => []))).candidates).size).toBe(0);
    expect(() => buildStackedGraph(g, on(fusing(() => ({}) as never)))).toThrow(
      "plugin 'f': fusion 'la' at op 'linear0': realize() must return an array",
    );
    expect(() => buildStackedGraph(g, on(fusing(() => [{ algorithm: 'x', latencyS: 1, energy: {}, parts: 0.5 }])))).toThrow(
      "plugin 'f': returned 0.5 parts for fusion 'la' at op 'linear0' (a positive integer)",
    );
    expect(() =>
      buildStackedGraph(
        g,
        on(
          fusing(() => {
            throw 'no';
          }),
        ),
      ),
    ).toThrow("plugin 'f': fusion 'la' at op 'linear0': realize() threw: no");
    expect(() =>
      buildStackedGraph(
        g,
        on(
          fusing(() => {
            throw null;
          }),
        ),
      ),
    ).toThrow(PluginError);
  });
});
