import { BUILTIN_SYSTEMS } from '@lightcode/core';
import { resolveSystem, type TargetPlugin } from '@lightcode/cost-model';
import { systemSummary } from '@lightcode/report';
import cpu from '@lightcode/target-cpu';
import gpu from '@lightcode/target-gpu';
import ptu from '@lightcode/target-ptu';
import { describe, expect, it } from 'vitest';

/**
 * A source cites a datasheet, paper or repository file, never a place on this
 * machine: no path into a sibling folder of the checkout, no relative path (`./`, `../`), no absolute local path.
 */
const LOCAL = /shared\/|(^|[^\w.])\.\.?\/|(^|[\s(,;:'"`])\/(work|home|tmp|usr|mnt)\//;

const TARGETS: readonly TargetPlugin[] = [gpu, cpu, ptu];
const targets = new Map(TARGETS.map((t) => [t.id, t]));

/** Every source string a built-in target declares: parameter, preset, per-value preset sources. */
function declaredSources(t: TargetPlugin): [string, string][] {
  return [
    ...Object.entries(t.params).map(([name, p]): [string, string] => [`${t.id} param ${name}`, p.source]),
    ...Object.entries(t.presets).flatMap(([name, p]): [string, string][] => [
      [`${t.id} preset ${name}`, p.source],
      ...Object.entries(p.sources ?? {}).map(([param, s]): [string, string] => [`${t.id} preset ${name} ${param}`, s]),
    ]),
  ];
}

describe('parameter sources cite primary sources', () => {
  it('the pattern catches local paths and passes citations', () => {
    // paths into a sibling folder of the checkout, spelled in pieces so that this file cites none itself
    const sibling = ['..', 'shared', 'DESIGN.md'].join('/');
    const absolute = ['', 'work', 'shared', 'x.csv'].join('/');
    const bare = ['shared', 'data', 'README.md'].join('/');
    for (const bad of [`via ${bare}`, sibling, 'see ./data/x.csv', `fit to ${absolute}`, 'a (../x)']) {
      expect(bad).toMatch(LOCAL);
    }
    for (const good of [
      'microsoft/vidur data/profiling/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv',
      'RyanTomich/LightCode lightcode/hardware.py, main.py',
      'PCIe 4.0 x16: 31.5 GB/s',
      '0.8 of peak, ~3 us',
    ]) {
      expect(good).not.toMatch(LOCAL);
    }
  });

  it.each(TARGETS.flatMap(declaredSources))('%s', (_where, source) => {
    expect(source.length).toBeGreaterThan(5);
    expect(source).not.toMatch(LOCAL);
  });

  it.each(Object.values(BUILTIN_SYSTEMS).flatMap((s) => (s.links ?? []).map((l) => [`${s.id} link ${l.id}`, l.source ?? ''])))(
    '%s',
    (_where, source) => expect(source).not.toMatch(LOCAL),
  );
});

describe('a preset reports its own sources', () => {
  const param = (system: string, device: string, name: string) => {
    const spec = BUILTIN_SYSTEMS[system];
    if (!spec) throw new Error(`no system ${system}`);
    const d = systemSummary(resolveSystem(spec, targets)).devices.find((x) => x.id === device);
    const p = d?.params.find((x) => x.name === name);
    if (!p) throw new Error(`no ${device}.${name} in ${system}`);
    return p;
  };

  it.each(Object.keys(BUILTIN_SYSTEMS))('%s: every reported source is a citation', (id) => {
    const spec = BUILTIN_SYSTEMS[id];
    if (!spec) throw new Error(`no system ${id}`);
    for (const d of systemSummary(resolveSystem(spec, targets)).devices) {
      for (const p of d.params) expect(p.source, `${id} ${d.id}.${p.name}`).not.toMatch(LOCAL);
    }
  });

  it('h100 peaks cite the H100 datasheet, a100 peaks the A100 datasheet', () => {
    for (const name of ['peakFlopsFp16', 'peakFlopsFp32', 'bandwidthBps']) {
      expect(param('gpu-h100', 'gpu', name).source).toMatch(/H100/);
      expect(param('gpu-h100', 'gpu', name).source).not.toMatch(/A100/);
      expect(param('hybrid-h100-ptu', 'gpu', name).source).toMatch(/H100/);
      expect(param('gpu-a100', 'gpu', name).source).toMatch(/A100/);
    }
    // what h100 does not set is a100's fit, and says so
    expect(param('gpu-h100', 'gpu', 'gemmEfficiencyMax').source).toMatch(/A100/);
  });

  it('a value the system overrides cites the system, not the preset', () => {
    const spec = {
      id: 'mine',
      devices: [{ id: 'ptu', target: 'ptu', preset: 'device-2025', count: 1, params: { wavelengths: 32 } }],
    };
    const d = systemSummary(resolveSystem(spec, targets)).devices[0];
    expect(d?.params.find((p) => p.name === 'wavelengths')?.source).toBe("set in system 'mine'");
    expect(d?.params.find((p) => p.name === 'crossbarRows')?.source).toMatch(/SimPhony.*dptc\.yml/);
    expect(d?.params.find((p) => p.name === 'macEnergyJ')?.source).toMatch(/Lightening-Transformer/);
  });
});
