/**
 * The real handlers against the parts of the world that are unkind the way AWS is: alarms that
 * evaluate once a minute, Route 53 health checkers that follow the alarm's data, INSYNC after ~60 s.
 * Bounds come from the model's timings, not from one run's numbers.
 */
import { FLAG_ALARM } from '../../shared/aws/flag';
import { DEFAULT_HEALTH_CHECKER_INTERVAL_MS } from '../../sim/world/world';
import type { SimulationResult, TimelineEntry } from '../../sim/runner';
import { runSuite, transitions } from './scenario-kit';

const PRIMARY = ['203.0.113.10'];
const SECONDARY = ['198.51.100.20'];
/** Flag published → DNS answers the other record: up to one alarm period, then the health checkers' next poll (half an interval later). */
const FLAG_SWITCH_BOUND_SECONDS = FLAG_ALARM.periodSeconds + DEFAULT_HEALTH_CHECKER_INTERVAL_MS / 2 / 1000;

function dnsChanges(result: SimulationResult): Array<{ t: number; answer: unknown }> {
  return result.timeline.filter((entry) => entry.kind === 'dns').map((entry) => ({ t: entry.t, answer: entry.answer }));
}

function switchSteps(result: SimulationResult): TimelineEntry[] {
  return result.timeline.filter((entry) => entry.kind === 'step' && entry.action === 'route53.switch' && entry.phase === 'succeeded');
}

describe('health-check-flag under the faithful alarm and health-check model', () => {
  test('holds the secondary for an hour: the probe republishes the flag every round and DNS never wavers', async () => {
    const result = await runSuite('flag-holds-an-hour');
    expect(transitions(result, 'web')).toEqual([
      'PRIMARY→FAILING_OVER',
      'FAILING_OVER→SECONDARY',
      'SECONDARY→FAILING_BACK',
      'FAILING_BACK→PRIMARY',
    ]);
    const [failover, failback] = switchSteps(result);
    const changes = dnsChanges(result);
    // Exactly two answers changes: to the secondary once, back once, each within the model's switch time.
    expect(changes.map((change) => change.answer)).toEqual([SECONDARY, PRIMARY]);
    expect(changes[0].t - failover.t).toBeGreaterThan(0);
    expect(changes[0].t - failover.t).toBeLessThanOrEqual(FLAG_SWITCH_BOUND_SECONDS);
    expect(changes[1].t - failback.t).toBeLessThanOrEqual(FLAG_SWITCH_BOUND_SECONDS);
    // On the secondary for more than an hour, answered throughout (no change between the two above).
    expect(changes[1].t - changes[0].t).toBeGreaterThan(3600);
    // Every controller round between the two switches republished the flag (one call each), plus the two switches.
    const roundsBetween = result.timeline.filter((entry) => entry.kind === 'probe' && entry.t > failover.t && entry.t < failback.t);
    expect(roundsBetween.length).toBeGreaterThan(360);
    expect(result.summary.apiCalls['cloudWatch.PutMetricData']).toBeGreaterThanOrEqual(2 + roundsBetween.length);
    expect(Object.keys(result.summary.apiCalls).filter((api) => api.startsWith('route53.'))).toEqual([]);
    expect(result.summary.errors).toEqual([]);
  }, 300_000); // an hour of virtual time: generous for a loaded machine

  test("a drill holding 0 s goes home at the end of the failback's minute: the failback's 0 wins over the failover's 1s", async () => {
    const result = await runSuite('flag-drill-short-hold');
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1, dnsTarget: PRIMARY });
    const [, failback] = switchSteps(result);
    const changes = dnsChanges(result);
    expect(changes.map((change) => change.answer)).toEqual([SECONDARY, PRIMARY]);
    // The 0 is published in a minute that also holds republished 1s (Maximum would keep ALARM a minute longer).
    const minute = (t: number) => Math.floor(t / 60);
    const republishedOnes = result.timeline.filter(
      (entry) => entry.kind === 'probe' && minute(entry.t) === minute(failback.t) && entry.t <= failback.t,
    );
    expect(republishedOnes.length).toBeGreaterThan(0);
    expect(changes[1].t - failback.t).toBeLessThanOrEqual(FLAG_SWITCH_BOUND_SECONDS);
    expect(result.summary.errors).toEqual([]);
  });
});

describe('SNS monthly SMS spend limit', () => {
  test('past the limit Publish still succeeds and nothing is delivered: the run is unaffected, the summary says what did not arrive', async () => {
    const result = await runSuite('sms-spend-limit');
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1 });
    expect(result.summary.runs[0]).toMatchObject({ status: 'succeeded', notificationFailures: [] });
    expect(result.summary.sms.map((message) => message.text)).toEqual([
      expect.stringContaining('web: failing over'),
      expect.stringContaining('web: now on SECONDARY'),
    ]);
    for (const message of result.summary.sms) {
      expect(message).toMatchObject({ recipients: 1, notDelivered: 1 });
      expect(message.notDeliveredReasons).toEqual([expect.stringMatching(/^monthly SMS spend limit reached \(MonthlySpendLimit 1 USD/)]);
    }
    expect(result.summary.errors).toEqual([]);
  });
});
