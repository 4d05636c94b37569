/**
 * One place for switchback's errors: a base class that keeps `cause` and carries
 * context (which service, which step, who won a race) so logs and SMS can name it.
 *
 * Every error class spells its `name` out: the Lambda bundles are minified without esbuild's
 * `keepNames` (which wraps every function and class of the bundle, ~8 % of its require time), so a
 * class's own name there is a minified one.
 */
export class SwitchbackError extends Error {
  override readonly name: string = 'SwitchbackError';
  readonly context: Record<string, unknown>;

  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/** The configuration file is missing, unreadable or invalid; `problems` lists every `path: message`. */
export class ConfigError extends SwitchbackError {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly problems: string[],
    options: { cause?: unknown; file?: string } = {},
  ) {
    super(`${options.file ? `${options.file}: ` : ''}invalid configuration:\n  ${problems.join('\n  ')}`, {
      cause: options.cause,
      context: { file: options.file },
    });
  }
}

/** An operator or event input did not have the expected shape. */
export class InputError extends SwitchbackError {
  override readonly name: string = 'InputError';
}

/** The named service is not in the configuration. */
export class UnknownServiceError extends InputError {
  override readonly name: string = 'UnknownServiceError';
  constructor(service: string, known: string[]) {
    super(`unknown service "${service}"; known services: ${known.join(', ') || '(none)'}`, {
      context: { service, known },
    });
  }
}

/** The message of anything thrown (an Error's message, else its string form), for logs, texts and timelines. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first line of a message: a stack or a multi-line AWS error stays out of step records and texts. */
export function firstLine(text: string): string {
  return text.split('\n')[0];
}

/**
 * Thrown by test and simulator hooks to make the engine stop dead, as if the Lambda had been killed.
 * It passes through every layer untouched (never wrapped as an AWS error, never retried).
 */
export class CrashError extends SwitchbackError {
  override readonly name: string = 'CrashError';
}
