/**
 * Crash at each runbook step in turn (the orchestrator dies right after journalling the step as
 * started): the watchdog resumes the run after the lease expires, and the world ends exactly as
 * after a clean run: one launched instance, one attachment, the address on it, one SMS per stage.
 */
import { runScenario, type SimulationResult } from '../../sim/runner';
import { variant } from './scenario-kit';

const STEPS = ['launch', 'ec2.attachVolume', 'ec2.associateAddress', 'http.waitHealthy', 'route53.switch', 'route53.waitInSync'];

function outcome(result: SimulationResult) {
  return {
    finalState: result.summary.services.api.finalState,
    dnsTarget: result.summary.services.api.dnsTarget,
    runs: result.summary.runs.map((run) => `${run.kind} ${run.status}`),
    launched: result.summary.ec2.instances.filter((instance) => instance.clientToken !== undefined).length,
    attachments: result.summary.ec2.attachments.length,
    addressOnLaunched: result.summary.ec2.addresses.filter((address) =>
      result.summary.ec2.instances.some((instance) => instance.clientToken && instance.instanceId === address.instanceId),
    ).length,
    sms: result.summary.sms.map((message) => `${message.text.replace(/took \d+s/, 'took Ns')} ×${message.recipients}`),
  };
}

describe('crash sweep: resume after a crash at every step', () => {
  let clean: ReturnType<typeof outcome>;

  beforeAll(async () => {
    clean = outcome(await runScenario(variant('crash-sweep', {})));
    expect(clean).toMatchObject({ finalState: 'PRIMARY', launched: 1, attachments: 1, addressOnLaunched: 1 });
    expect(clean.runs).toEqual(['failover succeeded', 'failback succeeded']);
  });

  test.each(STEPS)('crash right after %s starts', async (step) => {
    const result = await runScenario(variant('crash-sweep', { faults: [{ crash: { step, times: 1 } }] }));
    expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
    expect(outcome(result)).toEqual(clean);
    // The resumed run re-ran the crashed step (attempts 2), nothing before it.
    const failover = result.summary.runs[0];
    const index = failover.steps.findIndex((candidate) => candidate.name === step || candidate.action === step);
    expect(failover.steps[index].attempts).toBe(2);
    expect(failover.steps.slice(0, index).every((earlier) => earlier.attempts === 1)).toBe(true);
    // The crash comes before the step's AWS call; the resumed launch uses the same ClientToken either way.
    expect(result.summary.apiCalls['ec2.RunInstances']).toBe(1);
  });
});
