import { describe, expect, it } from 'vitest';
import { run } from './run.js';

type Op = { name: string; device: string };
const compileJson = async (args: string[]) => {
  const r = await run(['compile', ...args, '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};

describe('exact selection from the CLI', () => {
  it('reports bound, gap, solve time, baselines and echoes the options', async () => {
    const j = await compileJson([
      '--model',
      'gpt2',
      '--seq-len',
      '64',
      '--system',
      'lightcode-2025',
      '--objective',
      'energy',
      '--latency-budget',
      '100ms',
      '--pin',
      'lm_head=cpu',
    ]);
    expect(j.selection).toMatchObject({ status: 'optimal', gap: 0, method: 'decomposition' });
    // optimal: the value meets the proven lower bound to the certificate tolerance
    expect(j.selection.bound).toBeLessThanOrEqual(j.selection.objectiveValue);
    expect(j.selection.objectiveValue).toBeLessThanOrEqual(j.selection.bound * (1 + 1e-5));
    // one latency: the selection's value is the simulated schedule's energy, whose makespan meets the budget
    expect(Math.abs(j.totals.energyJ - j.selection.objectiveValue)).toBeLessThanOrEqual(1e-9 * j.selection.objectiveValue);
    expect(j.totals.latencyS).toBeLessThanOrEqual(0.1);
    expect(j.selection).not.toHaveProperty('latencyS');
    expect(j.selection).not.toHaveProperty('energyJ');
    expect(j).not.toHaveProperty('simulation');
    expect(j.selection.solveTimeS).toBeGreaterThan(0);
    expect(j.selection.baselines.map((b: { name: string }) => b.name)).toEqual([
      'all-cpu',
      'all-ptu',
      'greedy-latency',
      'greedy-energy',
      'study-path-latency',
      'study-path-energy',
    ]);
    for (const b of j.selection.baselines) {
      expect(typeof b.feasible).toBe('boolean');
      // the optimum is never worse than a feasible baseline
      if (b.feasible) expect(j.selection.objectiveValue).toBeLessThanOrEqual(b.energyJ * (1 + 1e-9));
    }
    expect(j.options).toEqual({ solver: 'auto', latencyBudgetS: 0.1, pins: [{ glob: 'lm_head', device: 'cpu' }], excludes: [] });
    expect(j.ops.find((o: Op) => o.name === 'lm_head').device).toBe('cpu');
  });

  const devices = (j: { ops: Op[] }) => j.ops.map((o) => `${o.name}=${o.device}`);
  const relClose = (a: number, b: number, rel: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-30));

  for (const len of [64, 256]) {
    const args = ['--model', 'gpt2', '--seq-len', String(len), '--system', 'lightcode-2025'];

    it(`gpt2 ${len} on lightcode-2025 without budgets: the segment chain is a shortest path, whatever the solver`, async () => {
      for (const objective of ['latency', 'energy']) {
        const [y, h] = await Promise.all(['yalps', 'highs'].map((s) => compileJson([...args, '--objective', objective, '--solver', s])));
        for (const r of [y, h]) {
          expect(r.selection).toMatchObject({ status: 'optimal', gap: 0, method: 'decomposition', solver: 'shortest-path' });
          expect(r.selection.decomposition.searched).toBe(0);
        }
        // no MILP is solved, so the solver flag changes nothing
        expect(h.selection.objectiveValue).toBe(y.selection.objectiveValue);
        expect(devices(h)).toEqual(devices(y));
      }
    });

    it(`gpt2 ${len} on lightcode-2025 with a binding budget: yalps and HiGHS solve the chain MILP to one optimum`, async () => {
      const [lat, en] = await Promise.all(['latency', 'energy'].map((o) => compileJson([...args, '--objective', o])));
      // budgets strictly between the two optima: the unbudgeted optimum of the objective misses them
      expect(lat.totals.latencyS).toBeLessThan(en.totals.latencyS);
      expect(en.totals.energyJ).toBeLessThan(lat.totals.energyJ);
      const latencyBudgetS = (lat.totals.latencyS + en.totals.latencyS) / 2;
      const energyBudgetJ = (lat.totals.energyJ + en.totals.energyJ) / 2;
      for (const [objective, flag, budget, rival, floor] of [
        ['energy', '--latency-budget', latencyBudgetS, lat, en],
        ['latency', '--energy-budget', energyBudgetJ, en, lat],
      ] as const) {
        const [y, h] = await Promise.all(
          ['yalps', 'highs'].map((s) => compileJson([...args, '--objective', objective, flag, String(budget), '--solver', s])),
        );
        expect([y.selection.solver, h.selection.solver]).toEqual(['yalps', 'highs']);
        const [metric, budgeted] = objective === 'latency' ? (['latencyS', 'energyJ'] as const) : (['energyJ', 'latencyS'] as const);
        for (const r of [y, h]) {
          expect(r.selection).toMatchObject({ status: 'optimal', gap: 0, method: 'decomposition' });
          expect(r.totals[budgeted]).toBeLessThanOrEqual(budget);
          relClose(r.selection.objectiveValue, r.totals[metric], 1e-9);
          // no better than the unbudgeted optimum, no worse than the other optimum (which meets the budget)
          expect(r.selection.objectiveValue).toBeGreaterThanOrEqual(floor.totals[metric] * (1 - 1e-9));
          expect(r.selection.objectiveValue).toBeLessThanOrEqual(rival.totals[metric] * (1 + 1e-9));
        }
        relClose(h.selection.objectiveValue, y.selection.objectiveValue, 1e-9);
      }
    });
  }

  it('finds the study\u2019s third finding: latency- and energy-optimal mappings differ on lightcode-2025', async () => {
    // GPT-2 prefill on the study's CPU + PTU machine: the fastest mapping sends
    // more matrix products to the photonic unit than the most frugal one.
    const differing: string[] = [];
    let at = 0;
    for (const len of [16, 64, 256, 1024]) {
      const [lat, en] = await Promise.all(
        ['latency', 'energy'].map((o) =>
          compileJson(['--model', 'gpt2', '--seq-len', String(len), '--system', 'lightcode-2025', '--objective', o]),
        ),
      );
      const energyDevice = new Map(en.ops.map((o: Op) => [o.name, o.device]));
      const diff = lat.ops
        .filter((o: Op) => energyDevice.get(o.name) !== o.device)
        .map((o: Op) => `${o.name}: ${o.device} vs ${energyDevice.get(o.name)}`);
      if (diff.length > 0) {
        differing.push(...diff);
        at = len;
        expect(lat.totals.latencyS).toBeLessThan(en.totals.latencyS);
        expect(en.totals.energyJ).toBeLessThan(lat.totals.energyJ);
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.some((d) => /attn|mlp|lm_head/.test(d))).toBe(true);
  });

  it.each([
    [
      ['--latency-budget', '1us', '--system', 'lightcode-2025', '--seq-len', '64'],
      /infeasible: latency budget 1\.000 µs is below the best achievable latency 33\.4\d ms/,
    ],
    [
      ['--energy-budget', '1mJ', '--system', 'lightcode-2025', '--seq-len', '64'],
      /infeasible: energy budget 1\.000 mJ is below the least achievable energy 24\.7\d mJ/,
    ],
    [['--latency-budget', '5J'], /--latency-budget '5J' is not a quantity in s/],
    [['--pin', 'nothing.*=gpu'], /--pin nothing\.\*=gpu: no op name matches/],
    [['--pin', 'lm_head=tpu'], /the system has no device 'tpu'/],
    [['--pin', 'lm_head'], /--pin takes GLOB=DEVICE/],
    [['--solver', 'cplex'], /unknown solver 'cplex' \(available: auto, yalps, highs\)/],
  ])('bad selection input %j: one line, exit 2', async (args, msg) => {
    const r = await run(['compile', '--model', 'gpt2', ...(args as string[])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('lightcode pareto', () => {
  it('gives a sorted, non-dominated front with assignment summaries (JSON and CSV)', async () => {
    const args = ['pareto', '--model', 'gpt2', '--seq-len', '128', '--system', 'lightcode-2025', '--points', '3'];
    const j = JSON.parse((await run([...args, '--json'])).stdout);
    expect(j.points.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < j.points.length; i++) {
      expect(j.points[i].latencyS).toBeGreaterThan(j.points[i - 1].latencyS);
      expect(j.points[i].energyJ).toBeLessThan(j.points[i - 1].energyJ);
    }
    for (const p of j.points) expect(p.opsPerDevice.cpu + p.opsPerDevice.ptu).toBe(161);
    const [lat, en] = await Promise.all(
      ['latency', 'energy'].map(async (o) => JSON.parse((await run(['compile', ...args.slice(1, 7), '--objective', o, '--json'])).stdout)),
    );
    expect([lat.selection.status, en.selection.status]).toEqual(['optimal', 'optimal']);
    // the ends of the front are the two optima (the latency end within the 1e-9 slack of its budget)
    const [first, last] = [j.points[0], j.points[j.points.length - 1]];
    expect(first.latencyS).toBeGreaterThanOrEqual(lat.totals.latencyS * (1 - 1e-12));
    expect(first.latencyS).toBeLessThanOrEqual(lat.totals.latencyS * (1 + 1e-9));
    expect(last.energyJ).toBeGreaterThanOrEqual(en.totals.energyJ * (1 - 1e-12));
    expect(last.energyJ).toBeLessThanOrEqual(en.totals.energyJ * (1 + 1e-9));
    for (const p of j.points) {
      expect(p.latencyS).toBeGreaterThanOrEqual(lat.totals.latencyS * (1 - 1e-12));
      expect(p.energyJ).toBeGreaterThanOrEqual(en.totals.energyJ * (1 - 1e-12));
    }
    const csv = (await run([...args, '--csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('latency_s,energy_j,status,ops_cpu,ops_ptu');
    expect(csv).toHaveLength(j.points.length + 1);
  });
});

describe('weighted objective', () => {
  it('minimizes A x latency + B x energy; the pure weights give the single-metric optima', async () => {
    const base = ['--model', 'gpt2', '--seq-len', '128', '--system', 'lightcode-2025'];
    const lat = await compileJson([...base, '--objective', 'latency']);
    const en = await compileJson([...base, '--objective', 'energy']);
    const wLat = await compileJson([...base, '--objective', 'weighted', '--latency-weight', '1']);
    const wEn = await compileJson([...base, '--energy-weight', '1']);
    const rel = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.abs(b));
    for (const r of [lat, en, wLat, wEn]) expect(r.selection.status).toBe('optimal');
    rel(wLat.selection.objectiveValue, lat.totals.latencyS);
    rel(wEn.selection.objectiveValue, en.totals.energyJ);
    const mix = await compileJson([...base, '--objective', 'weighted', '--latency-weight', '1', '--energy-weight', '2']);
    expect(mix.objective).toEqual({ latencyWeight: 1, energyWeight: 2 });
    expect(mix.selection.status).toBe('optimal');
    rel(mix.selection.objectiveValue, mix.totals.latencyS + 2 * mix.totals.energyJ);
    // the weighted optimum is no worse, on its own objective, than either single-metric optimum
    for (const r of [lat, en])
      expect(mix.selection.objectiveValue).toBeLessThanOrEqual((r.totals.latencyS + 2 * r.totals.energyJ) * (1 + 1e-9));
  });

  it.each([
    [['--objective', 'weighted'], /must be non-negative numbers, not both 0/],
    [['--latency-weight=-1'], /--latency-weight must be a non-negative number \(got '-1'\)/],
    [['--objective', 'energy', '--latency-weight', '1'], /need --objective weighted/],
  ])('rejects %j with one line and exit 2', async (flags, message) => {
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '16', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
