import { isLightcodeError } from '@lightcode/cost-model';
import { SCHEMA_HELP, SYSTEMS_HELP, schemaCommand, systemsCommand, TARGETS_HELP, targetsCommand } from './commands/catalog.js';
import { COMPILE_HELP, compileCommand } from './commands/compile.js';
import { CROSSOVER_HELP, crossoverCommand } from './commands/crossover.js';
import { GENERATE_HELP, generateCommand } from './commands/generate.js';
import { GRAPH_HELP, graphCommand, MODELS_HELP, modelsCommand } from './commands/graph.js';
import { PARETO_HELP, paretoCommand } from './commands/pareto.js';
import { PLUGINS_HELP, pluginsCommand } from './commands/plugins.js';
import { REPRODUCE_HELP, reproduceCommand } from './commands/reproduce.js';
import { MERGE_HELP, mergeCommand, SWEEP_HELP, sweepCommand } from './commands/sweep.js';
import type { Io } from './context.js';
import { versionText } from './version.js';

const COMMANDS: Record<string, { run: (argv: readonly string[], io: Io) => Promise<number>; help: string }> = {
  compile: { run: compileCommand, help: COMPILE_HELP },
  generate: { run: generateCommand, help: GENERATE_HELP },
  graph: { run: graphCommand, help: GRAPH_HELP },
  models: { run: modelsCommand, help: MODELS_HELP },
  pareto: { run: paretoCommand, help: PARETO_HELP },
  sweep: { run: sweepCommand, help: SWEEP_HELP },
  merge: { run: mergeCommand, help: MERGE_HELP },
  crossover: { run: crossoverCommand, help: CROSSOVER_HELP },
  reproduce: { run: reproduceCommand, help: REPRODUCE_HELP },
  plugins: { run: pluginsCommand, help: PLUGINS_HELP },
  targets: { run: targetsCommand, help: TARGETS_HELP },
  systems: { run: systemsCommand, help: SYSTEMS_HELP },
  schema: { run: schemaCommand, help: SCHEMA_HELP },
};

export const USAGE = `lightcode: compile LLM inference for photonic-electronic machines

usage: lightcode <command> [options]

commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.help.split('\n')[0]}`)
  .join('\n')}

Run 'lightcode <command> --help' for a command's options, 'lightcode --version' for the versions.
`;

/** Runs one CLI invocation; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  try {
    if (name === '--version' || name === '-V') {
      io.out(versionText());
      return 0;
    }
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(USAGE);
      return 0;
    }
    const cmd = COMMANDS[name];
    if (!cmd) {
      io.err(`lightcode: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
      return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(cmd.help);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (isLightcodeError(e)) {
      // a plan over the cap: the way out is CLI wording, so it is added here
      const hint = e.code === 'E_PLAN_TOO_LARGE' ? '; narrow it, or raise the limit with --max-points N' : '';
      io.err(`lightcode: ${e.message}${hint}\n`);
      if (debug && e.stack) io.err(`${e.stack}\n`);
      return e.exitCode;
    }
    io.err(`lightcode: internal error: ${(e as Error)?.message ?? String(e)}${debug ? '' : ' (run with --debug for the stack)'}\n`);
    if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return 1;
  }
}
