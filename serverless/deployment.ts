/**
 * What `serverless.yml` deploys, generated from a validated `switchback.yml`: the function map
 * (a probe location deploys only `probe`), one IAM role per function, and the CloudFormation
 * resources (table, topics, an alarm per self metric, data-plane DNS flag per health-check-flag service).
 */
import type { ServiceConfig, SwitchbackConfig } from '../shared/config/types';
import { SwitchbackError } from '../shared/errors';
import {
  FORWARDER_TARGET_ID,
  alarmArnTemplate,
  PATTERN_BUDGET_CHARS,
  alarmEventPattern,
  alarmForwarders,
  alarmPatternChunks,
  configuredAlarms,
  controlBusArnTemplate,
  forwarderRules,
} from '../shared/config/alarm-routing';
import { FLAG_ALARM } from '../shared/aws/flag';
import { chunkWhileFits } from '../shared/chunks';
import { functionRoleName, MAX_ROLE_NAME_CHARS } from '../shared/aws/lambda-arn';
import { SELF_METRIC_NAMES, SELF_METRICS, SELF_METRICS_NAMESPACE, selfMetricDimensions, type SelfMetricName } from '../shared/self-metrics';
import { TABLE_DEFINITION, TTL_ATTRIBUTE } from '../shared/store/table';
import { buildFunctionPolicies, type PolicyStatement } from './iam';
import {
  DEPLOY_ROLES,
  FUNCTION_KEYS,
  METRICS,
  SERVICE_NAME,
  alarmDeadLetterQueueName,
  probeChainDeadLetterQueueName,
  probeChainQueueName,
  alarmTopicName,
  alertsTopicName,
  flagAlarmName,
  functionName,
  heartbeatAlarmName,
  locationTableName,
  logicalStem,
  roleLogicalId,
  type DeployRole,
  type FunctionKey,
} from './naming';

export interface DeploymentContext {
  stage: string;
  role: DeployRole;
  /** The region this stack goes to (`--region`, default controlRegion). */
  region: string;
  tableName: string;
  tableDeletionPolicy: 'Delete' | 'Retain';
  /** EventBridge schedule expression of the daily dry-run drill. */
  drillSchedule: string;
}

/** The deployment (stage, role, region) does not fit the configuration. */
export class DeploymentError extends SwitchbackError {
  override readonly name: string = 'DeploymentError';
}

/** IAM: a managed policy document may hold 6,144 characters; leave room for Fn::Sub expansion. */
export const POLICY_BUDGET_CHARS = 5_000;
/** IAM's default quota of managed policies per role. */
export const MAX_POLICIES_PER_ROLE = 10;
/** EventBridge limits the size of a pattern; alarm names are split over several rules well below it. */
export { PATTERN_BUDGET_CHARS };

export const DEPLOY_ROLE_VALUES: readonly DeployRole[] = Object.values(DEPLOY_ROLES);

