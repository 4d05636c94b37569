/** In Lambda every controller event is exactly one structured log line, with numbers masked. */
import { eventLogLine, logEvents } from '../../../shared/app/event-log';
import type { Logger } from '../../../shared/app/deps';
import type { ControllerEvent } from '../../../shared/events';

const config = { notify: { sms: ['+15555550100', '+15555550111'], topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' } };
const AT = 1_700_000_000_000;

function capture(): { logger: Logger; lines: Array<[string, string, Record<string, unknown> | undefined]> } {
  const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => void lines.push([level, message, extra]);
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

describe('controller events as log lines', () => {
  it('logs each event once, the reason sentence as the message and the event as fields', () => {
    const { logger, lines } = capture();
    const emit = logEvents(logger, config);
    emit({
      kind: 'transition',
      atEpochMs: AT,
      service: 'web',
      from: 'PRIMARY',
      to: 'FAILING_OVER',
      reason: 'failing over: primary failed 3/3 probes from 1/1 locations; secondary healthy',
    });
    expect(lines).toEqual([
      [
        'info',
        'failing over: primary failed 3/3 probes from 1/1 locations; secondary healthy',
        {
          event: 'transition',
          atEpochMs: AT,
          service: 'web',
          from: 'PRIMARY',
          to: 'FAILING_OVER',
          reason: 'failing over: primary failed 3/3 probes from 1/1 locations; secondary healthy',
        },
      ],
    ]);
  });

  it('a failed text is a warning naming the recipients with their numbers masked', () => {
    const event: ControllerEvent = {
      kind: 'sms',
      atEpochMs: AT,
      service: 'web',
      text: '[switchback] web: failing over',
      ok: false,
      error: '+1555•••0100: throttled',
      stage: 'started',
      runId: 'r1',
    };
    const line = eventLogLine(event, config);
    expect(line.level).toBe('warn');
    expect(line.message).toBe('notification failed; carrying on');
    expect(line.fields).toMatchObject({ numbers: ['+1555•••0100', '+1555•••0111'], topicArn: config.notify.topicArn, error: event.error });
    expect(JSON.stringify(line)).not.toMatch(/\+15555550100|\+15555550111/);
    expect(eventLogLine({ ...event, ok: true }, config).level).toBe('info');
  });

  it('failed and retried steps warn; started and succeeded steps inform', () => {
    const step = {
      kind: 'step',
      step: 'route53.switch#1',
      action: 'route53.switch',
      attempts: 1,
      runId: 'r1',
      atEpochMs: AT,
      service: 'web',
    } as const;
    expect(eventLogLine({ ...step, phase: 'started' }, config)).toMatchObject({
      level: 'info',
      message: 'step route53.switch#1 (route53.switch) started',
    });
    expect(eventLogLine({ ...step, phase: 'retrying', error: 'Throttling', delayMs: 200 }, config)).toMatchObject({
      level: 'warn',
      message: 'step route53.switch#1 (route53.switch) retrying: Throttling',
    });
    expect(eventLogLine({ ...step, phase: 'failed', error: 'AccessDenied' }, config).level).toBe('warn');
    expect(eventLogLine({ ...step, phase: 'succeeded', note: 'already pointed there' }, config)).toMatchObject({
      level: 'info',
      message: 'step route53.switch#1 (route53.switch) succeeded: already pointed there',
    });
  });

  it('a quiet probe round is debug; one that saw something down is info', () => {
    const round = {
      kind: 'probe',
      location: 'us-east-1',
      round: 2,
      atEpochMs: AT,
      durationMs: 40,
      probed: 2,
      primaryDown: [],
      secondaryDown: [],
      observationWrites: 0,
      decisions: 0,
    } as const;
    expect(eventLogLine({ ...round, primaryDown: [], secondaryDown: [] }, config)).toMatchObject({
      level: 'debug',
      message: 'probe round 2 from us-east-1: 2 probed, all up',
    });
    expect(eventLogLine({ ...round, primaryDown: ['web'], secondaryDown: [] }, config)).toMatchObject({
      level: 'info',
      message: 'probe round 2 from us-east-1: 2 probed, down: web primary',
    });
  });

  it('errors are logged as errors', () => {
    expect(
      eventLogLine({ kind: 'error', atEpochMs: AT, message: 'rejected alarm event: detail.state: is required' }, config),
    ).toMatchObject({
      level: 'error',
      message: 'rejected alarm event: detail.state: is required',
    });
  });
});
