/**
 * Cleanup after traffic has left a site, on the simulated world with the real handlers and IAM:
 * the failback stops the standby the failover launched (`${failover.launch.instanceId}`), and the
 * primary's cleanup runs after a failover.
 */
import { runScenario } from '../../sim/runner';
import { outageOver, smsTexts } from './scenario-kit';

interface RawSite {
  prepare?: Record<string, unknown>[];
  cleanup?: Record<string, unknown>[];
}

/** The cold standby (launch from an AMI) with cleanups; the primary is down from 1m to 3m. */
function coldStandbyWithCleanup() {
  return outageOver<{ services: Array<{ name?: unknown; primary: RawSite; secondary: RawSite }> }>('cleanup', 'launch.yml', (config) => {
    const api = config.services[0];
    api.secondary.cleanup = [{ 'ec2.stop': { instanceIds: ['${failover.launch.instanceId}'] } }];
    api.primary.cleanup = [{ notify: { message: 'primary out of service; standby ${steps.launch.instanceId} serves' } }];
  });
}

test('a launched standby is stopped after failback; the primary cleanup runs after the failover', async () => {
  const result = await runScenario(coldStandbyWithCleanup());
  expect(result.summary.accessDenied).toEqual([]);
  expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
  const launched = result.summary.ec2.instances.filter((instance) => instance.clientToken !== undefined);
  expect(launched).toHaveLength(1);
  expect(launched[0].state).toBe('stopped');
  const [failover, failback] = result.summary.runs;
  expect(failback.steps.find((step) => step.action === 'ec2.stop')).toMatchObject({ status: 'succeeded' });
  expect(failover.steps.at(-1)).toMatchObject({ action: 'notify', status: 'succeeded' });
  expect(smsTexts(result)).toContain(`[switchback] api: primary out of service; standby ${launched[0].instanceId} serves`);
  expect(result.summary.services.api.finalState).toBe('PRIMARY');
  expect(result.summary.errors).toEqual([]);
});
