import { defineTarget, type ParamValue, type TargetPlugin } from '@lightcode/cost-model';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CompileResult, compile, pareto } from '../src/compile.js';
import { REFERENCE_ROWS, REFERENCE_SOURCE } from '../src/reproduce/reference.js';
import { computeEnergyJ, type ReproduceResult, reproduce } from '../src/reproduce/study.js';
import { toyRegistry, W } from './toy.js';

/*
 * reproduce() (quick) on stand-in targets named as the study's (cpu, ptu,
 * gpu) running the toy model (test/toy.ts) under the study's model names.
 * Every figure of the result is checked against a compile run here with the
 * system, objective and parameters the figure is documented to use, and
 * each claim's reference text against the reference code's rows.
 *
 * The stand-ins: an op of M MACs and P weight numbers (2-byte, read 10 times) costs
 *   cpu: M x spm seconds; M x jpm compute and 10 P x memoryEnergyPerNumberJ memory joules;
 *   ptu: M x spm / wavelengths + 5 us seconds; M x macEnergyJ compute, (dac + adc) x bits / 8 x M / W
 *        conversion and 10 P x memoryEnergyPerNumberJ memory joules; static power
 *        staticPowerW + laserPowerPerWavelengthW x wavelengths;
 *   gpu: M x spm seconds, M x jpm joules.
 * So the PTU is leaner at every length but slower below about 128 tokens (its 5 us per
 * op): the two objectives map GPT-2 at 64 tokens differently; and the weights' memory
 * energy keeps the total reduction below 50 % until memory costs a few pJ per number.
 */

const REREAD = 10;
const PTU_OVERHEAD_S = 5e-6;
const num = (v: number, allowZero = true) => ({ unit: '1', default: v, description: 'stand-in', source: 'test', allowZero });

function cpu(reread = REREAD): TargetPlugin {
  return defineTarget({
    id: 'cpu',
    name: 'cpu',
    description: 'stand-in CPU',
    params: { spm: num(1e-11, false), jpm: num(2e-12), memoryEnergyPerNumberJ: num(160e-12), staticW: num(0) },
    presets: {
      'lightcode-2025': { description: 'study', source: 'test', values: {} },
      'xeon-8380-tdp': { description: 'xeon', source: 'test', values: { spm: 2e-12, staticW: 270 } },
    },
    defaultPreset: 'lightcode-2025',
    dtypes: ['fp16'],
    opKinds: ['linear', 'matmul', 'kv_read'],
    realize: (_op, a, p) => [
      {
        algorithm: 'cpu',
        latencyS: Math.max(a.macs, 1) * p.spm,
        energy: { compute: a.macs * p.jpm, memory: reread * (a.paramBytes / 2) * p.memoryEnergyPerNumberJ },
      },
    ],
    staticPowerW: (p) => p.staticW,
  });
}

function ptu(reread = REREAD, overheadS = PTU_OVERHEAD_S, over: Record<string, number> = {}): TargetPlugin {
  return defineTarget({
    id: 'ptu',
    name: 'ptu',
    description: 'stand-in PTU',
    params: {
      spm: num(over.spm ?? 1e-11, false),
      wavelengths: { ...num(20, false), integer: true },
      macEnergyJ: num(over.macEnergyJ ?? 4e-14),
      dacEnergyJ: num(over.dacEnergyJ ?? 3.18e-12),
      adcEnergyJ: num(over.adcEnergyJ ?? 1.6e-12),
      bits: num(8, false),
      laserPowerPerWavelengthW: num(0),
      staticPowerW: num(0),
      memoryEnergyPerNumberJ: num(160e-12),
    },
    presets: {
      'lightcode-2025': { description: 'study', source: 'test', values: {} },
      'device-2025': { description: 'device', source: 'test', values: { spm: 5e-12, staticPowerW: 1 } },
    },
    defaultPreset: 'lightcode-2025',
    dtypes: ['fp16'],
    opKinds: ['linear', 'matmul', 'kv_read'],
    realize: (_op, a, p) => [
      {
        algorithm: 'ptu',
        latencyS: (Math.max(a.macs, 1) * p.spm) / p.wavelengths + overheadS,
        energy: {
          compute: a.macs * p.macEnergyJ,
          conversion: (((p.dacEnergyJ + p.adcEnergyJ) * p.bits) / 8) * (a.macs / W),
          memory: reread * (a.paramBytes / 2) * p.memoryEnergyPerNumberJ,
        },
      },
    ],
    staticPowerW: (p) => p.staticPowerW + p.laserPowerPerWavelengthW * p.wavelengths,
  });
}

