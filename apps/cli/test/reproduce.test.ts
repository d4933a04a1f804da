import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, computeEnergyJ, REFERENCE_ROWS, type ReproduceResult } from '@lightcode/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/context.js';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const quiet = { cwd: ROOT, out: () => {}, err: () => {} };

describe('lightcode reproduce --quick', () => {
  let r: ReproduceResult;
  let out: string;
  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-repro-'));
    const res = await run(['reproduce', '--quick', '--json', '--out', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    r = JSON.parse(res.stdout);
  });

  it('states each finding with the paper, the reference code, LightCode, a verdict and what decides it', () => {
    expect(r.claims.map((c) => c.finding)).toEqual([1, 2, 3]);
    for (const c of r.claims) {
      expect(['holds', 'holds only under stated assumptions', 'does not hold']).toContain(c.verdict);
      for (const k of ['paper', 'reference', 'lightcode', 'assumption'] as const) expect(c[k].length).toBeGreaterThan(10);
    }
    expect(fs.readdirSync(out).sort()).toEqual(
      ['claims', 'devices', 'energy', 'latency', 'mappings', 'sensitivity', 'shares', 'thresholds']
        .map((n) => `${n}.csv`)
        .concat(['report.html', 'result.json'])
        .sort(),
    );
    expect(JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')).claims).toEqual(r.claims);
    expect(fs.readFileSync(path.join(out, 'claims.csv'), 'utf8').split('\n')[0]).toBe(
      'finding,paper,reference code,LightCode,verdict,assumption',
    );
  });

  it('recomputes one cell of each finding through compile', async () => {
    const reg = await loadRegistry(quiet, {});
    const at = (model: string, seqLen: number, system: string, objective: 'latency' | 'energy', params = {}) =>
      compile(reg, { model, seqLen, system, objective, params, cwd: ROOT }).then((c) => c.result);
    // finding 1: gpt2 at 256 tokens, energy objective, total and compute + conversion
    const e = r.energy.find((x) => x.model === 'gpt2' && x.seqLen === 256);
    const [h, c] = [await at('gpt2', 256, 'lightcode-2025', 'energy'), await at('gpt2', 256, 'cpu', 'energy')];
    expect(e?.reduction).toBeCloseTo(1 - h.totals.energyJ / c.totals.energyJ, 12);
    expect(e?.computeReduction).toBeCloseTo(1 - computeEnergyJ(h) / computeEnergyJ(c), 12);
    // finding 2: llama-2-7b, one wavelength, LightCode's optimum against the CPU alone
    const l = r.latency.find((x) => x.model === 'llama-2-7b' && x.wavelengths === 1 && x.strategy === "LightCode's optimum");
    const one = await at('llama-2-7b', l?.seqLen ?? 0, 'lightcode-2025', 'latency', { 'ptu.wavelengths': 1 });
    const alone = await at('llama-2-7b', l?.seqLen ?? 0, 'cpu', 'latency');
    expect(l?.latencyS).toBe(one.totals.latencyS);
    expect(l?.improvement).toBeCloseTo(alone.totals.latencyS / one.totals.latencyS, 12);
    // finding 3: gpt2 at 64 tokens, ops whose device differs between the two objectives
    const m = r.mappings.find((x) => x.model === 'gpt2' && x.seqLen === 64);
    const [fast, lean] = [await at('gpt2', 64, 'lightcode-2025', 'latency'), await at('gpt2', 64, 'lightcode-2025', 'energy')];
    const device = new Map(lean.ops.map((o) => [o.id, o.device]));
    expect(m?.differing.length).toBe(fast.ops.filter((o) => device.get(o.id) !== o.device).length);
    expect(m?.latencyMapping.energyJ).toBe(fast.totals.energyJ);
    expect(m?.energyMapping.latencyS).toBe(lean.totals.latencyS);
  });

  it('a 50 % threshold, where found, is where the reduction crosses 50 %', () => {
    for (const t of r.thresholds) {
      if (t.memoryEnergyPerNumberJ === null) expect(t.reductionAtZero).toBeLessThan(0.5);
      else expect(t.reductionAtZero).toBeGreaterThanOrEqual(0.5);
    }
    // multiplexing x assignment is the whole improvement
    for (const s of r.shares) expect(s.multiplexing * s.assignment).toBeCloseTo(s.total, 9);
  });

  it('rejects an --out that is a file, in one line with exit 2, and writes nothing', async () => {
    const file = path.join(out, 'claims.csv');
    const before = fs.readFileSync(file, 'utf8');
    for (const bad of [file, path.join(file, 'sub')]) {
      const res = await run(['reproduce', '--quick', '--out', bad]);
      expect(res.code).toBe(2);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(/is not a folder/);
      expect(res.stdout).toBe('');
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});

describe("the reference code's figures", () => {
  it('match the data file they were copied from, row by row', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/reference/reference-code-results.md'), 'utf8');
    const start = text.indexOf("### Summary: the reference's own");
    const rows = text
      .slice(start)
      .split('\n')
      .filter((l) => /^\| (GPT-2 124M|Llama-2-7B) /.test(l))
      .slice(0, REFERENCE_ROWS.length)
      .map((l) => l.split('|').map((c) => c.trim()));
    expect(rows).toHaveLength(REFERENCE_ROWS.length);
    rows.forEach((cells, i) => {
      const ref = REFERENCE_ROWS[i];
      const num = (c: string | undefined) => Number.parseFloat(c ?? '');
      expect(cells[1]).toBe(ref?.model === 'gpt2' ? 'GPT-2 124M' : 'Llama-2-7B');
      expect(num(cells[2])).toBe(ref?.seqLen);
      expect(cells[3]).toBe(ref?.objective);
      expect(num(cells[4])).toBeCloseTo(ref?.latencyImprovement ?? Number.NaN, 9);
      expect(num(cells[5]) / 100).toBeCloseTo(ref?.energyReduction ?? Number.NaN, 9);
      expect(num(cells[6])).toBeCloseTo(ref?.latencyImprovementFixed ?? Number.NaN, 9);
      expect(num(cells[7]) / 100).toBeCloseTo(ref?.energyReductionFixed ?? Number.NaN, 9);
    });
  });
});

describe('the compute-only accounting, on a system with a known answer', () => {
  it('with a PTU that costs nothing, the compute reduction is the share of CPU compute energy the PTU took over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-free-ptu-'));
    const system = {
      id: 'free-ptu',
      devices: [
        { id: 'cpu', target: 'cpu', preset: 'lightcode-2025', count: 1 },
        {
          id: 'ptu',
          target: 'ptu',
          preset: 'lightcode-2025',
          count: 1,
          params: { macEnergyJ: 1e-300, dacEnergyJ: 1e-300, adcEnergyJ: 1e-300, staticPowerW: 0 },
        },
      ],
      links: [{ id: 'l', between: ['cpu', 'ptu'], bandwidthBps: 1e18, latencyS: 1e-8, energyPerByteJ: 0 }],
    };
    fs.writeFileSync(path.join(dir, 'free.json'), JSON.stringify(system));
    const reg = await loadRegistry(quiet, {});
    const h = (await compile(reg, { model: 'gpt2', seqLen: 64, system: path.join(dir, 'free.json'), objective: 'energy', cwd: dir }))
      .result;
    const c = (await compile(reg, { model: 'gpt2', seqLen: 64, system: 'cpu', objective: 'energy', cwd: dir })).result;
    // the study's CPU charges 0.1 pJ per MAC of a matrix product: what the PTU takes over is exactly that
    const moved = h.ops.filter((o) => o.device === 'ptu').reduce((s, o) => s + o.macs * 1e-13, 0);
    expect(h.ops.some((o) => o.device === 'ptu')).toBe(true);
    expect(1 - computeEnergyJ(h) / computeEnergyJ(c)).toBeCloseTo(moved / computeEnergyJ(c), 6);
  });
});
