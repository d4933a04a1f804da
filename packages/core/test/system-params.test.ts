import { resolveSystem, type SystemSpec } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { paramGrid, paramPaths, parseParamAxis, withParams } from '../src/system-params.js';
import { thrown } from './fixtures.js';
import { freeLink, macTarget, toyRegistry } from './toy.js';

/*
 * system-params.ts: the paths a study may vary on a system (device params,
 * count, preset, link fields), each value parsed and checked against its
 * parameter's spec, the system with values set, and the grid of axes.
 */

const reg = toyRegistry({ targets: [macTarget('ratio', { spm: 1e-12, jpm: 0 }, { gain: 2 })] });
const spec: SystemSpec = resolveSystem(
  {
    id: 'sys',
    devices: [
      { id: 'f', target: 'fast', preset: 'base', count: 1 },
      { id: 'r', target: 'ratio', count: 2 },
    ],
    links: [freeLink('f', 'r')],
  },
  reg.targets,
  'test',
).spec;
const axis = (text: string) => parseParamAxis(text, spec, reg.targets);
const MAC_PARAMS = ['spm', 'jpm', 'spb', 'overheadS', 'staticW', 'spk2', 'mode'];

describe('paramPaths', () => {
  it("count, preset and each target param per device, in device order, then each link's three fields", () => {
    expect(paramPaths(spec, reg.targets)).toEqual([
      'f.count',
      'f.preset',
      ...MAC_PARAMS.map((p) => `f.${p}`),
      'r.count',
      'r.preset',
      ...[...MAC_PARAMS, 'gain'].map((p) => `r.${p}`),
      'f-r.bandwidthBps',
      'f-r.latencyS',
      'f-r.energyPerByteJ',
    ]);
  });

  it('a device whose target is not loaded has only count and preset; no links, no link paths', () => {
    const bare: SystemSpec = { id: 'x', devices: [{ id: 'd', target: 'missing', count: 1 }] };
    expect(paramPaths(bare, reg.targets)).toEqual(['d.count', 'd.preset']);
  });
});

describe('parseParamAxis', () => {
  it('a target param in its unit, a choice, a unit-1 number; values trimmed', () => {
    expect(axis('f.spm=1ps, 2e-12')).toEqual({ path: 'f.spm', values: [1e-12, 2e-12] });
    expect(axis('f.mode=a,b')).toEqual({ path: 'f.mode', values: ['a', 'b'] });
    expect(axis('r.gain=0.5,3')).toEqual({ path: 'r.gain', values: [0.5, 3] });
  });

  it('count: positive integers up to the device cap', () => {
    expect(axis('f.count=1,1024')).toEqual({ path: 'f.count', values: [1, 1024] });
    for (const v of ['0', '1.5', '-1', 'x', '1e3']) {
      expect(thrown(() => axis(`f.count=${v}`)).message).toBe(`--param f.count: an instance count is a positive integer (got '${v}')`);
    }
    expect(thrown(() => axis('f.count=1025')).message).toBe("--param f.count: an instance count is at most 1024 (got '1025')");
  });

  it('preset: one of the target presets', () => {
    expect(axis('f.preset=slow,base')).toEqual({ path: 'f.preset', values: ['slow', 'base'] });
    expect(thrown(() => axis('f.preset=turbo')).message).toBe("--param f.preset: no preset 'turbo' (presets: base, slow)");
  });

  it('link fields with their units; bandwidth must be positive, the others non-negative, all finite', () => {
    expect(axis('f-r.bandwidthBps=1GB/s,2e9')).toEqual({ path: 'f-r.bandwidthBps', values: [1e9, 2e9] });
    expect(axis('f-r.latencyS=0,1us')).toEqual({ path: 'f-r.latencyS', values: [0, 1e-6] });
    expect(axis('f-r.energyPerByteJ=0')).toEqual({ path: 'f-r.energyPerByteJ', values: [0] });
    expect(thrown(() => axis('f-r.bandwidthBps=0')).message).toBe("--param f-r.bandwidthBps: '0' is out of range");
    expect(thrown(() => axis('f-r.latencyS=-1')).message).toBe("--param f-r.latencyS: '-1' is out of range");
    expect(thrown(() => axis('f-r.latencyS=1e400')).message).toBe("--param f-r.latencyS: '1e400' is not a finite number");
  });

  it("a param value is checked against the param's spec", () => {
    expect(thrown(() => axis('f.spm=0')).message).toMatch(/^--param f\.spm: parameter 'spm' must be /);
    expect(thrown(() => axis('f.mode=c')).message).toBe('--param f.mode: parameter \'mode\' must be one of a, b (got "c")');
    expect(thrown(() => axis('r.gain=1e400')).message).toBe("--param r.gain: '1e400' is not a finite number");
    expect(thrown(() => axis('r.gain=abc')).message).toBe("--param r.gain: 'abc' is not a finite number");
    expect(thrown(() => axis('f.spm=1e400')).message).toBe("--param f.spm: '1e400' is not a finite number");
  });

  it.each(['f.spm', '=1', 'spm=1', 'f.spm=', ''])("'%s' is not PATH=V1,V2", (text) => {
    expect(thrown(() => axis(text)).message).toBe(`--param takes PATH=V1,V2,..., e.g. ptu.wavelengths=1,2,4,8 (got '${text}')`);
  });

  it('an empty value in the list', () => {
    expect(thrown(() => axis('f.spm=1ps,,2ps')).message).toBe("--param f.spm: empty value in 'f.spm=1ps,,2ps'");
    expect(thrown(() => axis('f.spm=1ps, ')).message).toBe("--param f.spm: empty value in 'f.spm=1ps, '");
  });

  it('an unknown path lists the valid ones', () => {
    for (const p of ['f.nope', 'zz.count', 'f-r.count', 'f.bandwidthBps', 'missing.x']) {
      expect(thrown(() => axis(`${p}=1`)).message).toBe(
        `--param: system 'sys' has no parameter '${p}'; valid paths: ${paramPaths(spec, reg.targets).join(', ')}`,
      );
    }
  });

  it('a value too long to show is cut', () => {
    const long = '9'.repeat(60);
    expect(thrown(() => axis(`f.count=${long}`)).message).toBe(
      `--param f.count: an instance count is at most 1024 (got '${'9'.repeat(20)}...${'9'.repeat(8)} (60 characters)')`,
    );
  });
});

