/**
 * The engine under faults, on the embedded world: throttling, access denied, a DNS change stuck
 * PENDING, SMS that cannot be sent, an operator abort, the invocation deadline, user hooks, and
 * the data-plane DNS strategy.
 */
import { buildConfig } from '../../support/config-builder';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { PENDING_NOTIFICATION_ERROR } from '../../../shared/engine';
import type { SmsEvent, StepEvent } from '../../../shared/events';
import { FLAG_METRIC } from '../../../shared/aws/cloudwatch';
import { createEngineKit, launchConfig, loadExampleConfig, PHONE, SERVICE } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

describe('retries', () => {
  it('Throttling twice on ChangeResourceRecordSets, then success: the run succeeds and 3 attempts are recorded', async () => {
    const kit = await createEngineKit(dynamo);
    kit.world.faults.add({ api: 'route53.ChangeResourceRecordSets', error: 'Throttling', times: 2 });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    const switchStep = outcome.run?.steps.find((step) => step.action === 'route53.switch');
    expect(switchStep).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(kit.world.apiCalls()['route53.ChangeResourceRecordSets']).toBe(3);
    expect(kit.dnsAnswer()).toEqual(['198.51.100.20']);
    const retries = kit.events.filter((event): event is StepEvent => event.kind === 'step' && event.phase === 'retrying');
    expect(retries.map((event) => [event.step, event.attempts])).toEqual([
      ['route53.switch#1', 1],
      ['route53.switch#1', 2],
    ]);
    expect(String(retries[0].error)).toContain('route53:ChangeResourceRecordSets');
    expect((await kit.state()).state).toBe('SECONDARY');
  });
});

