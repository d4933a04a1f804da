import { bisect, scanPoints } from '@lightcode/core';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('lightcode crossover', () => {
  it('bisects integers exactly and scans geometrically with both ends', async () => {
    expect(await bisect(1, 1000, async (x) => x >= 377, false)).toBe(377);
    const pts = scanPoints(16, 1024, 6);
    expect(pts[0]).toBe(16);
    expect(pts.at(-1)).toBe(1024);
    expect(pts).toEqual([...pts].sort((a, b) => a - b));
  });

  it('finds where each op of the study machine moves to the photonic unit, to the token', async () => {
    const args = ['crossover', '--model', 'gpt2', '--systems', 'lightcode-2025,cpu', '--metric', 'energy'];
    const j = JSON.parse((await run([...args, '--range', '16:512', '--json'])).stdout);
    expect(j.initialBetter).toBe('lightcode-2025');
    const qkv = j.dispatch.find((d: { op: string }) => d.op === 'transformer.h.0.attn.c_attn');
    expect(qkv.initial).toBe('cpu');
    const at = qkv.changes[0].seqLen as number;
    expect(qkv.changes[0].device).toBe('ptu');
    // exact: one token earlier the CPU is still cheaper
    const narrow = JSON.parse((await run([...args, '--range', `${at - 1}:${at}`, '--json'])).stdout);
    const again = narrow.dispatch.find((d: { op: string }) => d.op === 'transformer.h.0.attn.c_attn');
    expect(again.initial).toBe('cpu');
    expect(again.changes).toEqual([{ seqLen: at, device: 'ptu' }]);
  });

  it('reports a system-level crossing when one exists', async () => {
    // On latency the study machine beats the CPU alone at every length.
    const r = await run(['crossover', '--model', 'gpt2', '--systems', 'cpu,lightcode-2025', '--range', '16:256']);
    expect(r.stdout).toMatch(/no crossing in 16\.\.256 tokens: lightcode-2025 has the lower latency throughout/);
  });

  it.each([
    [['--systems', 'cpu'], /--systems takes two systems/],
    [['--systems', 'cpu,gpu-a100', '--range', '100'], /--range takes START:STOP/],
    [['--systems', 'cpu,gpu-a100', '--range', '100:10'], /--range needs 1 <= START < STOP/],
  ])('bad input %j', async (args, msg) => {
    const r = await run(['crossover', '--model', 'gpt2', ...(args as string[])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});
