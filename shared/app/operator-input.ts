/**
 * What the operator functions (`status`, `control`, `drill`) share: input parsed with a schema (a JSON
 * string is accepted too), a service looked up by name (an unknown one names the known ones), and bad
 * input answered with `{ ok: false, error }` instead of a stack trace.
 */
import * as z from './event-schema';
import type { ServiceConfig } from '../config/types';
import { InputError, UnknownServiceError } from '../errors';
import type { AppDeps } from './deps';

export function findService(deps: Pick<AppDeps, 'config'>, name: unknown): ServiceConfig {
  if (typeof name !== 'string' || name.length === 0)
    throw new InputError(`service: is required; known services: ${knownServices(deps).join(', ')}`);
  const service = deps.config.services.find((candidate) => candidate.name === name);
  if (!service) throw new UnknownServiceError(name, knownServices(deps));
  return service;
}

function knownServices(deps: Pick<AppDeps, 'config'>): string[] {
  return deps.config.services.map((service) => service.name);
}

export function describeZodError(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
}

export function parseInput<T>(schema: z.core.$ZodType<T>, input: unknown, what: string): T {
  const parsed = z.safeParse(schema, typeof input === 'string' ? safeJson(input) : input);
  if (!parsed.success) throw new InputError(`${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('input is not JSON');
  }
}

/**
 * Operator functions answer bad input with `{ ok: false, error }` (shown by `sls invoke`) instead of a
 * stack trace; anything else is a bug and is thrown so Lambda records it.
 */
export async function answerOperator<T>(deps: AppDeps, run: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; error: string }> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof InputError) {
      deps.logger.warn(`rejected operator input: ${error.message}`);
      return { ok: false, error: error.message };
    }
    throw error;
  }
}
