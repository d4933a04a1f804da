import { main } from '@lightcode/cli';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function run(argv: string[], cwd = process.cwd()): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
