/**
 * Text the on-call people (each `notify.sms` number, Transactional) and publish to `notify.topicArn`.
 * A failed publish is logged with the number masked and reported back; it never throws, because a
 * notification problem must never block or fail a failover.
 */
import { maskPhoneNumber } from '../aws/sns';
import type { AppDeps } from './deps';

export interface NotifyOutcome {
  ok: boolean;
  error?: string;
}

export async function notifyOnCall(
  deps: Pick<AppDeps, 'config' | 'aws' | 'clock' | 'logger' | 'emit'>,
  service: string,
  text: string,
  meta: Record<string, unknown> = {},
): Promise<NotifyOutcome> {
  const errors: string[] = [];
  for (const phoneNumber of deps.config.notify.sms) {
    try {
      await deps.aws.sns.sendSms(phoneNumber, text);
    } catch (error) {
      errors.push(`${maskPhoneNumber(phoneNumber)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (deps.config.notify.topicArn) {
    try {
      await deps.aws.sns.publishToTopic(deps.config.notify.topicArn, text, `switchback ${service}`);
    } catch (error) {
      errors.push(`topic: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const outcome: NotifyOutcome = errors.length === 0 ? { ok: true } : { ok: false, error: errors.join('; ') };
  deps.emit?.({ kind: 'sms', atEpochMs: deps.clock.now(), service, text, ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}), ...meta });
  if (outcome.ok) deps.logger.info('notified on-call', { service, text });
  else deps.logger.warn('notification failed; carrying on', { service, text, error: outcome.error });
  return outcome;
}
