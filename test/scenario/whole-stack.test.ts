/**
 * The whole-stack example on the simulated world with IAM enforced: database, Auto Scaling group,
 * ECS service and DNS fail over together and come back; every call is allowed by the generated
 * policies; the scenario's own expectations hold.
 */
import { join } from 'node:path';
import { runScenario } from '../../sim/runner';
import { checkExpectations } from '../../sim/expect';
import { loadScenarioFile, parseScenario, readScenarioDocument } from '../../sim/scenario';
import { SCENARIOS, smsTexts } from './scenario-kit';

describe('whole stack: Aurora + Auto Scaling + ECS + DNS', () => {
  test('an outage of us-east-1 fails everything over and back, with data age in the texts', async () => {
    const scenario = loadScenarioFile(join(SCENARIOS, 'whole-stack.yml'));
    const result = await runScenario(scenario);
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.errors).toEqual([]);
    expect(checkExpectations(scenario.expect!, result)).toEqual([]);
    const failover = result.summary.runs[0];
    expect(failover.steps.map((step) => `${step.action} ${step.status}`)).toEqual([
      'approval succeeded',
      'rds.failoverGlobalCluster succeeded',
      'autoscaling.setCapacity succeeded',
      'ecs.setDesiredCount succeeded',
      'http.waitHealthy succeeded',
      'route53.switch succeeded',
      'route53.waitInSync succeeded',
    ]);
    expect(result.summary.apiCalls).toMatchObject({
      'rds.FailoverGlobalCluster': 1,
      'rds.SwitchoverGlobalCluster': 1,
      'autoScaling.UpdateAutoScalingGroup': 2,
      'ecs.UpdateService': 2,
    });
    const texts = smsTexts(result).map((text) => text.replace(/took \d+s/, 'took Ns'));
    expect(texts).toContain('[switchback] shop: now on SECONDARY (took Ns; data up to 4s old)');
    expect(texts).toContain('[switchback] shop: back on PRIMARY (took Ns; no data lost)');
    // The data-loss failover waited for the operator's approve (the scenario's control event at 3m).
    const approvedAt = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'control')?.t as number;
    const dbStart = result.timeline.find((entry) => entry.kind === 'step' && entry.step === 'db' && entry.phase === 'started');
    expect(dbStart?.t).toBeGreaterThanOrEqual(approvedAt);
    expect(texts.filter((text) => text.includes('approve? us-east-1 down'))).toHaveLength(1);
  });

  test('the drill dry-run checks the database, the group and the service, and changes nothing', async () => {
    const file = join(SCENARIOS, 'whole-stack.yml');
    const document = readScenarioDocument(file) as Record<string, unknown>;
    const scenario = parseScenario(
      {
        ...document,
        expect: undefined,
        duration: '3m',
        events: [{ at: '2m', invoke: { function: 'drill', payload: { service: 'shop', mode: 'dry-run' } } }],
      },
      SCENARIOS,
      file,
    );
    const result = await runScenario(scenario);
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.mutatingApiCalls).toBe(0);
    const invoke = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'drill');
    const [report] = (
      invoke?.result as { reports: Array<{ passed: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> }> }
    ).reports;
    expect(report.passed).toBe(true);
    expect(
      report.checks.filter(
        (check) => !['config', 'dns record', 'secondary healthy', 'on-call numbers', 'sms delivery'].includes(check.check),
      ),
    ).toEqual([
      { check: 'global database shop-global', ok: true, detail: 'shop-global available; shop-west connected, lag 4s' },
      {
        check: 'Auto Scaling group shop-web-west',
        ok: true,
        detail: 'shop-web-west exists: 0 InService, desired 0 (min 0, max 8); the step sets 4',
      },
      { check: 'ECS service shop/api', ok: true, detail: 'api ACTIVE: 0 running of 0 desired; the step sets 6' },
    ]);
  });
});

describe('whole stack: crash sweep', () => {
  const outcome = (result: Awaited<ReturnType<typeof runScenario>>) => ({
    finalState: result.summary.services.shop.finalState,
    dnsTarget: result.summary.services.shop.dnsTarget,
    runs: result.summary.runs.map((run) => `${run.kind} ${run.status}`),
    calls: ['rds.FailoverGlobalCluster', 'rds.SwitchoverGlobalCluster', 'autoScaling.UpdateAutoScalingGroup', 'ecs.UpdateService'].map(
      (api) => `${api} ×${result.summary.apiCalls[api] ?? 0}`,
    ),
    // A crash before the approval request went out delays it by a lease: the time left it states is honest.
    sms: smsTexts(result).map((text) => text.replace(/took \d+s/, 'took Ns').replace(/approve within \d+s/, 'approve within Ns')),
  });

  const file = join(SCENARIOS, 'whole-stack.yml');
  let clean: Awaited<ReturnType<typeof runScenario>>;
  beforeAll(async () => {
    clean = await runScenario(loadScenarioFile(file));
  });

  test.each(['ok-to-lose-data', 'db', 'web', 'api'])(
    'a crash right after %s starts resumes there and ends as a clean run',
    async (step) => {
      const document = readScenarioDocument(file) as Record<string, unknown>;
      const crashed = await runScenario(parseScenario({ ...document, faults: [{ crash: { step, times: 1 } }] }, SCENARIOS, file));
      expect(crashed.summary.accessDenied).toEqual([]);
      expect(crashed.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
      expect(outcome(crashed)).toEqual(outcome(clean));
      const failover = crashed.summary.runs[0];
      const index = failover.steps.findIndex((candidate) => candidate.name === step);
      expect(failover.steps[index].attempts).toBe(2);
      // Steps before it ran once; a branch of the same parallel group (web, api) was in flight when it "died" and runs again.
      const group = ['web', 'api'].includes(step) ? ['web', 'api'] : [step];
      const before = failover.steps.slice(0, index).filter((earlier) => !group.includes(earlier.name));
      expect(before.every((earlier) => earlier.attempts === 1)).toBe(true);
    },
  );
});