function gpu(): TargetPlugin {
  return defineTarget({
    id: 'gpu',
    name: 'gpu',
    description: 'stand-in GPU',
    params: { spm: num(3e-13, false), jpm: num(1e-12) },
    presets: {
      a100: { description: 'a100', source: 'test', values: {} },
      h100: { description: 'h100', source: 'test', values: { spm: 1e-13 } },
    },
    defaultPreset: 'a100',
    dtypes: ['fp16'],
    opKinds: ['linear', 'matmul', 'kv_read'],
    realize: (_op, a, p) => [{ algorithm: 'gpu', latencyS: Math.max(a.macs, 1) * p.spm, energy: { compute: a.macs * p.jpm } }],
    staticPowerW: () => 0,
  });
}

const reg = toyRegistry({ models: ['gpt2', 'llama-2-7b'], targets: [cpu(), ptu(), gpu()] });
const LONGEST = [
  { model: 'gpt2', seqLen: 256 },
  { model: 'llama-2-7b', seqLen: 512 },
];
const LENGTHS = [
  { model: 'gpt2', seqLen: 64 },
  { model: 'gpt2', seqLen: 256 },
  { model: 'llama-2-7b', seqLen: 512 },
];

/** A compile of this test, by the study's coordinates. */
async function run(
  model: string,
  seqLen: number,
  system: string,
  objective: 'latency' | 'energy',
  params: Record<string, ParamValue> = {},
): Promise<CompileResult> {
  return (await compile(reg, { model, seqLen, system, objective, params })).result;
}
const reduction = (h: number, c: number) => 1 - h / c;
const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(want), 1e-30));

