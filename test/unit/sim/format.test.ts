/** The human timeline: a step's repeated error is printed once, with how many times it happened. */
import { formatTimeline } from '../../../sim/format';
import type { SimulationResult, TimelineEntry } from '../../../sim/runner';

const THROTTLED = 'route53:ChangeResourceRecordSets throttled (Throttling): Rate exceeded';
const CAPACITY = 'ec2:StartInstances failed (InsufficientInstanceCapacity)';

function timeline(entries: TimelineEntry[]): SimulationResult {
  return { timeline: entries } as SimulationResult;
}

const step = (t: number, phase: string, extra: Record<string, unknown> = {}): TimelineEntry => ({
  t,
  kind: 'step',
  service: 'web',
  runId: 'r1',
  step: 'route53.switch#1',
  phase,
  ...extra,
});

describe('formatTimeline', () => {
  it('collapses identical retries into one line with ×N, keeping the final success', () => {
    const text = formatTimeline(
      timeline([
        step(95, 'retrying', { error: THROTTLED, attempts: 1 }),
        step(95, 'retrying', { error: THROTTLED, attempts: 2 }),
        step(95, 'retrying', { error: THROTTLED, attempts: 3 }),
        step(96, 'succeeded', { attempts: 4, durationMs: 1000 }),
      ]),
    );
    expect(text.split('\n')).toEqual([
      `00:01:35 web   step route53.switch#1 retrying after 3 attempts: ${THROTTLED} (×3)`,
      '00:01:36 web   step route53.switch#1 succeeded 1.0s after 4 attempts',
    ]);
  });

  it('folds the retries into the failure line when the step failed with the same error', () => {
    const text = formatTimeline(
      timeline([
        step(80, 'retrying', { error: CAPACITY, attempts: 1 }),
        step(81, 'retrying', { error: CAPACITY, attempts: 2 }),
        step(84, 'failed', { error: CAPACITY, attempts: 3, durationMs: 4000 }),
      ]),
    );
    expect(text).toBe(`00:01:24 web   step route53.switch#1 failed 4.0s after 3 attempts: ${CAPACITY} (×3)`);
  });

  it('keeps different errors apart, in order', () => {
    const text = formatTimeline(
      timeline([
        step(80, 'retrying', { error: THROTTLED, attempts: 1 }),
        step(80, 'retrying', { error: THROTTLED, attempts: 2 }),
        step(81, 'retrying', { error: CAPACITY, attempts: 3 }),
        step(84, 'failed', { error: THROTTLED, attempts: 4, durationMs: 4000 }),
      ]),
    );
    expect(text.split('\n')).toEqual([
      `00:01:20 web   step route53.switch#1 retrying after 2 attempts: ${THROTTLED} (×2)`,
      `00:01:21 web   step route53.switch#1 retrying after 3 attempts: ${CAPACITY}`,
      `00:01:24 web   step route53.switch#1 failed 4.0s after 4 attempts: ${THROTTLED}`,
    ]);
  });
  it('says when an alarm never reaches the controller, and why', () => {
    const reason =
      'never reaches the controller: no rule on the default bus of us-east-1 matches it (the alarm forwarder stack of us-east-1 is not deployed: sls deploy --region us-east-1 --param role=alarm-forwarder)';
    const text = formatTimeline(
      timeline([
        {
          t: 60,
          kind: 'alarm',
          alarm: 'web-5xx-high',
          state: 'ALARM',
          deliveries: 1,
          region: 'us-east-1',
          route: 'default bus of us-east-1',
          lost: true,
          reason,
        },
        {
          t: 120,
          kind: 'alarm',
          alarm: 'web-5xx-high',
          state: 'OK',
          deliveries: 1,
          region: 'us-east-1',
          route: 'default bus of us-east-1 → …',
        },
      ]),
    );
    expect(text.split('\n')).toEqual([`00:01:00 alarm web-5xx-high → ALARM: ${reason}`, '00:02:00 alarm web-5xx-high → OK']);
  });
});
