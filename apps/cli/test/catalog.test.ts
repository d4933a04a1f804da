import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
    expect(one.stdout).toMatch(/h100\s+peakFlopsFp16=989 TFLOP\/s /);
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
      'gpu-h200',
      'gpu-b200',
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

  it("says which PTU counting is the study's", async () => {
    const r = await run(['targets', 'ptu']);
    expect(r.stdout).toMatch(
      /lightcode-2025\s+conversionCounting=once-per-number weightEncoding=electro-optic laserModel=per-wavelength sramBytes=0/,
    );
    expect(r.stdout).toMatch(/once-per-number \(the study's counting\)/);
  });

  it('refuses an unknown schema', async () => {
    const r = await run(['schema', 'model']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/takes one of system, config, opgraph/);
  });
});

describe('lightcode targets ID --explain', () => {
  it("prints a realization's energy per MAC by component: device-2025 at full load on 4-bit work is Lightening-Transformer's 0.309 pJ/MAC", async () => {
    const r = await run(['targets', 'ptu', '--explain', '1200x1200x1200', '--preset', 'device-2025', '--dtype', 'int4']);
    expect(r.code).toBe(0);
    for (const name of ['laser', 'DAC', 'modulator', 'ADC', 'photodetector and TIA', 'buffer', 'memory', 'weight load']) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
    }
    expect(r.stdout).toMatch(/^DAC\s+conversion\s+0\.0744\s/m);
    const j = JSON.parse(
      (await run(['targets', 'ptu', '--explain', '1200x1200x1200', '--preset', 'device-2025', '--dtype', 'int4', '--json'])).stdout,
    );
    const [real] = j.realizations;
    const macs = 1200 ** 3;
    const core = real.components
      .filter((c: { name: string }) => ['laser', 'DAC', 'modulator', 'ADC', 'photodetector and TIA'].includes(c.name))
      .reduce((s: number, c: { energyJ: number }) => s + c.energyJ, 0);
    expect(core / macs / 0.309e-12).toBeCloseTo(1, 1);
    const dynamic = real.components
      .filter((c: { kind: string }) => c.kind !== 'static')
      .reduce((s: number, c: { energyJ: number }) => s + c.energyJ, 0);
    expect(dynamic).toBeCloseTo(real.energyJ, 15);
  });

  it('explains any target, from its energy by kind and static power when it lists no components', async () => {
    const r = await run(['targets', 'gpu', '--explain', '2x128x256x512', '--dtype', 'fp32']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/gpu\/a100: linear 2 x 128 x 256 x 512 fp32/);
    expect(r.stdout).toMatch(/^static power\s+static/m);
  });

  it.each([
    [['targets', 'ptu', '--explain', '12x12'], /--explain takes a shape MxKxN or BxMxKxN of positive integers/],
    [['targets', '--explain', '12x12x12'], /--explain needs a target/],
    [['targets', 'ptu', '--preset', 'device-2025'], /--preset and --dtype go with --explain/],
    [['targets', 'ptu', '--explain', '12x12x12', '--preset', 'best'], /no preset 'best'/],
    [['targets', 'ptu', '--explain', '12x12x12', '--dtype', 'int32'], /--dtype: target 'ptu' runs fp32, fp16, bf16, fp8, int8, int4/],
  ])('%j: one line, exit 2', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('physically impossible device values', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lightcode-bad-ptu-'));
  it.each([
    [{ wallPlugEfficiency: 1.5 }, /parameter 'wallPlugEfficiency' must be > 0 and <= 1 \(got 1\.5\)/],
    [{ splitterLossDb: -0.1 }, /parameter 'splitterLossDb' must be >= 0 dB \(got -0\.1\)/],
    [{ sramBytes: 64 }, /parameter 'sramBytes' must be 0 \(not modelled\) or >= 216 B: one 12 x 12 tile/],
  ])('%j in a system file: one line naming the parameter and its range, exit 2', async (params, message) => {
    const file = path.join(dir, `${Object.keys(params)[0]}.json`);
    writeFileSync(file, JSON.stringify({ id: 'bad', devices: [{ id: 'ptu', target: 'ptu', preset: 'device-2025', count: 1, params }] }));
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '8', '--system', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