/** Refuse deployments that would do damage: a probe location replacing the controller, a controller outside controlRegion. */
export function checkDeployment(config: SwitchbackConfig, context: DeploymentContext): void {
  if (!DEPLOY_ROLE_VALUES.includes(context.role)) {
    throw new DeploymentError(`--param role=${String(context.role)}: must be ${DEPLOY_ROLE_VALUES.join(' or ')}`);
  }
  if (context.role === DEPLOY_ROLES.controller && context.region !== config.controlRegion) {
    throw new DeploymentError(
      `the controller deploys to controlRegion ${config.controlRegion}, not ${context.region}; for an extra probe location use --region ${context.region} --param role=probe-only`,
    );
  }
  if (context.role === DEPLOY_ROLES.alarmForwarder) {
    const regions = alarmForwarders(config).map((forwarder) => forwarder.region);
    if (!regions.includes(context.region)) {
      throw new DeploymentError(
        `${context.region} holds no configured alarm outside controlRegion ${config.controlRegion}: alarm forwarders are needed in ${regions.join(', ') || '(no region)'}`,
      );
    }
    if (config.probeLocations.includes(context.region)) {
      throw new DeploymentError(
        `${context.region} is a probe location: deploy it with --param role=probe-only, which includes the alarm forwarder (one stack per stage and region)`,
      );
    }
  }
  if (context.role === DEPLOY_ROLES.probeOnly) {
    if (context.region === config.controlRegion) {
      throw new DeploymentError(
        `role probe-only cannot deploy to controlRegion ${config.controlRegion}: the controller's stack lives there (and probes from there)`,
      );
    }
    if (!config.probeLocations.includes(context.region)) {
      throw new DeploymentError(
        `${context.region} is not in probeLocations (${config.probeLocations.join(', ')}): add it to switchback.yml so quorum counts it`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Functions

interface FunctionSettings {
  description: string;
  memorySize: number;
  timeout: number;
  /** Async retries (schedules, EventBridge, SNS, async invokes). */
  maximumRetryAttempts?: number;
}

/**
 * `probe` runs one round per chain link (without the chain, a minute of rounds that stops before its
 * deadline); `orchestrator` hands a run on to a fresh invocation before 900 s; nothing retries an
 * async invocation that the watchdog resumes anyway.
 */
export const FUNCTION_SETTINGS: Record<FunctionKey, FunctionSettings> = {
  probe: {
    description: 'switchback: one probe round per chain message (SQS), the schedule tends the chain; watchdog for stalled runs',
    memorySize: 256,
    timeout: 70,
    maximumRetryAttempts: 0,
  },
  alarm: { description: 'switchback: CloudWatch alarm state changes (EventBridge and SNS)', memorySize: 256, timeout: 30 },
  orchestrator: {
    description: 'switchback: executes failover/failback runs (async; hands on before its deadline)',
    memorySize: 512,
    timeout: 900,
    maximumRetryAttempts: 0,
  },
  drill: { description: 'switchback: dry-run (also daily) and live drills', memorySize: 512, timeout: 900, maximumRetryAttempts: 0 },
  status: { description: 'switchback: state, probes per location, active and recent runs', memorySize: 256, timeout: 30 },
  control: { description: 'switchback: freeze, unfreeze, failover, failback, approve, abort', memorySize: 256, timeout: 30 },
};

/** The daily dry-run's input (every service; texts only checks that newly fail). */
export const SCHEDULED_DRILL_INPUT = { mode: 'dry-run', service: '*', scheduled: true } as const;

/**
 * The control region's rules for the `alarm` function: state changes of exactly the configured
 * alarms, matched by ARN in `resources` (a same-named alarm elsewhere never matches). Alarms of
 * other regions arrive here through the forwarders, unchanged. Split over several rules so each
 * pattern stays small.
 */
export function alarmEventPatterns(config: SwitchbackConfig): Array<Record<string, unknown>> {
  return alarmPatternChunks(configuredAlarms(config).map(alarmArnTemplate)).map((arns) =>
    alarmEventPattern(arns.map((template) => ({ 'Fn::Sub': template }))),
  );
}

/**
 * Lambda's async retries for `alarm` (EventBridge and SNS invoke it asynchronously): two retries
 * (about 1 and 2 minutes later), no delivery older than the default detect.maxAlarmAgeSeconds, then
 * the dead-letter queue (https://docs.amazonaws.cn/en_us/lambda/latest/dg/invocation-async-configuring.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html).
 */
export const ALARM_ASYNC_DELIVERY = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 600 } as const;

/**
 * The probe chain's queue in every probe location (shared/domain/probe-chain.ts): one message per
 * round, delivered to `probe` by an event source mapping with batch size 1. Lambda's advice for the
 * queue: a visibility timeout of "at least six times the timeout that you configure on your
 * function" and a redrive `maxReceiveCount` of "at least 5"
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). A link that fails five
 * times ends in the dead-letter queue; the one-minute schedule has long since seeded a new chain.
 */
export const PROBE_CHAIN_QUEUE = { visibilityTimeoutPerFunctionTimeout: 6, maxReceiveCount: 5, batchSize: 1 } as const;

/** The chain's queue and dead-letter queue (both stacks that deploy `probe`). */
function probeChainResources(context: DeploymentContext): Record<string, unknown> {
  return {
    ProbeChainDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: probeChainDeadLetterQueueName(context.stage), MessageRetentionPeriod: 86_400 },
    },
    ProbeChainQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: probeChainQueueName(context.stage),
        VisibilityTimeout: PROBE_CHAIN_QUEUE.visibilityTimeoutPerFunctionTimeout * FUNCTION_SETTINGS.probe.timeout,
        // A link is worth nothing after its slot: an old one is refused by the lease anyway.
        MessageRetentionPeriod: 3_600,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['ProbeChainDeadLetterQueue', 'Arn'] },
          maxReceiveCount: PROBE_CHAIN_QUEUE.maxReceiveCount,
        },
      },
    },
  };
}

