/**
 * One place for switchback's errors: a base class that keeps `cause` and carries
 * context (which service, which step, who won a race) so logs and SMS can name it.
 */
export class SwitchbackError extends Error {
  readonly context: Record<string, unknown>;

  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** The configuration file is missing, unreadable or invalid; `problems` lists every `path: message`. */
export class ConfigError extends SwitchbackError {
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
export class InputError extends SwitchbackError {}

/** The named service is not in the configuration. */
export class UnknownServiceError extends InputError {
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
export class CrashError extends SwitchbackError {}
