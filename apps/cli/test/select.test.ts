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
    expect(j.selection).toMatchObject({ status: 'optimal', gap: 0 });
    expect(j.selection.bound).toBeCloseTo(j.selection.objectiveValue, 12);
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

  for (const [system, len] of [
    ['lightcode-2025', 64],
    ['lightcode-2025', 256],
  ] as const) {
    for (const objective of ['latency', 'energy']) {
      it(`yalps and HiGHS agree on gpt2 ${len} on ${system} for ${objective}`, async () => {
        const args = ['--model', 'gpt2', '--seq-len', String(len), '--system', system, '--objective', objective];
        const [y, h] = await Promise.all([compileJson([...args, '--solver', 'yalps']), compileJson([...args, '--solver', 'highs'])]);
        expect(y.selection.status).toBe('optimal');
        expect(h.selection.status).toBe('optimal');
        expect(h.selection.solver).toBe('highs');
        expect(h.selection.objectiveValue).toBeCloseTo(y.selection.objectiveValue, 9);
      });
    }
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
        expect(lat.selection.latencyS).toBeLessThan(en.selection.latencyS);
        expect(en.selection.energyJ).toBeLessThan(lat.selection.energyJ);
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
    const lat = JSON.parse((await run(['compile', ...args.slice(1, 7), '--objective', 'latency', '--json'])).stdout);
    expect(j.points[0].latencyS).toBeCloseTo(lat.selection.latencyS, 12);
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
    expect(wLat.selection.objectiveValue).toBeCloseTo(lat.selection.latencyS, 12);
    expect(wEn.selection.objectiveValue).toBeCloseTo(en.selection.energyJ, 12);
    const mix = await compileJson([...base, '--objective', 'weighted', '--latency-weight', '1', '--energy-weight', '2']);
    expect(mix.objective).toEqual({ latencyWeight: 1, energyWeight: 2 });
    expect(mix.selection.status).toBe('optimal');
    expect(mix.selection.objectiveValue).toBeCloseTo(mix.selection.latencyS + 2 * mix.selection.energyJ, 12);
    for (const r of [lat, en])
      expect(mix.selection.objectiveValue).toBeLessThanOrEqual(r.selection.latencyS + 2 * r.selection.energyJ + 1e-12);
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
