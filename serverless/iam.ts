/**
 * Least-privilege IAM, one role per function, generated from `switchback.yml`: each function gets
 * exactly the actions its code calls, on the resources the configuration names (the table, the
 * configured hosted zones, instance ids, Elastic IPs, volumes, Lambda hooks, topics). The only
 * `"Resource": "*"` grants are the actions AWS offers no resource-level permission for, listed in
 * WILDCARD_RESOURCE_ACTIONS (the README cites this list).
 */
import { findAction } from '../shared/actions';
import { arn, hookArn, lambdaArn, literal, sub, type CfnString, type Grant, type PolicyCondition } from '../shared/actions/grants';
import { functionRoleName } from '../shared/aws/lambda-arn';
import { alarmForwarders, forwarderRules } from '../shared/config/alarm-routing';
import type { ServiceConfig, StepConfig, SwitchbackConfig } from '../shared/config/types';
import {
  DEPLOY_ROLES,
  METRICS,
  alarmDeadLetterQueueName,
  flagAlarmName,
  functionName,
  locationTableName,
  probeChainQueueName,
  type DeployRole,
  type FunctionKey,
} from './naming';

export { hookArn, type CfnString, type PolicyCondition };

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: '*' | CfnString[];
  Condition?: PolicyCondition;
}

/**
 * Actions granted on `"Resource": "*"` and why AWS leaves no choice. No other action ever gets `*`
 * (a test checks the packaged template against this list).
 */
export const WILDCARD_RESOURCE_ACTIONS = {
  'ec2:DescribeInstances': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeVolumes': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeAddresses': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeImages': "EC2 Describe* actions support no resource-level permissions (the drill checks a launch step's AMI exists)",
  'ec2:DescribeSubnets':
    "EC2 Describe* actions support no resource-level permissions (the drill compares a volume's zone with the launch subnet's)",
  'cloudwatch:PutMetricData':
    'PutMetricData has no resource type; the grant is limited to the switchback namespace by the cloudwatch:namespace condition',
  'sns:GetSMSAttributes': 'account-level SMS settings have no resource type (the drill reads MonthlySpendLimit)',
  'sns:GetSMSSandboxAccountStatus': 'account-level SMS sandbox status has no resource type (the drill reads it)',
  'cloudwatch:GetMetricStatistics':
    'GetMetricStatistics has no resource type (the drill reads AWS/SNS SMSMonthToDateSpentUSD; rds.*GlobalCluster steps read AWS/RDS AuroraGlobalDBReplicationLag)',
  'autoscaling:DescribeAutoScalingGroups': 'DescribeAutoScalingGroups has no resource type (autoscaling.setCapacity reads the group)',
  'sns:Publish':
    'an SMS published straight to a phone number has no resource ARN, so AWS requires "*"; granted only when notify.sms lists numbers (with no numbers, only notify.topicArn is granted, by ARN)',
} as const satisfies Record<string, string>;
export type WildcardResourceAction = keyof typeof WILDCARD_RESOURCE_ACTIONS;

export interface IamContext {
  stage: string;
  role: DeployRole;
  /** Logical ids of the Route 53 health checks generated for health-check-flag services, by service name. */
  healthCheckLogicalIds: Record<string, string>;
  tableName: string;
}

// ---------------------------------------------------------------------------------------------
// ARNs (the helpers shared with the step actions live in shared/actions/grants.ts)

function tableArn(config: SwitchbackConfig, context: IamContext): CfnString {
  return arn('dynamodb', config.controlRegion, `table/${context.tableName}`);
}

// ---------------------------------------------------------------------------------------------
// Grants: (action, resource, condition) triples, merged into few statements at the end.

interface PlacedStep {
  step: StepConfig;
  /** Where the step acts: its own `region`, else the region of the site whose list holds it. */
  region: string;
}

function allSteps(service: ServiceConfig): PlacedStep[] {
  const placed: PlacedStep[] = [];
  for (const side of ['primary', 'secondary'] as const) {
    for (const step of [...service[side].prepare, ...service[side].cleanup]) {
      const own = step.params.region;
      placed.push({ step, region: typeof own === 'string' ? own : service[side].region });
    }
  }
  return placed;
}