export function buildFunctions(config: SwitchbackConfig, context: DeploymentContext): Record<string, Record<string, unknown>> {
  checkDeployment(config, context);
  const define = (key: FunctionKey, events: unknown[]) => {
    const settings = FUNCTION_SETTINGS[key];
    return {
      name: functionName(context.stage, key),
      handler: `functions/${key}.handler`,
      description: settings.description,
      role: roleLogicalId(key),
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      ...(settings.maximumRetryAttempts !== undefined ? { maximumRetryAttempts: settings.maximumRetryAttempts } : {}),
      ...(events.length > 0 ? { events } : {}),
    };
  };
  if (context.role === DEPLOY_ROLES.alarmForwarder) return {};
  // The schedule tends the chain (seeds it when a link is overdue); the chain's messages run the rounds.
  const probe = define('probe', [
    { schedule: { rate: ['rate(1 minute)'] } },
    { sqs: { arn: { 'Fn::GetAtt': ['ProbeChainQueue', 'Arn'] }, batchSize: PROBE_CHAIN_QUEUE.batchSize } },
  ]);
  if (context.role === DEPLOY_ROLES.probeOnly) return { probe };
  return {
    probe,
    alarm: {
      ...define('alarm', [
        ...alarmEventPatterns(config).map((pattern) => ({ eventBridge: { pattern } })),
        { sns: { arn: { Ref: 'AlarmTopic' }, topicName: alarmTopicName(context.stage) } },
      ]),
      maximumRetryAttempts: ALARM_ASYNC_DELIVERY.maximumRetryAttempts,
      maximumEventAge: ALARM_ASYNC_DELIVERY.maximumEventAgeSeconds,
      destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['AlarmDeadLetterQueue', 'Arn'] } } },
    },
    orchestrator: define('orchestrator', []),
    drill: define('drill', [{ schedule: { rate: [context.drillSchedule], input: SCHEDULED_DRILL_INPUT } }]),
    status: define('status', []),
    control: define('control', []),
  };
}

// ---------------------------------------------------------------------------------------------
// IAM roles

function statementChars(statements: PolicyStatement[]): number {
  return JSON.stringify(statements).length;
}

/** Split statements over managed policies of at most `budget` characters (a huge statement is split by resources). */
export function chunkStatements(statements: PolicyStatement[], budget = POLICY_BUDGET_CHARS): PolicyStatement[][] {
  const fitting = statements.flatMap((statement) => splitStatement(statement, budget));
  return chunkWhileFits(fitting, (chunk) => statementChars(chunk) <= budget);
}

function splitStatement(statement: PolicyStatement, budget: number): PolicyStatement[] {
  if (statementChars([statement]) <= budget || statement.Resource === '*' || statement.Resource.length < 2) return [statement];
  const half = Math.ceil(statement.Resource.length / 2);
  return [
    ...splitStatement({ ...statement, Sid: `${statement.Sid}a`, Resource: statement.Resource.slice(0, half) }, budget),
    ...splitStatement({ ...statement, Sid: `${statement.Sid}b`, Resource: statement.Resource.slice(half) }, budget),
  ];
}