describe('a step that fails', () => {
  it('AccessDenied on ec2.StartInstances: FAILOVER_FAILED, the error names the action, an SMS says so, DNS unchanged', async () => {
    const kit = await createEngineKit(dynamo);
    kit.world.faults.add({ api: 'ec2.StartInstances', error: 'AccessDenied', times: Number.POSITIVE_INFINITY });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.status).toBe('finished');
    expect(outcome.run?.status).toBe('failed');
    const [start, ...rest] = outcome.run?.steps ?? [];
    // Access errors are not retried.
    expect(start).toMatchObject({ action: 'ec2.start', status: 'failed', attempts: 1 });
    expect(start.error).toMatch(/^ec2:StartInstances on i-0abc1234def567890 denied \(AccessDenied\)/);
    expect(rest.map((step) => step.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(outcome.run?.error).toContain('ec2.start#1 (ec2.start): ec2:StartInstances');

    const state = await kit.state();
    expect(state.state).toBe('FAILOVER_FAILED');
    expect(state.lastReason).toMatch(/^failover failed at ec2\.start: ec2:StartInstances .*; DNS unchanged$/);
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect(kit.world.apiCalls()['ec2.StartInstances']).toBe(1);
    expect(kit.world.apiCalls()['route53.ChangeResourceRecordSets']).toBeUndefined();
    const texts = kit.texts();
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatch(/^\[switchback\] web: FAILOVER FAILED at ec2\.start: ec2:StartInstances.* - DNS unchanged$/);
    expect(texts[1].length).toBeLessThanOrEqual(160);
    expect((await kit.store.listRuns(SERVICE, 1))[0].notifications.failed).toEqual({ atEpochMs: expect.any(Number), ok: true });
  });

  it('a lambda.invoke hook: its answer feeds later steps; its error fails the step with its message', async () => {
    const config = buildConfig({
      services: [
        {
          name: SERVICE,
          secondary: {
            prepare: [
              { id: 'promote', timeoutSeconds: 300, 'lambda.invoke': { functionName: 'promote-replica', payload: { cluster: 'db-1' } } },
              { notify: { message: 'promoted ${steps.promote.writer}' } },
            ],
          },
        },
      ],
    });
    const kit = await createEngineKit(dynamo, { config });
    const payloads: unknown[] = [];
    const leaseLeftMs: number[] = [];
    kit.world.lambda.register('promote-replica', async (payload) => {
      payloads.push(payload);
      // The hook blocks in one call: the lease covers its whole 300 s budget, not just the 60 s TTL.
      const lease = (await kit.state()).activeRun?.lease;
      leaseLeftMs.push((lease?.expiresAtEpochMs ?? 0) - kit.clock.now());
      return { writer: 'db-2.us-west-2', promoted: true, nested: { ignored: true } };
    });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(payloads).toEqual([
      {
        service: 'web',
        runId: 'failover-1',
        kind: 'failover',
        trigger: 'auto',
        stepId: 'promote',
        cluster: 'db-1',
        switchback: { service: 'web', runId: 'failover-1', step: 'promote', attempt: 1, idempotencyKey: 'failover-1/promote' },
      },
    ]);
    expect(outcome.run?.steps[0].output).toEqual({ writer: 'db-2.us-west-2', promoted: true });
    expect(leaseLeftMs).toEqual([300_000]);
    expect(kit.texts()).toContain('[switchback] web: promoted db-2.us-west-2');

    // Same plan, the hook now fails: the run fails with the function's own message.
    const failing = await createEngineKit(dynamo, { config });
    failing.world.lambda.register('promote-replica', async () => {
      throw new Error('replica lag 45s is above 10s');
    });
    await failing.startRun('failover');
    const failed = await failing.execute('orchestrator:1');
    expect(failed.run?.status).toBe('failed');
    expect(failed.run?.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.run?.steps[0].error).toMatch(
      /^lambda:Invoke on promote-replica failed \(FunctionError\): Error: replica lag 45s is above 10s/,
    );
    expect((await failing.state()).state).toBe('FAILOVER_FAILED');
    expect(failing.texts()[1]).toMatch(/FAILOVER FAILED at lambda\.invoke: lambda:Invoke on promote-replica/);
  });

  it('a secondary that never becomes healthy fails http.waitHealthy at its timeout, before any DNS change', async () => {
    const kit = await createEngineKit(dynamo);
    kit.prober.setDown('http://198.51.100.20/health', true);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    const wait = outcome.run?.steps.find((step) => step.action === 'http.waitHealthy');
    expect(wait?.status).toBe('failed');
    expect(wait?.error).toBe('the secondary (http://198.51.100.20/health) did not pass its probe within 300s: ECONNREFUSED (61 probes)');
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
  });
});

describe('DNS not in sync', () => {
  it('a change stuck PENDING: the run reports DNS_PENDING to people and never claims the switch is complete', async () => {
    const config = loadExampleConfig();
    config.services[0].dns.inSyncTimeoutSeconds = 60;
    const kit = await createEngineKit(dynamo, { config });
    kit.world.faults.add({ api: 'route53.ChangeResourceRecordSets', stuck: true });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(outcome.run?.dnsPending).toBe(true);
    const wait = outcome.run?.steps.find((step) => step.action === 'route53.waitInSync');
    expect(wait).toMatchObject({ status: 'succeeded', output: { inSync: false } });
    expect(wait?.note).toMatch(/still PENDING after 60s: DNS_PENDING/);
    // Polled every 2 s for 60 s.
    expect(kit.world.apiCalls()['route53.GetChange']).toBe(31);

    const texts = kit.texts();
    expect(texts).toEqual([
      expect.stringMatching(/failing over/),
      '[switchback] web: DNS change not in sync after 60s: DNS_PENDING - it will still apply',
      expect.stringMatching(/^\[switchback\] web: now on SECONDARY \(took \d+s\) - DNS_PENDING$/),
    ]);
    expect(texts.filter((text) => text.includes('now on SECONDARY') && !text.includes('DNS_PENDING'))).toEqual([]);
    expect(outcome.run?.notifications.dnsPending).toEqual({ atEpochMs: expect.any(Number), ok: true });
    const state = await kit.state();
    expect(state.state).toBe('SECONDARY');
    expect(state.lastReason).toMatch(/DNS_PENDING$/);
    // Resolvers still answer the primary: the change has not propagated.
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
  });
});

describe('notifications that cannot be sent', () => {
  it('SNS throttling every publish: the run still succeeds; each stage was tried twice and the failure is recorded', async () => {
    const kit = await createEngineKit(dynamo);
    kit.world.faults.add({ api: 'sns.Publish', error: 'Throttling', times: Number.POSITIVE_INFINITY });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect((await kit.state()).state).toBe('SECONDARY');
    expect(kit.world.apiCalls()['sns.Publish']).toBe(4);
    const { started, succeeded } = outcome.run?.notifications ?? {};
    expect(started).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^\+1555•••0100: sns:Publish on SMS to \+1555•••0100 throttled \(Throttling\)/),
    });
    expect(succeeded).toMatchObject({ ok: false });
    expect(JSON.stringify(outcome.run)).not.toContain(PHONE);
    const sms = kit.events.filter((event): event is SmsEvent => event.kind === 'sms');
    expect(sms.map((event) => [event.stage, event.ok])).toEqual([
      ['started', false],
      ['succeeded', false],
    ]);
  });

  it('one number failing does not stop the others', async () => {
    const kit = await createEngineKit(dynamo, { config: launchConfig() });
    kit.world.faults.add({ api: 'sns.Publish', error: 'InvalidParameter', times: 1 });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(outcome.run?.notifications.started).toMatchObject({ ok: false, error: expect.stringContaining('+1555•••0100') });
    expect(
      kit.world.sns
        .published()
        .filter((message) => message.message.includes('failing over'))
        .map((message) => message.phoneNumber),
    ).toEqual(['+15555550111']);
    expect(outcome.run?.notifications.succeeded).toEqual({ atEpochMs: expect.any(Number), ok: true });
  });
});

