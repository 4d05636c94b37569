/**
 * EventBridge in memory: one `default` event bus per region, rules with event patterns and targets
 * on it, and the delivery of AWS service events (CloudWatch alarm state changes) through them.
 *
 * What AWS does and the world does too:
 * - CloudWatch sends an alarm's state change to EventBridge in the alarm's own region only, on its
 *   default bus, with the alarm ARN in `resources`
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html,
 *   https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudwatch.html). A bus where no
 *   rule matches the event drops it: nothing else ever sees it.
 * - A rule matches with its event pattern (./event-pattern.ts) and sends to up to five targets
 *   (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html); a disabled
 *   rule matches nothing. An event pattern holds at most 2048 characters by default (an adjustable
 *   quota; the API's hard limit is 4096) and a bus at most 300 rules (100 in af-south-1 and
 *   eu-south-1) (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html,
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html).
 * - A Lambda target is invoked asynchronously (the function runs later, on Lambda's queue, with
 *   Lambda's async retries) and must be in the rule's region.
 * - An event bus in another Region is a target through a role EventBridge assumes; the role must be
 *   allowed events:PutEvents on that bus, else the event is not delivered. The forwarded event keeps
 *   its source, account, region and resources and is matched again by the rules on the receiving bus
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html,
 *   https://www.repost.aws/knowledge-center/eventbridge-centralized-bus-to-bus).
 * - An event that cannot be delivered is retried for retriable errors and finally dropped
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html). The world
 *   records a failed delivery at once (an access or configuration error does not heal by retrying).
 * - DescribeRule / ListTargetsByRule answer ResourceNotFoundException for a rule the bus does not hold
 *   (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeRule.html,
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html).
 *
 * Not modelled: custom buses, cross-account buses and bus policies, Lambda resource policies for
 * targets, schedules, input transformers, retry timing.
 */
import type { WorldContext } from './context';
import { InvalidEventPatternError, matchesEventPattern, validateEventPattern } from './event-pattern';
import { type ServiceModel, unsupportedOperation } from './model';

export const DEFAULT_EVENT_BUS = 'default';
const MAX_TARGETS_PER_RULE = 5;
/** The default "Event pattern size" quota (characters). */
export const EVENT_PATTERN_QUOTA_CHARS = 2048;
const MAX_EVENT_PATTERN_CHARS = 4096;
const RULES_PER_BUS_QUOTA: Record<string, number> = { 'af-south-1': 100, 'eu-south-1': 100 };
const DEFAULT_RULES_PER_BUS = 300;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)$/;

export interface RuleTargetView {
  id: string;
  arn: string;
  roleArn?: string;
}

export interface RuleView {
  region: string;
  name: string;
  arn: string;
  eventBusName: string;
  state: 'ENABLED' | 'DISABLED';
  eventPattern: string;
  description?: string;
  targets: RuleTargetView[];
}

/** What happened to an event on one bus: the rules that matched and each target's outcome. */
export interface BusDelivery {
  atEpochMs: number;
  eventId: string;
  /** The bus's region and account. */
  region: string;
  account: string;
  busArn: string;
  /** `aws.cloudwatch` put it there, or the ARN of the rule in another region that forwarded it. */
  from: string;
  matchedRules: string[];
  targets: Array<{ rule: string; targetId: string; arn: string; outcome: 'invoked' | 'forwarded' | 'failed'; error?: string }>;
}

export interface EventBridgeWorld {
  /** PutRule, as the API takes it (deploy-time code creates rules through this). */
  putRule(
    region: string,
    input: { Name: string; EventPattern: string; State?: string; Description?: string; EventBusName?: string },
  ): string;
  putTargets(region: string, input: { Rule: string; Targets: Array<{ Id: string; Arn: string; RoleArn?: string }> }): void;
  /**
   * An AWS service puts an event on the default bus of the event's own `region` and `account` (a
   * CloudWatch alarm state change); another account's bus holds none of this world's rules. Resolves once it was matched and handed to every target (a Lambda target runs later).
   */
  putServiceEvent(event: Record<string, unknown>): Promise<BusDelivery[]>;
  rules(region?: string): RuleView[];
  deliveries(): BusDelivery[];
}

export interface EventBridgeModelOptions {
  /** Invoke a function asynchronously (InvocationType Event) in `region`. */
  invokeAsync(region: string, functionArn: string, payload: unknown): Promise<void>;
  /** Whether a role may perform `action` on `resource` (the world's IAM). */
  roleAllows(roleArn: string, action: string, resource: string): Promise<boolean>;
}

interface StoredRule extends RuleView {
  pattern: Record<string, unknown>;
}

