import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSystem } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { REFERENCE_MAPPINGS_DIFFER, REFERENCE_ROWS, REFERENCE_SOURCE } from '../src/reproduce/reference.js';
import { BUILTIN_SYSTEMS, DEFAULT_SYSTEM } from '../src/systems.js';
import { macTarget } from './toy.js';

/*
 * The reference code's figures (reproduce/reference.ts) read back from
 * docs/reference/reference-code-results.md, where they were measured; the
 * built-in systems' memories and links against docs/reference/device-data.md
 * and their own cited sources.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const results = fs.readFileSync(path.join(ROOT, 'docs/reference/reference-code-results.md'), 'utf8');
const MODEL: Record<string, string> = { 'GPT-2 124M': 'gpt2', 'Llama-2-7B': 'llama-2-7b' };

/** The rows of the first table after `heading`, as cells. */
function table(heading: string): string[][] {
  const lines = results.slice(results.indexOf(heading)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe("the reference code's figures", () => {
  it('REFERENCE_ROWS are the summary table, row by row (x and % read as numbers)', () => {
    const rows = table("### Summary: the reference's own");
    expect(rows.length).toBeGreaterThan(0);
    expect(
      rows.map((c) => ({
        model: MODEL[c[0] as string],
        seqLen: Number(c[1]),
        objective: c[2],
        latencyImprovement: Number.parseFloat(c[3] as string),
        energyReduction: Number((Number.parseFloat(c[4] as string) / 100).toFixed(4)),
        latencyImprovementFixed: Number.parseFloat(c[5] as string),
        energyReductionFixed: Number((Number.parseFloat(c[6] as string) / 100).toFixed(4)),
      })),
    ).toEqual(REFERENCE_ROWS);
  });

  it('the mappings differ where the two objectives put different numbers of dense or matmul ops on the PHU', () => {
    const heading = results.slice(results.indexOf("### Summary: the reference's own")).indexOf('\n| model      | L           |');
    expect(heading).toBeGreaterThan(0);
    const lines = results
      .slice(results.indexOf("### Summary: the reference's own") + heading + 1)
      .split('\n')
      .slice(2)
      .filter((l) => l.startsWith('|'));
    const rows = lines.map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
    const byLength = new Map<string, { time?: string; energy?: string }>();
    for (const c of rows.slice(0, REFERENCE_ROWS.length)) {
      const key = `${MODEL[c[0] as string]}@${Number.parseInt(c[1] as string, 10)}`;
      const placed = `${c[9]} ${c[10]}`;
      byLength.set(key, { ...byLength.get(key), [c[2] as string]: placed });
    }
    expect(
      [...byLength.entries()].map(([k, v]) => {
        const [model, seqLen] = k.split('@');
        return { model, seqLen: Number(seqLen), differ: v.time !== v.energy };
      }),
    ).toEqual(REFERENCE_MAPPINGS_DIFFER);
  });

  it('the source names the repository, the commit and the file', () => {
    expect(REFERENCE_SOURCE).toBe(
      "the study's reference implementation RyanTomich/LightCode @ a424e5e, run unmodified (docs/reference/reference-code-results.md)",
    );
    expect(results).toContain('a424e5e');
  });
});

describe('the built-in systems', () => {
  const targets = new Map(
    ['cpu', 'gpu', 'ptu'].map((id) => {
      const t = macTarget(id, { spm: 1e-12, jpm: 1e-12 });
      const presets = ['a100', 'h100', 'h200', 'b200', 'lightcode-2025', 'xeon-8380-tdp', 'device-2025'];
      return [id, { ...t, presets: Object.fromEntries(presets.map((p) => [p, t.presets.base])) }];
    }),
  );
  const device = fs.readFileSync(path.join(ROOT, 'docs/reference/device-data.md'), 'utf8');
  /** A GPU row of device-data.md: HBM bandwidth in B/s and memory in bytes. */
  const gpu = (name: string) => {
    const row = device.split('\n').find((l) => l.startsWith(`| ${name}`));
    const cells = (row ?? '').split('|').map((c) => c.trim());
    return { bandwidthBps: Number.parseFloat(cells[3] as string) * 1e9, capacityBytes: Number.parseFloat(cells[4] as string) * 1e9 };
  };

  it('every one resolves, under its own id; the default is one of them', () => {
    for (const [id, spec] of Object.entries(BUILTIN_SYSTEMS)) {
      expect(spec.id).toBe(id);
      expect(() => resolveSystem(spec, targets as never, `system '${id}'`)).not.toThrow();
      expect(spec.description?.length).toBeGreaterThan(10);
    }
    expect(Object.keys(BUILTIN_SYSTEMS)).toContain(DEFAULT_SYSTEM);
    expect(Object.keys(BUILTIN_SYSTEMS)).toEqual([
      'gpu-a100',
      'gpu-h100',
      'gpu-h200',
      'gpu-b200',
      'cpu',
      'cpu-xeon',
      'hybrid-a100-ptu',
      'hybrid-h100-ptu',
      'lightcode-2025',
    ]);
  });

  it('GPU memories: A100 and H100 from device-data.md; H200 141 GB at 4.8 TB/s; B200 180 GB at 7.7 TB/s; HBM at 31.2 pJ per byte', () => {
    const hbm = (id: string) => BUILTIN_SYSTEMS[id]?.memories?.[0];
    expect(hbm('gpu-a100')).toMatchObject({ id: 'hbm', kind: 'hbm', attachedTo: ['gpu'], ...gpu('A100-80GB SXM') });
    expect(hbm('gpu-h100')).toMatchObject({ id: 'hbm', attachedTo: ['gpu'], ...gpu('H100 SXM') });
    expect(hbm('gpu-h200')).toMatchObject({ capacityBytes: 141e9, bandwidthBps: 4.8e12 });
    expect(hbm('gpu-b200')).toMatchObject({ capacityBytes: 180e9, bandwidthBps: 7.7e12 });
    // 3.9 pJ per bit (O'Connor MICRO 2017, device-data.md) x 8
    for (const id of ['gpu-a100', 'gpu-h100', 'gpu-h200', 'gpu-b200', 'hybrid-a100-ptu', 'hybrid-h100-ptu']) {
      expect(hbm(id)?.energyPerByteJ).toBeCloseTo(3.9e-12 * 8, 20);
    }
    expect(hbm('hybrid-a100-ptu')).toEqual(hbm('gpu-a100'));
    expect(hbm('hybrid-h100-ptu')).toEqual(hbm('gpu-h100'));
    expect(hbm('cpu')).toBeUndefined();
  });

  it('devices and presets of each system', () => {
    const devices = (id: string) => BUILTIN_SYSTEMS[id]?.devices.map((d) => [d.id, d.target, d.preset, d.count]);
    expect(devices('gpu-a100')).toEqual([['gpu', 'gpu', 'a100', 1]]);
    expect(devices('gpu-h100')).toEqual([['gpu', 'gpu', 'h100', 1]]);
    expect(devices('gpu-h200')).toEqual([['gpu', 'gpu', 'h200', 1]]);
    expect(devices('gpu-b200')).toEqual([['gpu', 'gpu', 'b200', 1]]);
    expect(devices('cpu')).toEqual([['cpu', 'cpu', 'lightcode-2025', 1]]);
    expect(devices('cpu-xeon')).toEqual([['cpu', 'cpu', 'xeon-8380-tdp', 1]]);
    expect(devices('hybrid-a100-ptu')).toEqual([
      ['gpu', 'gpu', 'a100', 1],
      ['ptu', 'ptu', 'lightcode-2025', 4],
    ]);
    expect(devices('hybrid-h100-ptu')).toEqual([
      ['gpu', 'gpu', 'h100', 1],
      ['ptu', 'ptu', 'lightcode-2025', 4],
    ]);
    expect(devices('lightcode-2025')).toEqual([
      ['cpu', 'cpu', 'lightcode-2025', 1],
      ['ptu', 'ptu', 'lightcode-2025', 1],
    ]);
    expect(BUILTIN_SYSTEMS['hybrid-a100-ptu']?.description).toBe('One A100 and four photonic tensor units (study constants) on PCIe');
    expect(BUILTIN_SYSTEMS['hybrid-h100-ptu']?.description).toBe('One H100 and four photonic tensor units (study constants) on PCIe');
  });

  it("links: PCIe 4.0 x16 (31.5 GB/s, 1 us, 5 pJ/bit) and the study's fixed 10 ns per transfer", () => {
    for (const id of ['hybrid-a100-ptu', 'hybrid-h100-ptu']) {
      expect(BUILTIN_SYSTEMS[id]?.links).toEqual([
        expect.objectContaining({ id: 'pcie', between: ['gpu', 'ptu'], bandwidthBps: 31.5e9, latencyS: 1e-6, energyPerByteJ: 40e-12 }),
      ]);
    }
    const study = BUILTIN_SYSTEMS['lightcode-2025']?.links?.[0];
    expect(study).toMatchObject({ id: 'study-link', between: ['cpu', 'ptu'], latencyS: 10e-9, energyPerByteJ: 0 });
    // size-independent: a megabyte adds at most a picosecond to the 10 ns
    expect(1e6 / (study?.bandwidthBps ?? 0)).toBeLessThanOrEqual(1e-12);
    for (const id of ['gpu-a100', 'gpu-h100', 'gpu-h200', 'gpu-b200', 'cpu', 'cpu-xeon'])
      expect(BUILTIN_SYSTEMS[id]?.links).toBeUndefined();
  });
});