describe('abort', () => {
  it('an abort requested mid-step stops the run at the next step boundary, before DNS is touched', async () => {
    const kit = await createEngineKit(dynamo);
    await kit.startRun('failover');
    kit.prober.hook = async () => {
      // The operator's `abort` lands while the secondary is being probed.
      const state = await kit.state();
      await kit.store.saveState(
        { ...state, activeRun: { ...state.activeRun!, abortRequested: { by: 'alice', atEpochMs: kit.clock.now() } } },
        state.version,
      );
    };
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.status).toBe('finished');
    expect(outcome.run?.status).toBe('aborted');
    expect(outcome.run?.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'skipped', 'skipped']);
    expect(outcome.run?.error).toBe('aborted by alice before route53.switch#1');
    expect(kit.world.apiCalls()['route53.ChangeResourceRecordSets']).toBeUndefined();
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
    expect(kit.texts()[1]).toBe('[switchback] web: failover aborted by alice - DNS unchanged');
  });
});

describe('the invocation deadline', () => {
  it('hands the run on before a step when the deadline is near; the next invocation takes it at once', async () => {
    const kit = await createEngineKit(dynamo);
    await kit.startRun('failover');
    const first = await kit.execute('orchestrator:1', { deadlineEpochMs: kit.clock.now() + 19_000 });
    expect(first.status).toBe('handoff');
    expect(first.run?.lease).toEqual({ owner: 'orchestrator:1', expiresAtEpochMs: kit.clock.now() });
    expect(first.run?.steps.every((step) => step.status === 'pending')).toBe(true);
    expect(kit.callsBy('orchestrator:1').filter((call) => !call.startsWith('sns.'))).toEqual([]);

    const second = await kit.execute('orchestrator:2');
    expect(second.status).toBe('finished');
    expect(second.run?.status).toBe('succeeded');
    expect(kit.texts().filter((text) => text.includes('failing over'))).toHaveLength(1);
  });

  it('hands the run on mid-step instead of sleeping into the deadline; the step is executed again', async () => {
    const kit = await createEngineKit(dynamo);
    await kit.startRun('failover');
    // ec2.start waits 15 s for `running`, polling every 3 s: the first poll sleep would cross deadline - margin.
    const first = await kit.execute('orchestrator:1', { deadlineEpochMs: kit.clock.now() + 22_000 });
    expect(first.status).toBe('handoff');
    expect(first.run?.steps[0]).toMatchObject({ action: 'ec2.start', status: 'running', attempts: 1 });
    const second = await kit.execute('orchestrator:2');
    expect(second.run?.status).toBe('succeeded');
    expect(second.run?.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(kit.world.apiCalls()['ec2.StartInstances']).toBe(2);
    expect(kit.world.ec2.instances('us-west-2').filter((instance) => instance.state === 'running')).toHaveLength(1);
  });
});

describe('health-check-flag strategy', () => {
  it('switches with the flag metric in the control region and no Route 53 API call', async () => {
    const config = loadExampleConfig();
    config.services[0].dns.strategy = 'health-check-flag';
    const kit = await createEngineKit(dynamo, { config });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(outcome.run?.steps.map((step) => step.action)).toEqual([
      'ec2.start',
      'ec2.associateAddress',
      'http.waitHealthy',
      'route53.switch',
      'route53.waitInSync',
    ]);
    expect(outcome.run?.steps[3]).toMatchObject({ status: 'succeeded', output: { flag: 1 } });
    expect(outcome.run?.steps[3].note).toContain('switched via data plane (no Route 53 API call)');
    expect(outcome.run?.steps[4]).toMatchObject({ status: 'succeeded', output: { inSync: true } });
    // A standard-resolution alarm evaluates the flag at the next minute boundary: at most 60 s later.
    const waited =
      /^switched via data plane: alarm switchback-sim-web-failover-flag ALARM after (\d+)s; Route 53's health check follows it$/.exec(
        outcome.run?.steps[4].note ?? '',
      );
    expect(Number(waited?.[1])).toBeLessThanOrEqual(60);
    expect(outcome.run?.dnsPending).toBeUndefined();
    const mutatingRoute53 = kit.world.callLog().filter((call) => call.api.startsWith('route53.') && call.mutating);
    expect(mutatingRoute53).toEqual([]);
    const flag = (value: number) =>
      kit.world.cloudWatch
        .datapoints({
          namespace: FLAG_METRIC.namespace,
          metricName: FLAG_METRIC.metricName,
          dimensions: { Service: SERVICE },
          region: 'us-west-2',
        })
        .filter((point) => point.value === value);
    expect(flag(1)).toHaveLength(1);

    kit.clock.advance(3_600_000);
    await kit.startRun('failback');
    const back = await kit.execute('orchestrator:2');
    expect(back.run?.status).toBe('succeeded');
    expect(back.run?.steps.find((step) => step.action === 'route53.switch')?.output).toMatchObject({ flag: 0 });
    expect(back.run?.steps.find((step) => step.action === 'route53.waitInSync')?.note).toMatch(
      /alarm switchback-sim-web-failover-flag OK after \d+s/,
    );
    expect(flag(0)).toHaveLength(1);
    expect(PENDING_NOTIFICATION_ERROR).toMatch(/never recorded/);
  });
});