function roleResources(key: FunctionKey, statements: PolicyStatement[], context: DeploymentContext): Record<string, unknown> {
  const chunks = chunkStatements(statements);
  if (chunks.length > MAX_POLICIES_PER_ROLE) {
    throw new DeploymentError(
      `the IAM policy generated for ${key} needs ${chunks.length} managed policies (at most ${MAX_POLICIES_PER_ROLE} per role): split switchback.yml into several stages`,
    );
  }
  const roleId = roleLogicalId(key);
  // A fixed name, so the drill can name the orchestrator's role to ask IAM about it (SimulatePrincipalPolicy).
  const roleName = functionRoleName(functionName(context.stage, key), context.region);
  if (roleName.length > MAX_ROLE_NAME_CHARS) {
    throw new DeploymentError(
      `the IAM role name ${roleName} is longer than ${MAX_ROLE_NAME_CHARS} characters: use a shorter stage name (--stage)`,
    );
  }
  const resources: Record<string, unknown> = {};
  chunks.forEach((chunk, index) => {
    resources[`${roleId}Policy${index + 1}`] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `switchback ${context.stage} ${key}: least privilege generated from switchback.yml (${index + 1}/${chunks.length})`,
        PolicyDocument: { Version: '2012-10-17', Statement: chunk },
      },
    };
  });
  resources[roleId] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: roleName,
      Description: `switchback ${context.stage} ${key} function`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      // The role depends on its policies, so a function never runs before its grants exist.
      ManagedPolicyArns: chunks.map((_, index) => ({ Ref: `${roleId}Policy${index + 1}` })),
    },
  };
  return resources;
}

// ---------------------------------------------------------------------------------------------
// Data-plane DNS switch (dns.strategy: health-check-flag)

export function flagLogicalIds(service: ServiceConfig) {
  const stem = logicalStem(service.name);
  return {
    alarm: `${stem}FailoverFlagAlarm`,
    healthCheck: `${stem}FailoverFlagHealthCheck`,
    primaryRecord: `${stem}PrimaryRecord`,
    secondaryRecord: `${stem}SecondaryRecord`,
  };
}

function recordTarget(service: ServiceConfig, side: 'primary' | 'secondary'): Record<string, unknown> {
  const target = service[side].target;
  if (typeof target === 'object' && !Array.isArray(target)) {
    const { dnsName, hostedZoneId, evaluateTargetHealth } = target.alias;
    return { AliasTarget: { DNSName: dnsName, HostedZoneId: hostedZoneId, EvaluateTargetHealth: evaluateTargetHealth } };
  }
  return { TTL: String(service.dns.ttl), ResourceRecords: Array.isArray(target) ? target : [target] };
}

/**
 * Route 53 answers the PRIMARY record while its health check is healthy, i.e. while the flag alarm's
 * data says "primary". The engine switches by publishing FailoverActive=1 (PutMetricData in the
 * control region) and the probe republishes it every round while the service holds it: the alarm
 * fires at the next minute, the health checkers follow, resolvers get the SECONDARY record once the
 * TTL runs out. FailoverActive=0 switches back. No Route 53 API call at incident time. Why Minimum,
 * LastKnownStatus and republishing: shared/aws/flag.ts and the README.
 */
