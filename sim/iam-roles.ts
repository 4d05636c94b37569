/**
 * The IAM roles the simulated functions run with: exactly the policies `sls package` generates
 * (serverless/iam.ts, the same code), with the CloudFormation intrinsics resolved the way
 * CloudFormation would in the world's account: `${AWS::Partition}` → aws, `${AWS::AccountId}`,
 * `${AWS::Region}` (where the function runs), and the logical ids of generated resources (the flag
 * health checks) → the ids the world gave them.
 */
import type { SwitchbackConfig } from '../shared/config/types';
import { SwitchbackError } from '../shared/errors';
import { flagLogicalIds } from '../serverless/deployment';
import { buildFunctionPolicies, type CfnString, type PolicyStatement } from '../serverless/iam';
import { DEPLOY_ROLES, FUNCTION_KEYS, functionName, tableName, type DeployRole, type FunctionKey } from '../serverless/naming';
import { flagHealthCheckReference } from '../shared/aws/flag';
import { functionRoleArn } from '../shared/aws/lambda-arn';
import type { CallerIdentity, PolicyDocument, World } from './world';

export interface SimulatedRole extends CallerIdentity {
  key: FunctionKey;
  location: string;
  document: PolicyDocument;
}

export interface SimulatedRolesOptions {
  stage: string;
  accountId: string;
  /** The region the functions run in (a probe location deploys only `probe`, with role probe-only). */
  location: string;
  role: DeployRole;
  /** Physical id of each generated resource, by logical id (the flag health checks). */
  physicalIds: Record<string, string>;
}

/** `Fn::Sub` as CloudFormation resolves it: `${AWS::…}` pseudo parameters, `${LogicalId}` references, `${!literal}`. */
export function resolveCfnString(value: CfnString, variables: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if ('Ref' in value) {
    const resolved = variables[value.Ref];
    if (resolved === undefined) throw new SwitchbackError(`iam-roles: no value for Ref ${value.Ref}`);
    return resolved;
  }
  return value['Fn::Sub'].replace(/\$\{(!?)([^}]*)\}/g, (_match, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    const resolved = variables[name];
    if (resolved === undefined) throw new SwitchbackError(`iam-roles: no value for \${${name}} in ${value['Fn::Sub']}`);
    return resolved;
  });
}

function resolveStatement(statement: PolicyStatement, variables: Record<string, string>): Record<string, unknown> {
  return {
    ...statement,
    Resource: statement.Resource === '*' ? '*' : statement.Resource.map((resource) => resolveCfnString(resource, variables)),
  };
}

/** The role a function runs with in a location (one stack per location, so one role per function and location). */
export function simulatedRoleArn(accountId: string, stage: string, key: FunctionKey, location: string): string {
  return functionRoleArn(accountId, functionName(stage, key), location);
}

/** Every function's role in one location, with its resolved generated policy. */
export function simulatedRoles(config: SwitchbackConfig, options: SimulatedRolesOptions): SimulatedRole[] {
  const policies = buildFunctionPolicies(config, {
    stage: options.stage,
    role: options.role,
    tableName: tableName(options.stage),
    healthCheckLogicalIds: Object.fromEntries(
      config.services
        .filter((service) => service.dns.strategy === 'health-check-flag')
        .map((service) => [service.name, flagLogicalIds(service).healthCheck]),
    ),
  });
  const variables = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': options.accountId,
    'AWS::Region': options.location,
    ...options.physicalIds,
  };
  return FUNCTION_KEYS.flatMap((key) => {
    const statements = policies[key];
    if (!statements) return [];
    return [
      {
        key,
        location: options.location,
        roleArn: simulatedRoleArn(options.accountId, options.stage, key, options.location),
        sessionName: functionName(options.stage, key),
        document: { Version: '2012-10-17' as const, Statement: statements.map((statement) => resolveStatement(statement, variables)) },
      },
    ];
  });
}

/** The world's ids of what deploy would have created, by CloudFormation logical id. */
export function worldPhysicalIds(config: SwitchbackConfig, world: World, stage: string): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const service of config.services) {
    if (service.dns.strategy !== 'health-check-flag') continue;
    const check = world.route53
      .healthChecks()
      .find((candidate) => candidate.callerReference === flagHealthCheckReference(stage, service.name));
    if (check) ids[flagLogicalIds(service).healthCheck] = check.id;
  }
  return ids;
}

/** Give every function in every location of `config` its generated role in the world; returns the roles. */
export function installSimulatedRoles(
  config: SwitchbackConfig,
  world: World,
  options: { stage: string; accountId: string },
): SimulatedRole[] {
  const physicalIds = worldPhysicalIds(config, world, options.stage);
  const locations = [...new Set([config.controlRegion, ...config.probeLocations])];
  const roles = locations.flatMap((location) =>
    simulatedRoles(config, {
      ...options,
      location,
      role: location === config.controlRegion ? DEPLOY_ROLES.controller : DEPLOY_ROLES.probeOnly,
      physicalIds,
    }),
  );
  for (const role of roles) world.iam.putRolePolicy(role.roleArn, 'generated', role.document);
  return roles;
}