/**
 * What the configured runbook steps need, each action's grants (shared/actions) scoped to the resources
 * its params name. `dryRunOnly`: only actions the drill checks with a DryRun (it asks for the caller's
 * own permissions, so the drill holds the same grants as the orchestrator: they cannot drift).
 */
export function stepGrants(config: SwitchbackConfig, options: { dryRunOnly?: boolean } = {}): Grant[] {
  const grants: Grant[] = [];
  for (const service of config.services) {
    for (const { step, region } of allSteps(service)) {
      const action = findAction(step.action);
      if (!action || (options.dryRunOnly && !action.hasDryRunCheck)) continue;
      const context = { region, controlRegion: config.controlRegion };
      grants.push(...(options.dryRunOnly ? action.dryRunGrantsFor(step.params, context) : action.grantsFor(step.params, context)));
    }
  }
  // The EC2 adapter looks before it acts (instances, volumes, addresses); Describe* has no resource level.
  if (grants.some((grant) => grant.action.startsWith('ec2:'))) {
    for (const action of ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeAddresses'] as const)
      grants.push({ action, resource: '*' });
  }
  return grants;
}

/** The Lambda hooks `failback.check` names (asked by every function that decides on a failback). */
function failbackCheckGrants(config: SwitchbackConfig): Grant[] {
  const grants: Grant[] = [];
  for (const service of config.services) {
    const check = service.policy.failback.check;
    if (check) {
      grants.push({ action: 'lambda:InvokeFunction', resource: hookArn(check.functionName, check.region ?? config.controlRegion) });
    }
  }
  return grants;
}

function notifyGrants(config: SwitchbackConfig): Grant[] {
  const grants: Grant[] = [];
  if (config.notify.sms.length > 0) grants.push({ action: 'sns:Publish', resource: '*' });
  if (config.notify.topicArn) grants.push({ action: 'sns:Publish', resource: config.notify.topicArn });
  return grants;
}

/** The drill's dry-run compares the zone of every attached volume with its instance's or launch subnet's. */
function zoneCheckGrants(config: SwitchbackConfig): Grant[] {
  const attaches = config.services.some((service) => service.secondary.prepare.some((step) => step.action === 'ec2.attachVolume'));
  if (!attaches) return [];
  return (['ec2:DescribeVolumes', 'ec2:DescribeInstances', 'ec2:DescribeSubnets'] as const).map((action) => ({ action, resource: '*' }));
}

/**
 * The drill checks the EC2 steps by asking IAM about the orchestrator's role
 * (shared/app/drill-permissions.ts): it may simulate that one role's policies, nothing else (it
 * learns what the orchestrator may do, no more).
 */
function orchestratorSimulationGrants(config: SwitchbackConfig, context: IamContext): Grant[] {
  const simulated = config.services.some((service) =>
    service.secondary.prepare.some((step) => findAction(step.action)?.dryRunSimulatesOrchestrator),
  );
  if (!simulated) return [];
  const role = functionRoleName(functionName(context.stage, 'orchestrator'), config.controlRegion);
  return [{ action: 'iam:SimulatePrincipalPolicy', resource: arn('iam', '', `role/${role}`) }];
}

/** The drill's dry-run reads whether texts can go out at all: sandbox, spend limit and this month's spend. */
function smsReadinessGrants(config: SwitchbackConfig): Grant[] {
  if (config.notify.sms.length === 0) return [];
  return (['sns:GetSMSAttributes', 'sns:GetSMSSandboxAccountStatus', 'cloudwatch:GetMetricStatistics'] as const).map((action) => ({
    action,
    resource: '*',
  }));
}

function tableGrants(config: SwitchbackConfig, context: IamContext, actions: readonly string[]): Grant[] {
  const resource = tableArn(config, context);
  return actions.map((action) => ({ action: `dynamodb:${action}`, resource }));
}

function invokeGrant(config: SwitchbackConfig, context: IamContext, key: FunctionKey): Grant {
  return { action: 'lambda:InvokeFunction', resource: lambdaArn(config.controlRegion, functionName(context.stage, key)) };
}

function logGrants(context: IamContext, key: FunctionKey): Grant[] {
  // Log groups are regional: a probe location logs where it runs.
  const resource = sub(
    `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${literal(functionName(context.stage, key))}:*`,
  );
  return ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({ action, resource }));
}

