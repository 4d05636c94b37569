/**
 * The one retry layer of switchback. SDK clients are built with `maxAttempts: 1`; every AWS call
 * that may be retried goes through `withRetry`, so attempts, delays and budgets are visible in the
 * run journal and in virtual time (the clock comes in through `deps`, never from timers).
 *
 * Backoff is capped exponential with FULL jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): after the n-th failed attempt (n = 1, 2, …) it waits
 *   random() × min(maxDelayMs, baseDelayMs × 2^(n−1))
 * i.e. the first retry waits up to `baseDelayMs`, the next up to twice that, and so on.
 */
import { SwitchbackError } from '../errors';
import { AWS_ERROR_KINDS, type AwsErrorKind, classifyAwsError } from './errors';

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up instead of sleeping past `start + budgetMs` (start = `now()` when withRetry was called). */
  budgetMs?: number;
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** The sleep before the next attempt. */
  delayMs: number;
  kind: Extract<AwsErrorKind, 'throttle' | 'transient'>;
  error: unknown;
}

export interface RetryDeps {
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
  now(): number;
  onRetry?(info: RetryInfo): void;
  /** Defaults to `classifyAwsError`. */
  classify?(error: unknown): AwsErrorKind;
}

export const RETRY_STOP_REASONS = {
  fatal: 'fatal',
  attempts: 'attempts',
  budget: 'budget',
} as const;
export type RetryStopReason = (typeof RETRY_STOP_REASONS)[keyof typeof RETRY_STOP_REASONS];

/** What `withRetry` attaches to the error it finally throws. */
export interface RetryOutcome {
  attempts: number;
  retryStopReason: RetryStopReason;
}

/** The capped exponential ceiling for the sleep after failed attempt `attempt` (1-based). */
export function backoffCeilingMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity for huge exponents; min() keeps the cap.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** Full jitter: uniform in [0, ceiling). */
export function jitteredDelayMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.floor(unit * backoffCeilingMs(attempt, policy));
}

function attachOutcome(error: unknown, outcome: RetryOutcome): Error & RetryOutcome {
  const target = error instanceof Error ? error : new SwitchbackError(`operation failed: ${String(error)}`, { cause: error });
  return Object.assign(target, outcome);
}

/** The attempts recorded on an error thrown by `withRetry` (undefined if it never went through it). */
export function getRetryOutcome(error: unknown): RetryOutcome | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { attempts, retryStopReason } = error as Partial<RetryOutcome>;
  return typeof attempts === 'number' && typeof retryStopReason === 'string' ? { attempts, retryStopReason } : undefined;
}

/**
 * Run `operation` until it succeeds, fails fatally, runs out of attempts, or the next sleep would
 * overrun the budget. Resolves with the value and how many attempts it took; otherwise rejects
 * with the last error, which carries `attempts` and `retryStopReason` (`getRetryOutcome`).
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<{ value: T; attempts: number }> {
  validatePolicy(policy);
  const classify = deps.classify ?? classifyAwsError;
  const startedAtEpochMs = deps.now();

  for (let attempt = 1; ; attempt += 1) {
    try {
      const value = await operation(attempt);
      return { value, attempts: attempt };
    } catch (error) {
      const kind = classify(error);
      if (kind === AWS_ERROR_KINDS.fatal) {
        throw attachOutcome(error, { attempts: attempt, retryStopReason: RETRY_STOP_REASONS.fatal });
      }
      if (attempt >= policy.maxAttempts) {
        throw attachOutcome(error, { attempts: attempt, retryStopReason: RETRY_STOP_REASONS.attempts });
      }
      const delayMs = jitteredDelayMs(attempt, policy, deps.random);
      if (policy.budgetMs !== undefined && deps.now() + delayMs - startedAtEpochMs > policy.budgetMs) {
        throw attachOutcome(error, { attempts: attempt, retryStopReason: RETRY_STOP_REASONS.budget });
      }
      deps.onRetry?.({ attempt, delayMs, kind, error });
      await deps.sleep(delayMs);
    }
  }
}

function validatePolicy(policy: RetryPolicy): void {
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) problems.push('maxAttempts must be a whole number ≥ 1');
  if (!(policy.baseDelayMs >= 0)) problems.push('baseDelayMs must be ≥ 0');
  if (!(policy.maxDelayMs >= 0)) problems.push('maxDelayMs must be ≥ 0');
  if (policy.budgetMs !== undefined && !(policy.budgetMs >= 0)) problems.push('budgetMs must be ≥ 0');
  if (problems.length > 0) throw new SwitchbackError(`invalid retry policy: ${problems.join('; ')}`, { context: { policy } });
}
