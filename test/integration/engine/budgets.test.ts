/**
 * Time budgets survive hand-offs: a step's budget is fixed when its first attempt starts and every
 * later invocation continues with what remains; a run as a whole ends by `runTimeoutSeconds`, so a
 * service never stays in FAILING_* forever.
 */
import { buildConfig, SECONDARY_URL } from '../../support/config-builder';
import type { SwitchbackConfig } from '../../../shared/config/types';
import type { EngineOutcome } from '../../../shared/engine';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createEngineKit, type EngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

function waitConfig(options: { waitSeconds?: number; inSyncTimeoutSeconds?: number; runTimeoutSeconds?: number } = {}): SwitchbackConfig {
  return buildConfig({
    ...(options.runTimeoutSeconds !== undefined && { defaults: { runTimeoutSeconds: options.runTimeoutSeconds } }),
    services: [
      {
        dns: { inSyncTimeoutSeconds: options.inSyncTimeoutSeconds ?? 300 },
        secondary: {
          prepare: options.waitSeconds ? [{ 'http.waitHealthy': { timeoutSeconds: options.waitSeconds, intervalSeconds: 5 } }] : [],
        },
      },
    ],
  });
}

/** What the orchestrator does: run with an invocation deadline, and on hand-off start a fresh invocation. */
async function runToEnd(
  kit: EngineKit,
  invocationMs: number,
  maxInvocations: number,
): Promise<{ last: EngineOutcome; invocations: number }> {
  for (let invocation = 1; invocation <= maxInvocations; invocation += 1) {
    const last = await kit.execute(`orchestrator:${invocation}`, { deadlineEpochMs: kit.clock.now() + invocationMs });
    if (last.status !== 'handoff') return { last, invocations: invocation };
  }
  throw new Error(`the run was still going after ${maxInvocations} invocations`);
}

describe('step budgets across hand-offs', () => {
  it('http.waitHealthy { timeoutSeconds: 1200 } against a dead secondary fails at 1200 s, whatever the hand-offs', async () => {
    const kit = await createEngineKit(dynamo, { config: waitConfig({ waitSeconds: 1200 }) });
    kit.prober.setDown(SECONDARY_URL, true);
    const run = await kit.startRun('failover');

    const { last, invocations } = await runToEnd(kit, 900_000, 10);
    expect(invocations).toBe(2);
    expect(last.run?.status).toBe('failed');
    const wait = last.run?.steps[0];
    expect(wait).toMatchObject({ action: 'http.waitHealthy', status: 'failed', attempts: 2 });
    expect(wait?.startedAtEpochMs).toBe(run.startedAtEpochMs);
    expect(wait?.budgetEndsAtEpochMs).toBe(run.startedAtEpochMs + 1_200_000);
    // Ended within one probe interval of its budget.
    expect((wait?.endedAtEpochMs as number) - run.startedAtEpochMs).toBeGreaterThanOrEqual(1_195_000);
    expect((wait?.endedAtEpochMs as number) - run.startedAtEpochMs).toBeLessThanOrEqual(1_205_000);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect(kit.texts()).toEqual([
      expect.stringContaining('failing over'),
      expect.stringMatching(/FAILOVER FAILED at http\.waitHealthy: .*within 1200s.* - DNS unchanged$/),
    ]);
  });

  it('a change stuck PENDING with inSyncTimeoutSeconds 600 reports DNS_PENDING at 600 s, across 60 s invocations', async () => {
    const kit = await createEngineKit(dynamo, { config: waitConfig({ inSyncTimeoutSeconds: 600 }) });
    kit.world.faults.add({ api: 'route53.GetChange', stuck: true, times: Number.POSITIVE_INFINITY });
    await kit.startRun('failover');

    const { last } = await runToEnd(kit, 60_000, 40);
    expect(last.run?.status).toBe('succeeded');
    expect(last.run?.dnsPending).toBe(true);
    const wait = last.run?.steps[1];
    expect(wait).toMatchObject({ action: 'route53.waitInSync', status: 'succeeded' });
    const waitedMs = (wait?.endedAtEpochMs as number) - (wait?.startedAtEpochMs as number);
    expect(waitedMs).toBeGreaterThanOrEqual(598_000);
    expect(waitedMs).toBeLessThanOrEqual(604_000);
    // One GetChange every 2 s for 600 s (plus one look per resumed invocation), not a fresh 600 s per invocation.
    expect(kit.world.apiCalls()['route53.GetChange']).toBeLessThanOrEqual(300 + 16);
    expect(kit.texts().filter((text) => text.includes('DNS_PENDING'))).toHaveLength(2);
  });
});

describe('the run deadline (runTimeoutSeconds)', () => {
  it('defaults to 1800 s', () => {
    expect(waitConfig().services[0].runTimeoutSeconds).toBe(1800);
  });

  it('a run whose steps would take longer fails at the run deadline, DNS unchanged, people texted', async () => {
    const kit = await createEngineKit(dynamo, { config: waitConfig({ waitSeconds: 3600, runTimeoutSeconds: 1800 }) });
    kit.prober.setDown(SECONDARY_URL, true);
    const run = await kit.startRun('failover');

    const { last } = await runToEnd(kit, 900_000, 10);
    expect(last.run?.status).toBe('failed');
    expect((last.run?.endedAtEpochMs as number) - run.startedAtEpochMs).toBeLessThanOrEqual(1_805_000);
    expect(last.run?.error).toMatch(/run time limit of 1800s reached/);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
    expect(kit.texts()[1]).toMatch(
      /^\[switchback\] web: FAILOVER FAILED at http\.waitHealthy: run time limit of 1800s reached.* - DNS unchanged$/,
    );
  });

  it('a run resumed after its deadline fails at once without another AWS call', async () => {
    const kit = await createEngineKit(dynamo, { config: waitConfig({ runTimeoutSeconds: 600 }) });
    await kit.startRun('failover');
    kit.clock.advance(700_000);
    const outcome = await kit.execute('watchdog:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.error).toMatch(/^run time limit of 600s reached before route53\.switch#1/);
    expect(kit.callsBy('watchdog:1').filter((call) => !call.startsWith('sns.'))).toEqual([]);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
  });
});
