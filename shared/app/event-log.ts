/**
 * In Lambda a controller event becomes one structured log line: a level, a sentence, and the event's
 * fields (CloudWatch Logs Insights can filter on `event`, `service`, `runId` …). Texts carry their
 * recipients, phone numbers masked.
 */
import { maskPhoneNumber } from '../phone';
import type { SwitchbackConfig } from '../config/types';
import type { ControllerEvent, EventSink } from '../events';
import type { Logger } from './deps';

export interface EventLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

export function eventLogLine(event: ControllerEvent, config: Pick<SwitchbackConfig, 'notify'>): EventLogLine {
  const { kind, ...rest } = event;
  const fields: Record<string, unknown> = { event: kind, ...rest };
  switch (event.kind) {
    case 'probe': {
      const quiet = event.primaryDown.length === 0 && event.secondaryDown.length === 0 && event.decisions === 0;
      const down = [...event.primaryDown.map((name) => `${name} primary`), ...event.secondaryDown.map((name) => `${name} secondary`)];
      const message = `probe round ${event.round} from ${event.location}: ${event.probed} probed, ${down.length > 0 ? `down: ${down.join(', ')}` : 'all up'}`;
      return { level: quiet ? 'debug' : 'info', message, fields };
    }
    case 'decision':
    case 'transition':
      return { level: 'info', message: event.reason, fields };
    case 'step': {
      const detail = event.error ?? event.note;
      const message = `step ${event.step} (${event.action}) ${event.phase}${detail ? `: ${detail}` : ''}`;
      return { level: event.phase === 'failed' || event.phase === 'retrying' ? 'warn' : 'info', message, fields };
    }
    case 'sms': {
      const recipients = {
        numbers: config.notify.sms.map(maskPhoneNumber),
        ...(config.notify.topicArn ? { topicArn: config.notify.topicArn } : {}),
      };
      if (event.ok) return { level: 'info', message: 'notified on-call', fields: { ...fields, ...recipients } };
      return { level: 'warn', message: 'notification failed; carrying on', fields: { ...fields, ...recipients } };
    }
    case 'invoke':
      return { level: 'info', message: `invoking ${event.function}${event.reason ? `: ${event.reason}` : ''}`, fields };
    case 'alarm':
      return {
        level: 'info',
        message: `alarm ${event.alarm} ${event.state}: ${event.outcome}${event.reason ? `: ${event.reason}` : ''}`,
        fields,
      };
    case 'error':
      return { level: 'error', message: event.message, fields };
    case 'chain':
      return { level: event.outcome === 'sendFailed' ? 'warn' : 'info', message: event.reason, fields };
  }
}

/** The Lambda event sink: every event one log line through the function's Powertools logger. */
export function logEvents(logger: Logger, config: Pick<SwitchbackConfig, 'notify'>): EventSink {
  return (event) => {
    const line = eventLogLine(event, config);
    logger[line.level](line.message, line.fields);
  };
}
