import {
  defineTarget,
  type LinkSpec,
  resolveSystem,
  SYSTEM_LIMITS,
  SYSTEM_SCHEMA,
  type TargetPlugin,
  UserError,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * A system file: what its schema refuses at each level (one line naming the
 * field), the checks across fields (ids unique, memories and links naming
 * devices, links joining two), each device's parameters and static power,
 * and the path between every pair of device classes: Dijkstra over links
 * weighted by latency + 1 MB / bandwidth, its cost the sums over its links
 * (fixed = sum latency, per byte = sum 1/bandwidth, energy per byte = sum).
 */

function target(id: string, over: Partial<TargetPlugin> = {}): TargetPlugin {
  return defineTarget({
    id,
    name: id,
    description: 'test target',
    dtypes: ['fp16'],
    opKinds: ['linear'],
    params: { watts: { unit: 'W', default: 2, allowZero: true, description: 'static power', source: 'test' } },
    presets: {
      base: { description: 'base', source: 'test', values: {} },
      hot: { description: 'hot', source: 'test', values: { watts: 7 } },
    },
    defaultPreset: 'base',
    realize: () => [],
    staticPowerW: (p) => p.watts as number,
    ...over,
  });
}

const targets = new Map([['t', target('t')]]);
const dev = { id: 'x', target: 't', count: 1 };
const two = [dev, { ...dev, id: 'y' }];
const link = { id: 'l', between: ['x', 'y'], bandwidthBps: 1e9, latencyS: 0, energyPerByteJ: 0 };
const mem = { id: 'm', kind: 'hbm', capacityBytes: 1, bandwidthBps: 1, energyPerByteJ: 0, attachedTo: ['x'] };
const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

describe('the system schema, level by level', () => {
  it('is a JSON Schema of draft 2020-12', () => {
    expect(SYSTEM_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it.each<[string, unknown, string]>([
    ['not an object', 5, '(root): must be an object (got 5)'],
    ['no id', { devices: [dev] }, 'id: is missing'],
    ['no devices', { id: 's' }, 'devices: is missing'],
    ['an id that is no string', { id: 5, devices: [dev] }, 'id: must be a string (got 5)'],
    ['an id starting with a digit', { id: '1x', devices: [dev] }, 'id: "1x" does not match ^[A-Za-z][A-Za-z0-9_.-]*$'],
    ['an id with a space', { id: 'a b', devices: [dev] }, 'id: "a b" does not match ^[A-Za-z][A-Za-z0-9_.-]*$'],
    ['an id ending in a bad character', { id: 'ab!', devices: [dev] }, 'id: "ab!" does not match ^[A-Za-z][A-Za-z0-9_.-]*$'],
    ['a description that is no string', { id: 's', description: 3, devices: [dev] }, 'description: must be a string (got 3)'],
    [
      'an unknown field',
      { id: 's', devices: [dev], colour: 1 },
      'colour: unknown field (known: id, description, devices, memories, links)',
    ],
    ['devices that are no list', { id: 's', devices: {} }, 'devices: must be an array (got {})'],
    ['no devices in the list', { id: 's', devices: [] }, 'devices: needs at least 1 item(s)'],
    ['65 device classes', { id: 's', devices: many(65, (i) => ({ ...dev, id: `d${i}` })) }, 'devices: allows at most 64 item(s)'],
  ])('top level: refuses %s', (_what, raw, msg) => {
    expect(() => resolveSystem(raw, targets, 'sys')).toThrow(UserError);
    expect(() => resolveSystem(raw, targets, 'sys')).toThrow(`sys: ${msg}`);
  });

  it.each<[string, unknown, string]>([
    ['no object', 5, 'devices[0]: must be an object (got 5)'],
    ['no id', { target: 't', count: 1 }, 'devices[0].id: is missing'],
    ['no target', { id: 'x', count: 1 }, 'devices[0].target: is missing'],
    ['no count', { id: 'x', target: 't' }, 'devices[0].count: is missing'],
    ['a bad id', { ...dev, id: 'é' }, 'devices[0].id: "é" does not match ^[A-Za-z][A-Za-z0-9_.-]*$'],
    ['a target that is no string', { ...dev, target: 5 }, 'devices[0].target: must be a string (got 5)'],
    ['an empty target', { ...dev, target: '' }, 'devices[0].target: must not be empty'],
    ['a count of 0', { ...dev, count: 0 }, 'devices[0].count: must be >= 1 (got 0)'],
    ['a fractional count', { ...dev, count: 1.5 }, 'devices[0].count: must be an integer (got 1.5)'],
    ['a count over the limit', { ...dev, count: 1025 }, 'devices[0].count: must be <= 1024 (got 1025)'],
    ['a preset that is no string', { ...dev, preset: 5 }, 'devices[0].preset: must be a string (got 5)'],
    ['an empty preset', { ...dev, preset: '' }, 'devices[0].preset: must not be empty'],
    ['params that are no object', { ...dev, params: 5 }, 'devices[0].params: must be an object (got 5)'],
    ['a param neither number nor string', { ...dev, params: { a: true } }, 'devices[0].params.a: must be a number or a string (got true)'],
    ['an unknown field', { ...dev, extra: 1 }, 'devices[0].extra: unknown field (known: id, target, count, preset, params)'],
  ])('a device: refuses %s', (_what, device, msg) => {
    expect(() => resolveSystem({ id: 's', devices: [device] }, targets, 'sys')).toThrow(`sys: ${msg}`);
  });

  it('a device count may be 1 and 1024, the limit', () => {
    expect(SYSTEM_LIMITS).toEqual({ deviceCount: 1024, devices: 64, memories: 64, links: 2048 });
    expect(resolveSystem({ id: 's', devices: [{ ...dev, count: 1024 }] }, targets).devices[0]?.count).toBe(1024);
    const chain = many(63, (i) => ({ ...link, id: `l${i}`, between: [`d${i}`, `d${i + 1}`] }));
    expect(resolveSystem({ id: 's', devices: many(64, (i) => ({ ...dev, id: `d${i}` })), links: chain }, targets).devices).toHaveLength(64);
  });

  it.each<[string, unknown, string]>([
    ['memories that are no list', {}, 'memories: must be an array (got {})'],
    ['no object', [5], 'memories[0]: must be an object (got 5)'],
    ['no kind', [{ id: 'm' }], 'memories[0].kind: is missing'],
    ...(['id', 'kind', 'capacityBytes', 'bandwidthBps', 'energyPerByteJ', 'attachedTo'] as const).map(
      (field): [string, unknown, string] => {
        const { [field]: _gone, ...rest } = mem;
        return [`no ${field}`, [rest], `memories[0].${field}: is missing`];
      },
    ),
    ['a bad id', [{ ...mem, id: '9' }], 'memories[0].id: "9" does not match ^[A-Za-z][A-Za-z0-9_.-]*$'],
    ['an unknown kind', [{ ...mem, kind: 'flash' }], 'memories[0].kind: must be one of "hbm", "dram", "sram" (got "flash")'],
    ['a capacity of 0', [{ ...mem, capacityBytes: 0 }], 'memories[0].capacityBytes: must be > 0 (got 0)'],
    ['a capacity that is no number', [{ ...mem, capacityBytes: '1' }], 'memories[0].capacityBytes: must be a number (got "1")'],
    ['a bandwidth of 0', [{ ...mem, bandwidthBps: 0 }], 'memories[0].bandwidthBps: must be > 0 (got 0)'],
    ['a negative energy', [{ ...mem, energyPerByteJ: -1 }], 'memories[0].energyPerByteJ: must be >= 0 (got -1)'],
    ['an energy that is no number', [{ ...mem, energyPerByteJ: '0' }], 'memories[0].energyPerByteJ: must be a number (got "0")'],
    ['attached to nothing', [{ ...mem, attachedTo: [] }], 'memories[0].attachedTo: needs at least 1 item(s)'],
    ['attached to a number', [{ ...mem, attachedTo: [3] }], 'memories[0].attachedTo[0]: must be a string (got 3)'],
    ['attached to no list', [{ ...mem, attachedTo: 'x' }], 'memories[0].attachedTo: must be an array (got "x")'],
    [
      'an unknown field',
      [{ ...mem, extra: 1 }],
      'memories[0].extra: unknown field (known: id, kind, capacityBytes, bandwidthBps, energyPerByteJ, attachedTo)',
    ],
    ['65 memories', many(65, () => mem), 'memories: allows at most 64 item(s)'],
    ['a device it does not have', [{ ...mem, attachedTo: ['x', 'y'] }], "memories[0].attachedTo: no device 'y' (devices: x)"],
  ])('a memory: refuses %s', (_what, memories, msg) => {
    expect(() => resolveSystem({ id: 's', devices: [dev], memories }, targets, 'sys')).toThrow(`sys: ${msg}`);
  });

  it('a memory attached to a device the system lacks is named with all the devices it has', () => {
    expect(() =>
      resolveSystem({ id: 's', devices: two, links: [link], memories: [mem, { ...mem, attachedTo: ['z'] }] }, targets, 'sys'),
    ).toThrow("sys: memories[1].attachedTo: no device 'z' (devices: x, y)");
  });

  it('takes every memory kind, a zero energy, and 64 memories', () => {
    for (const kind of ['hbm', 'dram', 'sram']) {
      expect(resolveSystem({ id: 's', devices: [dev], memories: [{ ...mem, kind }] }, targets).spec.memories?.[0]?.kind).toBe(kind);
    }
    expect(resolveSystem({ id: 's', devices: [dev], memories: many(64, () => mem) }, targets).spec.memories).toHaveLength(64);
  });

  it.each<[string, unknown, string]>([
    ['links that are no list', {}, 'links: must be an array (got {})'],
    ['no object', [5], 'links[0]: must be an object (got 5)'],
    ...(['id', 'between', 'bandwidthBps', 'latencyS', 'energyPerByteJ'] as const).map((field): [string, unknown, string] => {
      const { [field]: _gone, ...rest } = link;
      return [`no ${field}`, [rest], `links[0].${field}: is missing`];
    }),
    ['a bad id', [{ ...link, id: '_' }], 'links[0].id: "_" does not match ^[A-Za-z][A-Za-z0-9_.-]*$'],
    ['one end', [{ ...link, between: ['x'] }], 'links[0].between: needs at least 2 item(s)'],
    ['three ends', [{ ...link, between: ['x', 'y', 'x'] }], 'links[0].between: allows at most 2 item(s)'],
    ['an end that is no string', [{ ...link, between: ['x', 1] }], 'links[0].between[1]: must be a string (got 1)'],
    ['ends that are no list', [{ ...link, between: 'xy' }], 'links[0].between: must be an array (got "xy")'],
    ['a bandwidth of 0', [{ ...link, bandwidthBps: 0 }], 'links[0].bandwidthBps: must be > 0 (got 0)'],
    ['a negative latency', [{ ...link, latencyS: -1 }], 'links[0].latencyS: must be >= 0 (got -1)'],
    ['a latency that is no number', [{ ...link, latencyS: '0' }], 'links[0].latencyS: must be a number (got "0")'],
    ['a negative energy', [{ ...link, energyPerByteJ: -1 }], 'links[0].energyPerByteJ: must be >= 0 (got -1)'],
    ['a bandwidth that is no number', [{ ...link, bandwidthBps: '1' }], 'links[0].bandwidthBps: must be a number (got "1")'],
    ['a source that is no string', [{ ...link, source: 1 }], 'links[0].source: must be a string (got 1)'],
    [
      'an unknown field',
      [{ ...link, extra: 1 }],
      'links[0].extra: unknown field (known: id, between, bandwidthBps, latencyS, energyPerByteJ, source)',
    ],
    ['2049 links', many(2049, (i) => ({ ...link, id: `l${i}` })), 'links: allows at most 2048 item(s)'],
    ['a link id twice', [link, link], "link id 'l' appears twice"],
    ['a device it does not have', [{ ...link, between: ['z', 'y'] }], "links[0].between: no device 'z' (devices: x, y)"],
    ['a link from a device to itself', [{ ...link, between: ['x', 'x'] }], 'links[0].between: a link joins two different devices'],
  ])('a link: refuses %s', (_what, links, msg) => {
    expect(() => resolveSystem({ id: 's', devices: two, links }, targets, 'sys')).toThrow(`sys: ${msg}`);
  });

  it('takes a link with a source, zero latency and energy, and 2048 links', () => {
    const s = resolveSystem({ id: 's', devices: two, links: [{ ...link, source: 'datasheet' }] }, targets);
    expect(s.spec.links?.[0]?.source).toBe('datasheet');
    expect(s.path('x', 'y')).toEqual({ links: ['l'], fixedS: 0, perByteS: 1e-9, perByteJ: 0 });
    expect(resolveSystem({ id: 's', devices: two, links: many(2048, (i) => ({ ...link, id: `l${i}` })) }, targets).spec.links).toHaveLength(
      2048,
    );
  });

  it('ids may hold letters, digits, _ . and - after a first letter', () => {
    expect(resolveSystem({ id: 'a-b_c.D9', devices: [{ ...dev, id: 'Zz.9-_' }] }, targets).devices[0]?.id).toBe('Zz.9-_');
  });
});

describe('checks across fields', () => {
  it('names a device id given twice', () => {
    expect(() => resolveSystem({ id: 's', devices: [dev, { ...dev }] }, targets, 'sys')).toThrow("sys: device id 'x' appears twice");
  });

  it('names a target that is not loaded, with those that are, or none', () => {
    const raw = { id: 's', devices: [dev, { ...dev, id: 'y', target: 'gpu' }], links: [link] };
    expect(() => resolveSystem(raw, targets, 'sys')).toThrow(
      "sys: devices[1].target: target 'gpu' is not loaded (loaded: t); add its plugin with --plugin or lightcode.config.json",
    );
    expect(() => resolveSystem(raw, new Map(), 'sys')).toThrow("sys: devices[0].target: target 't' is not loaded (loaded: none)");
  });

  it('calls it "system" unless told its source', () => {
    expect(() => resolveSystem({ id: 's', devices: [] }, targets)).toThrow('system: devices: needs at least 1 item(s)');
    expect(() => resolveSystem({ id: 's', devices: [dev, dev] }, targets)).toThrow("system: device id 'x' appears twice");
  });

  it("resolves each device's preset (the target's default unless named) and params, and its static power from them", () => {
    const s = resolveSystem(
      {
        id: 's',
        devices: [dev, { ...dev, id: 'y', preset: 'hot' }, { ...dev, id: 'z', params: { watts: 0 } }],
        links: [
          { ...link, id: 'a' },
          { ...link, id: 'b', between: ['y', 'z'] },
        ],
      },
      targets,
    );
    expect(s.devices.map((d) => [d.id, d.preset, d.params.watts, d.staticPowerW, d.count, d.target.id])).toEqual([
      ['x', 'base', 2, 2, 1, 't'],
      ['y', 'hot', 7, 7, 1, 't'],
      ['z', 'base', 0, 0, 1, 't'],
    ]);
  });

  it('a parameter problem names the device by index and id', () => {
    expect(() => resolveSystem({ id: 's', devices: [{ ...dev, params: { watts: -1 } }] }, targets, 'sys')).toThrow(
      "sys: devices[0] ('x'): target 't': parameter 'watts' must be >= 0 W (got -1)",
    );
  });

  it("calls a target's validate as its method, and lets an error that is no UserError through as it is", () => {
    const self = target('v', {
      validate(this: TargetPlugin, p) {
        return (p.watts as number) > 5 ? `parameter 'watts' of ${this.id} must be <= 5 W` : null;
      },
    });
    const ts = new Map([['v', self]]);
    expect(() => resolveSystem({ id: 's', devices: [{ ...dev, target: 'v', preset: 'hot' }] }, ts, 'sys')).toThrow(
      "sys: devices[0] ('x'): target 'v': parameter 'watts' of v must be <= 5 W",
    );
    const crash = target('c', {
      validate: () => {
        throw new RangeError('kaput');
      },
    });
    const run = () => resolveSystem({ id: 's', devices: [{ ...dev, target: 'c' }] }, new Map([['c', crash]]), 'sys');
    expect(run).toThrow(RangeError);
    expect(run).toThrow(/^kaput$/);
  });

  it.each([
    [-1, 'returned static power -1 W'],
    [Number.NaN, 'returned static power NaN W'],
    [Number.POSITIVE_INFINITY, 'returned static power Infinity W'],
  ])('refuses a static power of %d, naming the device and target', (w, msg) => {
    const ts = new Map([['p', target('p', { staticPowerW: () => w })]]);
    expect(() => resolveSystem({ id: 's', devices: [{ ...dev, target: 'p' }] }, ts, 'sys')).toThrow(`sys: devices[0]: target 'p' ${msg}`);
  });
});

describe('paths: Dijkstra over latency + 1 MB / bandwidth; cost = sums over the links', () => {
  const three = [dev, { ...dev, id: 'y' }, { ...dev, id: 'z' }];
  const sys = (links: LinkSpec[]) => resolveSystem({ id: 's', devices: three, links }, targets, 'sys');
  const l = (id: string, a: string, b: string, latencyS: number, bandwidthBps: number, energyPerByteJ = 0): LinkSpec => ({
    id,
    between: [a, b],
    bandwidthBps,
    latencyS,
    energyPerByteJ,
  });

  it('the path from a device to itself is free and crosses no link', () => {
    expect(sys([l('a', 'x', 'y', 1, 1), l('b', 'y', 'z', 1, 1)]).path('y', 'y')).toEqual({
      links: [],
      fixedS: 0,
      perByteS: 0,
      perByteJ: 0,
    });
  });

  it('two hops: fixed = l1 + l2, per byte = 1/b1 + 1/b2, energy per byte = e1 + e2, in both directions', () => {
    const s = sys([l('xy', 'x', 'y', 1e-6, 1e9, 1e-12), l('zy', 'z', 'y', 3e-6, 4e9, 5e-12)]);
    const p = s.path('x', 'z');
    expect(p.links).toEqual(['xy', 'zy']);
    expect(p.fixedS).toBeCloseTo(1e-6 + 3e-6, 18);
    expect(p.perByteS).toBeCloseTo(1 / 1e9 + 1 / 4e9, 24);
    expect(p.perByteJ).toBeCloseTo(1e-12 + 5e-12, 24);
    expect(s.path('z', 'x').links).toEqual(['zy', 'xy']);
    expect(s.path('y', 'x').links).toEqual(['xy']);
    expect(s.path('y', 'z').links).toEqual(['zy']);
  });

  it('takes two fast hops over one slow link, and one fast link over two slow hops, by latency + 1e6 / bandwidth', () => {
    // direct x-y: 1e6/1e6 = 1 s; via z: 2 x 1e6/1e9 = 2 ms
    const viaZ = sys([l('slow', 'x', 'y', 0, 1e6), l('xz', 'x', 'z', 0, 1e9), l('zy', 'z', 'y', 0, 1e9)]);
    expect(viaZ.path('x', 'y').links).toEqual(['xz', 'zy']);
    expect(viaZ.path('y', 'x').links).toEqual(['zy', 'xz']);
    // direct x-y: 1 ms latency + 1 ms; via z: 2 x (0.6 ms + 1 ms)
    const direct = sys([l('xy', 'x', 'y', 1e-3, 1e9), l('xz', 'x', 'z', 6e-4, 1e9), l('zy', 'z', 'y', 6e-4, 1e9)]);
    expect(direct.path('x', 'y').links).toEqual(['xy']);
    // latency decides against bandwidth: 1 s of latency outweighs 1 ms a megabyte
    const latencyBound = sys([l('xy', 'x', 'y', 1, 1e12), l('xz', 'x', 'z', 0, 1e9), l('zy', 'z', 'y', 0, 1e9)]);
    expect(latencyBound.path('x', 'y').links).toEqual(['xz', 'zy']);
  });

  it('settles the nearest device first, so a cheaper path found later still wins', () => {
    // from x: y is 10 s away directly, z 1 s; through z, y is 2 s away
    const s = sys([l('xy', 'x', 'y', 10, 1e12), l('xz', 'x', 'z', 1, 1e12), l('zy', 'z', 'y', 1, 1e12)]);
    expect(s.path('x', 'y').links).toEqual(['xz', 'zy']);
    expect(s.path('x', 'y').fixedS).toBeCloseTo(2, 9);
  });

  it('finds the shortest of several paths on a longer line', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ ...dev, id }));
    const s = resolveSystem(
      {
        id: 's',
        devices: five,
        links: [
          l('ae', 'a', 'e', 5, 1e12),
          l('ab', 'a', 'b', 1, 1e12),
          l('bc', 'b', 'c', 1, 1e12),
          l('cd', 'c', 'd', 1, 1e12),
          l('de', 'd', 'e', 1, 1e12),
          l('bd', 'b', 'd', 3, 1e12),
        ],
      },
      targets,
    );
    expect(s.path('a', 'e').links).toEqual(['ab', 'bc', 'cd', 'de']);
    expect(s.path('a', 'e').fixedS).toBeCloseTo(4, 9);
    expect(s.path('e', 'b').links).toEqual(['de', 'cd', 'bc']);
    expect(s.path('a', 'd').links).toEqual(['ab', 'bc', 'cd']);
  });

  it('of devices equally near, settles the one reached first, so its path to a device beyond wins a tie', () => {
    const four = ['x', 'y', 'z', 'w'].map((id) => ({ ...dev, id }));
    const s = resolveSystem(
      {
        id: 's',
        devices: four,
        links: [l('xy', 'x', 'y', 1, 1e12), l('xz', 'x', 'z', 1, 1e12), l('zw', 'z', 'w', 1, 1e12), l('yw', 'y', 'w', 1, 1e12)],
      },
      targets,
    );
    expect(s.path('x', 'w').links).toEqual(['xy', 'yw']);
  });

  it('on a tie keeps the path found first', () => {
    // direct: 2 ms + 1 ms; via z: 2 x (0.5 ms + 1 ms)
    const s = sys([l('xy', 'x', 'y', 2e-3, 1e9), l('xz', 'x', 'z', 5e-4, 1e9), l('zy', 'z', 'y', 5e-4, 1e9)]);
    expect(s.path('x', 'y').links).toEqual(['xy']);
  });

  it('names two devices no link joins, and a device with no path', () => {
    expect(() => sys([l('xy', 'x', 'y', 0, 1)])).toThrow("sys: devices 'x' and 'z' are not connected by any link; add a link between them");
    const s = sys([l('xy', 'x', 'y', 0, 1), l('yz', 'y', 'z', 0, 1)]);
    expect(() => s.path('x', 'w')).toThrow(UserError);
    expect(() => s.path('x', 'w')).toThrow("sys: no path from device 'x' to 'w'");
  });
});
