/**
 * A failover and a failback of the example config, end to end: dynalite + the embedded AWS world
 * behind the real SDK clients + the engine, with time on a manual clock.
 */
import { isGsm7, SMS_MAX_CHARS } from '../../../shared/domain/messages';
import { buildPlan } from '../../../shared/domain/build-plan';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createProber } from '../../../shared/probes';
import { startSite, type Site } from '../../../sim/sites';
import type { SwitchbackConfig } from '../../../shared/config/types';
import { createEngineKit, loadExampleConfig, PHONE, SERVICE, T0 } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const INSTANCE = 'i-0abc1234def567890';

describe('example config: failover then failback', () => {
  it('moves traffic to the secondary and back, texting every stage once and archiving both runs', async () => {
    const kit = await createEngineKit(dynamo);
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect(kit.world.ec2.instance(INSTANCE)?.state).toBe('stopped');

    // Failover.
    const failover = await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.status).toBe('finished');
    expect(outcome.run?.status).toBe('succeeded');
    expect(outcome.reason).toMatch(/^failover succeeded in \d+s: now on SECONDARY$/);

    const afterFailover = await kit.state();
    expect(afterFailover.state).toBe('SECONDARY');
    expect(afterFailover.activeRun).toBeUndefined();
    expect(afterFailover.lastTransition).toMatchObject({ from: 'FAILING_OVER', to: 'SECONDARY' });
    expect(kit.dnsAnswer()).toEqual(['198.51.100.20']);
    expect(kit.world.ec2.instance(INSTANCE)?.state).toBe('running');
    expect(kit.world.ec2.addresses('us-west-2').find((address) => address.allocationId === 'eipalloc-0abc1234')?.instanceId).toBe(INSTANCE);

    // The archived run carries the whole timeline.
    const [archived] = await kit.store.listRuns(SERVICE, 10);
    expect(archived.id).toBe(failover.id);
    expect(archived.plan).toEqual(buildPlan(kit.config.services[0], 'failover'));
    expect(archived.steps.map((step) => [step.action, step.status, step.attempts])).toEqual([
      ['ec2.start', 'succeeded', 1],
      ['ec2.associateAddress', 'succeeded', 1],
      ['http.waitHealthy', 'succeeded', 1],
      ['route53.switch', 'succeeded', 1],
      ['route53.waitInSync', 'succeeded', 1],
    ]);
    for (const step of archived.steps) {
      expect(step.startedAtEpochMs).toBeGreaterThanOrEqual(T0);
      expect(step.endedAtEpochMs).toBeGreaterThanOrEqual(step.startedAtEpochMs as number);
    }
    const switchStep = archived.steps[3];
    expect(switchStep.output).toMatchObject({ changed: true, changeId: expect.any(String) });
    // EC2 start waits for `running` (15 s in the world), Route 53 for INSYNC (10 s).
    expect((archived.steps[0].endedAtEpochMs as number) - (archived.steps[0].startedAtEpochMs as number)).toBeGreaterThanOrEqual(15_000);
    expect(archived.steps[4].note).toMatch(/INSYNC after \d+s/);
    expect(archived.notifications).toEqual({
      started: { atEpochMs: expect.any(Number), ok: true },
      succeeded: { atEpochMs: expect.any(Number), ok: true },
    });
    expect(archived.lease).toBeUndefined();

    // Failback.
    kit.clock.advance(3_600_000);
    await kit.startRun('failback');
    const back = await kit.execute('orchestrator:2');
    expect(back.status).toBe('finished');
    expect(back.run?.status).toBe('succeeded');
    const afterFailback = await kit.state();
    expect(afterFailback.state).toBe('PRIMARY');
    expect(afterFailback.activeRun).toBeUndefined();
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    // The secondary's cleanup stopped the standby again.
    expect(kit.world.ec2.instance(INSTANCE)?.state).toBe('stopped');
    expect((await kit.store.listRuns(SERVICE, 10)).map((run) => [run.kind, run.status])).toEqual([
      ['failback', 'succeeded'],
      ['failover', 'succeeded'],
    ]);

    // One SMS per stage, each ≤ 160 GSM-7 characters, Transactional, to every number.
    const texts = kit.texts();
    expect(texts).toEqual([
      '[switchback] web: failing over: primary failed 3/3 probes from 1/1 locations; secondary healthy',
      expect.stringMatching(/^\[switchback\] web: now on SECONDARY \(took \d+s\)$/),
      '[switchback] web: failing back: primary healthy for 900s',
      expect.stringMatching(/^\[switchback\] web: back on PRIMARY \(took \d+s\)$/),
    ]);
    for (const message of kit.world.sns.published()) {
      expect(message.phoneNumber).toBe(PHONE);
      expect(message.attributes['AWS.SNS.SMS.SMSType']).toBe('Transactional');
      expect(message.message.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
      expect(isGsm7(message.message)).toBe(true);
    }

    // Audit trail and simulator timeline.
    const events = await kit.store.listEvents(SERVICE, 10);
    expect(events.map((event) => [event.type, event.data?.from, event.data?.to])).toEqual([
      ['transition', 'FAILING_BACK', 'PRIMARY'],
      ['transition', 'FAILING_OVER', 'SECONDARY'],
    ]);
    const timeline = kit.events
      .filter((event) => event.kind !== 'step' || event.phase !== 'started')
      .map((event) => {
        if (event.kind === 'step') return `step:${event.phase}:${event.step}`;
        if (event.kind === 'transition') return `transition:${event.to}:`;
        if (event.kind === 'sms') return `sms:${event.stage ?? ''}:${event.step ?? ''}`;
        return `${event.kind}::`;
      });
    expect(timeline).toEqual([
      'sms:started:',
      'step:succeeded:ec2.start#1',
      'step:succeeded:ec2.associateAddress#1',
      'step:succeeded:http.waitHealthy#1',
      'step:succeeded:route53.switch#1',
      'step:succeeded:route53.waitInSync#1',
      'sms:succeeded:',
      'transition:SECONDARY:',
      'sms:started:',
      'step:succeeded:route53.switch#1',
      'step:succeeded:route53.waitInSync#1',
      'step:succeeded:ec2.stop#1',
      'sms:succeeded:',
      'transition:PRIMARY:',
    ]);
    // The failover's waitHealthy and its health gate probed the secondary; the failback's gate the primary.
    expect(kit.prober.calls.map((spec) => (spec.type === 'tcp' ? spec.host : spec.url))).toEqual([
      'http://198.51.100.20/health',
      'http://198.51.100.20/health',
      'http://203.0.113.10/health',
    ]);
  });

  it('reports no-run when the service has no active run', async () => {
    const kit = await createEngineKit(dynamo);
    expect(await kit.execute('orchestrator:1')).toEqual({ status: 'no-run', reason: 'web has no active run' });
    await kit.store.ensureState(SERVICE, T0);
    expect((await kit.execute('orchestrator:1')).status).toBe('no-run');
    expect(kit.callsBy('orchestrator:1')).toEqual([]);
  });

  it('waits for the real secondary site with the real prober (loopback HTTP)', async () => {
    const site: Site = await startSite({ name: 'web/secondary' });
    const prober = createProber({ maxConcurrency: 4 });
    try {
      const example = loadExampleConfig();
      const service = example.services[0];
      const config: SwitchbackConfig = {
        ...example,
        services: [
          {
            ...service,
            secondary: {
              ...service.secondary,
              probe: { ...service.secondary.probe, url: `${site.url}/health` } as typeof service.secondary.probe,
            },
          },
        ],
      };
      const kit = await createEngineKit(dynamo, { config });
      await site.setHealth({ mode: 'status', status: 503 });
      await kit.startRun('failover');
      // Down for the first probes, then healthy: the step keeps probing every 5 s.
      let probes = 0;
      const flipping = {
        probe: async (spec: Parameters<typeof prober.probe>[0]) => {
          probes += 1;
          if (probes === 3) await site.setHealth({ mode: 'up' });
          return prober.probe(spec);
        },
      };
      const outcome = await kit.execute('orchestrator:1', { prober: flipping });
      expect(outcome.run?.status).toBe('succeeded');
      const waitHealthy = outcome.run?.steps.find((step) => step.action === 'http.waitHealthy');
      expect(waitHealthy?.note).toMatch(/^secondary healthy after 3 probes/);
      // Three probes of the wait step, then one look of the health gate right before the switch.
      expect(site.hits()).toBe(4);
    } finally {
      await prober.close();
      await site.close();
    }
  });
});
