import { validateSchema } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('lightcode targets, systems, schema', () => {
  it('lists every target parameter with value, unit and source', async () => {
    const j = JSON.parse((await run(['targets', '--json'])).stdout);
    expect(j.targets.map((t: { id: string }) => t.id).sort()).toEqual(['cpu', 'gpu', 'ptu']);
    for (const t of j.targets) {
      for (const p of t.params) {
        expect(typeof p.unit).toBe('string');
        expect(p.source.length).toBeGreaterThan(5);
        expect(p.default).toBeDefined();
      }
    }
    const one = await run(['targets', 'gpu']);
    expect(one.stdout).toMatch(/gemmEfficiencyMax\s+0\.72/);
    expect(one.stdout).toMatch(/h100\s+peakFlopsFp16=989000000000000 /);
  });

  it('names an unknown target', async () => {
    const r = await run(['targets', 'tpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown target 'tpu' \(loaded: /);
  });

  it('lists the built-in systems, each valid against the published schema', async () => {
    const systems = JSON.parse((await run(['systems', '--json'])).stdout).systems;
    expect(systems.map((s: { id: string }) => s.id)).toEqual([
      'gpu-a100',
      'gpu-h100',
      'cpu',
      'cpu-xeon',
      'hybrid-a100-ptu',
      'hybrid-h100-ptu',
      'lightcode-2025',
    ]);
    const schema = JSON.parse((await run(['schema', 'system'])).stdout);
    for (const s of systems) expect(validateSchema(schema, s)).toBeNull();
    expect(validateSchema(schema, { id: 'x', devices: [] })).toMatch(/devices: needs at least 1 item/);
  });

  it("names the study's CPU as the study's and offers a realistic one", async () => {
    const systems = JSON.parse((await run(['systems', '--json'])).stdout).systems as { id: string; description: string }[];
    expect(systems.find((s) => s.id === 'cpu')?.description).toMatch(/study's CPU alone, for reproduction/);
    expect(systems.find((s) => s.id === 'cpu-xeon')?.description).toMatch(/270 W TDP as static power/);
  });

  it('refuses an unknown schema', async () => {
    const r = await run(['schema', 'model']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/takes one of system, config, opgraph/);
  });
});
