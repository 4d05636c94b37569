/**
 * Least-privilege IAM, one role per function, generated from `switchback.yml`: each function gets
 * exactly the actions its code calls, on the resources the configuration names (the table, the
 * configured hosted zones, instance ids, Elastic IPs, volumes, Lambda hooks, topics). The only
 * `"Resource": "*"` grants are the actions AWS offers no resource-level permission for, listed in
 * WILDCARD_RESOURCE_ACTIONS (the README cites this list).
 */
import type { ServiceConfig, StepConfig, SwitchbackConfig } from '../shared/config/types';
import { DEPLOY_ROLES, METRICS, RUN_TAG_KEY, flagAlarmName, functionName, type DeployRole, type FunctionKey } from './naming';

/** A string, or a CloudFormation intrinsic that yields one. */
export type CfnString = string | { 'Fn::Sub': string } | { Ref: string };
export type PolicyCondition = Record<string, Record<string, string | string[]>>;

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
  'cloudwatch:PutMetricData':
    'PutMetricData has no resource type; the grant is limited to the switchback namespace by the cloudwatch:namespace condition',
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
// ARNs

/** User values inside Fn::Sub: `${` must be written `${!` to stay literal. */
function literal(value: string): string {
  return value.replace(/\$\{/g, '${!');
}

function sub(template: string): { 'Fn::Sub': string } {
  return { 'Fn::Sub': template };
}

function arn(service: string, region: string, resource: string): { 'Fn::Sub': string } {
  return sub(`arn:\${AWS::Partition}:${service}:${literal(region)}:\${AWS::AccountId}:${literal(resource)}`);
}

function ec2Arn(region: string, resource: string): { 'Fn::Sub': string } {
  return arn('ec2', region, resource);
}

function tableArn(config: SwitchbackConfig, context: IamContext): CfnString {
  return arn('dynamodb', config.controlRegion, `table/${context.tableName}`);
}

function lambdaArn(region: string, name: string): CfnString {
  return arn('lambda', region, `function:${name}`);
}

/** A configured Lambda hook (name, name:qualifier, partial ARN or full ARN) → the ARN to grant. */
export function hookArn(functionNameOrArn: string, region: string): CfnString {
  if (functionNameOrArn.startsWith('arn:')) return functionNameOrArn;
  const partial = /^(\d{12}):function:(.+)$/.exec(functionNameOrArn);
  if (partial) return sub(`arn:\${AWS::Partition}:lambda:${literal(region)}:${partial[1]}:function:${literal(partial[2])}`);
  return lambdaArn(region, functionNameOrArn);
}

// ---------------------------------------------------------------------------------------------
// Grants: (action, resource, condition) triples, merged into few statements at the end.

interface Grant {
  action: string;
  resource: '*' | CfnString;
  condition?: PolicyCondition;
}

const STEP_REF = /^\$\{steps\.[^}]+\}$/;

function isStepRef(value: string): boolean {
  return STEP_REF.test(value);
}

interface PlacedStep {
  step: StepConfig;
  /** Where the step acts: its own `region`, else the region of the site whose list holds it. */
  region: string;
}

function allSteps(service: ServiceConfig): PlacedStep[] {
  const placed: PlacedStep[] = [];
  for (const side of ['primary', 'secondary'] as const) {
    for (const step of [...service[side].prepare, ...service[side].cleanup]) {
      const region = (step.params as { region?: string }).region ?? service[side].region;
      placed.push({ step, region });
    }
  }
  return placed;
}

/** Instances launched by switchback carry the `switchback:run` tag; later steps may act on them (step references). */
function instanceGrant(action: string, region: string, instanceId: string): Grant {
  if (!isStepRef(instanceId)) return { action, resource: ec2Arn(region, `instance/${instanceId}`) };
  return { action, resource: ec2Arn(region, 'instance/*'), condition: { Null: { [`aws:ResourceTag/${RUN_TAG_KEY}`]: 'false' } } };
}

function volumeResource(region: string, volumeId: string): CfnString {
  // No step creates volumes today; a referenced volume id is only known at run time.
  return ec2Arn(region, isStepRef(volumeId) ? 'volume/*' : `volume/${volumeId}`);
}

interface LaunchParams {
  imageId: string;
  subnetId?: string;
  securityGroupIds?: string[];
  keyName?: string;
  iamInstanceProfile?: string;
}