export function flagResources(service: ServiceConfig, config: SwitchbackConfig, stage: string): Record<string, unknown> {
  const ids = flagLogicalIds(service);
  const alarmName = flagAlarmName(stage, service.name);
  const setIdentifier = service.dns.setIdentifier ?? service.name;
  const record = (side: 'primary' | 'secondary') => ({
    Type: 'AWS::Route53::RecordSet',
    Properties: {
      HostedZoneId: service.dns.hostedZoneId,
      Name: service.dns.recordName,
      Type: service.dns.type === 'alias' ? 'A' : service.dns.type,
      SetIdentifier: `${setIdentifier}-${side}`,
      Failover: side === 'primary' ? 'PRIMARY' : 'SECONDARY',
      ...(side === 'primary' ? { HealthCheckId: { Ref: ids.healthCheck } } : {}),
      ...recordTarget(service, side),
    },
  });
  return {
    [ids.alarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: alarmName,
        AlarmDescription: `switchback ${stage}: in ALARM while ${service.name} traffic belongs on the secondary (the PRIMARY record's health check follows its data)`,
        Namespace: METRICS.namespace,
        MetricName: METRICS.failoverFlag.name,
        Dimensions: [
          { Name: METRICS.stageDimension, Value: stage },
          { Name: METRICS.failoverFlag.dimension, Value: service.name },
        ],
        // Minimum: a failback's 0 wins over the failover's 1s of the same minute.
        Statistic: FLAG_ALARM.statistic,
        // Route 53 health checks accept standard-resolution alarms only (period ≥ 60 s).
        Period: FLAG_ALARM.periodSeconds,
        EvaluationPeriods: FLAG_ALARM.evaluationPeriods,
        DatapointsToAlarm: FLAG_ALARM.datapointsToAlarm,
        Threshold: FLAG_ALARM.threshold,
        ComparisonOperator: FLAG_ALARM.comparisonOperator,
        // The alarm's own state keeps the last decision between datapoints (what status and the
        // drill read); Route 53 follows the data, where LastKnownStatus does the same.
        TreatMissingData: FLAG_ALARM.treatMissingData,
      },
    },
    [ids.healthCheck]: {
      Type: 'AWS::Route53::HealthCheck',
      DependsOn: ids.alarm,
      Properties: {
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Name: alarmName, Region: config.controlRegion },
          // No fresh datapoint keeps the last decision (a new health check starts Healthy: the primary).
          // Healthy here would send traffic back to a dead primary whenever a round is missed.
          InsufficientDataHealthStatus: FLAG_ALARM.insufficientDataHealthStatus,
          Inverted: false,
        },
        HealthCheckTags: [{ Key: 'Name', Value: alarmName }],
      },
    },
    [ids.primaryRecord]: record('primary'),
    [ids.secondaryRecord]: record('secondary'),
  };
}

// ---------------------------------------------------------------------------------------------
// Everything

export interface GeneratedResources {
  Resources: Record<string, unknown>;
  Outputs: Record<string, unknown>;
}

