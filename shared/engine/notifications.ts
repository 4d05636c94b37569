/**
 * Texting the on-call people: an SMS to each `notify.sms` number (Transactional, via the SNS
 * adapter) and a publish to `notify.topicArn`, all at once. Each recipient gets a short budget: at
 * most two tries (a brief retry on throttling / 5xx; an opted-out number is not retried), no retry
 * that would start after `PUBLISH_BUDGET_MS` (each try is bounded by the SNS client's request
 * timeout). Failures are collected and returned, never thrown: a notification problem must never
 * block or fail a run. Numbers are masked in errors; the caller emits the outcome as an `sms` event
 * (whose Lambda log line names the recipients, masked).
 */
import type { SnsAdapter } from '../aws/sns';
import { maskPhoneNumber } from '../phone';
import { withRetry } from '../aws/retry';
import { runConcurrently, type Clock } from '../clock';
import type { SwitchbackConfig } from '../config/types';
import { describeError } from '../errors';

/** One recipient's whole budget: no retry starts after it. */
export const PUBLISH_BUDGET_MS = 4_000;
export const PUBLISH_RETRY = { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 1_000, budgetMs: PUBLISH_BUDGET_MS } as const;
/** The SNS client's request timeout in the deployed functions: one try never hangs longer. */
export const PUBLISH_REQUEST_TIMEOUT_MS = 3_000;

export interface PublishOutcome {
  ok: boolean;
  /** Recipients (numbers + topic) that got the message. */
  delivered: number;
  /** `+1555•••0100: sns:Publish … failed (…)`, joined with `; ` (numbers masked). */
  error?: string;
}

export interface PublishDeps {
  config: Pick<SwitchbackConfig, 'notify'>;
  sns: SnsAdapter;
  clock: Clock;
  random(): number;
}

export async function publishToOnCall(deps: PublishDeps, service: string, text: string): Promise<PublishOutcome> {
  const retryDeps = { sleep: (ms: number) => deps.clock.sleep(ms), random: deps.random, now: () => deps.clock.now() };
  const attempts: Array<Promise<string | undefined>> = deps.config.notify.sms.map((phoneNumber) =>
    runConcurrently(deps.clock, `sms ${maskPhoneNumber(phoneNumber)}`, () =>
      withRetry(() => deps.sns.sendSms(phoneNumber, text), PUBLISH_RETRY, retryDeps),
    ).then(
      () => undefined,
      (error: unknown) => `${maskPhoneNumber(phoneNumber)}: ${describeError(error)}`,
    ),
  );
  const topicArn = deps.config.notify.topicArn;
  if (topicArn) {
    attempts.push(
      runConcurrently(deps.clock, 'topic', () =>
        withRetry(() => deps.sns.publishToTopic(topicArn, text, `switchback ${service}`), PUBLISH_RETRY, retryDeps),
      ).then(
        () => undefined,
        (error: unknown) => `topic ${topicArn}: ${describeError(error)}`,
      ),
    );
  }
  const results = await Promise.all(attempts);
  const errors = results.filter((result): result is string => result !== undefined);
  const delivered = results.length - errors.length;
  if (errors.length === 0) return { ok: true, delivered };
  return { ok: false, delivered, error: errors.join('; ') };
}
