/**
 * Errors a user can cause and fix: a bad flag, a bad config, an unknown model.
 * They carry one line that says what to change; the CLI prints only that line
 * and exits with {@link LightcodeError.exitCode}.
 */
export class LightcodeError extends Error {
  /** 2 for input the user can correct, 1 for failures of a run. */
  readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2 = 2) {
    super(message);
    this.name = 'LightcodeError';
    this.exitCode = exitCode;
  }
}

/** Input the user can correct (exit code 2). */
export class UserError extends LightcodeError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UserError';
  }
}

/** A plugin that failed to load or returned something unusable; names the plugin. */
export class PluginError extends LightcodeError {
  readonly pluginId: string;
  constructor(pluginId: string, message: string, exitCode: 1 | 2 = 2) {
    super(`plugin '${pluginId}': ${message}`, exitCode);
    this.name = 'PluginError';
    this.pluginId = pluginId;
  }
}

/** Whether a value is one of LightCode's own errors (works across package copies). */
export function isLightcodeError(e: unknown): e is LightcodeError {
  return e instanceof Error && typeof (e as Partial<LightcodeError>).exitCode === 'number';
}
