/**
 * Operator-facing promises on the embedded world: alarm confirmation, manual failback, input
 * validation, dry-run drills that change nothing, abort, status, the data-plane DNS switch with
 * Route 53's API down, and the `npm start` demo.
 */
import { runScenario } from '../../sim/runner';
import { loadScenarioFile } from '../../sim/scenario';
import { join } from 'node:path';
import { runSuite, SCENARIOS, smsTexts, transitions, variant } from './scenario-kit';

function invocations(result: Awaited<ReturnType<typeof runSuite>>, fn: string) {
  return result.timeline.filter((entry) => entry.kind === 'invoke' && entry.function === fn && entry.result !== undefined);
}

describe('operations on the embedded world', () => {
  test('alarm-confirmed-by-probe: an unconfirmed alarm does nothing; a confirmed one fails over within seconds', async () => {
    const result = await runSuite('alarm-confirmed');
    const failover = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER');
    // Primary down at 240 s, alarm at 245 s: far sooner than 3 × 30 s of probes alone.
    expect(failover?.t).toBe(245);
    expect(String(failover?.reason)).toMatch(/alarm web-5xx-high confirmed/);
    expect(result.summary.runs).toHaveLength(1);
    expect(result.summary.services.web.detectionSeconds).toBe(5);
  });

  test('manual failback: texts that it waits, status says so, and only approve moves traffic home', async () => {
    const result = await runSuite('manual-failback');
    expect(smsTexts(result)).toContain(
      '[switchback] web: primary healthy again; failback waits for your approve: control action approve, service web',
    );
    const [status] = invocations(result, 'status');
    expect(status.result).toMatchObject({
      ok: true,
      services: [{ service: 'web', state: 'SECONDARY', reason: expect.stringContaining('waiting for approve') }],
    });
    const failback = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_BACK');
    expect(failback?.t).toBe(780);
    expect(String(failback?.reason)).toContain('approved by alice');
    expect(result.summary.services.web.finalState).toBe('PRIMARY');
  });

  test('operator input is validated, and abort stops a run at the next step boundary', async () => {
    const result = await runSuite('operator-inputs');
    const control = invocations(result, 'control').map((entry) => entry.result);
    expect(control[0]).toEqual({ ok: false, error: 'unknown service "webb"; known services: web' });
    expect(control[1]).toEqual({
      ok: false,
      error: 'control: action: must be one of freeze, unfreeze, failover, failback, approve, abort',
    });
    expect(control[2]).toMatchObject({ ok: true, accepted: true, state: 'FAILING_OVER' });
    expect(control[3]).toMatchObject({ ok: true, accepted: true });
    const [run] = result.summary.runs;
    expect(run).toMatchObject({ kind: 'failover', trigger: 'manual', status: 'aborted' });
    expect(run.steps.map((step) => step.status)).toEqual(['succeeded', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(result.summary.services.web.dnsTarget).toEqual(['203.0.113.10']);
    expect(smsTexts(result).some((text) => /aborted/.test(text))).toBe(true);
    const [status] = invocations(result, 'status');
    expect(status.result).toMatchObject({ ok: true, services: [{ service: 'web', recentRuns: [{ status: 'aborted' }] }] });
  });

  test('a dry-run drill checks everything and makes zero mutating API calls', async () => {
    const result = await runScenario(
      variant('operator-inputs', {
        faults: [],
        duration: '1m',
        events: [{ at: '20s', invoke: { function: 'drill', payload: { service: 'web', mode: 'dry-run' } } }],
      }),
    );
    const [drill] = invocations(result, 'drill');
    const report = drill.result as { ok: boolean; passed: boolean; reports: Array<{ checks: Array<{ check: string; ok: boolean }> }> };
    expect(report).toMatchObject({ ok: true, passed: true });
    expect(report.reports[0].checks.map((check) => check.check)).toEqual([
      'config',
      'dns record',
      'alarm forwarder us-east-1',
      'standby instances',
      'permission ec2:StartInstances',
      'permission ec2:AssociateAddress',
      'secondary healthy',
      'on-call numbers',
      'sms delivery',
    ]);
    expect(report.reports[0].checks.at(-1)).toEqual({
      check: 'sms delivery',
      ok: true,
      detail: 'out of the SMS sandbox; 0.00 of 1 USD monthly SMS spend limit used in us-west-2',
    });
    expect(result.summary.mutatingApiCalls).toBe(0);
    expect(result.summary.apiCalls['ec2.StartInstances']).toBe(1); // the DryRun call
  });

  test('a dry-run drill reports what would fail, with reasons', async () => {
    const result = await runScenario(
      variant('operator-inputs', {
        faults: [],
        duration: '1m',
        events: [
          { at: '10s', site: 'web/secondary', health: 'down' },
          { at: '20s', invoke: { function: 'drill', payload: { service: 'web', mode: 'dry-run' } } },
        ],
      }),
    );
    const [drill] = invocations(result, 'drill');
    const report = drill.result as { passed: boolean; reports: Array<{ checks: Array<{ check: string; ok: boolean; detail: string }> }> };
    expect(report.passed).toBe(false);
    expect(report.reports[0].checks.find((check) => check.check === 'secondary healthy')).toMatchObject({
      ok: false,
      detail: 'not healthy: ECONNREFUSED',
    });
  });

  test.each([
    [
      'an account still in the SMS sandbox',
      { smsSandbox: true },
      'the account is in the SNS SMS sandbox in us-west-2: only verified numbers get texts; request production access',
    ],
    [
      'a month whose SMS spend is near the limit',
      { smsMonthlySpendLimitUsd: 1, smsSpentUsd: 0.85 },
      '0.85 of 1 USD monthly SMS spend limit used in us-west-2: SNS stops sending texts at the limit; raise MonthlySpendLimit',
    ],
  ])('the dry-run fails the SMS check for %s (texts would silently not arrive)', async (_name, world, detail) => {
    const result = await runScenario(
      variant('operator-inputs', {
        faults: [],
        duration: '1m',
        world: { route53ChangeSeconds: 60, route53HealthCheckerSeconds: 30, ec2TransitionSeconds: 15, ...world },
        events: [{ at: '20s', invoke: { function: 'drill', payload: { service: 'web', mode: 'dry-run' } } }],
      }),
    );
    const [drill] = invocations(result, 'drill');
    const report = drill.result as { passed: boolean; reports: Array<{ checks: Array<{ check: string; ok: boolean; detail: string }> }> };
    expect(report.passed).toBe(false);
    expect(report.reports[0].checks.find((check) => check.check === 'sms delivery')).toEqual({ check: 'sms delivery', ok: false, detail });
  });

  test('the scheduled dry-run texts once when a passing check starts failing, not every day', async () => {
    const result = await runSuite('scheduled-dry-run');
    const passed = invocations(result, 'drill').map((entry) => (entry.result as { passed: boolean }).passed);
    expect(passed).toEqual([true, false, false]);
    expect(smsTexts(result)).toEqual(['[switchback] web: drill check failed: secondary healthy: not healthy: ECONNREFUSED']);
  });

  test('health-check-flag: with the Route 53 API down for the whole incident, failover and failback still work', async () => {
    const result = await runSuite('flag-route53-down');
    expect(transitions(result, 'web')).toEqual([
      'PRIMARY→FAILING_OVER',
      'FAILING_OVER→SECONDARY',
      'SECONDARY→FAILING_BACK',
      'FAILING_BACK→PRIMARY',
    ]);
    const answers = result.timeline.filter((entry) => entry.kind === 'dns').map((entry) => entry.answer);
    expect(answers).toEqual([['198.51.100.20'], ['203.0.113.10']]);
    expect(Object.keys(result.summary.apiCalls).filter((api) => api.startsWith('route53.'))).toEqual([]);
    // The two switches, and the probe republishing the flag every round while it holds (one call per round).
    const switches = result.timeline.filter(
      (entry) => entry.kind === 'step' && entry.action === 'route53.switch' && entry.phase === 'succeeded',
    );
    const holding = result.timeline.filter((entry) => entry.kind === 'probe' && entry.t > switches[0].t && entry.t < switches[1].t);
    expect(holding.length).toBeGreaterThan(0);
    expect(result.summary.apiCalls['cloudWatch.PutMetricData']).toBeGreaterThanOrEqual(2 + holding.length);
  });

  test('health-check-flag: if the flag alarm cannot be confirmed, people hear DNS_PENDING, not "done"', async () => {
    const scenario = variant('flag-route53-down', {
      duration: '10m',
      events: [{ at: '1m', site: 'web/primary', health: 'down' }],
      faults: [{ api: 'cloudWatch.DescribeAlarms', error: 'ServiceUnavailable', times: 'always' }],
    });
    const result = await runScenario(scenario);
    expect(result.summary.runs[0]).toMatchObject({ status: 'succeeded', dnsPending: true });
    expect(smsTexts(result).some((text) => text.includes('DNS_PENDING'))).toBe(true);
  });

  test('record-swap: with the Route 53 API down the failover fails clearly and DNS is unchanged', async () => {
    const result = await runSuite('swap-route53-down');
    expect(result.summary.services.web).toMatchObject({ finalState: 'FAILOVER_FAILED', dnsTarget: ['203.0.113.10'] });
    expect(smsTexts(result)[1]).toMatch(
      /^\[switchback\] web: FAILOVER FAILED at route53\.switch: route53:ListResourceRecordSets .*ServiceU.* - DNS unchanged$/,
    );
  });

  test('the npm start demo: outage, failover, recovery, hold-down, failback', async () => {
    const result = await runScenario(loadScenarioFile(join(SCENARIOS, 'demo.yml')));
    expect(result.summary.services.web).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1, dnsTarget: ['203.0.113.10'] });
    expect(result.summary.sms).toHaveLength(4);
    expect(result.summary.errors).toEqual([]);
  });
});