describe('reproduce --quick on stand-in targets', () => {
  let r: ReproduceResult;
  const stages: string[] = [];
  // before each test, not once for all: the code under test then runs inside each test that checks it, as
  // mutation testing's per-test coverage needs (run once, outside any test, its mutants would rerun every test)
  beforeEach(async () => {
    stages.length = 0;
    r = await reproduce(reg, { quick: true, progress: (s) => stages.push(s) });
  }, 300_000);

  it('reports its stages in order, and echoes the reference rows and their source', () => {
    expect(stages).toEqual([
      'finding 1: energy against the CPU alone',
      'finding 2: latency against the CPU alone',
      'finding 3: latency- against energy-optimal mappings',
      'the same on machines from public device figures',
    ]);
    expect(r.quick).toBe(true);
    expect(r.reference).toEqual({ source: REFERENCE_SOURCE, rows: REFERENCE_ROWS });
    expect(r.wallS).toBeGreaterThan(0);
    expect(r.compiles).toBeGreaterThan(50);
  });

  it("finding 1: each length's energy on the study machine against its CPU alone, both for energy", async () => {
    expect(r.energy.map((e) => [e.machine, e.model, e.seqLen])).toEqual(LENGTHS.map((l) => ['lightcode-2025', l.model, l.seqLen]));
    for (const e of r.energy) {
      const h = await run(e.model, e.seqLen, 'lightcode-2025', 'energy');
      const c = await run(e.model, e.seqLen, 'cpu', 'energy');
      close(e.hybridJ, h.totals.energyJ);
      close(e.cpuJ, c.totals.energyJ);
      close(e.reduction, reduction(h.totals.energyJ, c.totals.energyJ));
      const compute = (x: CompileResult) => (x.totals.energyBreakdownJ.compute ?? 0) + (x.totals.energyBreakdownJ.conversion ?? 0);
      close(e.computeReduction, reduction(compute(h), compute(c)));
      expect(e.hybridBreakdownJ).toEqual(h.totals.energyBreakdownJ);
      expect(e.cpuBreakdownJ).toEqual(c.totals.energyBreakdownJ);
    }
  });

  it("finding 1's sensitivity: each setting's reduction is that of a compile with exactly those parameters", async () => {
    const settings: [string, string, Record<string, ParamValue>, Record<string, ParamValue>?][] = [
      [
        'where the weights live',
        'DRAM (the study): 160 pJ per number',
        { 'cpu.memoryEnergyPerNumberJ': 160e-12, 'ptu.memoryEnergyPerNumberJ': 160e-12 },
        { 'cpu.memoryEnergyPerNumberJ': 160e-12 },
      ],
      [
        'where the weights live',
        'HBM: 40 pJ per number',
        { 'cpu.memoryEnergyPerNumberJ': 40e-12, 'ptu.memoryEnergyPerNumberJ': 40e-12 },
        { 'cpu.memoryEnergyPerNumberJ': 40e-12 },
      ],
      [
        'where the weights live',
        'SRAM: 12 pJ per number',
        { 'cpu.memoryEnergyPerNumberJ': 12e-12, 'ptu.memoryEnergyPerNumberJ': 12e-12 },
        { 'cpu.memoryEnergyPerNumberJ': 12e-12 },
      ],
      [
        'where the weights live',
        'local: 1 pJ per number',
        { 'cpu.memoryEnergyPerNumberJ': 1e-12, 'ptu.memoryEnergyPerNumberJ': 1e-12 },
        { 'cpu.memoryEnergyPerNumberJ': 1e-12 },
      ],
      ['PTU MAC energy', '0.004 pJ', { 'ptu.macEnergyJ': 4e-15 }],
      ['PTU MAC energy', '0.04 pJ (the study)', { 'ptu.macEnergyJ': 4e-14 }],
      ['PTU MAC energy', '0.4 pJ', { 'ptu.macEnergyJ': 4e-13 }],
      ['converter energy', 'x0.1 (DAC 0.318 pJ, ADC 0.160 pJ)', { 'ptu.dacEnergyJ': 3.18e-13, 'ptu.adcEnergyJ': 1.6e-13 }],
      ['converter energy', 'x1 (DAC 3.18 pJ, ADC 1.60 pJ)', { 'ptu.dacEnergyJ': 3.18e-12, 'ptu.adcEnergyJ': 1.6e-12 }],
      ['converter energy', 'x10 (DAC 31.8 pJ, ADC 16.0 pJ)', { 'ptu.dacEnergyJ': 3.18e-11, 'ptu.adcEnergyJ': 1.6e-11 }],
      ['converter bit width', '4 bit', { 'ptu.bits': 4 }],
      ['converter bit width', '8 bit (the study)', { 'ptu.bits': 8 }],
      ['laser power', 'none (the study)', { 'ptu.laserPowerPerWavelengthW': 0 }],
      ['laser power', '1.27 mW per wavelength', { 'ptu.laserPowerPerWavelengthW': 1.27e-3 }],
      ['PTU static power', '0 W (the study)', { 'ptu.staticPowerW': 0 }],
      ['PTU static power', '1 W', { 'ptu.staticPowerW': 1 }],
      ['PTU static power', '10 W', { 'ptu.staticPowerW': 10 }],
    ];
    expect(r.sensitivity.map((s) => [s.model, s.seqLen, s.parameter, s.setting])).toEqual(
      LONGEST.flatMap((l) => settings.map(([p, s]) => [l.model, l.seqLen, p, s])),
    );
    for (const s of r.sensitivity) {
      const [, , hybridParams, cpuParams] = settings.find(([p, set]) => p === s.parameter && set === s.setting) ?? [];
      const h = await run(s.model, s.seqLen, 'lightcode-2025', 'energy', hybridParams);
      const c = await run(s.model, s.seqLen, 'cpu', 'energy', cpuParams ?? {});
      close(s.reduction, reduction(h.totals.energyJ, c.totals.energyJ));
    }
  });

  it('the memory threshold: the largest energy per number (found to 160 pJ / 2^12) at which the reduction still reaches 50 %', async () => {
    expect(r.thresholds.map((t) => [t.model, t.seqLen])).toEqual(LONGEST.map((l) => [l.model, l.seqLen]));
    const at = async (model: string, seqLen: number, j: number) =>
      reduction(
        (await run(model, seqLen, 'lightcode-2025', 'energy', { 'cpu.memoryEnergyPerNumberJ': j, 'ptu.memoryEnergyPerNumberJ': j })).totals
          .energyJ,
        (await run(model, seqLen, 'cpu', 'energy', { 'cpu.memoryEnergyPerNumberJ': j })).totals.energyJ,
      );
    for (const t of r.thresholds) {
      close(t.reductionAtZero, await at(t.model, t.seqLen, 0));
      if (t.reductionAtZero < 0.5) {
        expect(t.memoryEnergyPerNumberJ).toBeNull();
        continue;
      }
      const j = t.memoryEnergyPerNumberJ as number;
      expect(await at(t.model, t.seqLen, j)).toBeGreaterThanOrEqual(0.5);
      if (j < 160e-12) expect(await at(t.model, t.seqLen, j + 160e-12 / 4096)).toBeLessThan(0.5);
    }
  });

  it('finding 2: per wavelength count, four strategies against the CPU alone', async () => {
    const strategies = ['all on the CPU', 'each op on its fastest device', "the study's path heuristic", "LightCode's optimum"];
    expect(r.latency.map((x) => [x.model, x.seqLen, x.wavelengths, x.strategy])).toEqual(
      LONGEST.flatMap((l) => [1, 20].flatMap((wl) => strategies.map((s) => [l.model, l.seqLen, wl, s]))),
    );
    for (const x of r.latency) {
      const alone = (await run(x.model, x.seqLen, 'cpu', 'latency')).totals.latencyS;
      const opt = await run(x.model, x.seqLen, 'lightcode-2025', 'latency', { 'ptu.wavelengths': x.wavelengths });
      const baseline = (name: string) => opt.selection.baselines.find((b) => b.name === name)?.latencyS as number;
      const want = {
        'all on the CPU': alone,
        'each op on its fastest device': baseline('greedy-latency'),
        "the study's path heuristic": baseline('study-path-latency'),
        "LightCode's optimum": opt.totals.latencyS,
      }[x.strategy] as number;
      close(x.latencyS, want);
      close(x.improvement, alone / want);
    }
  });

  it('finding 2 split: total = alone / optimum at 20 wavelengths = multiplexing (optimum at 1 / at 20) x assignment (alone / optimum at 1)', async () => {
    expect(r.shares.map((s) => [s.model, s.seqLen])).toEqual(LONGEST.map((l) => [l.model, l.seqLen]));
    for (const s of r.shares) {
      const alone = (await run(s.model, s.seqLen, 'cpu', 'latency')).totals.latencyS;
      const one = (await run(s.model, s.seqLen, 'lightcode-2025', 'latency', { 'ptu.wavelengths': 1 })).totals.latencyS;
      const twenty = (await run(s.model, s.seqLen, 'lightcode-2025', 'latency', { 'ptu.wavelengths': 20 })).totals.latencyS;
      close(s.total, alone / twenty);
      close(s.multiplexing, one / twenty);
      close(s.assignment, alone / one);
    }
  });

  it('finding 3: the ops the latency- and energy-optimal mappings place differently, and what each costs', async () => {
    expect(r.mappings.map((m) => [m.machine, m.model, m.seqLen])).toEqual(LENGTHS.map((l) => ['lightcode-2025', l.model, l.seqLen]));
    for (const m of r.mappings) {
      const fast = await run(m.model, m.seqLen, 'lightcode-2025', 'latency');
      const lean = await run(m.model, m.seqLen, 'lightcode-2025', 'energy');
      const differing = fast.ops
        .map((op, i) => ({ op: op.name, latencyDevice: op.device, energyDevice: lean.ops[i]?.device }))
        .filter((d) => d.latencyDevice !== d.energyDevice);
      expect(m.differing).toEqual(differing);
      expect(m.latencyMapping).toEqual({ latencyS: fast.totals.latencyS, energyJ: fast.totals.energyJ });
      expect(m.energyMapping).toEqual({ latencyS: lean.totals.latencyS, energyJ: lean.totals.energyJ });
    }
  });

  it('the front is drawn for the length whose mappings differ most (none when they never differ)', async () => {
    const most = [...r.mappings].sort((a, b) => b.differing.length - a.differing.length)[0];
    if (!most || most.differing.length === 0) {
      expect(r.pareto).toBeNull();
      return;
    }
    expect([r.pareto?.model, r.pareto?.seqLen]).toEqual([most.model, most.seqLen]);
    const p = await pareto(reg, { model: most.model, seqLen: most.seqLen, system: 'lightcode-2025', points: 3 });
    expect(r.pareto?.points).toEqual(
      p.points.map((x) => ({ latencyS: x.latencyS, energyJ: x.energyJ, status: x.status, opsPerDevice: x.opsPerDevice })),
    );
  });

  it('machines from public device figures: each against its electronic partner alone, with the device-2025 PTU', async () => {
    const machines = [
      ['device-2025 PTU + study CPU', 'lightcode-2025', 'cpu', {}],
      ['device-2025 PTU + Xeon 8380', 'lightcode-2025', 'cpu-xeon', { 'cpu.preset': 'xeon-8380-tdp' }],
      ['device-2025 PTUs + A100', 'hybrid-a100-ptu', 'gpu-a100', {}],
      ['device-2025 PTUs + H100', 'hybrid-h100-ptu', 'gpu-h100', {}],
    ] as const;
    expect(r.devices.map((d) => [d.machine, d.baseline, d.model, d.seqLen])).toEqual(
      machines.flatMap(([machine, , baseline]) => LONGEST.map((l) => [machine, baseline, l.model, l.seqLen])),
    );
    for (const d of r.devices) {
      const [, system, baseline, extra] = machines.find(([m]) => m === d.machine) as (typeof machines)[number];
      const params = { ...extra, 'ptu.preset': 'device-2025' };
      const h = await run(d.model, d.seqLen, system, 'energy', params);
      const c = await run(d.model, d.seqLen, baseline, 'energy');
      close(d.energyReduction, reduction(h.totals.energyJ, c.totals.energyJ));
      close(d.computeReduction, reduction(computeEnergyJ(h), computeEnergyJ(c)));
      const fast = await run(d.model, d.seqLen, system, 'latency', params);
      const alone = await run(d.model, d.seqLen, baseline, 'latency');
      close(d.latencyImprovement, alone.totals.latencyS / fast.totals.latencyS);
      const differ = fast.ops.filter((op, i) => h.ops[i]?.device !== op.device).length;
      expect(d.differingOps).toBe(differ);
    }
  });

  it("the claims: what the paper says, the reference code's figures at each longest length, and the verdict's basis", () => {
    const [one, two, three] = r.claims;
    expect(r.claims.map((c) => c.finding)).toEqual([1, 2, 3]);
    expect(one?.paper).toBe('photonic hardware cuts energy by up to 50 % at the maximum sequence length');
    // the reference's energy rows at gpt2 L = 256 (5.5 %, 6.4 %) and llama L = 512 (9.0 %, 12.7 %)
    expect(one?.reference).toBe('gpt2 L=256: 5.5 % (6.4 % with heads re-costed); llama-2-7b L=512: 9.0 % (12.7 % with heads re-costed)');
    const at = LONGEST.map((l) => r.energy.find((e) => e.model === l.model && e.seqLen === l.seqLen));
    expect(one?.lightcode).toBe(
      at
        .map(
          (e) =>
            `${e?.model} L=${e?.seqLen}: ${(100 * (e?.reduction ?? 0)).toFixed(1)} % total, ${(100 * (e?.computeReduction ?? 0)).toFixed(1)} % compute + conversion`,
        )
        .join('; '),
    );
    expect(two?.paper).toBe('multiplexing and the assignment strategy give latency improvements above 10x');
    // the reference's time rows: gpt2 L = 256 17.00x (21.97x), llama L = 512 8.02x (12.74x)
    expect(two?.reference).toBe('gpt2 L=256: 17.0x (22.0x with heads re-costed); llama-2-7b L=512: 8.0x (12.7x with heads re-costed)');
    expect(two?.lightcode).toBe(
      r.shares
        .map(
          (s) =>
            `${s.model} L=${s.seqLen}: ${s.total.toFixed(1)}x at 20 wavelengths (multiplexing ${s.multiplexing.toFixed(1)}x x assignment ${s.assignment.toFixed(1)}x)`,
        )
        .join('; '),
    );
    expect(three?.paper).toBe('optimizing for latency or for energy gives different hardware mappings');
    expect(three?.reference).toBe('mappings differ at gpt2 L=6, gpt2 L=64, llama-2-7b L=64; identical from GPT-2 L=256 and Llama L=512 on');
    expect(three?.lightcode).toBe(
      r.mappings
        .map((m) => `${m.model} L=${m.seqLen}: ${m.differing.length === 1 ? '1 op differs' : `${m.differing.length} ops differ`}`)
        .join('; '),
    );
  });

  it('verdicts: energy holds only without the weights memory, latency stays below 10x, mappings differ at 64 tokens only', () => {
    const [one, two, three] = r.claims;
    // the total reduction stays below 50 % at the longest lengths; compute and conversion alone reach it
    const atMax = LONGEST.map((l) => r.energy.find((e) => e.model === l.model && e.seqLen === l.seqLen) as (typeof r.energy)[number]);
    expect(Math.max(...atMax.map((e) => e.reduction))).toBeLessThan(0.5);
    const bestCompute = Math.max(...atMax.map((e) => e.computeReduction));
    expect(bestCompute).toBeGreaterThanOrEqual(0.5);
    expect(r.thresholds.every((t) => t.memoryEnergyPerNumberJ !== null && t.memoryEnergyPerNumberJ < 160e-12)).toBe(true);
    expect(one?.verdict).toBe('holds only under stated assumptions');
    expect(one?.assumption).toBe(
      [
        "weights read from DRAM at 160 pJ per number dominate both machines' energy, and cost the same on both",
        `counting compute and conversion energy only, the reduction is up to ${(100 * bestCompute).toFixed(1)} %`,
        ...r.thresholds.map(
          (t) =>
            `${t.model} at ${t.seqLen} tokens reaches 50 % once memory costs at most ${((t.memoryEnergyPerNumberJ as number) * 1e12).toFixed(1)} pJ per number`,
        ),
      ].join('; '),
    );
    // no optimum reaches 10x at any wavelength count
    expect(r.latency.filter((x) => x.strategy === "LightCode's optimum").every((x) => x.improvement <= 10)).toBe(true);
    expect(r.shares.every((s) => s.total <= 10)).toBe(true);
    expect([two?.verdict, two?.assumption]).toEqual([
      'does not hold',
      'gpt2: below 10x at every wavelength count tried; llama-2-7b: below 10x at every wavelength count tried',
    ]);
    expect(r.mappings.map((m) => m.differing.length)).toEqual([3, 0, 0]);
    expect([three?.verdict, three?.assumption]).toEqual([
      'holds only under stated assumptions',
      'they differ at gpt2 L=64, and agree elsewhere',
    ]);
    expect(three?.lightcode).toBe('gpt2 L=64: 3 ops differ; gpt2 L=256: 0 ops differ; llama-2-7b L=512: 0 ops differ');
    expect([r.pareto?.model, r.pareto?.seqLen]).toEqual(['gpt2', 64]);
  });
});

