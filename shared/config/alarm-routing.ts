/**
 * How CloudWatch alarm state changes reach the `alarm` function, derived from switchback.yml. One
 * generator for the deployment (serverless/deployment.ts), the drill's dry-run check and the
 * simulated world, so the three cannot drift.
 *
 * A CloudWatch alarm's state-change event goes only to the default event bus of the alarm's own
 * region, and `resources` carries the alarm's ARN
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge).
 * So every region other than the control region that holds a configured alarm gets a forwarding
 * rule on its default bus whose target is the control region's default bus, through a role that
 * EventBridge assumes, allowed only events:PutEvents on that bus
 * (https://docs.amazonaws.cn/en_us/eventbridge/latest/userguide/eb-cross-region.html,
 * https://www.repost.aws/knowledge-center/eventbridge-centralized-bus-to-bus). A forwarded event
 * keeps its source, account, region and resources, so the control region's rule matches it by the
 * same alarm ARNs.
 *
 * ARNs are built as templates with `${AWS::Partition}` and, for alarms named without an ARN,
 * `${AWS::AccountId}`: CloudFormation resolves them with Fn::Sub; the drill and the world with
 * `resolveArnTemplate`.
 */
import type { AlarmRef, SwitchbackConfig } from './types';
import { chunkWhileFits } from '../chunks';

/**
 * The forwarding rule's name in every region that needs one (one per stage and region). A region
 * with more alarms than one pattern holds gets more rules: `…-alarm-forwarder-2`, `-3` (`index` 1, 2).
 */
export function alarmForwarderRuleName(stage: string, index = 0): string {
  return index === 0 ? `switchback-${stage}-alarm-forwarder` : `switchback-${stage}-alarm-forwarder-${index + 1}`;
}

/**
 * EventBridge's "Event pattern size" quota is 2048 characters by default
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). Patterns are measured
 * as templates (`${AWS::AccountId}` and `${AWS::Partition}` are longer than what they become), with
 * room to spare.
 */
export const PATTERN_BUDGET_CHARS = 1_500;

/** ARN templates split so that each rule's pattern (alarmEventPattern of the chunk) stays within PATTERN_BUDGET_CHARS. */
export function alarmPatternChunks(alarmArns: string[]): string[][] {
  const size = (arns: string[]) => JSON.stringify(alarmEventPattern(arns.map((template) => ({ 'Fn::Sub': template })))).length;
  return chunkWhileFits(alarmArns, (chunk) => size(chunk) <= PATTERN_BUDGET_CHARS);
}

/** The forwarder rules of one region: their names and the alarms each matches. */
export function forwarderRules(forwarder: AlarmForwarder, stage: string): Array<{ name: string; alarmArns: string[] }> {
  return alarmPatternChunks(forwarder.alarmArns).map((alarmArns, index) => ({ name: alarmForwarderRuleName(stage, index), alarmArns }));
}

/** The target id of the control bus on a forwarding rule. */
export const FORWARDER_TARGET_ID = 'switchback-control-bus';

export interface AlarmForwarder {
  /** The region whose default bus holds the rule. */
  region: string;
  /** The configured alarms in that region (ARN templates), what the rule matches. */
  alarmArns: string[];
}

