/**
 * Dry-run parity: every permission check asks what the runbook will ask, of the role that will ask
 * it. Over configs whose standby is launched by the runbook (no instance exists before the run), with
 * every function holding only the policy `sls package` generates, the scheduled dry-run finds nothing
 * wrong: no failed check, no text, no denied call. With one grant taken from the orchestrator's
 * policy, the check of the step that needs it fails, naming the action and the resource.
 */
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import type { SimulatedRole } from '../../sim/iam-roles';
import { runScenario, type RunScenarioOptions, type SimulationResult } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';
import { CHAOS_CONFIGS } from '../../sim/chaos/configs';
import type { World } from '../../sim/world';
import { SCENARIOS } from './scenario-kit';

interface DrillCheck {
  check: string;
  ok: boolean;
  detail: string;
}

function dryRunScenario(name: string, config: unknown) {
  return parseScenario(
    {
      name,
      description: 'the scheduled dry-run over a config',
      config,
      duration: '2m',
      events: [{ at: '30s', invoke: { function: 'drill', payload: { service: '*', mode: 'dry-run', scheduled: true } } }],
    },
    join(SCENARIOS, 'suite'),
  );
}

function dryRunChecks(result: SimulationResult): DrillCheck[] {
  const drill = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'drill' && 'result' in entry);
  const reports = (drill?.result as { reports?: Array<{ checks: DrillCheck[] }> } | undefined)?.reports ?? [];
  return reports.flatMap((report) => report.checks);
}

const configFile = (name: string) => parseDocument(readFileSync(join(SCENARIOS, 'configs', name), 'utf8')).toJS() as Record<string, any>;
const launchConfig = () => configFile('launch.yml');
/** A read replica promoted, with an RPO: the drill reads its ReplicaLag too. */
const promoteWithRpo = () => {
  const config = configFile('promote.yml');
  config.defaults.guard = { maxDataAgeSeconds: 300 };
  return config;
};

const CONFIGS: Array<[string, unknown]> = [
  ['launch.yml', launchConfig()],
  ['promote.yml with guard.maxDataAgeSeconds', promoteWithRpo()],
  ...Object.entries(CHAOS_CONFIGS).map(([name, config]): [string, unknown] => [`chaos ${name}`, config]),
];

async function runDryRun(name: string, config: unknown, options: RunScenarioOptions = {}) {
  const result = await runScenario(dryRunScenario(name.replace(/\W+/g, '-'), config), options);
  return { result, checks: dryRunChecks(result) };
}

/** The orchestrator's generated policy without one action (every statement keeps its other actions). */
function withoutAction(action: string) {
  return (roles: SimulatedRole[], world: World): void => {
    const orchestrator = roles.find((role) => role.key === 'orchestrator' && role.location === 'us-west-2') as SimulatedRole;
    world.iam.putRolePolicy(orchestrator.roleArn, 'generated', {
      ...orchestrator.document,
      Statement: orchestrator.document.Statement.map((statement) => ({
        ...statement,
        Action: (statement.Action as string[]).filter((candidate) => candidate !== action),
      })).filter((statement) => statement.Action.length > 0),
    });
  };
}

describe('dry-run parity: no false failures', () => {
  test.each(CONFIGS)('%s: every check passes with the generated policies, nothing is texted, nothing denied', async (name, config) => {
    const { result, checks } = await runDryRun(name, config);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.summary.sms).toEqual([]);
    expect(result.summary.accessDenied).toEqual([]);
    // Every EC2 step was asked of the orchestrator's role.
    for (const check of checks.filter((item) => item.check.startsWith('permission ec2:')))
      expect(check.detail).toContain('the orchestrator role switchback-sim-orchestrator-us-west-2 may ec2:');
  });

  test('promote.yml with an RPO: the replica check reads its ReplicaLag', async () => {
    const { checks } = await runDryRun('promote-rpo', promoteWithRpo());
    expect(checks.find((check) => check.check === 'read replica app-replica')).toEqual({
      check: 'read replica app-replica',
      ok: true,
      detail: expect.stringMatching(/^app-replica available, replica of .*; lag 1s \(ReplicaLag\)$/),
    });
  });

  test('launch chain: the steps on the launched instance are simulated with the instance the launch step creates; only the launch is DryRun', async () => {
    const { result, checks } = await runDryRun('launch-yml', launchConfig(), { trace: true });
    const attach = checks.find((check) => check.check === 'permission ec2:AttachVolume');
    expect(attach?.detail).toBe(
      'the orchestrator role switchback-sim-orchestrator-us-west-2 may ec2:AttachVolume on arn:aws:ec2:us-west-2:123456789012:instance/*, ' +
        'ec2:AttachVolume on arn:aws:ec2:us-west-2:123456789012:volume/vol-0abc1234def567890 ' +
        '(iam:SimulatePrincipalPolicy; the instance launch launches stands in as *)',
    );
    const dryRuns = (result.trace?.calls ?? []).filter((call) => call.dryRun).map((call) => call.api);
    expect(dryRuns).toEqual(['ec2.RunInstances']);
  });
});

describe('dry-run parity: a grant taken away is found by name', () => {
  test('without ec2:AttachVolume the check of the attach step fails, naming the action and the volume, and people are texted', async () => {
    const { result, checks } = await runDryRun('launch-yml-no-attach', launchConfig(), { adjustRoles: withoutAction('ec2:AttachVolume') });
    const failed = checks.filter((check) => !check.ok);
    expect(failed.map((check) => check.check)).toEqual(['permission ec2:AttachVolume']);
    expect(failed[0].detail).toContain(
      'the orchestrator role switchback-sim-orchestrator-us-west-2 may not ec2:AttachVolume on arn:aws:ec2:us-west-2:123456789012:instance/* (implicitDeny)',
    );
    expect(failed[0].detail).toContain(
      'ec2:AttachVolume on arn:aws:ec2:us-west-2:123456789012:volume/vol-0abc1234def567890 (implicitDeny)',
    );
    expect(result.summary.sms.map((sms) => sms.text)).toEqual([
      expect.stringMatching(
        /^\[switchback\] api: drill check failed: permission ec2:AttachVolume: the orchestrator role .* may not ec2:AttachVolume/,
      ),
    ]);
  });

  test('without iam:PassRole the launch check fails naming iam:PassRole, although the DryRun (the drill role) is allowed', async () => {
    const config = launchConfig();
    config.services[0].secondary.prepare[0]['ec2.launchFromAmi'].iamInstanceProfile = 'api-standby';
    const { checks } = await runDryRun('launch-yml-no-passrole', config, { adjustRoles: withoutAction('iam:PassRole') });
    const failed = checks.filter((check) => !check.ok);
    expect(failed.map((check) => check.check)).toEqual(['permission ec2:RunInstances']);
    expect(failed[0].detail).toMatch(
      /^the orchestrator role switchback-sim-orchestrator-us-west-2 may not iam:PassRole on arn:aws:iam::123456789012:role\/\* \(implicitDeny\).*; ec2:RunInstances allowed \(DryRunOperation\)$/,
    );
  });
});