function launchGrants(region: string, params: LaunchParams): Grant[] {
  const runInstances = (resource: CfnString): Grant => ({ action: 'ec2:RunInstances', resource });
  const grants: Grant[] = [
    runInstances(sub(`arn:\${AWS::Partition}:ec2:${literal(region)}::image/${literal(params.imageId)}`)),
    runInstances(ec2Arn(region, params.subnetId ? `subnet/${params.subnetId}` : 'subnet/*')),
    ...(params.securityGroupIds && params.securityGroupIds.length > 0 ? params.securityGroupIds : ['*']).map((group) =>
      runInstances(ec2Arn(region, `security-group/${group}`)),
    ),
    runInstances(ec2Arn(region, 'network-interface/*')),
    runInstances(ec2Arn(region, 'volume/*')),
    ...(params.keyName ? [runInstances(ec2Arn(region, `key-pair/${params.keyName}`))] : []),
    // The new instance must carry the run tag, and tags may only be written while launching.
    {
      action: 'ec2:RunInstances',
      resource: ec2Arn(region, 'instance/*'),
      condition: { Null: { [`aws:RequestTag/${RUN_TAG_KEY}`]: 'false' } },
    },
    {
      action: 'ec2:CreateTags',
      resource: ec2Arn(region, 'instance/*'),
      condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    },
  ];
  if (params.iamInstanceProfile) {
    // The role inside an instance profile is not named in the config: any role, but only handed to EC2.
    grants.push({
      action: 'iam:PassRole',
      resource: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'),
      condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
  }
  return grants;
}

/** Every EC2 action the configured runbooks take (the orchestrator runs them; the drill DryRuns them). */
export function ec2Grants(config: SwitchbackConfig): Grant[] {
  const grants: Grant[] = [];
  for (const service of config.services) {
    for (const { step, region } of allSteps(service)) {
      const params = step.params;
      switch (step.action) {
        case 'ec2.start':
        case 'ec2.stop': {
          const action = step.action === 'ec2.start' ? 'ec2:StartInstances' : 'ec2:StopInstances';
          for (const id of params.instanceIds as string[]) grants.push(instanceGrant(action, region, id));
          break;
        }
        case 'ec2.attachVolume': {
          const volume = volumeResource(region, params.volumeId as string);
          grants.push(
            { action: 'ec2:AttachVolume', resource: volume },
            instanceGrant('ec2:AttachVolume', region, params.instanceId as string),
          );
          if (params.force === true) {
            // Force-detach from whichever instance holds the volume: the volume is what limits it.
            grants.push(
              { action: 'ec2:DetachVolume', resource: volume },
              { action: 'ec2:DetachVolume', resource: ec2Arn(region, 'instance/*') },
            );
          }
          break;
        }
        case 'ec2.associateAddress':
          grants.push(
            { action: 'ec2:AssociateAddress', resource: ec2Arn(region, `elastic-ip/${params.allocationId as string}`) },
            instanceGrant('ec2:AssociateAddress', region, params.instanceId as string),
          );
          break;
        case 'ec2.launchFromAmi':
          grants.push(...launchGrants(region, params as unknown as LaunchParams));
          break;
        default:
          break;
      }
    }
  }
  if (grants.length > 0) {
    for (const action of ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeAddresses'] as const)
      grants.push({ action, resource: '*' });
  }
  return grants;
}

function lambdaHookGrants(config: SwitchbackConfig, options: { steps: boolean; failbackChecks: boolean }): Grant[] {
  const grants: Grant[] = [];
  for (const service of config.services) {
    if (options.steps) {
      for (const { step } of allSteps(service)) {
        if (step.action !== 'lambda.invoke') continue;
        const hook = step.params as { functionName: string; region?: string };
        grants.push({ action: 'lambda:InvokeFunction', resource: hookArn(hook.functionName, hook.region ?? config.controlRegion) });
      }
    }
    const check = service.policy.failback.check;
    if (options.failbackChecks && check) {
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

/** The record a record-swap service UPSERTs, and nothing else in its zone. */
function recordSwapGrants(config: SwitchbackConfig): Grant[] {
  const grants: Grant[] = [];
  for (const service of recordSwapServices(config)) {
    const zone = sub(`arn:\${AWS::Partition}:route53:::hostedzone/${literal(service.dns.hostedZoneId)}`);
    grants.push({
      action: 'route53:ChangeResourceRecordSets',
      resource: zone,
      condition: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [normalizeRecordName(service.dns.recordName)],
          'route53:ChangeResourceRecordSetsRecordTypes': [service.dns.type === 'alias' ? 'A' : service.dns.type],
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

function flagAlarmGrants(config: SwitchbackConfig): Grant[] {
  return flagServices(config).map((service) => ({
    action: 'cloudwatch:DescribeAlarms',
    resource: arn('cloudwatch', config.controlRegion, `alarm:${flagAlarmName(service.name)}`),
  }));
}

/** Data-plane switch: publish the flag metric, read the alarm and health check that follow it. */
function flagSwitchGrants(config: SwitchbackConfig, context: IamContext): Grant[] {
  const services = flagServices(config);
  if (services.length === 0) return [];
  return [
    { action: 'cloudwatch:PutMetricData', resource: '*', condition: { StringEquals: { 'cloudwatch:namespace': METRICS.namespace } } },
    ...flagAlarmGrants(config),
    ...services.map((service) => ({
      action: 'route53:GetHealthCheckStatus',
      resource: sub(`arn:\${AWS::Partition}:route53:::healthcheck/\${${context.healthCheckLogicalIds[service.name]}}`),
    })),
  ];
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
  if (context.role === DEPLOY_ROLES.probeOnly) {
    // Records observations and its heartbeat in the control region's table; decides nothing.
    return { probe: [...logGrants(context, 'probe'), ...tableGrants(config, context, ['GetItem', 'PutItem', 'UpdateItem', 'Query'])] };
  }
  const decides = (key: FunctionKey): Grant[] => [
    ...logGrants(context, key),
    ...tableGrants(config, context, TABLE_WRITE),
    invokeGrant(config, context, 'orchestrator'),
    ...notifyGrants(config),
  ];
  const failbackChecks = lambdaHookGrants(config, { steps: false, failbackChecks: true });
  const ec2 = ec2Grants(config);
  return {
    probe: [...decides('probe'), ...failbackChecks],
    alarm: [
      ...decides('alarm'),
      dedupReleaseGrant(config, context),
      ...failbackChecks,
      ...(needsProbeConfirmation(config) ? [invokeGrant(config, context, 'probe')] : []),
    ],
    orchestrator: [
      ...decides('orchestrator'),
      ...lambdaHookGrants(config, { steps: true, failbackChecks: true }),
      ...recordSwapGrants(config),
      ...flagSwitchGrants(config, context),
      ...ec2,
    ],
    // A DryRun answers for the caller's own permissions, so the drill holds the orchestrator's EC2
    // grants (generated by the same code, they cannot drift): "allowed" then means the run will be.
    drill: [...decides('drill'), ...listRecordGrants(config), ...flagAlarmGrants(config), ...ec2],
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
