import { describe, expect, it } from 'vitest';
import { run } from './run.js';

type Op = { name: string; algorithm: string; fusion?: string; latencyS: number };

describe('fused causal attention', () => {
  it('runs QK^T, softmax and AV of Llama-2-7B at 2048 tokens on an A100 as one fused kernel near the measured 0.371 ms', async () => {
    const r = await run(['compile', '--model', 'llama-2-7b', '--seq-len', '2048', '--system', 'gpu-a100', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ops: Op[] = JSON.parse(r.stdout).ops;
    const at = (name: string) => ops.find((o) => o.name === `model.layers.0.self_attn.${name}`) as Op;
    for (const name of ['qk', 'softmax', 'av']) expect(at(name).algorithm).toBe('fused-causal-attention');
    expect(at('softmax').fusion).toBe(at('qk').fusion);
    expect(at('av').fusion).toBe(at('qk').fusion);
    expect(at('av').latencyS).toBe(0);
    // measured (aiconfigurator, plugins/target-gpu/test/data/a100-attention-prefill.csv): 0.37086 ms
    expect(Math.abs(at('qk').latencyS / 0.37086e-3 - 1)).toBeLessThan(0.25);
    expect(ops.filter((o) => o.algorithm === 'fused-causal-attention')).toHaveLength(32 * 3);
  });
});
