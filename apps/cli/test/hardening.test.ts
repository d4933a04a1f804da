import { describe, expect, it } from 'vitest';
import { run } from './run.js';

/**
 * Issue 13: one bad point fails fast and cleanly (one line, exit 2, nothing
 * half-written, no crash, no hang). Each test is built from a command that
 * broke, run in a temporary folder.
 */

describe('a time limit that holds everywhere', () => {
  it('an answer cut short by --time-limit says so (gpt2 --split-heads on lightcode-2025)', async () => {
    const r = await run([
      'compile',
      '--model',
      'gpt2',
      '--seq-len',
      '256',
      '--split-heads',
      '--system',
      'lightcode-2025',
      '--time-limit',
      '0.05',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.selection.status).toBe('feasible');
    expect(j.selection.note).toMatch(/^the 0\.05 s time limit was reached; /);
  });
});
