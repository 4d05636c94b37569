/**
 * Detection promises that are not about a failover: steady state writes nothing per round, and
 * alarms that mean nothing change nothing (each with a logged reason).
 */
import { runScenario } from '../../sim/runner';
import { runSuite, variant } from './scenario-kit';

describe('detection', () => {
  test('healthy steady state: no state or observation write per probe round, one heartbeat a minute, one lease claim per round', async () => {
    const quiet = (duration: string) => variant('clean-failover', { duration, events: [] });
    const [fiveMinutes, tenMinutes] = [await runScenario(quiet('5m')), await runScenario(quiet('10m'))];
    // Five more minutes = 30 more healthy rounds: 5 more heartbeats in the controller's table ...
    const extraRequests = tenMinutes.summary.dynamo.writeRequests - fiveMinutes.summary.dynamo.writeRequests;
    expect(extraRequests).toBe(5);
    // ... and 30 more claims of the probe chain's lease (its guard against duplicate deliveries).
    const leaseWrites = (result: typeof tenMinutes) => result.summary.probeChain?.lease['us-west-2'].writes ?? 0;
    expect(leaseWrites(tenMinutes) - leaseWrites(fiveMinutes)).toBe(30);
    expect(tenMinutes.summary.runs).toEqual([]);
  });

  test('unknown, INSUFFICIENT_DATA and stale alarms are ignored with a reason; state untouched', async () => {
    const result = await runSuite('alarms-ignored');
    const outcomes = result.timeline
      .filter((entry) => entry.kind === 'alarm' && entry.outcome)
      .map((entry) => `${entry.outcome}: ${entry.reason}`);
    // The unknown alarm and INSUFFICIENT_DATA match no rule (the rules take the configured ARNs in ALARM or OK only):
    // they never reach the alarm function. The replayed delivery reaches it and is too old to act on.
    const lost = result.timeline.filter((entry) => entry.kind === 'alarm' && entry.lost).map((entry) => `${entry.alarm}: ${entry.reason}`);
    expect(lost).toEqual([
      'db-cpu-high: never reaches the controller: no rule on the default bus of us-west-2 matches it',
      'web-5xx-high: never reaches the controller: no rule on the default bus of us-east-1 matches it',
    ]);
    expect(outcomes).toEqual([expect.stringMatching(/^ignored: alarm web-5xx-high ALARM is \d+s old \(max 600s\): too late to act on$/)]);
    expect(result.summary.runs).toEqual([]);
    expect(result.summary.services.web.finalState).toBe('PRIMARY');
    expect(result.summary.sms).toEqual([]);
  });
});
