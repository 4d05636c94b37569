/** Counts that follow from controller events: a failed text, a hook step that failed for good. */
import type { ControllerEvent } from '../../../shared/events';
import { countingEvents, recordingSelfMetrics } from '../../../shared/self-metrics';

const T = 1_800_000_000_000;
const step = (phase: 'started' | 'retrying' | 'failed' | 'succeeded', action: string): ControllerEvent => ({
  kind: 'step',
  phase,
  step: `${action}#1`,
  action,
  attempts: 1,
  runId: 'r1',
  atEpochMs: T,
  service: 'web',
});

describe('countingEvents', () => {
  it('counts failed texts and failed hook steps, passes every event on unchanged', () => {
    const metrics = recordingSelfMetrics();
    const seen: ControllerEvent[] = [];
    const emit = countingEvents((event) => seen.push(event), metrics);
    const events: ControllerEvent[] = [
      { kind: 'sms', atEpochMs: T, service: 'web', text: 'a', ok: true },
      { kind: 'sms', atEpochMs: T, service: 'web', text: 'b', ok: false, error: '+1555•••0100: Throttling' },
      step('retrying', 'lambda.invoke'),
      step('failed', 'lambda.invoke'),
      step('failed', 'ec2.start'),
      step('succeeded', 'lambda.invoke'),
    ];
    for (const event of events) emit(event);
    expect(seen).toEqual(events);
    expect(metrics.totals).toEqual({ NotificationFailures: 1, HookFailures: 1 });
  });
});
