/**
 * The health gate: every failover and failback checks the site traffic is about to move to right
 * before the DNS switch, even when the runbook has no http.waitHealthy step
 * (`dns.requireHealthyTarget`, default true). A dead target fails the run: DNS unchanged, people texted.
 */
import type { SwitchbackConfig } from '../../../shared/config/types';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { buildConfig, PRIMARY_URL, SECONDARY_URL } from '../../support/config-builder';
import { createEngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

/** No prepare steps at all: nothing but the gate stands between the decision and the switch. */
function noWaitConfig(dns: Record<string, unknown> = {}): SwitchbackConfig {
  return buildConfig({ services: [{ dns }] });
}

describe('health gate before the DNS switch', () => {
  it('defaults to on', () => {
    expect(noWaitConfig().services[0].dns.requireHealthyTarget).toBe(true);
  });

  it('a dead secondary with no wait step is not switched to: run failed, DNS unchanged, people texted', async () => {
    const kit = await createEngineKit(dynamo, { config: noWaitConfig() });
    kit.prober.setDown(SECONDARY_URL, true);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');

    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0]).toMatchObject({ action: 'route53.switch', status: 'failed', attempts: 1 });
    expect(outcome.run?.steps[0].error).toMatch(
      /^the secondary failed its health check right before the DNS switch: ECONNREFUSED \(3 looks at http:\/\/198\.51\.100\.20\/health\)/,
    );
    expect(kit.world.apiCalls()['route53.ChangeResourceRecordSets'] ?? 0).toBe(0);
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
    expect(kit.texts()[1]).toMatch(
      /^\[switchback\] web: FAILOVER FAILED at route53\.switch: the secondary .*failed its health check.* - DNS unchanged$/,
    );
    expect(kit.texts().some((text) => text.includes('now on SECONDARY'))).toBe(false);
  });

  it('a target that blips once passes on the next look', async () => {
    const kit = await createEngineKit(dynamo, { config: noWaitConfig() });
    kit.prober.setDown(SECONDARY_URL, true);
    // Down at the first look, up at the second.
    kit.prober.hook = async () => {
      if (kit.prober.calls.length === 2) kit.prober.setDown(SECONDARY_URL, false);
    };
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.dnsAnswer()).toEqual(['198.51.100.20']);
  });

  it('failback checks the primary the same way', async () => {
    const kit = await createEngineKit(dynamo, { config: noWaitConfig() });
    await kit.startRun('failover');
    expect((await kit.execute('orchestrator:1')).run?.status).toBe('succeeded');
    kit.prober.setDown(PRIMARY_URL, true);
    await kit.startRun('failback');
    const outcome = await kit.execute('orchestrator:2');
    expect(outcome.run?.status).toBe('failed');
    expect(kit.dnsAnswer()).toEqual(['198.51.100.20']);
    expect(outcome.run?.steps[0].error).toMatch(/^the primary .*failed its health check right before the DNS switch/);
  });

  it('requireHealthyTarget: false switches without looking (the operator asked for it)', async () => {
    const kit = await createEngineKit(dynamo, { config: noWaitConfig({ requireHealthyTarget: false }) });
    kit.prober.setDown(SECONDARY_URL, true);
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.prober.calls).toHaveLength(0);
    expect(kit.dnsAnswer()).toEqual(['198.51.100.20']);
  });
});
