/**
 * Issue 12 on the embedded world: alarms reach the controller from every region through forwarders,
 * are identified by ARN, are never lost to a failed delivery, cannot come from the future, and a
 * malformed confirm request to `probe` is refused without counting as a scheduled round.
 */
import type { SimulationResult } from '../../sim/runner';
import { runScenario } from '../../sim/runner';
import { runSuite, transitions, variant } from './scenario-kit';

/** Answers of operator invocations of `fn`, in the order of the scenario's events (the timeline records them on return). */
function invokeResults(result: SimulationResult, fn: string, payloads: unknown[]): unknown[] {
  const answered = result.timeline.filter((entry) => entry.kind === 'invoke' && entry.function === fn && 'result' in entry);
  return payloads.map((payload) => answered.find((entry) => JSON.stringify(entry.payload) === JSON.stringify(payload))?.result);
}

function scenarioPayloads(name: string): unknown[] {
  return variant(name, {}).events.flatMap((event) => ('invoke' in event ? [event.invoke.payload] : []));
}

describe('confirm requests to probe', () => {
  test('malformed ones are refused, run no round and emit no heartbeat; a valid one runs one round', async () => {
    const result = await runSuite('malformed-confirm');
    const [rounds0, rounds99, noServices, unknown, noSource, other, valid] = invokeResults(
      result,
      'probe',
      scenarioPayloads('malformed-confirm'),
    );
    for (const refused of [rounds0, rounds99, noServices, unknown, noSource, other])
      expect(refused).toMatchObject({ ok: false, rounds: 0, scheduled: false, heartbeat: false });
    expect(rounds0).toMatchObject({ error: expect.stringContaining('rounds') });
    expect(noServices).toMatchObject({ error: expect.stringContaining('services') });
    expect(unknown).toMatchObject({ error: 'unknown service "webb"; known services: web' });
    expect(valid).toMatchObject({ ok: true, rounds: 1, scheduled: false, heartbeat: false });

    // The scheduled rounds (every 10 s) plus the one valid confirm round at 45 s; nothing else.
    const probeRounds = result.timeline.filter((entry) => entry.kind === 'probe');
    expect(probeRounds.filter((entry) => entry.t > 30 && entry.t < 40)).toEqual([]);
    const without = await runScenario(variant('malformed-confirm', { events: [] }));
    expect(probeRounds.length).toBe(without.timeline.filter((entry) => entry.kind === 'probe').length + 1);
    // DynamoDB: the valid round touches its location once; the refused requests write nothing.
    expect(result.summary.dynamo.writeRequests - without.summary.dynamo.writeRequests).toBe(1);
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 0 });
  });
});

describe('alarm clocks', () => {
  test('an ALARM from the future is refused, and later OKs still count', async () => {
    const result = await runSuite('alarm-from-future');
    const alarms = result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome !== undefined);
    expect(alarms[0]).toMatchObject({
      t: 60,
      outcome: 'ignored',
      reason: 'alarm web-5xx-high ALARM is stamped 7200s in the future (max skew 60s): refused',
    });
    expect(transitions(result, 'web')).toEqual([
      'PRIMARY→FAILING_OVER',
      'FAILING_OVER→SECONDARY',
      'SECONDARY→FAILING_BACK',
      'FAILING_BACK→PRIMARY',
    ]);
    expect(result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER')?.t).toBe(180);
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1 });
  });
});

describe('alarm identity', () => {
  test('a same-named alarm in the secondary region or another account changes nothing; the configured one fails over', async () => {
    const result = await runSuite('alarm-same-name-elsewhere');
    const alarms = result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome !== undefined);
    expect(alarms.slice(0, 2)).toEqual([
      expect.objectContaining({ t: 60, outcome: 'ignored', reason: 'web-5xx-high is not an alarm of any configured service' }),
      expect.objectContaining({ t: 120, outcome: 'ignored', reason: 'web-5xx-high is not an alarm of any configured service' }),
    ]);
    expect(result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER')?.t).toBe(240);
    expect(result.summary.runs).toHaveLength(1);
  });
});