describe('reproduce --quick where the PTU wins outright (weights read once, no per-op overhead)', () => {
  const cheap = toyRegistry({ models: ['gpt2', 'llama-2-7b'], targets: [cpu(1), ptu(1, 0), gpu()] });
  let r: ReproduceResult;
  // before each test, not once for all: the code under test then runs inside each test that checks it, as
  // mutation testing's per-test coverage needs (run once, outside any test, its mutants would rerun every test)
  beforeEach(async () => {
    r = await reproduce(cheap, { quick: true });
  }, 300_000);

  it('finding 1 holds as the machine is; even at 160 pJ per number the reduction reaches 50 %', () => {
    const atMax = LONGEST.map((l) => r.energy.find((e) => e.model === l.model && e.seqLen === l.seqLen)?.reduction ?? 0);
    expect(Math.max(...atMax)).toBeGreaterThanOrEqual(0.5);
    expect([r.claims[0]?.verdict, r.claims[0]?.assumption]).toEqual(['holds', 'the study machine as it is']);
    expect(r.thresholds.map((t) => t.memoryEnergyPerNumberJ)).toEqual([160e-12, 160e-12]);
  });

  it('finding 2 holds: 20 wavelengths give 20x at both lengths, 1 wavelength does not reach 10x', () => {
    expect(r.shares.map((s) => Number(s.total.toFixed(9)))).toEqual([20, 20]);
    expect([r.claims[1]?.verdict, r.claims[1]?.assumption]).toEqual([
      'holds',
      'gpt2: above 10x from 20 wavelengths; llama-2-7b: above 10x from 20 wavelengths',
    ]);
  });

  it('finding 3 does not hold: both objectives put every op on the PTU; no front is drawn', () => {
    expect(r.mappings.every((m) => m.differing.length === 0)).toBe(true);
    expect([r.claims[2]?.verdict, r.claims[2]?.assumption]).toEqual([
      'does not hold',
      'both objectives choose the same device for every op at every length tried',
    ]);
    expect(r.pareto).toBeNull();
  });
});

