/**
 * Fixed names of everything `serverless.yml` deploys. The functions receive these names in their
 * environment (no CloudFormation references), so `sls package` works offline and
 * `sls invoke local` sees the same values as Lambda.
 */

export const SERVICE_NAME = 'switchback';

export const FUNCTION_KEYS = ['probe', 'alarm', 'orchestrator', 'drill', 'status', 'control'] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

/** What one `sls deploy` puts in its region (the probe function reads its role from the same list). */
export { DEPLOY_ROLES, type DeployRole } from '../shared/app/deps';

/**
 * Custom metrics switchback publishes (namespace `switchback`); every one carries `Stage=<stage>`.
 * Its own health metrics (the heartbeat ProbeRoundsCompleted among them: EMF through Powertools,
 * dimensions service, Stage, Location, an alarm each) are listed in shared/self-metrics.ts.
 */
export const METRICS = {
  namespace: 'switchback',
  /** Dimension on every metric: one stage's heartbeat or flag never answers for another's. */
  stageDimension: 'Stage',
  /** PutMetricData for `dns.strategy: health-check-flag`, dimensions Stage, Service=<name>; 1 = on the secondary. */
  failoverFlag: { name: 'FailoverActive', dimension: 'Service' },
} as const;

/** Tag the EC2 adapter puts on instances it launches (`ec2.launchFromAmi`); IAM scopes later actions on them by it. */
export { RUN_TAG_KEY } from '../shared/actions/grants';

export function functionName(stage: string, key: FunctionKey): string {
  return `${SERVICE_NAME}-${stage}-${key}`;
}

export function tableName(stage: string): string {
  return `${SERVICE_NAME}-${stage}`;
}

/**
 * A probe-only location's own table, in its own region: its watch on the control region lives there
 * because it must be written while the control region is dark (shared/store/control-watch.ts).
 */
export function locationTableName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-location`;
}

/** Inbound: CloudWatch alarms from other regions/accounts publish here; the `alarm` function is subscribed. */
export function alarmTopicName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-alarms`;
}

/** Outbound: the controller's own alarms (heartbeat); every `notify.sms` number is subscribed. */
export function alertsTopicName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-alerts`;
}

/** The `alarm` function's on-failure destination: deliveries that failed every retry land here. */
export function alarmDeadLetterQueueName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-alarm-dlq`;
}

/** Each probe location's chain queue (in its own region): one message per probe round (shared/domain/probe-chain.ts). */
export function probeChainQueueName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-probe-chain`;
}

/** Chain links that failed `maxReceiveCount` times (a poison message) end here; the schedule seeds a new chain. */
export function probeChainDeadLetterQueueName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-probe-chain-dlq`;
}

export function heartbeatAlarmName(stage: string): string {
  return `${SERVICE_NAME}-${stage}-heartbeat`;
}

/** The alarm behind a health-check-flag service's PRIMARY record: one definition for deploy, engine, drill and world. */
export { flagAlarmName } from '../shared/aws/flag';

/** `web-api` → `WebApi`: the CloudFormation logical-id stem for a service. */
export function logicalStem(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

export function roleLogicalId(key: FunctionKey): string {
  return `${logicalStem(key)}Role`;
}
