/** What an error carries besides its line: a stable code to match on, the option it is about, and its cause. */
export interface ErrorDetails {
  /** A stable code (`E_PLAN_TOO_LARGE`, `E_NOT_A_FILE`): callers and tests match on it, never on the message text. */
  readonly code?: string;
  /** The option or input the error is about, as the library names it (`seqLens`, `timeLimitS`, a file path). */
  readonly option?: string;
  /** The error this one explains. */
  readonly cause?: unknown;
}

/**
 * Errors a user can cause and fix: a bad flag, a bad config, an unknown model.
 * They carry one line that says what to change; the CLI prints only that line
 * and exits with {@link LightcodeError.exitCode}.
 */
export class LightcodeError extends Error {
  /** 2 for input the user can correct, 1 for failures of a run. */
  readonly exitCode: 1 | 2;
  /** A stable code, where one was given. */
  readonly code?: string;
  /** The option or input the error is about, where one was given. */
  readonly option?: string;
  constructor(message: string, exitCode: 1 | 2 = 2, details: ErrorDetails = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'LightcodeError';
    this.exitCode = exitCode;
    if (details.code !== undefined) this.code = details.code;
    if (details.option !== undefined) this.option = details.option;
  }
}

/** Input the user can correct (exit code 2). */
export class UserError extends LightcodeError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, 2, details);
    this.name = 'UserError';
  }
}

/** A plugin that failed to load or returned something unusable; names the plugin. */
export class PluginError extends LightcodeError {
  readonly pluginId: string;
  constructor(pluginId: string, message: string, exitCode: 1 | 2 = 2, details?: ErrorDetails) {
    super(`plugin '${pluginId}': ${message}`, exitCode, details);
    this.name = 'PluginError';
    this.pluginId = pluginId;
  }
}

/** Whether a value is one of LightCode's own errors (works across package copies). */
export function isLightcodeError(e: unknown): e is LightcodeError {
  return e instanceof Error && typeof (e as Partial<LightcodeError>).exitCode === 'number';
}
