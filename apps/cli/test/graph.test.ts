import fs from 'node:fs';
import path from 'node:path';
import { LLAMA_CONFIGS } from '@lightcode/frontend-llama';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

describe('lightcode graph', () => {
  it('reports totals and ops as JSON', async () => {
    const r = await run(['graph', '--model', 'llama-2-7b', '--seq-len', '512', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['macs', 'flops', 'paramBytes', 'kvCacheBytes', 'activationBytes']) expect(j.totals[k]).toBeGreaterThan(0);
    expect(j.totals.paramBytes).toBe(2 * 6_738_415_616);
    expect(j.totals.kvCacheBytes).toBe(2 * 32 * 512 * 4096 * 2); // K and V, 32 layers, 512 tokens, 4096 wide, fp16
    const q = j.ops.find((o: { name: string }) => o.name === 'model.layers.0.self_attn.q_proj');
    expect(q).toMatchObject({ kind: 'linear', layer: 0, macs: 512 * 4096 * 4096 });
  });

  it('reads a Hugging Face config.json folder and gives the built-in graph', async () => {
    const dir = path.join(tmpDir(), 'llama-2-7b');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(LLAMA_CONFIGS['llama-2-7b']?.config));
    const fromFile = JSON.parse((await run(['graph', '--model', dir, '--seq-len', '64', '--json'])).stdout);
    const builtIn = JSON.parse((await run(['graph', '--model', 'llama-2-7b', '--seq-len', '64', '--json'])).stdout);
    expect(fromFile.ops).toEqual(builtIn.ops);
    expect(fromFile.edges).toEqual(builtIn.edges);
    expect(fromFile.model.id).toBe('llama-2-7b');
  });

  it('renders DOT and Mermaid', async () => {
    const dot = await run(['graph', '--model', 'gpt2', '--seq-len', '4', '--format', 'dot']);
    expect(dot.stdout).toMatch(/^digraph "gpt2" \{/);
    expect(dot.stdout).toContain('label="transformer.h.0.attn.c_attn\\nlinear"');
    const mm = await run(['graph', '--model', 'gpt2', '--seq-len', '4', '--format', 'mermaid']);
    expect(mm.stdout).toMatch(/^flowchart TD\n/);
  });

  it('prints a summary by default', async () => {
    const r = await run(['graph', '--model', 'gpt2-xl', '--phase', 'decode', '--kv-len', '1000']);
    expect(r.stdout).toMatch(/gpt2-xl: decode, kv 1000 \+ 1 token/);
    expect(r.stdout).toMatch(/KV cache/);
  });

  const dir = tmpDir();
  const write = (name: string, cfg: unknown) => {
    fs.writeFileSync(path.join(dir, name), JSON.stringify(cfg));
    return path.join(dir, name);
  };
  it.each([
    [
      [write('falcon.json', { model_type: 'falcon' })],
      /unknown model_type "falcon" \(frontends read: gpt2, llama, mistral, qwen2, gemma, phi3, mixtral\)/,
    ],
    [
      [write('gqa.json', { ...LLAMA_CONFIGS['llama-2-7b']?.config, num_key_value_heads: 3 })],
      /num_key_value_heads 3 does not divide num_attention_heads 32/,
    ],
    [
      [write('nolayers.json', { ...LLAMA_CONFIGS['llama-2-7b']?.config, num_hidden_layers: undefined })],
      /'num_hidden_layers' must be a positive integer/,
    ],
    [[path.join(dir, 'absent.json')], /model config '.*absent.json' does not exist/],
  ])('bad model config: one line, exit 2 (%#)', async ([model], msg) => {
    const r = await run(['graph', '--model', model as string]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('lightcode models', () => {
  it('lists the built-ins with sizes', async () => {
    const j = JSON.parse((await run(['models', '--json'])).stdout);
    expect(j.models.map((m: { id: string }) => m.id)).toEqual([
      'gpt2',
      'gpt2-medium',
      'gpt2-large',
      'gpt2-xl',
      'llama-2-7b',
      'llama-2-13b',
      'llama-2-70b',
      'llama-3-8b',
      'mistral-7b',
      'qwen2-7b',
      'gemma-7b',
      'phi-3-mini',
      'mixtral-8x7b',
    ]);
  });
});

describe('graph decomposition', () => {
  it('finds one block pattern per layer: distinct blocks do not grow with depth', async () => {
    const totals = async (model: string) => JSON.parse((await run(['graph', '--model', model, '--seq-len', '64', '--json'])).stdout).totals;
    const [small, xl] = await Promise.all([totals('gpt2'), totals('gpt2-xl')]);
    expect(xl.distinctBlocks).toBe(small.distinctBlocks);
    expect(xl.blocks - small.blocks).toBe(((48 - 12) * (small.blocks - 4)) / 12);
    expect(small.articulationPoints).toBeGreaterThanOrEqual(2 * 12);
  });
});
