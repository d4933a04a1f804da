/**
 * Type tests: they lock the SDK's contract as plugin authors see it. `pnpm
 * typecheck` compiles this file (test/tsconfig.json): each `@ts-expect-error`
 * must still be an error, each expectTypeOf must still hold. At run time the
 * assertions are no-ops.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CONTRACT_FEATURES,
  CONTRACT_MEMBERS,
  defineFrontend,
  defineSolver,
  defineTarget,
  type EnergyKind,
  type FrontendPlugin,
  type MilpResult,
  num,
  type ParamsOf,
  type Realization,
  type RealizationEnergy,
  type SolverPlugin,
  str,
  type TargetPlugin,
} from '../src/index.js';

const params = {
  clockHz: { unit: 'Hz', default: 1e9, description: 'clock', source: 'datasheet' },
  lanes: { unit: '1', default: 8, integer: true, description: 'lanes', source: 'datasheet' },
  mode: { unit: 'choice', default: 'fast', choices: ['fast', 'exact'], description: 'mode', source: 'assumed' },
} as const;

describe('the SDK contract, as types', () => {
  it('defineTarget types realize, staticPowerW, validate and fusions by the parameter declarations', () => {
    const t = defineTarget({
      id: 'typed',
      name: 'Typed',
      description: 'a typed target',
      dtypes: ['fp16'],
      opKinds: ['linear'],
      params,
      presets: {
        base: { description: 'base', source: 'datasheet', values: { clockHz: 2e9, mode: 'exact' }, sources: { clockHz: 'table 3' } },
        // @ts-expect-error a preset may set only declared parameters
        typo: { description: 'typo', source: 'x', values: { clockHz: 1, lanez: 4 } },
        // @ts-expect-error a choice takes one of its choices
        badChoice: { description: 'bad', source: 'x', values: { mode: 'slow' } },
        // @ts-expect-error a number parameter takes a number
        badNumber: { description: 'bad', source: 'x', values: { lanes: 'eight' } },
      },
      defaultPreset: 'base',
      realize(_op, arith, p): readonly Realization[] {
        expectTypeOf(p).toEqualTypeOf<{ readonly clockHz: number; readonly lanes: number; readonly mode: 'fast' | 'exact' }>();
        // @ts-expect-error a misspelt parameter is a compile error
        p.clockHZ;
        // @ts-expect-error so is one through num()
        num(p, 'lanez');
        // @ts-expect-error num() reads numbers only
        num(p, 'mode');
        expectTypeOf(num(p, 'lanes')).toEqualTypeOf<number>();
        expectTypeOf(str(p, 'mode')).toEqualTypeOf<string>();
        const latencyS = arith.macs / (p.clockHz * p.lanes);
        if (p.mode === 'exact') return [{ algorithm: 'exact', latencyS, energy: { compute: 1e-12 * arith.macs } }];
        // @ts-expect-error energy keys are a closed union: a typo is an error
        return [{ algorithm: 'fast', latencyS, energy: { compte: 1 } }];
      },
      staticPowerW: (p) => p.lanes * 0.1,
      validate: (p) => (p.lanes > 64 ? 'lanes must be at most 64' : null),
      fusions: [
        {
          id: 'pair',
          description: 'two linears',
          chain: ['linear', 'linear'],
          realize: (_ops, _arith, p) => {
            expectTypeOf(p.mode).toEqualTypeOf<'fast' | 'exact'>();
            return [];
          },
        },
      ],
    });
    // the host sees the untyped contract
    expectTypeOf(t).toEqualTypeOf<TargetPlugin>();
    expectTypeOf<ParamsOf<typeof params>>().toEqualTypeOf<{
      readonly clockHz: number;
      readonly lanes: number;
      readonly mode: 'fast' | 'exact';
    }>();
  });

  it('a target must provide every required member', () => {
    const missing = () =>
      // @ts-expect-error staticPowerW is missing
      defineTarget({
        id: 'x',
        name: 'x',
        description: 'x',
        dtypes: ['fp16'],
        opKinds: ['linear'],
        params: {},
        presets: { base: { description: 'b', source: 's', values: {} } },
        defaultPreset: 'base',
        realize: () => [],
      });
    expectTypeOf(missing).toBeFunction();
  });

  it('energy breakdown keys are a closed union', () => {
    expectTypeOf<EnergyKind>().toEqualTypeOf<'compute' | 'memory' | 'buffer' | 'conversion' | 'modulation' | 'detection' | 'other'>();
    expectTypeOf<RealizationEnergy>().toEqualTypeOf<{ readonly [K in EnergyKind]?: number }>();
  });

  it('the target, frontend and solver contracts keep their members, and the host knows each one', () => {
    // A new member must be optional and listed in CONTRACT_FEATURES (contract.ts) with the SDK
    // version that ships it, so that older hosts refuse plugins using it by name.
    const target = [
      'kind',
      'id',
      'name',
      'description',
      'params',
      'presets',
      'defaultPreset',
      'dtypes',
      'opKinds',
      'realize',
      'staticPowerW',
      'validate',
      'fusions',
      'formats',
    ] as const;
    const frontend = ['kind', 'id', 'name', 'description', 'models', 'modelTypes', 'files', 'build'] as const;
    const solver = ['kind', 'id', 'name', 'description', 'solve'] as const;
    expectTypeOf<keyof TargetPlugin>().toEqualTypeOf<(typeof target)[number]>();
    expectTypeOf<keyof FrontendPlugin>().toEqualTypeOf<(typeof frontend)[number]>();
    expectTypeOf<keyof SolverPlugin>().toEqualTypeOf<(typeof solver)[number]>();
    expectTypeOf<TargetPlugin['kind']>().toEqualTypeOf<'target'>();
    for (const [kind, members] of [
      ['target', target],
      ['frontend', frontend],
      ['solver', solver],
    ] as const) {
      expect([...CONTRACT_MEMBERS[kind], ...Object.keys(CONTRACT_FEATURES[kind])].sort(), kind).toEqual([...members].sort());
    }
    expectTypeOf<Parameters<SolverPlugin['solve']>[1]>().toEqualTypeOf<import('../src/index.js').SolveOptions>();
    expectTypeOf<ReturnType<SolverPlugin['solve']>>().toEqualTypeOf<MilpResult | Promise<MilpResult>>();
    expectTypeOf(defineFrontend).returns.toEqualTypeOf<FrontendPlugin>();
    expectTypeOf(defineSolver).returns.toEqualTypeOf<SolverPlugin>();
  });
});