/** `DecisionErrors` → `decision-errors` (alarm names). */
function kebab(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The self metrics a stack alarms on: all in the control region; a probe location's own heartbeat and texts. */
export function selfMetricsAlarmedIn(role: DeployRole): readonly SelfMetricName[] {
  return role === DEPLOY_ROLES.controller ? SELF_METRIC_NAMES : ['ProbeRoundsCompleted', 'NotificationFailures'];
}

/** The alarm a self metric gets (the heartbeat keeps its historical name). */
export function selfMetricAlarmName(stage: string, name: SelfMetricName): string {
  return name === 'ProbeRoundsCompleted' ? heartbeatAlarmName(stage) : `${SERVICE_NAME}-${stage}-${kebab(name)}`;
}

/**
 * One alarm per self metric (shared/self-metrics.ts) to the alerts topic of the stack's region, on
 * exactly the dimension set the functions emit (`service`, `Stage`, `Location=<this region>`):
 * alarms watch metrics of their own region, and the functions' EMF lands in theirs. The heartbeat
 * (ProbeRoundsCompleted) treats missing data as the failure and says when it is back; the others
 * fire on counts and treat silence as fine.
 */
export function selfMetricAlarms(config: SwitchbackConfig, context: DeploymentContext): Record<string, unknown> {
  const notifyTopicInRegion =
    config.notify.topicArn && config.notify.topicArn.split(':')[3] === context.region ? [config.notify.topicArn] : [];
  const actions = [{ Ref: 'AlertsTopic' }, ...notifyTopicInRegion];
  const dimensions = selfMetricDimensions(context.stage, context.region);
  const alarms: Record<string, unknown> = {};
  for (const name of selfMetricsAlarmedIn(context.role)) {
    const { meaning, alarm } = SELF_METRICS[name];
    const heartbeat = name === 'ProbeRoundsCompleted';
    alarms[heartbeat ? 'HeartbeatAlarm' : `${name}Alarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: selfMetricAlarmName(context.stage, name),
        AlarmDescription: heartbeat
          ? `switchback ${context.stage}: the probe function in ${context.region} has not completed a round for ${alarm.periods} minutes: failures are not being detected`
          : `switchback ${context.stage} in ${context.region}: ${name} ${alarm.threshold}+ in ${alarm.datapoints} of ${alarm.periods} minutes: ${meaning}`,
        Namespace: SELF_METRICS_NAMESPACE,
        MetricName: name,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: alarm.periods,
        DatapointsToAlarm: alarm.datapoints,
        Threshold: alarm.threshold,
        ComparisonOperator: alarm.comparison === 'below' ? 'LessThanThreshold' : 'GreaterThanOrEqualToThreshold',
        // The heartbeat: no data is the failure being watched for.
        TreatMissingData: alarm.missingData,
        AlarmActions: actions,
        ...(heartbeat ? { OKActions: actions } : {}),
      },
    };
  }
  return alarms;
}

/** The alerts topic of the stack's region, with every `notify.sms` number subscribed (the controller's own alarms). */
function alertsTopic(config: SwitchbackConfig, context: DeploymentContext): Record<string, unknown> {
  const resources: Record<string, unknown> = {
    AlertsTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: alertsTopicName(context.stage), DisplayName: 'switchback' },
    },
  };
  config.notify.sms.forEach((phoneNumber, index) => {
    resources[`AlertsSmsSubscription${index + 1}`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'AlertsTopic' }, Protocol: 'sms', Endpoint: phoneNumber },
    };
  });
  return resources;
}

/** A probe location: its own table (its watch on the control region), heartbeat and text-failure alarms and alerts topic, plus the alarm forwarder when its region needs one. */
function probeLocationResources(config: SwitchbackConfig, context: DeploymentContext): GeneratedResources {
  const forwarder = forwarderResources(config, context);
  return {
    Resources: {
      // Its watch on the control region (shared/store/control-watch.ts): one item, written a few times per
      // control-region outage. Nothing in it outlives an outage, so it goes with the stack.
      LocationTable: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Delete',
        Properties: { TableName: locationTableName(context.stage), ...TABLE_DEFINITION },
      },
      ...probeChainResources(context),
      ...alertsTopic(config, context),
      ...selfMetricAlarms(config, context),
      ...forwarder.Resources,
    },
    Outputs: {
      AlertsTopicArn: {
        Description: `Alarms of the probe in ${context.region} (heartbeat); notify.sms numbers are subscribed`,
        Value: { Ref: 'AlertsTopic' },
      },
      ...forwarder.Outputs,
    },
  };
}

function controllerResources(config: SwitchbackConfig, context: DeploymentContext): GeneratedResources {
  const resources: Record<string, unknown> = {
    SwitchbackTable: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: context.tableDeletionPolicy,
      UpdateReplacePolicy: context.tableDeletionPolicy,
      Properties: {
        TableName: context.tableName,
        // The store's own definition (also what the embedded DynamoDB creates): pk/sk, on demand.
        ...TABLE_DEFINITION,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    },
    ...probeChainResources(context),
    AlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: alarmTopicName(context.stage), DisplayName: 'switchback alarms' },
    },
    AlarmDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: alarmDeadLetterQueueName(context.stage), MessageRetentionPeriod: 1_209_600 },
    },
    AlarmDeadLetterAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${alarmDeadLetterQueueName(context.stage)}-not-empty`,
        AlarmDescription: `switchback ${context.stage}: an alarm delivery failed every retry and is in the dead-letter queue ${alarmDeadLetterQueueName(context.stage)}: look at it and at the alarm function's logs`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: alarmDeadLetterQueueName(context.stage) }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlertsTopic' }],
        OKActions: [{ Ref: 'AlertsTopic' }],
      },
    },
    ...alertsTopic(config, context),
    ...selfMetricAlarms(config, context),
  };
  const outputs: Record<string, unknown> = {
    SwitchbackTableName: { Description: 'switchback state table', Value: { Ref: 'SwitchbackTable' } },
    AlarmTopicArn: {
      Description: 'Point CloudWatch alarms from other regions/accounts here (alarm actions)',
      Value: { Ref: 'AlarmTopic' },
    },
    AlertsTopicArn: {
      Description: "The controller's own alarms (heartbeat, self metrics); notify.sms numbers are subscribed",
      Value: { Ref: 'AlertsTopic' },
    },
  };
  const seen = new Map<string, string>();
  for (const service of config.services) {
    const stem = logicalStem(service.name);
    if (seen.has(stem))
      throw new DeploymentError(
        `services "${seen.get(stem)}" and "${service.name}" map to the same CloudFormation name ${stem}: rename one`,
      );
    seen.set(stem, service.name);
    if (service.dns.strategy !== 'health-check-flag') continue;
    Object.assign(resources, flagResources(service, config, context.stage));
    outputs[`${stem}FailoverFlagHealthCheckId`] = {
      Description: `Route 53 health check behind ${service.dns.recordName} (PRIMARY)`,
      Value: { Ref: flagLogicalIds(service).healthCheck },
    };
  }
  return { Resources: resources, Outputs: outputs };
}

