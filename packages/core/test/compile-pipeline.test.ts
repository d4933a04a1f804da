import path from 'node:path';
import {
  defineSolver,
  type MilpProblem,
  type OpArithmetic,
  type OpNode,
  type SolverPlugin,
  type TargetPlugin,
} from '@lightcode/cost-model';
import { yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import {
  AUTO_YALPS_MAX_BINARIES,
  AUTO_YALPS_MAX_INTEGERS,
  compile,
  loadSystem,
  pareto,
  readSystem,
  solverFor,
  stackedGraphOf,
  traceOf,
} from '../src/compile.js';
import { buildGraph } from '../src/model.js';
import { BUILTIN_SYSTEMS, DEFAULT_SYSTEM } from '../src/systems.js';
import { priceUnderWatchdog, underWatchdog, watchedSystem } from '../src/watchdog.js';
import { rejection, thrown, tmpDir } from './fixtures.js';
import { BOTH, FAST, FAST_ONLY, fusedTarget, LEAN, LEAN_ONLY, systemFile, toyRegistry, W } from './toy.js';

/*
 * compile.ts: the solver chosen for a MILP, systems read (built-in or file)
 * and parameters set, each option checked, the result's fields on the toy
 * machine (test/toy.ts: a prefill of S tokens is 3 S W^2 MACs, 1 ps and
 * 4 pJ per MAC on fast, 0.25 ps + 4.824 ns per layer and 1 pJ on lean), the
 * Stacked Graph cache, the latency-energy front, and the watchdog's view of
 * the targets.
 */

const highs: SolverPlugin = defineSolver({
  id: 'highs',
  name: 'HiGHS',
  description: 'fake',
  solve: () => yalpsSolver.solve({} as never, {} as never),
});
const other: SolverPlugin = defineSolver({
  id: 'other',
  name: 'other',
  description: 'fake',
  solve: () => yalpsSolver.solve({} as never, {} as never),
});

/** A MILP of `b` binaries, `i` general integers and a continuous variable. */
const milp = (b: number, i: number) =>
  ({
    variables: [
      ...Array.from({ length: b }, (_, k) => ({ name: `b${k}`, type: 'binary' })),
      ...Array.from({ length: i }, (_, k) => ({ name: `i${k}`, type: 'integer' })),
      { name: 'c', type: 'continuous' },
    ],
  }) as unknown as MilpProblem;

describe('solverFor', () => {
  it('auto with HiGHS loaded: yalps up to 40 binaries and 4 integers, HiGHS past either', () => {
    expect([AUTO_YALPS_MAX_BINARIES, AUTO_YALPS_MAX_INTEGERS]).toEqual([40, 4]);
    const pick = solverFor(toyRegistry({ solvers: [highs] })) as (p: MilpProblem) => SolverPlugin;
    expect(pick(milp(40, 4))).toBe(yalpsSolver);
    expect(pick(milp(41, 0))).toBe(highs);
    expect(pick(milp(0, 5))).toBe(highs);
    expect(pick(milp(0, 0))).toBe(yalpsSolver);
    expect(solverFor(toyRegistry({ solvers: [highs] }), 'auto')).toBeTypeOf('function');
  });

  it('auto without HiGHS: yalps whatever the size', () => {
    const pick = solverFor(toyRegistry({ solvers: [other] })) as (p: MilpProblem) => SolverPlugin;
    expect(pick(milp(1000, 100))).toBe(yalpsSolver);
  });

  it('yalps by name, a loaded solver by its id, and an unknown id listing the choices', () => {
    const reg = toyRegistry({ solvers: [highs, other] });
    expect(solverFor(reg, 'yalps')).toBe(yalpsSolver);
    expect(solverFor(reg, 'other')).toBe(other);
    expect(thrown(() => solverFor(reg, 'cplex')).message).toBe("unknown solver 'cplex' (available: auto, yalps, highs, other)");
    expect(thrown(() => solverFor(toyRegistry(), 'cplex')).message).toBe("unknown solver 'cplex' (available: auto, yalps)");
  });
});

describe('readSystem and loadSystem', () => {
  it('a built-in id, by default hybrid-a100-ptu', () => {
    expect(DEFAULT_SYSTEM).toBe('hybrid-a100-ptu');
    expect(readSystem()).toEqual({ raw: BUILTIN_SYSTEMS['hybrid-a100-ptu'], source: "system 'hybrid-a100-ptu'" });
    expect(readSystem('cpu')).toEqual({ raw: BUILTIN_SYSTEMS.cpu, source: "system 'cpu'" });
  });

  it('a file, relative to cwd', () => {
    const file = systemFile(FAST_ONLY, 'mine.json');
    const dir = path.dirname(file);
    expect(readSystem('mine.json', dir)).toEqual({ raw: FAST_ONLY, source: "system file 'mine.json'" });
    expect(readSystem(file)).toEqual({ raw: FAST_ONLY, source: `system file '${file}'` });
  });

  it('a missing file (a name with a slash or a .json/.yaml/.yml ending) and an unknown id', () => {
    const dir = tmpDir();
    // an ending must end the name to make it a path
    expect(thrown(() => readSystem('x.jsonx', dir)).message).toMatch(/^unknown system 'x\.jsonx' \(built-in: /);
    for (const name of ['x.json', 'x.YAML', 'x.yml', 'sub/x', 'a\\b']) {
      const e = thrown(() => readSystem(name, dir));
      expect([e.code, e.option, e.message]).toEqual(['E_NO_FILE', name, `system file '${name}' does not exist`]);
    }
    expect(thrown(() => readSystem('gpu-z100', dir)).message).toBe(
      `unknown system 'gpu-z100' (built-in: ${Object.keys(BUILTIN_SYSTEMS).join(', ')}; or give a .json/.yaml system file)`,
    );
  });

  it('loadSystem resolves against the targets and sets parameters as a new spec', () => {
    const reg = toyRegistry();
    const file = systemFile(BOTH);
    const base = loadSystem(reg, file);
    expect(base.devices.map((d) => [d.id, d.target.id, d.count, d.preset])).toEqual([
      ['f', 'fast', 1, 'base'],
      ['l', 'lean', 1, 'base'],
    ]);
    const set = loadSystem(reg, file, process.cwd(), { 'f.count': 3, 'l.spm': 2e-12 });
    expect(set.devices.map((d) => d.count)).toEqual([3, 1]);
    expect(set.devices[1]?.params.spm).toBe(2e-12);
    expect(loadSystem(reg, file, process.cwd(), {}).spec).toEqual(base.spec);
  });
});

describe('compile: options checked before any work', () => {
  const reg = toyRegistry();
  const system = systemFile(FAST_ONLY);
  const run = (over: object) => compile(reg, { model: 'toy-chain', system, seqLen: 8, ...over });

  const weights = (a: number, b: number) =>
    `--latency-weight and --energy-weight must be non-negative numbers, not both 0 (got ${a} and ${b})`;
  it.each([
    [{ objective: 'speed' }, "--objective must be one of latency, energy (got 'speed')"],
    [{ objective: { latencyWeight: -1, energyWeight: 1 } }, weights(-1, 1)],
    [{ objective: { latencyWeight: 1, energyWeight: -1 } }, weights(1, -1)],
    [{ objective: { latencyWeight: 0, energyWeight: 0 } }, weights(0, 0)],
    [{ objective: { latencyWeight: Number.NaN, energyWeight: 1 } }, weights(Number.NaN, 1)],
    [{ objective: { latencyWeight: 1, energyWeight: Number.POSITIVE_INFINITY } }, weights(1, Number.POSITIVE_INFINITY)],
  ])('refuses the objective %o', async (over, message) => {
    const e = await rejection(run(over));
    expect([e.message, e.exitCode]).toEqual([message, 2]);
  });

  it('weights with one of them 0 are an objective', async () => {
    const { result } = await run({ objective: { latencyWeight: 0, energyWeight: 2 } });
    expect(result.totals.energyJ).toBeCloseTo(3 * 8 * W * W * FAST.jpm, 20);
    const { result: t } = await run({ objective: { latencyWeight: 2, energyWeight: 0 } });
    expect(t.totals.latencyS).toBeCloseTo(3 * 8 * W * W * FAST.spm, 20);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the time limit %s', async (timeLimitS) => {
    const e = await rejection(run({ timeLimitS }));
    expect([e.code, e.option, e.message]).toEqual([
      'E_RANGE',
      'timeLimitS',
      `the time limit must be a positive number of seconds (got ${timeLimitS})`,
    ]);
  });

  it('an unknown solver is refused', async () => {
    expect((await rejection(run({ solver: 'nope' }))).message).toBe("unknown solver 'nope' (available: auto, yalps)");
  });
});

describe('compile: the result on the toy machine', () => {
  const reg = toyRegistry();
  const S = 8;

  it('model, system, options and totals (fast alone: 3 S W^2 MACs at 1 ps, 4 pJ)', async () => {
    const system = systemFile({ ...FAST_ONLY, devices: [{ ...FAST_ONLY.devices[0], count: 2 }] });
    const c = await compile(reg, { model: 'toy-chain', system, seqLen: S, batch: 1, timeLimitS: 5, solver: 'yalps' });
    const r = c.result;
    expect(r.model).toEqual({ id: 'toy-chain', family: 'toy', phase: 'prefill', seqLen: S, batch: 1, dtype: 'fp16', layers: 3 });
    expect(r.system).toEqual({ id: 'fast-only', devices: [{ id: 'f', target: 'fast', count: 2, preset: 'base' }] });
    expect(r.objective).toBe('latency');
    expect(r.options).toEqual({ solver: 'yalps', pins: [], excludes: [] });
    // no budget given, none echoed (not even as undefined)
    expect(Object.keys(r.options)).toEqual(['solver', 'pins', 'excludes']);
    // three ops on one device class: enumerated, no MILP solved
    expect(r.selection).toMatchObject({ status: 'optimal', solver: 'exhaustive', gap: 0, method: 'enumeration' });
    expect(r.selection.bound).toBeCloseTo(3 * S * W * W * FAST.spm, 20);
    expect(r.selection.objectiveValue).toBe(r.totals.latencyS);
    expect(r.selection.baselines.length).toBeGreaterThan(0);
    const macs = 3 * S * W * W;
    expect(r.totals).toEqual({
      latencyS: expect.closeTo(macs * FAST.spm, 20),
      energyJ: expect.closeTo(macs * FAST.jpm, 20),
      macs,
      flops: 2 * macs,
      paramBytes: 3 * 2 * W * W,
      energyBreakdownJ: { compute: expect.closeTo(macs * FAST.jpm, 20), static: 0 },
    });
    expect(r.opsPerDevice).toEqual({ f: 3 });
    expect(r.ops.map((o) => [o.id, o.name, o.kind, o.layer, o.device, o.algorithm, o.macs])).toEqual([
      ['fc0', 'fc0', 'linear', 0, 'f', 'fast-mac', S * W * W],
      ['fc1', 'fc1', 'linear', 1, 'f', 'fast-mac', S * W * W],
      ['fc2', 'fc2', 'linear', 2, 'f', 'fast-mac', S * W * W],
    ]);
    for (const o of r.ops) {
      expect(o.instance).toMatch(/^f#[01]$/);
      expect(o.instances).toContain(o.instance);
      expect(o.latencyS).toBeCloseTo(S * W * W * FAST.spm, 20);
      expect(o.energyJ).toBeCloseTo(S * W * W * FAST.jpm, 20);
      expect(o.endS - o.startS).toBeCloseTo(o.latencyS, 20);
      expect('fusion' in o).toBe(false);
    }
    expect(r.devices.map((d) => d.id)).toEqual(['f#0', 'f#1']);
    expect(r.devices.reduce((s, d) => s + d.busyS, 0)).toBeCloseTo(macs * FAST.spm, 20);
    expect(r.links).toEqual([]);
    expect(r.memories).toEqual([]);
    expect(c.graph.meta.id).toBe('toy-chain');
    expect(c.system.spec.id).toBe('fast-only');
    expect(c.schedule.makespanS).toBe(r.totals.latencyS);
    const trace = traceOf(c) as unknown as { traceEvents: { name?: string }[] };
    expect(['fc0', 'fc1', 'fc2'].every((n) => trace.traceEvents.some((e) => e.name === n))).toBe(true);
  });

  it('budgets, pins and excludes are echoed in the options', async () => {
    const system = systemFile(BOTH);
    const { result } = await compile(reg, {
      model: 'toy-chain',
      system,
      seqLen: 1,
      objective: 'energy',
      latencyBudgetS: 1,
      energyBudgetJ: 1,
      pins: [{ glob: 'fc0', device: 'f' }],
      excludes: [{ glob: 'fc2', device: 'f' }],
    });
    expect(result.options).toEqual({
      solver: 'auto',
      latencyBudgetS: 1,
      energyBudgetJ: 1,
      pins: [{ glob: 'fc0', device: 'f' }],
      excludes: [{ glob: 'fc2', device: 'f' }],
    });
    expect(result.ops.map((o) => o.device)).toEqual(['f', 'l', 'l']);
    expect(result.opsPerDevice).toEqual({ f: 1, l: 2 });
    expect(result.links.map((l) => l.id)).toEqual(['f-l']);
  });

  it('memory: a graph over a capacity is refused, unless the check is off', async () => {
    const system = systemFile({
      ...FAST_ONLY,
      memories: [{ id: 'm', kind: 'hbm', capacityBytes: 1000, bandwidthBps: 1e12, energyPerByteJ: 0, attachedTo: ['f'] }],
    });
    expect((await rejection(compile(reg, { model: 'toy-chain', system, seqLen: S }))).message).toMatch(
      /^toy-chain does not fit in memory 'm'/,
    );
    const { result } = await compile(reg, { model: 'toy-chain', system, seqLen: S, checkMemory: false });
    // weights 6 W^2 and two [1, S, W] fp16 activations at once
    expect(result.memories).toEqual([
      {
        id: 'm',
        capacityBytes: 1000,
        weightsBytes: 6 * W * W,
        kvCacheBytes: 0,
        activationPeakBytes: 4 * S * W,
        peakBytes: 6 * W * W + 4 * S * W,
      },
    ]);
  });

  it('relaxation off still gives the optimum on a graph this small', async () => {
    const { result } = await compile(reg, { model: 'toy-chain', system: systemFile(FAST_ONLY), seqLen: S, relaxation: false });
    expect(result.totals.latencyS).toBeCloseTo(3 * S * W * W * FAST.spm, 20);
  });
});

describe('stackedGraphOf: one Stacked Graph per graph and system', () => {
  it('the same graph and system spec give the same object; another system another', () => {
    const reg = toyRegistry();
    const g = buildGraph(reg, { model: 'toy-chain', seqLen: 4 });
    const a = loadSystem(reg, systemFile(FAST_ONLY));
    const a2 = loadSystem(reg, systemFile(FAST_ONLY));
    const b = loadSystem(reg, systemFile(LEAN_ONLY));
    const sg = stackedGraphOf(g, a);
    expect(stackedGraphOf(g, a2)).toBe(sg);
    expect(stackedGraphOf(g, b)).not.toBe(sg);
    expect(stackedGraphOf(buildGraph(reg, { model: 'toy-chain', seqLen: 5 }), a)).not.toBe(sg);
    expect(sg.candidates.get('fc0')?.map((c) => c.device)).toEqual(['f']);
  });
});

describe('pareto: the latency-energy front', () => {
  it('from all on fast (fastest) to all on lean (leanest), each point a mix of the two', async () => {
    const reg = toyRegistry();
    const S = 1;
    const f = { t: S * W * W * FAST.spm, e: S * W * W * FAST.jpm };
    const l = { t: S * W * W * LEAN.spm + (LEAN.overheadS as number), e: S * W * W * LEAN.jpm };
    expect(f.t).toBeLessThan(l.t);
    const { points, graph, system } = await pareto(reg, {
      model: 'toy-chain',
      system: systemFile(BOTH),
      seqLen: S,
      points: 2,
      timeLimitS: 5,
    });
    expect(graph.meta.seqLen).toBe(S);
    expect(system.spec.id).toBe('both');
    const first = points[0];
    const last = points.at(-1);
    expect(first?.latencyS).toBeCloseTo(3 * f.t, 15);
    expect(first?.energyJ).toBeCloseTo(3 * f.e, 15);
    expect(last?.latencyS).toBeCloseTo(3 * l.t, 15);
    expect(last?.energyJ).toBeCloseTo(3 * l.e, 15);
    // every point is k layers on lean and 3 - k on fast
    for (const p of points) {
      const k = (p.energyJ - 3 * f.e) / (l.e - f.e);
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-6);
      expect(p.latencyS).toBeCloseTo((3 - Math.round(k)) * f.t + Math.round(k) * l.t, 15);
    }
    // no points between the ends: the two ends; by default enough budgets between them to find every mix
    const few = await pareto(reg, { model: 'toy-chain', system: systemFile(BOTH), seqLen: S, points: 0 });
    expect(few.points.map((p) => p.opsPerDevice)).toEqual([
      { f: 3, l: 0 },
      { f: 0, l: 3 },
    ]);
    const all = await pareto(reg, { model: 'toy-chain', system: systemFile(BOTH), seqLen: S });
    expect(all.points.map((p) => p.opsPerDevice.l)).toEqual([0, 1, 2, 3]);
  });
});

type Resolved = ReturnType<typeof loadSystem>;
type Device = Resolved['devices'][number];
/** The first device class of a system. */
const first = (sys: Resolved): Device => sys.devices[0] as Device;
/** The system with its first device's target replaced. */
const withTarget = (sys: Resolved, target: TargetPlugin): Resolved => ({ ...sys, devices: [{ ...first(sys), target }] });

describe('the watchdog sees which op a target prices', () => {
  it('realize() and fusions record the plugin and the op while they run; every other member passes through', () => {
    const reg = toyRegistry();
    const system = loadSystem(reg, systemFile(FAST_ONLY));
    const progress: { current?: { plugin: string; call: string; op?: string } } = {};
    const watched = watchedSystem(system, progress);
    const t = first(watched).target;
    const seen: unknown[] = [];
    const original = first(system).target;
    const op = { id: 'x', name: 'layer.7', kind: 'linear' } as OpNode;
    const a = { macs: 10, flops: 20, bytesRead: 0, bytesWritten: 0, paramBytes: 0 } as OpArithmetic;
    const spy = {
      ...original,
      realize: (o: OpNode, ar: OpArithmetic, p: never) => {
        seen.push({ ...progress.current });
        return original.realize(o, ar, p);
      },
    } as TargetPlugin;
    const w2 = first(watchedSystem(withTarget(system, spy), progress)).target;
    const r = w2.realize(op, a, first(system).params as never);
    expect(seen).toEqual([{ plugin: 'fast', call: 'realize()', op: 'layer.7' }]);
    expect(progress.current).toBeUndefined();
    expect(r[0]?.latencyS).toBeCloseTo(10 * FAST.spm, 25);
    expect([t.id, t.kind, t.name, t.defaultPreset, 'params' in t, 'nothing' in t]).toEqual(['fast', 'target', 'fast', 'base', true, false]);
    expect(t.staticPowerW({ staticW: 3 } as never)).toBe(3);
    expect(watched.path('f', 'f')).toEqual(system.path('f', 'f'));
  });

  it("a target's own methods are called on the target itself (a class's private fields keep working)", () => {
    const reg = toyRegistry();
    const system = loadSystem(reg, systemFile(FAST_ONLY));
    class Counted {
      readonly #watts = 7;
      readonly kind = 'target';
      readonly id = 'fast';
      staticPowerW(): number {
        return this.#watts;
      }
    }
    const t = first(watchedSystem(withTarget(system, new Counted() as unknown as TargetPlugin), {})).target;
    expect(t.staticPowerW({})).toBe(7);
  });

  it('a fusion realize() is named with its id and the first op of the chain', () => {
    const reg = toyRegistry();
    const system = loadSystem(reg, systemFile(FAST_ONLY));
    const seen: unknown[] = [];
    const progress: { current?: { plugin: string; call: string; op?: string } } = {};
    const fused = {
      ...first(system).target,
      fusions: [
        {
          id: 'pair',
          description: 'two linears',
          chain: ['linear', 'linear'],
          realize: () => {
            seen.push({ ...progress.current });
            return [];
          },
        },
      ],
    } as TargetPlugin;
    const watched = watchedSystem(withTarget(system, fused), progress);
    const f = first(watched).target.fusions?.[0];
    expect(f?.id).toBe('pair');
    f?.realize([{ name: 'a.0' } as OpNode, { name: 'a.1' } as OpNode], [], {} as never);
    f?.realize([], [], {} as never);
    expect(seen).toEqual([
      { plugin: 'fast', call: "fusion 'pair' realize()", op: 'a.0' },
      { plugin: 'fast', call: "fusion 'pair' realize()", op: '' },
    ]);
    expect(progress.current).toBeUndefined();
    // a target without fusions has none through the proxy
    expect(first(watchedSystem(system, progress)).target.fusions).toBeUndefined();
  });

  it('a target whose realize() hangs is stopped and named with the op', () => {
    const reg = toyRegistry();
    const system = loadSystem(reg, systemFile(FAST_ONLY));
    const hang = {
      ...first(system).target,
      realize: () => {
        for (;;) {
          // never returns
        }
      },
    } as TargetPlugin;
    const sys = withTarget(system, hang);
    const op = { id: 'x', name: 'h.3.mlp', kind: 'linear' } as OpNode;
    const e = thrown(() => priceUnderWatchdog(0.1, sys, (w) => first(w).target.realize(op, {} as OpArithmetic, {} as never)));
    expect([e.code, e.exitCode]).toEqual(['E_PLUGIN_TIMEOUT', 2]);
    expect(e.message).toBe(
      "plugin 'fast': realize() on op 'h.3.mlp' did not return within 0.1 s (the plugin watchdog, --plugin-timeout); fix the plugin or raise the limit",
    );
    expect(priceUnderWatchdog(0.1, system, (w) => w.devices.length)).toBe(1);
  });
});

describe('a fused kernel', () => {
  // fast with a fusion of two linears at half their summed time: fc0 + fc1 fused, fc2 alone
  const fused = fusedTarget();

  it('its ops carry the kernel id; the latency is (2 M / 2 + M) ps for M MACs a layer', async () => {
    const reg = toyRegistry({ targets: [fused] });
    const system = systemFile({ id: 'fz', devices: [{ id: 'z', target: 'fused', count: 1 }] });
    const { result } = await compile(reg, { model: 'toy-chain', system, seqLen: 4 });
    const M = 4 * W * W;
    expect(result.totals.latencyS).toBeCloseTo(2 * M * FAST.spm, 20);
    expect(result.ops.map((o) => o.fusion)).toEqual(['z:pair:fc0:0', 'z:pair:fc0:0', undefined]);
    expect('fusion' in (result.ops[2] as object)).toBe(false);
  });
});

describe('underWatchdog limits', () => {
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // spin
    }
    return ms;
  };

  it('no limit (0, a negative, NaN or infinity): the code runs unwatched, however long', () => {
    for (const limit of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(
        underWatchdog(
          limit,
          () => busy(30),
          () => undefined,
        ),
      ).toBe(30);
  });

  it('a limit below a millisecond is a millisecond', () => {
    const e = thrown(() =>
      underWatchdog(
        1e-6,
        () => busy(200),
        () => undefined,
      ),
    );
    expect(e.code).toBe('E_PLUGIN_TIMEOUT');
  });

  it('with nothing in progress, the plugin is unknown and the call is plugin code', () => {
    const e = thrown(() =>
      underWatchdog(
        0.05,
        () => busy(5_000),
        () => undefined,
      ),
    );
    expect(e.message).toBe(
      "plugin 'unknown': plugin code did not return within 0.05 s (the plugin watchdog, --plugin-timeout); fix the plugin or raise the limit",
    );
    const noOp = thrown(() =>
      underWatchdog(
        0.05,
        () => busy(5_000),
        () => ({ plugin: 'p', call: 'build()' }),
      ),
    );
    expect(noOp.message).toMatch(/^plugin 'p': build\(\) did not return within 0\.05 s/);
  });
});

describe('lean device sanity for these tests', () => {
  it('on lean alone a prefill costs 3 (S W^2 x 0.25 ps + 4.824 ns)', async () => {
    const { result } = await compile(toyRegistry(), { model: 'toy-chain', system: systemFile(LEAN_ONLY), seqLen: 2 });
    expect(result.totals.latencyS).toBeCloseTo(3 * (2 * W * W * LEAN.spm + (LEAN.overheadS as number)), 18);
  });
});
