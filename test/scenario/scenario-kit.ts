import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { SimulatedRole } from '../../sim/iam-roles';
import { runScenario, type SimulationResult } from '../../sim/runner';
import type { World } from '../../sim/world';
import { loadScenarioFile, parseScenario, readScenarioDocument, type Scenario } from '../../sim/scenario';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const SCENARIOS = join(__dirname, '..', '..', 'scenarios');

export function suiteScenario(name: string): Scenario {
  return loadScenarioFile(join(SCENARIOS, 'suite', `${name}.yml`));
}

/**
 * Run a suite scenario with IAM enforced (every function holds only its generated policy). A call
 * the world's IAM denied fails the test here, whatever else the test asserts: the suite must pass
 * with the permissions `sls package` deploys.
 */
export async function runSuite(name: string): Promise<SimulationResult> {
  const result = await runScenario(suiteScenario(name));
  if (result.summary.accessDenied.length > 0)
    throw new Error(`${name}: IAM denied ${JSON.stringify(result.summary.accessDenied, null, 1)}`);
  return result;
}

/** A suite scenario with changes (e.g. other faults), parsed like a file. */
export function variant(name: string, changes: Record<string, unknown>): Scenario {
  const file = join(SCENARIOS, 'suite', `${name}.yml`);
  const document = readScenarioDocument(file) as Record<string, unknown>;
  return parseScenario({ ...document, ...changes }, join(SCENARIOS, 'suite'), file);
}

export function smsTexts(result: SimulationResult): string[] {
  return result.summary.sms.map((message) => message.text);
}

export function transitions(result: SimulationResult, service: string): string[] {
  return result.timeline
    .filter((entry) => entry.kind === 'transition' && entry.service === service)
    .map((entry) => `${entry.from}→${entry.to}`);
}

/** The orchestrator's generated policy without the grant on the Elastic IP. */
export function forgetElasticIpGrant(roles: SimulatedRole[], world: World): void {
  const orchestrator = roles.find((role) => role.key === 'orchestrator') as SimulatedRole;
  world.iam.putRolePolicy(orchestrator.roleArn, 'generated', {
    ...orchestrator.document,
    Statement: orchestrator.document.Statement.map((statement) => ({
      ...statement,
      Resource: Array.isArray(statement.Resource)
        ? (statement.Resource as string[]).filter((resource) => !resource.includes(':elastic-ip/'))
        : statement.Resource,
    })).filter((statement) => statement.Resource === '*' || (statement.Resource as string[]).length > 0),
  });
}

/**
 * A 14-minute scenario over `scenarios/configs/<configFile>` changed by `edit`: the first service's
 * primary is down from 1m to 3m (a failover, then a failback after the hold-down).
 */
export function outageOver<C extends { services: Array<{ name?: unknown }> }>(
  name: string,
  configFile: string,
  edit: (config: C) => void,
): Scenario {
  const config = parseDocument(readFileSync(join(SCENARIOS, 'configs', configFile), 'utf8')).toJS() as C;
  edit(config);
  const site = `${String(config.services[0].name)}/primary`;
  return parseScenario(
    {
      name,
      config,
      duration: '14m',
      events: [
        { at: '1m', site, health: 'down' },
        { at: '3m', site, health: 'up' },
      ],
    },
    join(SCENARIOS, 'suite'),
  );
}
