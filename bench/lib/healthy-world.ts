/**
 * Every primary and secondary healthy: N services probing two loopback servers, dynalite in the
 * fixture process, and the probe use case wired by the harness. Any run started is a bug here.
 */
import { runProbeInvocation } from '../../shared/app/probe';
import { systemClock } from '../../shared/clock';
import { buildConfig, pointAtLoopback } from './configs';
import { connectDynamo } from './dynamo';
import { startFixture } from './fixtures';
import { createHarness, wallClockSkippingSleeps } from './harness';

export async function startHealthyWorld(options: { services: number; tableName: string; intervalSeconds: number; timeoutMs: number }) {
  const fixture = await startFixture({ sites: [{ mode: 'up' }, { mode: 'up' }], dynamo: true });
  const dynamo = connectDynamo(fixture.dynamoEndpoint as string);
  await dynamo.createTable(options.tableName);
  const config = pointAtLoopback(
    buildConfig({ services: options.services, probe: { intervalSeconds: options.intervalSeconds, timeoutMs: options.timeoutMs } }),
    (_service, _index, role) => (role === 'primary' ? fixture.ports[0] : fixture.ports[1]),
  );
  const harness = createHarness({
    config,
    clock: systemClock,
    dynamo: dynamo.client,
    tableName: options.tableName,
    runAsync: () => {
      throw new Error(`${options.tableName}: a healthy round started a run`);
    },
  });
  return {
    config,
    harness,
    /** The fixture's table, for stores the harness does not build (the probe chain's lease). */
    dynamoClient: dynamo.client,
    /** Rounds back to back (sleeps skipped) until the streak counters reach their cap: from then on a healthy round changes nothing. */
    async warmUp(extraRounds = 0): Promise<void> {
      const cap = Math.max(
        ...config.services.map((service) => Math.max(service.policy.probe.failureThreshold, service.policy.probe.recoveryThreshold)),
      );
      harness.deps.clock = wallClockSkippingSleeps;
      await runProbeInvocation(harness.deps, {
        windowMs: (cap + extraRounds) * 1000,
        deadlineEpochMs: Date.now() + 70_000,
        maxRounds: cap + extraRounds,
      });
      harness.deps.clock = systemClock;
    },
    async stop(): Promise<void> {
      await harness.close();
      dynamo.close();
      await fixture.stop();
    },
  };
}