/**
 * In a region that holds configured alarms: a rule on its default bus matching exactly those alarms'
 * state changes, whose target is the control region's default bus, through a role EventBridge
 * assumes that may only PutEvents on that bus (see shared/config/alarm-routing.ts for the sources).
 * More alarms than one event pattern holds: more rules (`AlarmForwarderRule2` …), one role.
 */
export function forwarderResources(config: SwitchbackConfig, context: DeploymentContext): GeneratedResources {
  const forwarder = alarmForwarders(config).find((candidate) => candidate.region === context.region);
  if (!forwarder) return { Resources: {}, Outputs: {} };
  const controlBus = { 'Fn::Sub': controlBusArnTemplate(config) };
  const resources: Record<string, unknown> = {
    AlarmForwarderRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `switchback ${context.stage}: EventBridge forwards alarm state changes from ${context.region} to ${config.controlRegion}`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: 'put-events-on-the-control-bus',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Sid: 'ForwardAlarms', Effect: 'Allow', Action: 'events:PutEvents', Resource: controlBus }],
            },
          },
        ],
      },
    },
  };
  const outputs: Record<string, unknown> = {};
  forwarderRules(forwarder, context.stage).forEach((rule, index) => {
    const logicalId = index === 0 ? 'AlarmForwarderRule' : `AlarmForwarderRule${index + 1}`;
    resources[logicalId] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: rule.name,
        Description: `switchback ${context.stage}: configured alarms in ${context.region} → the control region ${config.controlRegion}`,
        EventBusName: 'default',
        State: 'ENABLED',
        EventPattern: alarmEventPattern(rule.alarmArns.map((template) => ({ 'Fn::Sub': template }))),
        Targets: [{ Id: FORWARDER_TARGET_ID, Arn: controlBus, RoleArn: { 'Fn::GetAtt': ['AlarmForwarderRole', 'Arn'] } }],
      },
    };
    outputs[`${logicalId}Arn`] = {
      Description: `forwards configured alarms of ${context.region} to ${config.controlRegion}`,
      Value: { 'Fn::GetAtt': [logicalId, 'Arn'] },
    };
  });
  return { Resources: resources, Outputs: outputs };
}

export function buildResources(config: SwitchbackConfig, context: DeploymentContext): GeneratedResources {
  checkDeployment(config, context);
  const base =
    context.role === DEPLOY_ROLES.controller
      ? controllerResources(config, context)
      : context.role === DEPLOY_ROLES.probeOnly
        ? probeLocationResources(config, context)
        : forwarderResources(config, context);
  const healthCheckLogicalIds = Object.fromEntries(
    config.services
      .filter((service) => service.dns.strategy === 'health-check-flag')
      .map((service) => [service.name, flagLogicalIds(service).healthCheck]),
  );
  const policies = buildFunctionPolicies(config, {
    stage: context.stage,
    role: context.role,
    tableName: context.tableName,
    healthCheckLogicalIds,
  });
  for (const key of FUNCTION_KEYS) {
    const statements = policies[key];
    if (statements) Object.assign(base.Resources, roleResources(key, statements, context));
  }
  return base;
}
