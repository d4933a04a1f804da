import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir, writePlugin } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

/** llama-2-7b: hidden d, MLP width f, layers L, vocabulary V. */
const [d, f, L, V] = [4096, 11008, 32, 32000];
/** Weight matrices of its linear layers (attention, MLP, LM head) and everything else (embedding table, norm scales). */
const linearWeights = L * (4 * d * d + 3 * d * f) + d * V;
const otherWeights = V * d + L * 2 * d + d;

interface Op {
  name: string;
  kind: string;
  latencyS: number;
}

async function compileJson(args: string[]) {
  const r = await run(['compile', '--model', 'llama-2-7b', '--phase', 'decode', '--system', 'gpu-h100', '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('precisions: bytes and peaks follow the declared widths (llama-2-7b decode on gpu-h100)', () => {
  it.each([
    ['fp16', [], 2 * linearWeights + 2 * otherWeights, 2],
    ['--weights int4', ['--weights', 'int4'], 0.5 * linearWeights + 2 * otherWeights, 2],
    ['--weights int8', ['--weights', 'int8'], 1 * linearWeights + 2 * otherWeights, 2],
    ['--dtype fp8', ['--dtype', 'fp8'], linearWeights + otherWeights, 1],
    ['--kv-dtype fp8', ['--kv-dtype', 'fp8'], 2 * linearWeights + 2 * otherWeights, 1],
    ['--dtype fp8 --weights int4', ['--dtype', 'fp8', '--weights', 'int4'], 0.5 * linearWeights + otherWeights, 1],
  ] as const)('%s: parameters, KV cache and peak memory at their widths', async (_label, args, weightBytes, kvBytesPerNumber) => {
    const j = await compileJson(['--kv-len', '2048', ...args]);
    expect(j.totals.paramBytes).toBe(weightBytes);
    const [hbm] = j.memories;
    expect(hbm.weightsBytes).toBe(weightBytes);
    // the cache the step reads (2048 tokens) and writes (1): keys and values, every layer
    expect(hbm.kvCacheBytes).toBe(2 * L * (2048 + 1) * d * kvBytesPerNumber);
    expect(hbm.peakBytes).toBe(weightBytes + hbm.kvCacheBytes + hbm.activationPeakBytes);
  });

  it.each([
    ['fp16 weights at the fp16 peak', [], 2, 989e12],
    ['int4 weights at the fp16 peak', ['--weights', 'int4'], 0.5, 989e12],
    ['fp8 weights at the fp8 peak', ['--dtype', 'fp8'], 1, 1979e12],
  ] as const)(
    'a projection reads %s: latency = max(FLOPs / (peak x eff(1)), bytes / (0.8 x 3.35 TB/s)) + 3 us',
    async (_l, args, perWeight, peak) => {
      const j = await compileJson(['--kv-len', '16', ...args]);
      const act = args.includes('fp8' as never) ? 1 : 2;
      const down = (j.ops as Op[]).find((o) => o.name === 'model.layers.0.mlp.down_proj') as Op;
      const bytes = act * f + perWeight * f * d + act * d;
      const compute = (2 * f * d) / (peak * ((0.72 * 1) / (1 + 64)));
      expect(down.latencyS).toBeCloseTo(Math.max(compute, bytes / (0.8 * 3350e9)) + 3e-6, 15);
    },
  );
});

describe('precisions: bad input, one line each, exit 2', () => {
  const oneLine = async (argv: string[], message: RegExp, cwd?: string) => {
    const r = await run(argv, cwd);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  };

  it('a dtype a target cannot run names the target and the formats it computes in', async () => {
    await oneLine(
      ['compile', '--model', 'gpt2', '--seq-len', '8', '--system', 'gpu-a100', '--dtype', 'fp8'],
      /is not supported by any device: gpu \(target gpu, preset a100\) computes in fp32, fp16, bf16, int8, not fp8/,
    );
  });

  it('an activation format LightCode does not compute in, or an unknown storage format', async () => {
    await oneLine(['compile', '--model', 'gpt2', '--dtype', 'int4'], /--dtype must be one of fp32, fp16, bf16, fp8, int8 \(got 'int4'\)/);
    await oneLine(
      ['compile', '--model', 'gpt2', '--weights', 'int3'],
      /--weights must be one of fp32, fp16, bf16, fp8, int8, int4 \(got 'int3'\)/,
    );
    await oneLine(
      ['generate', '--model', 'gpt2', '--prompt-len', '8', '--output-len', '2', '--kv-dtype', 'fp4'],
      /--kv-dtype must be one of/,
    );
  });

  it('--weights int4 on a target without int4 support names the target and the formats it holds', async () => {
    const dir = tmpDir('lightcode-no-int4-');
    // a target that runs every op, in fp16 only
    const code = `export default {
  kind: 'target', id: 'fp16only', name: 'fp16 only', description: 'fixture', dtypes: ['fp16'],
  opKinds: ['embedding', 'layernorm', 'linear', 'matmul', 'softmax', 'gelu', 'add', 'kv_write', 'kv_read'],
  params: { speed: { unit: 'FLOP/s', default: 1e12, description: 'speed', source: 'fixture' } },
  presets: { base: { description: 'base', source: 'fixture', values: {} } }, defaultPreset: 'base',
  realize: (op, a, p) => [{ algorithm: 'fixture', latencyS: (a.flops + 1) / p.speed, energy: { compute: a.macs * 1e-13 } }],
  staticPowerW: () => 0,
};
`;
    const plugin = writePlugin(path.join(dir, 'fp16only'), {
      name: 'fp16only',
      manifest: { apiVersion: 1, kind: 'target', id: 'fp16only' },
      code,
    });
    fs.writeFileSync(path.join(dir, 'system.json'), JSON.stringify({ id: 'plain', devices: [{ id: 'x', target: 'fp16only', count: 1 }] }));
    const base = ['compile', '--model', 'gpt2', '--seq-len', '8', '--system', 'system.json', '--plugin', plugin];
    expect((await run(base, dir)).code).toBe(0);
    await oneLine(
      [...base, '--weights', 'int4'],
      /op 'transformer\.h\.0\.attn\.c_attn' \(linear, fp16, holding int4\) is not supported by any device: x \(target fp16only, preset base\) holds int4 in none of its formats \(fp16\)/,
      dir,
    );
  });
});
