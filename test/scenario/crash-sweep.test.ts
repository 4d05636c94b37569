/**
 * Crash at each runbook step in turn (the orchestrator dies right after journalling the step as
 * started), and right after each AWS call of the cold-standby plan succeeded (before the step could
 * journal what the call did): the watchdog resumes the run after the lease expires, and the world
 * ends exactly as after a clean run: one launched instance, one attachment, the address on it, one
 * SMS per stage.
 */
import { runScenario, type SimulationResult } from '../../sim/runner';
import { variant } from './scenario-kit';

/** Every mutating AWS call of the plan: launch, attach, associate, switch. */
const MUTATING_CALLS = ['ec2.RunInstances', 'ec2.AttachVolume', 'ec2.AssociateAddress', 'route53.ChangeResourceRecordSets'];
/** The step action that makes each call. */
const ACTION_OF: Record<string, string> = {
  'ec2.RunInstances': 'ec2.launchFromAmi',
  'ec2.AttachVolume': 'ec2.attachVolume',
  'ec2.AssociateAddress': 'ec2.associateAddress',
  'route53.ChangeResourceRecordSets': 'route53.switch',
};

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

describe('crash sweep: resume after a crash right after every AWS call succeeded', () => {
  let clean: ReturnType<typeof outcome>;
  let cleanCalls: Record<string, number>;

  beforeAll(async () => {
    const result = await runScenario(variant('crash-sweep', {}));
    clean = outcome(result);
    cleanCalls = result.summary.apiCalls;
  });

  test('the sweep covers every mutating AWS call of the clean run', () => {
    const mutating = Object.keys(cleanCalls).filter((api) => /^(ec2|route53)\.(?!Describe|Get|List)/.test(api));
    expect(mutating.sort()).toEqual([...MUTATING_CALLS].sort());
  });

  test.each(MUTATING_CALLS)('crash right after %s succeeded', async (api) => {
    const result = await runScenario(variant('crash-sweep', { faults: [{ crash: { afterApi: api, times: 1 } }] }));
    const faults = result.timeline.filter((entry) => entry.kind === 'fault');
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toBe(`orchestrator crashed right after ${api} succeeded`);
    expect(outcome(result)).toEqual(clean);
    // The step died after its call, before its end was journalled: the resumed run executed it again.
    const step = result.summary.runs[0].steps.find((candidate) => candidate.action === ACTION_OF[api]);
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2 });
    // The call that succeeded before the crash is not lost: the resumed step finds its effect (one launch, one token).
    expect(result.summary.ec2.instances.filter((instance) => instance.clientToken !== undefined)).toHaveLength(1);
    expect(result.summary.errors).toEqual([]);
  });
});
