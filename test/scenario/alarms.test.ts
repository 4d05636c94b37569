/**
 * Issue 12 on the embedded world: alarms reach the controller from every region through forwarders,
 * are identified by ARN, are never lost to a failed delivery, cannot come from the future, and a
 * malformed confirm request to `probe` is refused without counting as a scheduled round.
 */
import type { SimulationResult } from '../../sim/runner';
import { runScenario } from '../../sim/runner';
import { join } from 'node:path';
import { parseScenario, readScenarioDocument } from '../../sim/scenario';
import { runSuite, SCENARIOS, transitions, variant } from './scenario-kit';

/** Answers of operator invocations of `fn`, in the order of the scenario's events (the timeline records them on return). */
function invokeResults(result: SimulationResult, fn: string, payloads: unknown[]): unknown[] {
  const answered = result.timeline.filter((entry) => entry.kind === 'invoke' && entry.function === fn && 'result' in entry);
  return payloads.map((payload) => answered.find((entry) => JSON.stringify(entry.payload) === JSON.stringify(payload))?.result);
}

/** The dry-run's alarm forwarder check of us-east-1, from the scenario's drill invocation. */
function forwarderCheck(result: SimulationResult): unknown {
  const drill = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'drill' && 'result' in entry);
  const reports = (drill?.result as { reports?: Array<{ checks: Array<{ check: string }> }> } | undefined)?.reports ?? [];
  return reports.flatMap((report) => report.checks).find((check) => check.check === 'alarm forwarder us-east-1');
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

describe('alarm forwarding', () => {
  test('an alarm in the primary region (not the control region) fails over through the forwarder', async () => {
    const result = await runSuite('alarm-forwarded');
    expect(result.timeline.find((entry) => entry.kind === 'alarm' && entry.outcome === undefined)).toMatchObject({
      t: 60,
      region: 'us-east-1',
      route:
        'default bus of us-east-1 → rule switchback-sim-alarm-forwarder → default bus of us-west-2 → rule switchback-sim-alarm-rule-1 → function switchback-sim-alarm',
    });
    expect(result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome !== undefined)).toEqual([
      expect.objectContaining({ t: 60, outcome: 'acted', reason: 'web: failing over: alarm web-5xx-high in ALARM; secondary healthy' }),
    ]);
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1 });
    expect(result.summary.runs).toEqual([expect.objectContaining({ kind: 'failover', trigger: 'auto', status: 'succeeded' })]);
    // The dry-run (before the alarm) found the forwarder, with the drill's generated IAM policy.
    expect(forwarderCheck(result)).toEqual({
      check: 'alarm forwarder us-east-1',
      ok: true,
      detail:
        "switchback-sim-alarm-forwarder in us-east-1 sends web-5xx-high to the control region's bus arn:aws:events:us-west-2:123456789012:event-bus/default",
    });
  });

  test('without the forwarder stack of the alarm region the alarm never reaches the controller, and the timeline says why', async () => {
    const result = await runSuite('alarm-no-forwarder');
    expect(result.timeline.filter((entry) => entry.kind === 'alarm')).toEqual([
      expect.objectContaining({
        t: 60,
        alarm: 'web-5xx-high',
        state: 'ALARM',
        region: 'us-east-1',
        route: 'default bus of us-east-1',
        lost: true,
        reason:
          'never reaches the controller: no rule on the default bus of us-east-1 matches it (the alarm forwarder stack of us-east-1 is not deployed: sls deploy --region us-east-1 --param role=alarm-forwarder)',
      }),
    ]);
    expect(result.summary.invocations.alarm).toBeUndefined();
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 0 });
    expect(result.summary.runs).toEqual([]);
    // The dry-run says so before an outage does.
    expect(forwarderCheck(result)).toEqual({
      check: 'alarm forwarder us-east-1',
      ok: false,
      detail:
        'no rule switchback-sim-alarm-forwarder on the default bus of us-east-1: state changes of web-5xx-high stay in us-east-1 and never reach the controller; deploy it: sls deploy --stage sim --region us-east-1 --param role=alarm-forwarder',
    });
  });
});