function recordSwapServices(config: SwitchbackConfig): ServiceConfig[] {
  return config.services.filter((service) => service.dns.strategy === 'record-swap');
}

function flagServices(config: SwitchbackConfig): ServiceConfig[] {
  return config.services.filter((service) => service.dns.strategy === 'health-check-flag');
}

/**
 * The records record-swap services UPSERT, and nothing else in their zones. One statement per zone
 * and record type, listing every name of that type: the same records of the same type as one
 * statement per service (the type is fixed per statement), except that one change batch may now
 * hold several of them (switchback sends one record per batch). A 200-service config stays one
 * statement instead of 200 (managed-policy size, and IAM evaluation time in the simulator).
 */
function recordSwapGrants(config: SwitchbackConfig): Grant[] {
  const grants: Grant[] = [];
  const namesByZoneAndType = new Map<string, { zoneId: string; type: string; names: string[] }>();
  for (const service of recordSwapServices(config)) {
    const type = service.dns.type === 'alias' ? 'A' : service.dns.type;
    const id = `${service.dns.hostedZoneId} ${type}`;
    const entry = namesByZoneAndType.get(id) ?? { zoneId: service.dns.hostedZoneId, type, names: [] };
    const name = normalizeRecordName(service.dns.recordName);
    if (!entry.names.includes(name)) entry.names.push(name);
    namesByZoneAndType.set(id, entry);
  }
  for (const { zoneId, type, names } of namesByZoneAndType.values()) {
    grants.push({
      action: 'route53:ChangeResourceRecordSets',
      resource: sub(`arn:\${AWS::Partition}:route53:::hostedzone/${literal(zoneId)}`),
      condition: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
          'route53:ChangeResourceRecordSetsRecordTypes': [type],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        },
      },
    });
  }
  if (grants.length > 0) grants.push({ action: 'route53:GetChange', resource: sub('arn:${AWS::Partition}:route53:::change/*') });
  return [...grants, ...listRecordGrants(config)];
}

function listRecordGrants(config: SwitchbackConfig): Grant[] {
  return recordSwapServices(config).map((service) => ({
    action: 'route53:ListResourceRecordSets',
    resource: sub(`arn:\${AWS::Partition}:route53:::hostedzone/${literal(service.dns.hostedZoneId)}`),
  }));
}

/** Route 53's normalized form: lowercase, no trailing dot. */
export function normalizeRecordName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function flagAlarmGrants(config: SwitchbackConfig, context: IamContext): Grant[] {
  return flagServices(config).map((service) => ({
    action: 'cloudwatch:DescribeAlarms',
    resource: arn('cloudwatch', config.controlRegion, `alarm:${flagAlarmName(context.stage, service.name)}`),
  }));
}

const FLAG_PUBLISH: Grant = {
  action: 'cloudwatch:PutMetricData',
  resource: '*',
  condition: { StringEquals: { 'cloudwatch:namespace': METRICS.namespace } },
};

/** The controller's probe republishes the flag every round while a service holds one. */
function flagHoldGrants(config: SwitchbackConfig): Grant[] {
  return flagServices(config).length > 0 ? [FLAG_PUBLISH] : [];
}

/** The health check deploy creates for a flag service (its id is the CloudFormation Ref of the logical id). */
function flagHealthCheckArn(context: IamContext, serviceName: string): CfnString {
  return sub(`arn:\${AWS::Partition}:route53:::healthcheck/\${${context.healthCheckLogicalIds[serviceName]}}`);
}

/**
 * The dry-run reads each flag service's PRIMARY failover record (in its zone) and the health check
 * deploy created for it (GetHealthCheck on that one health check), to see that they agree with the
 * flag alarm. A record pointing at any other health check is denied the read: the check fails.
 */
function flagHealthCheckReadGrants(config: SwitchbackConfig, context: IamContext): Grant[] {
  return flagServices(config).flatMap((service) => [
    {
      action: 'route53:ListResourceRecordSets',
      resource: sub(`arn:\${AWS::Partition}:route53:::hostedzone/${literal(service.dns.hostedZoneId)}`),
    },
    {
      action: 'route53:GetHealthCheck',
      resource: flagHealthCheckArn(context, service.name),
    },
  ]);
}

