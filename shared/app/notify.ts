/**
 * One-off alerts outside a run (failover blocked, controller cut off, cap reached, drill check
 * failed): the engine's notifier (brief retry, numbers masked, never throws), and one `sms` event.
 */
import { publishToOnCall, type PublishOutcome } from '../engine/notifications';
import type { AppDeps } from './deps';

export async function notifyOnCall(
  deps: Pick<AppDeps, 'config' | 'aws' | 'clock' | 'random' | 'emit'>,
  service: string,
  text: string,
  meta: { key: string },
): Promise<PublishOutcome> {
  const outcome = await publishToOnCall({ config: deps.config, sns: deps.aws.sns, clock: deps.clock, random: deps.random }, service, text);
  deps.emit({
    kind: 'sms',
    atEpochMs: deps.clock.now(),
    service,
    text,
    ok: outcome.ok,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...meta,
  });
  return outcome;
}
