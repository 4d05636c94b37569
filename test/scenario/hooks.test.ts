/**
 * Safe hooks on the simulated world with the real handlers and the deployed 5 s client timeout:
 * a failback check that takes 7 s still answers, once, and the failback goes ahead.
 */
import { runScenario } from '../../sim/runner';
import { outageOver } from './scenario-kit';

const CHECK = 'replication-check';

function outageWithFailbackCheck() {
  return outageOver<{ services: Array<Record<string, unknown>> }>('slow-failback-check', 'web.yml', (config) => {
    config.services[0].failback = { check: { functionName: CHECK } };
  });
}

test('a failback check that takes 7 s is asked once and the failback goes ahead', async () => {
  const payloads: unknown[] = [];
  const result = await runScenario(outageWithFailbackCheck(), {
    prepareWorld(world, clock) {
      world.lambda.register(
        CHECK,
        async (payload) => {
          payloads.push(payload);
          await clock.sleep(7_000);
          return { ready: true };
        },
        { timeoutSeconds: 30 },
      );
    },
  });
  expect(result.summary.accessDenied).toEqual([]);
  expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
  expect(result.summary.services.web.finalState).toBe('PRIMARY');
  expect(payloads).toHaveLength(1);
  expect(payloads[0]).toMatchObject({ service: 'web', switchback: { service: 'web', step: 'failback.check', attempt: 1 } });
});
