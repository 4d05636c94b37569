/**
 * EventBridge adapter: read a rule on a region's default bus and its targets (the drill's check that
 * an alarm forwarder exists and sends to the control region's bus).
 * DescribeRule: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeRule.html
 * ListTargetsByRule (at most 100 per page): https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html
 */
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { alarmForwarderRuleName } from '../config/alarm-routing';
import { SwitchbackError } from '../errors';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import { callAws, getAwsErrorCode } from './errors';

export const eventBridgeClientFactory = sdkClientFactory(EventBridgeClient);

export interface RuleDescription {
  arn: string;
  state: string;
  /** The pattern as JSON text (as EventBridge returns it). */
  eventPattern?: string;
  targets: Array<{ id: string; arn: string; roleArn?: string }>;
}

export interface EventBridgeAdapter {
  /** The deployment stage the adapter reads rules of. */
  readonly stage: string;
  /** The name of this stage's `index`-th alarm forwarder rule of a region (the same in every region; 0: the only one, mostly). */
  forwarderRuleName(index?: number): string;
  /** A rule on the default bus of `region` with its targets; undefined when there is no such rule. */
  describeRule(region: string, ruleName: string): Promise<RuleDescription | undefined>;
}

export function createEventBridgeAdapter(clients: Pick<AwsClients, 'eventBridge'>, options: { stage: string }): EventBridgeAdapter {
  if (!options.stage) throw new SwitchbackError('createEventBridgeAdapter: a stage is required (rule names carry it)');
  async function describeRule(region: string, ruleName: string): Promise<RuleDescription | undefined> {
    const client = clients.eventBridge(region);
    const what = `rule ${ruleName} on the default bus of ${region}`;
    let rule;
    try {
      rule = await callAws('events:DescribeRule', what, () => client.send(new DescribeRuleCommand({ Name: ruleName })));
    } catch (error) {
      if (getAwsErrorCode(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    const targets: RuleDescription['targets'] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws('events:ListTargetsByRule', what, () =>
        client.send(new ListTargetsByRuleCommand({ Rule: ruleName, NextToken: nextToken })),
      );
      for (const target of page.Targets ?? [])
        targets.push({ id: target.Id ?? '', arn: target.Arn ?? '', ...(target.RoleArn ? { roleArn: target.RoleArn } : {}) });
      nextToken = page.NextToken;
    } while (nextToken);
    return { arn: rule.Arn ?? '', state: rule.State ?? '', ...(rule.EventPattern ? { eventPattern: rule.EventPattern } : {}), targets };
  }
  return { stage: options.stage, forwarderRuleName: (index = 0) => alarmForwarderRuleName(options.stage, index), describeRule };
}

/** What a function that carries the eventBridge adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const eventBridgeKit: AdapterKit<'eventBridge', EventBridgeAdapter> = {
  factory: eventBridgeClientFactory,
  adapter: createEventBridgeAdapter,
};
