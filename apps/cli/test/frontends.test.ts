import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const LENET = path.join(ROOT, 'plugins/frontend-tvm/test/fixtures/lenet-simple.json');

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
