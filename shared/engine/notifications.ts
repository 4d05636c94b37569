/**
 * Texting the on-call people: an SMS to each `notify.sms` number (Transactional, via the SNS
 * adapter) and a publish to `notify.topicArn`. Each publish is tried twice at most (a brief retry
 * on throttling / 5xx; an opted-out number is not retried). Failures are collected and returned,
 * never thrown: a notification problem must never block or fail a run. Numbers are masked in logs.
 */
import type { SnsAdapter } from '../aws/sns';
import { maskPhoneNumber } from '../aws/sns';
import { withRetry } from '../aws/retry';
import type { Clock } from '../clock';
import type { SwitchbackConfig } from '../config/types';
import type { EngineLogger } from './types';

export const PUBLISH_RETRY = { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 1_000 } as const;

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
  logger: EngineLogger;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function publishToOnCall(deps: PublishDeps, service: string, text: string): Promise<PublishOutcome> {
  const retryDeps = { sleep: (ms: number) => deps.clock.sleep(ms), random: deps.random, now: () => deps.clock.now() };
  const errors: string[] = [];
  let delivered = 0;
  for (const phoneNumber of deps.config.notify.sms) {
    try {
      await withRetry(() => deps.sns.sendSms(phoneNumber, text), PUBLISH_RETRY, retryDeps);
      delivered += 1;
    } catch (error) {
      errors.push(`${maskPhoneNumber(phoneNumber)}: ${describe(error)}`);
    }
  }
  const topicArn = deps.config.notify.topicArn;
  if (topicArn) {
    try {
      await withRetry(() => deps.sns.publishToTopic(topicArn, text, `switchback ${service}`), PUBLISH_RETRY, retryDeps);
      delivered += 1;
    } catch (error) {
      errors.push(`topic ${topicArn}: ${describe(error)}`);
    }
  }
  const recipients = { numbers: deps.config.notify.sms.map(maskPhoneNumber), ...(topicArn && { topicArn }) };
  if (errors.length === 0) {
    deps.logger.info('notified on-call', { service, text, ...recipients });
    return { ok: true, delivered };
  }
  const error = errors.join('; ');
  deps.logger.warn('notification failed; carrying on', { service, text, error, ...recipients });
  return { ok: false, delivered, error };
}