/** Data-plane switch: publish the flag metric, read the alarm and health check that follow it. */
function flagSwitchGrants(config: SwitchbackConfig, context: IamContext): Grant[] {
  const services = flagServices(config);
  if (services.length === 0) return [];
  return [
    FLAG_PUBLISH,
    ...flagAlarmGrants(config, context),
    ...services.map((service) => ({
      action: 'route53:GetHealthCheckStatus',
      resource: flagHealthCheckArn(context, service.name),
    })),
  ];
}

/**
 * The dry-run reads each alarm forwarder rule and its targets (DescribeRule, ListTargetsByRule),
 * authorized on the rule (rule-on-default-event-bus:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html).
 */
function forwarderCheckGrants(config: SwitchbackConfig, context: IamContext): Grant[] {
  return alarmForwarders(config).flatMap((forwarder) =>
    forwarderRules(forwarder, context.stage).flatMap((rule) => {
      const resource = arn('events', forwarder.region, `rule/${rule.name}`);
      return ['events:DescribeRule', 'events:ListTargetsByRule'].map((action) => ({ action, resource }));
    }),
  );
}

/** A probe-only location's own table (serverless/naming.ts `locationTableName`), in the region it deploys to. */
function locationTableGrants(context: IamContext): Grant[] {
  const resource = sub(
    `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${literal(locationTableName(context.stage))}`,
  );
  // UpdateItem: the probe chain's lease claims (../shared/store/probe-chain.ts) live here too.
  return ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({ action, resource }));
}

/**
 * The probe chain (shared/domain/probe-chain.ts): the probe sends the next link to its own region's
 * queue, and Lambda's event source mapping polls that queue with the function's role: "ReceiveMessage,
 * DeleteMessage, GetQueueAttributes" (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
 * Nothing else: not another location's queue, not the dead-letter queue.
 */
function probeChainGrants(context: IamContext): Grant[] {
  const resource = sub(`arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${literal(probeChainQueueName(context.stage))}`);
  return ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({ action, resource }));
}

const TABLE_WRITE = ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchGetItem'] as const;
/** `status` reads, and creates a service's first state item (ensureState) when there is none. */
const TABLE_STATUS = ['GetItem', 'BatchGetItem', 'Query', 'PutItem'] as const;

/** `alarm` gives up its duplicate-delivery claim when applying a decision failed (so Lambda's retry acts): DEDUP# items only. */
function dedupReleaseGrant(config: SwitchbackConfig, context: IamContext): Grant {
  return {
    action: 'dynamodb:DeleteItem',
    resource: tableArn(config, context),
    condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DEDUP#*'] } },
  };
}

function needsProbeConfirmation(config: SwitchbackConfig): boolean {
  return config.services.some((service) => service.policy.trigger === 'alarm-confirmed-by-probe');
}