describe('withParams: a new system with the values set', () => {
  it('device params, count, preset and link fields; the input unchanged', () => {
    const before = JSON.stringify(spec);
    const out = withParams(spec, { 'f.spm': 3e-12, 'r.count': 4, 'f.preset': 'slow', 'f-r.latencyS': 2e-6 }, reg.targets);
    expect(out.devices).toEqual([
      { id: 'f', target: 'fast', preset: 'slow', count: 1, params: { spm: 3e-12 } },
      { ...spec.devices[1], count: 4 },
    ]);
    expect(out.links).toEqual([{ ...spec.links?.[0], latencyS: 2e-6 }]);
    expect(JSON.stringify(spec)).toBe(before);
    expect(out.id).toBe('sys');
  });

  it('a param set twice on one device keeps both; no values, the same devices', () => {
    const out = withParams(spec, { 'f.spm': 3e-12, 'f.jpm': 1e-12 }, reg.targets);
    expect(out.devices[0]?.params).toEqual({ spm: 3e-12, jpm: 1e-12 });
    expect(withParams(spec, {}, reg.targets)).toEqual(spec);
  });

  it('a system without links stays without them', () => {
    const solo: SystemSpec = { id: 'solo', devices: [{ id: 'f', target: 'fast', count: 1 }] };
    const out = withParams(solo, { 'f.count': 2 }, reg.targets);
    expect('links' in out).toBe(false);
    expect(out.devices).toEqual([{ id: 'f', target: 'fast', count: 2 }]);
  });

  it('an unknown path is refused', () => {
    expect(() => withParams(spec, { 'f.x': 1 }, reg.targets)).toThrow(/^--param: system 'sys' has no parameter 'f\.x'/);
  });
});

describe('paramGrid: every combination, the first axis slowest', () => {
  it('2 x 3 axes give 6 points; no axes give one empty point', () => {
    expect(
      paramGrid([
        { path: 'a', values: [1, 2] },
        { path: 'b', values: ['x', 'y', 'z'] },
      ]),
    ).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
    expect(paramGrid([])).toEqual([{}]);
    expect(paramGrid([{ path: 'a', values: [] }])).toEqual([]);
  });
});