export function createEventBridgeModel(
  ctx: WorldContext,
  options: EventBridgeModelOptions,
): { model: ServiceModel; world: EventBridgeWorld } {
  /** `<region>|<name>` → rule (default bus only). */
  const rules = new Map<string, StoredRule>();
  const log: BusDelivery[] = [];
  const fail = (code: string, message: string) => ctx.error('eventBridge', code, message);
  const busArn = (region: string, name = DEFAULT_EVENT_BUS) => `arn:aws:events:${region}:${ctx.accountId}:event-bus/${name}`;
  const ruleArn = (region: string, name: string) => `arn:aws:events:${region}:${ctx.accountId}:rule/${name}`;

  function requireDefaultBus(eventBusName: unknown, region: string): void {
    if (eventBusName === undefined || eventBusName === DEFAULT_EVENT_BUS || eventBusName === busArn(region)) return;
    throw fail('ResourceNotFoundException', `Event bus ${String(eventBusName)} does not exist.`);
  }

  function findRule(region: string, name: unknown, eventBusName?: unknown): StoredRule {
    requireDefaultBus(eventBusName, region);
    if (typeof name !== 'string' || !RULE_NAME.test(name)) throw fail('ValidationException', `Rule name ${String(name)} is not valid.`);
    const rule = rules.get(`${region}|${name}`);
    if (!rule) throw fail('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${DEFAULT_EVENT_BUS}.`);
    return rule;
  }

  function putRule(region: string, input: Record<string, unknown>): string {
    const name = input.Name;
    if (typeof name !== 'string' || !RULE_NAME.test(name))
      throw fail('ValidationException', `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint`);
    requireDefaultBus(input.EventBusName, region);
    if (typeof input.EventPattern !== 'string')
      throw fail('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (input.EventPattern.length > MAX_EVENT_PATTERN_CHARS)
      throw fail(
        'ValidationException',
        `1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_EVENT_PATTERN_CHARS}`,
      );
    if (input.EventPattern.length > EVENT_PATTERN_QUOTA_CHARS)
      throw fail(
        'LimitExceededException',
        `The event pattern is ${input.EventPattern.length} characters: more than the account's event pattern size quota (${EVENT_PATTERN_QUOTA_CHARS})`,
      );
    let pattern: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(input.EventPattern);
      validateEventPattern(parsed);
      pattern = parsed as Record<string, unknown>;
    } catch (error) {
      const reason = error instanceof InvalidEventPatternError || error instanceof SyntaxError ? error.message : String(error);
      throw fail('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
    }
    const state = input.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw fail('ValidationException', `State ${String(state)} is not ENABLED or DISABLED`);
    const key = `${region}|${name}`;
    const existing = rules.get(key);
    const quota = RULES_PER_BUS_QUOTA[region] ?? DEFAULT_RULES_PER_BUS;
    if (!existing && [...rules.values()].filter((rule) => rule.region === region).length >= quota)
      throw fail(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed: ${quota} rules on the default bus of ${region}`,
      );
    rules.set(key, {
      region,
      name,
      arn: ruleArn(region, name),
      eventBusName: DEFAULT_EVENT_BUS,
      state,
      eventPattern: input.EventPattern,
      pattern,
      ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
      targets: existing?.targets ?? [],
    });
    return ruleArn(region, name);
  }

  function putTargets(region: string, input: Record<string, unknown>): void {
    const rule = findRule(region, input.Rule, input.EventBusName);
    const targets = Array.isArray(input.Targets) ? (input.Targets as Array<Record<string, unknown>>) : [];
    if (targets.length === 0) throw fail('ValidationException', 'Targets must hold at least one target');
    const next = [...rule.targets];
    for (const target of targets) {
      if (typeof target.Id !== 'string' || typeof target.Arn !== 'string')
        throw fail('ValidationException', 'every target needs an Id and an Arn');
      const view: RuleTargetView = {
        id: target.Id,
        arn: target.Arn,
        ...(typeof target.RoleArn === 'string' ? { roleArn: target.RoleArn } : {}),
      };
      const index = next.findIndex((candidate) => candidate.id === view.id);
      if (index >= 0) next[index] = view;
      else next.push(view);
    }
    if (next.length > MAX_TARGETS_PER_RULE)
      throw fail(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed: ${MAX_TARGETS_PER_RULE} targets per rule`,
      );
    rule.targets = next;
  }

  function view(rule: StoredRule): RuleView {
    const { pattern: _pattern, ...rest } = rule;
    return { ...rest, targets: rule.targets.map((target) => ({ ...target })) };
  }

  /** One target of a matched rule: invoke a function, or send the event on to another region's bus. */
  async function deliverToTarget(rule: StoredRule, target: RuleTargetView, event: Record<string, unknown>, forwarded: boolean) {
    const base = { rule: rule.name, targetId: target.id, arn: target.arn };
    const functionArn = FUNCTION_ARN.exec(target.arn);
    if (functionArn) {
      if (functionArn[1] !== rule.region)
        return { ...base, outcome: 'failed' as const, error: `a Lambda target must be in the rule's region ${rule.region}` };
      try {
        await options.invokeAsync(rule.region, target.arn, event);
        return { ...base, outcome: 'invoked' as const };
      } catch (error) {
        return { ...base, outcome: 'failed' as const, error: (error as Error).message };
      }
    }
    const bus = EVENT_BUS_ARN.exec(target.arn);
    if (!bus)
      return { ...base, outcome: 'failed' as const, error: `the world models Lambda and event bus targets only, not ${target.arn}` };
    const [, region, account, name] = bus;
    if (account !== ctx.accountId || name !== DEFAULT_EVENT_BUS)
      return {
        ...base,
        outcome: 'failed' as const,
        error: `event bus ${target.arn} does not exist in this world (default buses of ${ctx.accountId} only)`,
      };
    // A world safeguard against loops: an event that already crossed buses is not sent on again.
    if (forwarded)
      return { ...base, outcome: 'failed' as const, error: 'the event already came from another bus; it is not forwarded again' };
    if (!target.roleArn)
      return { ...base, outcome: 'failed' as const, error: `no RoleArn: EventBridge needs a role to send to the event bus ${target.arn}` };
    if (!(await options.roleAllows(target.roleArn, 'events:PutEvents', target.arn)))
      return {
        ...base,
        outcome: 'failed' as const,
        error: `${target.roleArn} is not authorized to perform events:PutEvents on ${target.arn}`,
      };
    await arriveOnBus(region, event, rule.arn);
    return { ...base, outcome: 'forwarded' as const };
  }

  /** The event on the default bus of `region` in `account` (the world holds rules of its own account only). */
  async function arriveOnBus(region: string, event: Record<string, unknown>, from: string, account = ctx.accountId): Promise<void> {
    const matched = [...rules.values()].filter(
      (rule) => account === ctx.accountId && rule.region === region && rule.state === 'ENABLED' && matchesEventPattern(rule.pattern, event),
    );
    const record: BusDelivery = {
      atEpochMs: ctx.now(),
      eventId: String(event.id ?? ''),
      region,
      account,
      busArn: `arn:aws:events:${region}:${account}:event-bus/${DEFAULT_EVENT_BUS}`,
      from,
      matchedRules: matched.map((rule) => rule.name),
      targets: [],
    };
    log.push(record);
    for (const rule of matched)
      for (const target of rule.targets)
        record.targets.push(await deliverToTarget(rule, target, structuredClone(event), from !== event.source));
  }

  const world: EventBridgeWorld = {
    putRule: (region, input) => putRule(region, input),
    putTargets: (region, input) => putTargets(region, input),
    async putServiceEvent(event) {
      const region = event.region;
      const source = event.source;
      if (typeof region !== 'string' || typeof source !== 'string' || !source.startsWith('aws.'))
        throw new Error('putServiceEvent: an AWS service event has a region and an aws.* source');
      // A service event goes to the bus of the account and region it happened in.
      const account = typeof event.account === 'string' ? event.account : ctx.accountId;
      const first = log.length;
      await arriveOnBus(region, structuredClone(event), source, account);
      return log.slice(first).map((record) => structuredClone(record));
    },
    rules: (region) => [...rules.values()].filter((rule) => region === undefined || rule.region === region).map(view),
    deliveries: () => log.map((record) => structuredClone(record)),
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      const request = input as Record<string, unknown>;
      switch (operation) {
        case 'PutRule':
          return { RuleArn: putRule(call.region, request) };
        case 'PutTargets':
          putTargets(call.region, request);
          return { FailedEntryCount: 0, FailedEntries: [] };
        case 'DescribeRule': {
          const rule = findRule(call.region, request.Name, request.EventBusName);
          return {
            Name: rule.name,
            Arn: rule.arn,
            EventPattern: rule.eventPattern,
            State: rule.state,
            EventBusName: rule.eventBusName,
            CreatedBy: ctx.accountId,
            ...(rule.description ? { Description: rule.description } : {}),
          };
        }
        case 'ListTargetsByRule': {
          const rule = findRule(call.region, request.Rule, request.EventBusName);
          return {
            Targets: rule.targets.map((target) => ({
              Id: target.id,
              Arn: target.arn,
              ...(target.roleArn ? { RoleArn: target.roleArn } : {}),
            })),
          };
        }
        case 'ListRules': {
          requireDefaultBus(request.EventBusName, call.region);
          const prefix = typeof request.NamePrefix === 'string' ? request.NamePrefix : '';
          return {
            Rules: [...rules.values()]
              .filter((rule) => rule.region === call.region && rule.name.startsWith(prefix))
              .map((rule) => ({
                Name: rule.name,
                Arn: rule.arn,
                EventPattern: rule.eventPattern,
                State: rule.state,
                EventBusName: rule.eventBusName,
              })),
          };
        }
        default:
          throw unsupportedOperation(ctx, 'eventBridge', operation);
      }
    },
  };

  return { model, world };
}