describe('reproduce --quick where the PTU is far slower and barely leaner', () => {
  // 1e-8 s per MAC (5e-10 at 20 wavelengths, against the CPU's 1e-11), 1.8 pJ per MAC against 2, no converters
  const slow = toyRegistry({
    models: ['gpt2', 'llama-2-7b'],
    targets: [cpu(1), ptu(1, 0, { spm: 1e-8, macEnergyJ: 1.8e-12, dacEnergyJ: 0, adcEnergyJ: 0 }), gpu()],
  });
  let r: ReproduceResult;
  // before each test, not once for all: the code under test then runs inside each test that checks it, as
  // mutation testing's per-test coverage needs (run once, outside any test, its mutants would rerun every test)
  beforeEach(async () => {
    r = await reproduce(slow, { quick: true });
  }, 300_000);

  it('finding 1 does not hold: 10 % at most, even with free memory', () => {
    expect(r.thresholds.map((t) => t.memoryEnergyPerNumberJ)).toEqual([null, null]);
    for (const t of r.thresholds) expect(t.reductionAtZero).toBeCloseTo(0.1, 9);
    expect(r.claims[0]?.verdict).toBe('does not hold');
    expect(r.claims[0]?.assumption).toBe(
      [
        "weights read from DRAM at 160 pJ per number dominate both machines' energy, and cost the same on both",
        'gpt2 at 256 tokens stays below 50 % even with free memory (10.0 %)',
        'llama-2-7b at 512 tokens stays below 50 % even with free memory (10.0 %)',
      ].join('; '),
    );
  });

  it('finding 3 holds: latency keeps every op on the CPU, energy moves every op to the PTU, at every length', () => {
    expect(r.mappings.map((m) => m.differing.map((d) => [d.op, d.latencyDevice, d.energyDevice]))).toEqual(
      LENGTHS.map(() => ['fc0', 'fc1', 'fc2'].map((op) => [op, 'cpu', 'ptu'])),
    );
    expect([r.claims[2]?.verdict, r.claims[2]?.assumption]).toEqual(['holds', 'they differ at gpt2 L=64, gpt2 L=256, llama-2-7b L=512']);
    // the first of the lengths that differ most
    expect([r.pareto?.model, r.pareto?.seqLen]).toEqual(['gpt2', 64]);
  });
});

describe('computeEnergyJ', () => {
  it('compute plus conversion, nothing else; absent kinds count 0', () => {
    const r = (b: Record<string, number>) => ({ totals: { energyBreakdownJ: b } }) as unknown as CompileResult;
    expect(computeEnergyJ(r({ compute: 2, conversion: 3, memory: 100, static: 7 }))).toBe(5);
    expect(computeEnergyJ(r({ memory: 1 }))).toBe(0);
    expect(computeEnergyJ(r({ conversion: 4 }))).toBe(4);
    expect(computeEnergyJ(r({ compute: 4 }))).toBe(4);
  });
});