/** The grants of each deployed function. A probe location (role probe-only) deploys only `probe`. */
export function functionGrants(config: SwitchbackConfig, context: IamContext): Partial<Record<FunctionKey, Grant[]>> {
  if (context.role === DEPLOY_ROLES.alarmForwarder) return {};
  if (context.role === DEPLOY_ROLES.probeOnly) {
    // Records observations and its heartbeat in the control region's table; decides nothing. Watches the
    // control region from its own table (in its own region) and texts when it is dark (SNS in its region).
    return {
      probe: [
        ...logGrants(context, 'probe'),
        ...tableGrants(config, context, ['GetItem', 'PutItem', 'UpdateItem', 'Query']),
        ...locationTableGrants(context),
        ...probeChainGrants(context),
        ...notifyGrants(config),
      ],
    };
  }
  const decides = (key: FunctionKey): Grant[] => [
    ...logGrants(context, key),
    ...tableGrants(config, context, TABLE_WRITE),
    invokeGrant(config, context, 'orchestrator'),
    ...notifyGrants(config),
  ];
  const failbackChecks = failbackCheckGrants(config);
  return {
    probe: [...decides('probe'), ...failbackChecks, ...flagHoldGrants(config), ...probeChainGrants(context)],
    alarm: [
      ...decides('alarm'),
      dedupReleaseGrant(config, context),
      // Lambda sends a delivery that failed every retry to the on-failure destination with the function's role.
      { action: 'sqs:SendMessage', resource: arn('sqs', config.controlRegion, alarmDeadLetterQueueName(context.stage)) },
      ...failbackChecks,
      ...(needsProbeConfirmation(config) ? [invokeGrant(config, context, 'probe')] : []),
    ],
    orchestrator: [
      ...decides('orchestrator'),
      ...failbackChecks,
      ...recordSwapGrants(config),
      ...flagSwitchGrants(config, context),
      ...stepGrants(config),
    ],
    // A DryRun answers for the caller's own permissions, so the drill holds the orchestrator's grants
    // for the steps it DryRuns (generated by the same code, they cannot drift): "allowed" then means the run will be.
    // Steps whose check only reads (databases, fleets) declare `dryRunGrants`: the drill gets the reads only.
    drill: [
      ...decides('drill'),
      ...listRecordGrants(config),
      ...flagAlarmGrants(config, context),
      ...flagHealthCheckReadGrants(config, context),
      ...stepGrants(config, { dryRunOnly: true }),
      ...orchestratorSimulationGrants(config, context),
      ...smsReadinessGrants(config),
      ...zoneCheckGrants(config),
      ...forwarderCheckGrants(config, context),
    ],
    status: [...logGrants(context, 'status'), ...tableGrants(config, context, TABLE_STATUS)],
    control: [...decides('control'), ...failbackChecks],
  };
}

// ---------------------------------------------------------------------------------------------
// Grants → statements

function key(value: unknown): string {
  return JSON.stringify(value);
}

function servicePrefix(action: string): string {
  const service = action.split(':')[0];
  return service.charAt(0).toUpperCase() + service.slice(1);
}

/**
 * Merge grants into statements: one AWS service, one condition and one resource set → one statement
 * with every action. Sids read `<Function><Service><n>` (e.g. `OrchestratorEc23`).
 */
export function toStatements(prefix: string, grants: Grant[]): PolicyStatement[] {
  const byActionAndCondition = new Map<string, { action: string; condition?: PolicyCondition; resources: Map<string, '*' | CfnString> }>();
  for (const grant of grants) {
    const id = key([grant.action, grant.condition ?? null]);
    const entry = byActionAndCondition.get(id) ?? { action: grant.action, condition: grant.condition, resources: new Map() };
    entry.resources.set(key(grant.resource), grant.resource);
    byActionAndCondition.set(id, entry);
  }
  const byResources = new Map<
    string,
    { service: string; actions: string[]; condition?: PolicyCondition; resources: Array<'*' | CfnString> }
  >();
  for (const entry of byActionAndCondition.values()) {
    const resources = [...entry.resources.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, resource]) => resource);
    // A "*" grant makes any other resource for the same action redundant.
    const effective = resources.includes('*') ? ['*' as const] : resources;
    const service = servicePrefix(entry.action);
    const id = key([service, effective, entry.condition ?? null]);
    const merged = byResources.get(id) ?? { service, actions: [], condition: entry.condition, resources: effective };
    merged.actions.push(entry.action);
    byResources.set(id, merged);
  }
  const counters = new Map<string, number>();
  return [...byResources.values()].map((entry) => {
    const count = (counters.get(entry.service) ?? 0) + 1;
    counters.set(entry.service, count);
    return {
      Sid: `${prefix}${entry.service}${count}`,
      Effect: 'Allow' as const,
      Action: [...entry.actions].sort(),
      Resource: entry.resources[0] === '*' ? '*' : entry.resources,
      ...(entry.condition ? { Condition: entry.condition } : {}),
    };
  });
}

/** Policy statements per deployed function. */
export function buildFunctionPolicies(config: SwitchbackConfig, context: IamContext): Partial<Record<FunctionKey, PolicyStatement[]>> {
  const grants = functionGrants(config, context);
  const policies: Partial<Record<FunctionKey, PolicyStatement[]>> = {};
  for (const [functionKey, list] of Object.entries(grants) as Array<[FunctionKey, Grant[]]>) {
    policies[functionKey] = toStatements(`${functionKey[0].toUpperCase()}${functionKey.slice(1)}`, list);
  }
  return policies;
}
