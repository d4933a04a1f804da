import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const LENET = path.join(ROOT, 'plugins/frontend-tvm/test/fixtures/lenet-simple.json');
const ONNX = path.join(ROOT, 'plugins/frontend-onnx/test/fixtures');

describe('model files: TVM graph JSON', () => {
  it('lightcode graph reads the study’s LeNet graph: 266,200 MACs', async () => {
    const r = await run(['graph', '--model', LENET, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.model).toMatchObject({ id: 'lenet-simple', family: 'tvm' });
    expect(j.totals.macs).toBe(266_200);
  });

  it('lightcode compile schedules it; the dense layers may go to the PTU', async () => {
    const r = await run(['compile', '--model', LENET, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ops).toHaveLength(6);
    expect(j.totals.latencyS).toBeGreaterThan(0);
  });

  const dir = tmpDir();
  it.each([
    ['a truncated graph', '{"nodes": [{"op": "null", "name": "x", "inputs": []}', /is not a TVM graph JSON: invalid JSON/],
    [
      'a JSON that is neither',
      '{"hello": 1}',
      /unknown model_type undefined .*nor is it a model file LightCode reads: TVM graph JSON \(\.json\)/,
    ],
  ])('bad input, %s: one line, exit 2', async (_what, text, msg) => {
    const file = path.join(dir, `${_what.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(file, text);
    const r = await run(['graph', '--model', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--input-shape is refused for models that are not files', async () => {
    const r = await run(['graph', '--model', 'gpt2', '--input-shape', 'x=1x3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input-shape applies to model files/);
    const bad = await run(['graph', '--model', LENET, '--input-shape', 'x=1xa']);
    expect(bad.stderr).toMatch(/--input-shape must be NAME=DIMS/);
  });
});

describe('model files: ONNX', () => {
  it('the exported GPT-2 has the built-in gpt2 frontend’s MACs in every layer and in total', async () => {
    const macsByLayer = async (model: string) => {
      const r = await run(['graph', '--model', model, '--seq-len', '256', '--batch', '2', '--logits', 'all', '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      const by: Record<string, number> = {};
      for (const o of j.ops as { layer: number | null; kind: string; macs: number }[]) {
        if (o.kind === 'linear' || o.kind === 'matmul') by[String(o.layer)] = (by[String(o.layer)] ?? 0) + o.macs;
      }
      return { by, totals: j.totals };
    };
    const [fromOnnx, builtIn] = await Promise.all([macsByLayer(path.join(ONNX, 'gpt2.onnx')), macsByLayer('gpt2')]);
    expect(fromOnnx.by).toEqual(builtIn.by);
    expect(fromOnnx.totals.macs).toBe(builtIn.totals.macs);
    expect(fromOnnx.totals.paramBytes).toBe(builtIn.totals.paramBytes);
  });

  it('compiles the small CNN; convolutions may run on the PTU, data movement stays electronic', async () => {
    const r = await run(['compile', '--model', path.join(ONNX, 'cnn.onnx'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const onPtu = (j.ops as { kind: string; device: string }[]).filter((o) => o.device === 'ptu');
    expect(onPtu.every((o) => o.kind === 'linear' || o.kind === 'matmul')).toBe(true);
  });

  const dir = tmpDir();
  it('bad input: a truncated file, an unbound symbolic dim: one line, exit 2', async () => {
    const truncated = path.join(dir, 'cut.onnx');
    fs.writeFileSync(truncated, fs.readFileSync(path.join(ONNX, 'gpt2.onnx')).subarray(0, 5000));
    for (const [args, msg] of [
      [['--model', truncated], /cut\.onnx is not a readable ONNX model/],
      [['--model', path.join(ONNX, 'gpt2.onnx'), '--phase', 'decode'], /one pass as exported/],
    ] as const) {
      const r = await run(['graph', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