describe('alarm forwarding at scale', () => {
  test('60 alarms in one region: several forwarder rules (pattern size quota), the last alarm still fails over, the dry-run checks every rule', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `checkout-api-${String(i).padStart(2, '0')}-5xx-high`);
    const document: Record<string, unknown> = {
      ...(readScenarioDocument(join(SCENARIOS, 'suite', 'alarm-forwarded.yml')) as Record<string, unknown>),
      events: [
        { at: '30s', invoke: { function: 'drill', payload: { mode: 'dry-run', service: 'web' } } },
        { at: '1m', alarm: { name: names[59], state: 'ALARM' } },
      ],
    };
    const config = document.config as { services: Array<{ primary: Record<string, unknown> }> };
    config.services[0].primary = { ...config.services[0].primary, alarms: names };
    const scenario = parseScenario(document, join(SCENARIOS, 'suite'), 'alarm-forwarded (60 alarms)');
    expect(scenario.config.services[0].primary.alarms).toHaveLength(60);
    const result = await runScenario(scenario);
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.timeline.find((entry) => entry.kind === 'alarm' && entry.outcome === undefined)?.route).toMatch(
      /^default bus of us-east-1 → rule switchback-sim-alarm-forwarder-\d → default bus of us-west-2 → rule switchback-sim-alarm-rule-\d → function switchback-sim-alarm$/,
    );
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1 });
    expect(forwarderCheck(result)).toMatchObject({
      ok: true,
      detail: expect.stringContaining('switchback-sim-alarm-forwarder-2 in us-east-1 sends'),
    });
  });
});

describe('alarm identity', () => {
  test('a same-named alarm in the secondary region or another account changes nothing; the configured one fails over', async () => {
    const result = await runSuite('alarm-same-name-elsewhere');
    // The two impostors never reach the alarm function: their events land on buses where no switchback rule matches them.
    const delivered = result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome === undefined);
    expect(delivered.slice(0, 2)).toEqual([
      expect.objectContaining({
        t: 60,
        region: 'eu-west-1',
        lost: true,
        reason: 'never reaches the controller: no rule on the default bus of eu-west-1 matches it',
      }),
      expect.objectContaining({
        t: 120,
        region: 'us-east-1',
        lost: true,
        reason: 'never reaches the controller: no rule on the default bus of us-east-1 in account 210987654321 matches it',
      }),
    ]);
    expect(delivered[2]).not.toHaveProperty('lost');
    const handled = result.timeline.filter((entry) => entry.kind === 'alarm' && entry.outcome !== undefined);
    expect(handled).toEqual([expect.objectContaining({ t: 240, outcome: 'acted' })]);
    expect(result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER')?.t).toBe(240);
    expect(result.summary.runs).toHaveLength(1);
  });
});

describe('alarm deliveries that fail', () => {
  test("Lambda runs an alarm event again a minute after a DynamoDB write failed it, and the retry fails over (the first run's claim does not block it)", async () => {
    const result = await runSuite('alarm-retried-after-table-failure');
    const errors = result.timeline.filter((entry) => entry.kind === 'error').map((entry) => [entry.t, entry.message]);
    expect(errors).toEqual([[90, 'alarm (async) failed: ProvisionedThroughputExceededException (injected by the scenario)']]);
    const failover = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER');
    expect(failover?.t).toBe(150);
    expect(result.summary.services.web).toMatchObject({ finalState: 'SECONDARY', failovers: 1 });
  });

  test('an event that fails every attempt is given up after the deployed two retries, and says so', async () => {
    const result = await runScenario(
      variant('alarm-retried-after-table-failure', {
        events: [
          { at: '90s', fault: { api: 'dynamodb.PutItem', error: 'ProvisionedThroughputExceededException', times: 'always', after: 1 } },
          { at: '90s', alarm: { name: 'web-5xx-high', state: 'ALARM' } },
        ],
        duration: '10m',
        expect: undefined,
      }),
    );
    const alarmErrors = result.timeline.filter((entry) => entry.kind === 'error' && String(entry.message).startsWith('alarm'));
    expect(alarmErrors.map((entry) => [entry.t, entry.message])).toEqual([
      [90, 'alarm (async) failed: ProvisionedThroughputExceededException (injected by the scenario)'],
      [150, 'alarm (async, Lambda retry 1) failed: ProvisionedThroughputExceededException (injected by the scenario)'],
      [270, 'alarm (async, Lambda retry 2) failed: ProvisionedThroughputExceededException (injected by the scenario)'],
      [270, 'alarm: the event failed 3 time(s); Lambda gives up on it (on-failure destination)'],
    ]);
    expect(result.summary.services.web.failovers).toBe(0);
  });
});
