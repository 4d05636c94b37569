import { InputError } from '../errors';
import type { AppDeps } from './deps';

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