/** The identity of an alarm in an event: account and region from its ARN (or the event), and its name. */
export interface AlarmIdentity {
  name: string;
  region?: string;
  account?: string;
}

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` → its identity; undefined for anything else. */
export function parseAlarmArn(arn: string): Required<AlarmIdentity> | undefined {
  const match = ALARM_ARN.exec(arn);
  return match ? { region: match[1], account: match[2], name: match[3] } : undefined;
}

/** CloudFormation Fn::Sub escapes a literal `${` as `${!`. */
function literal(value: string): string {
  return value.replace(/\$\{/g, '${!');
}

export function alarmArnTemplate(alarm: AlarmRef): string {
  return `arn:\${AWS::Partition}:cloudwatch:${alarm.region}:${alarm.account ?? '${AWS::AccountId}'}:alarm:${literal(alarm.name)}`;
}

/** The control region's default bus (ARN template): where every forwarder sends. */
export function controlBusArnTemplate(config: Pick<SwitchbackConfig, 'controlRegion'>): string {
  return `arn:\${AWS::Partition}:events:${config.controlRegion}:\${AWS::AccountId}:event-bus/default`;
}

/** What Fn::Sub would make of a template, for code that runs outside CloudFormation. */
export function resolveArnTemplate(template: string, values: { accountId: string; partition?: string }): string {
  return template
    .replace(/\$\{AWS::Partition\}/g, values.partition ?? 'aws')
    .replace(/\$\{AWS::AccountId\}/g, values.accountId)
    .replace(/\$\{!/g, '${');
}

/** The alarms whose state says "primary is down": what the control rule and the forwarders match. */
export function configuredAlarms(config: Pick<SwitchbackConfig, 'services'>): AlarmRef[] {
  const seen = new Map<string, AlarmRef>();
  for (const service of config.services) for (const alarm of service.primary.alarms) seen.set(alarmArnTemplate(alarm), alarm);
  return [...seen.values()].sort((a, b) => (alarmArnTemplate(a) < alarmArnTemplate(b) ? -1 : 1));
}

/** Every region other than the control region that holds a configured alarm, with the alarms to forward. */
export function alarmForwarders(config: Pick<SwitchbackConfig, 'services' | 'controlRegion'>): AlarmForwarder[] {
  const byRegion = new Map<string, string[]>();
  for (const alarm of configuredAlarms(config)) {
    if (alarm.region === config.controlRegion) continue;
    byRegion.set(alarm.region, [...(byRegion.get(alarm.region) ?? []), alarmArnTemplate(alarm)]);
  }
  return [...byRegion.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([region, alarmArns]) => ({ region, alarmArns }));
}

/** The event pattern of a rule that matches state changes of exactly these alarms (ALARM and OK: INSUFFICIENT_DATA never acts). */
export function alarmEventPattern(alarmArns: unknown[]): Record<string, unknown> {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    resources: alarmArns,
    detail: { state: { value: ['ALARM', 'OK'] } },
  };
}

/**
 * Whether an alarm in an event is the configured one: same name, same region, and the same account
 * (an alarm named without an ARN is in `ownAccount`, the account the controller runs in; unknown
 * outside Lambda, then any account matches).
 */
export function isConfiguredAlarm(configured: AlarmRef, seen: AlarmIdentity, ownAccount?: string): boolean {
  if (configured.name !== seen.name || configured.region !== seen.region) return false;
  const account = configured.account ?? ownAccount;
  return account === undefined || seen.account === account;
}

/** How a configured alarm is shown to people: its name, with the region when it is not the site's. */
export function describeAlarm(alarm: AlarmRef): string {
  return alarm.account ? `${alarm.name} (${alarm.region}, account ${alarm.account})` : `${alarm.name} (${alarm.region})`;
}

/** What DescribeRule and ListTargetsByRule tell about a forwarder rule (see shared/aws/eventbridge.ts). */
export interface ObservedForwarderRule {
  arn: string;
  state: string;
  eventPattern?: string;
  targets: Array<{ id: string; arn: string; roleArn?: string }>;
}

export interface ForwarderExpectation {
  region: string;
  ruleName: string;
  stage: string;
  controlRegion: string;
  /** ARN templates of the configured alarms in `region` (AlarmForwarder.alarmArns). */
  alarmArns: string[];
  /** The region is a probe location: its forwarder lives in the probe-only stack. */
  probeLocation: boolean;
}

const RULE_ARN = /^arn:(aws[a-z-]*):events:[a-z0-9-]+:(\d{12}):rule\//;

/**
 * The drill's verdict on one region's forwarder, from what EventBridge answers: the rule exists, is
 * enabled, sends to the control region's default bus, and matches every configured alarm of the
 * region (a forwarder deployed before an alarm was added does not). The account and partition come
 * from the rule's own ARN.
 */
export function assessAlarmForwarder(
  expected: ForwarderExpectation,
  rule: ObservedForwarderRule | undefined,
): { ok: boolean; detail: string } {
  const names = expected.alarmArns.map((template) => resolveArnTemplate(template, { accountId: '' }).replace(/^.*:alarm:/, ''));
  const deploy = `sls deploy --stage ${expected.stage} --region ${expected.region} --param role=${expected.probeLocation ? 'probe-only' : 'alarm-forwarder'}`;
  if (!rule)
    return {
      ok: false,
      detail: `no rule ${expected.ruleName} on the default bus of ${expected.region}: state changes of ${names.join(', ')} stay in ${expected.region} and never reach the controller; deploy it: ${deploy}`,
    };
  const owner = RULE_ARN.exec(rule.arn);
  if (!owner) return { ok: false, detail: `${expected.ruleName} in ${expected.region} has an unexpected ARN ${rule.arn}` };
  const values = { partition: owner[1], accountId: owner[2] };
  const controlBus = resolveArnTemplate(controlBusArnTemplate({ controlRegion: expected.controlRegion }), values);
  const problems: string[] = [];
  if (rule.state !== 'ENABLED') problems.push(`it is ${rule.state || 'not enabled'}`);
  if (!rule.targets.some((target) => target.arn === controlBus))
    problems.push(
      `it sends to ${rule.targets.map((target) => target.arn).join(', ') || 'no target'}, not the control region's bus ${controlBus}`,
    );
  let pattern: { resources?: unknown } | undefined;
  try {
    pattern = rule.eventPattern ? (JSON.parse(rule.eventPattern) as { resources?: unknown }) : undefined;
  } catch {
    problems.push('its event pattern is not JSON');
  }
  const matched = Array.isArray(pattern?.resources) ? (pattern.resources as unknown[]) : undefined;
  const unmatched = matched ? expected.alarmArns.filter((template) => !matched.includes(resolveArnTemplate(template, values))) : [];
  if (pattern && !matched) problems.push('its event pattern does not name the alarms (resources)');
  if (unmatched.length > 0)
    problems.push(
      `it does not match ${unmatched.map((template) => resolveArnTemplate(template, values).replace(/^.*:alarm:/, '')).join(', ')} (deploy the forwarder again after changing alarms: ${deploy})`,
    );
  if (problems.length > 0) return { ok: false, detail: `${expected.ruleName} in ${expected.region}: ${problems.join('; ')}` };
  return {
    ok: true,
    detail: `${expected.ruleName} in ${expected.region} sends ${names.join(', ')} to the control region's bus ${controlBus}`,
  };
}
