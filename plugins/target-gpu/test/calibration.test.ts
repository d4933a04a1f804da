import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { linearOp, opArithmetic, resolveParams } from '@lightcode/cost-model';
import gpu, { fusedAttention, type GpuParams } from '@lightcode/target-gpu';
import { describe, expect, it } from 'vitest';
import { attentionChain } from './fixtures.js';

// Public A100 profiling data copied into the repository; sources and licences in data/README.md
const MEASURED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');
const DATA = path.join(MEASURED, 'a100-llama2-7b-ops.csv');

function readCsv(file: string): Record<string, number>[] {
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n');
  const head = (rows[0] as string).split(',');
  return rows.slice(1).map((r) => Object.fromEntries(r.split(',').map((v, i) => [head[i], Number(v)])) as Record<string, number>);
}

/** Llama-2-7B GEMMs of the measured file: column -> (K, N). */
const GEMMS: Record<string, [number, number]> = {
  attn_pre_proj_ms: [4096, 3 * 4096],
  attn_post_proj_ms: [4096, 4096],
  mlp_up_proj_ms: [4096, 2 * 11008],
  mlp_down_proj_ms: [11008, 4096],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

describe('a100 preset against measured A100 timings', () => {
  const table = readCsv(DATA);
  const a100 = resolveParams('gpu', gpu.params, gpu.presets, 'a100') as GpuParams;

  for (const [column, [k, n]] of Object.entries(GEMMS)) {
    it(`${column}: median relative error <= 15 % over 128..4096 tokens`, () => {
      const errors = table
        .filter((r) => (r.num_tokens as number) >= 128 && (r.num_tokens as number) <= 4096)
        .map((r) => {
          const T = r.num_tokens as number;
          const op = linearOp(T, k, n, 'fp16', column);
          const [real] = gpu.realize(op, opArithmetic(op), a100);
          const measured = (r[column] as number) / 1e3;
          return Math.abs((real?.latencyS ?? 0) - measured) / measured;
        });
      expect(errors.length).toBeGreaterThan(200);
      expect(median(errors)).toBeLessThanOrEqual(0.15);
    });
  }

  it('fused causal attention: median relative error <= 25 % over 128..4096 tokens', () => {
    const errors = readCsv(path.join(MEASURED, 'a100-attention-prefill.csv'))
      .filter((r) => (r.seq_len as number) >= 128 && (r.seq_len as number) <= 4096)
      .map((r) => {
        const ops = attentionChain(r.num_heads as number, r.seq_len as number, r.head_dim as number, r.num_kv_heads as number);
        const [real] = fusedAttention(ops, ops.map(opArithmetic), a100);
        const measured = (r.latency_ms as number) / 1e3;
        return Math.abs((real?.latencyS ?? 0) - measured) / measured;
      });
    expect(errors.length).toBe(8);
    expect(median(errors)).toBeLessThanOrEqual(0.25);
  });
});
