/**
 * EventBridge in the world: the rules deploy generates (sim/event-routing.ts), alarm events that
 * stay on their own region's bus unless a forwarder carries them, the forwarder's role checked by
 * IAM, and the API answers of the real SDK client (DescribeRule, ListTargetsByRule, PutRule, PutTargets).
 */
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { join } from 'node:path';
import { alarmEventFor } from '../../../../sim/runner';
import { loadScenarioFile } from '../../../../sim/scenario';
import { alarmRuleName, deployAlarmRouting, describeAlarmRoute, forwarderRoleArn } from '../../../../sim/event-routing';
import { EVENT_PATTERN_QUOTA_CHARS } from '../../../../sim/world/eventbridge';
import { createTestWorld, rejectionOf } from './world-test-kit';

const SUITE = join(__dirname, '..', '..', '..', '..', 'scenarios', 'suite');
const config = loadScenarioFile(join(SUITE, 'alarm-same-name-elsewhere.yml')).config; // control us-west-2, alarm in us-east-1
const ACCOUNT = '123456789012';

function setup(missingForwarderRegions: string[] = []) {
  const kit = createTestWorld();
  const received: unknown[] = [];
  kit.world.lambda.register('switchback-sim-alarm', (payload) => received.push(payload));
  const deployed = deployAlarmRouting(config, kit.world, { stage: 'sim', accountId: ACCOUNT, missingForwarderRegions });
  return { ...kit, received, deployed };
}

const alarm = (state = 'ALARM', region?: string) =>
  alarmEventFor(config, 'web-5xx-high', state, Date.UTC(2026, 0, 15, 12, 0, 0), 'eventbridge', region ? { region } : {}) as Record<
    string,
    unknown
  >;

describe('EventBridge world: alarm routing as deployed', () => {
  test('deploy creates the alarm rule in the control region and the forwarder in the alarm region, as generated', async () => {
    const { deployed, clients } = setup();
    expect(deployed.rules).toEqual(['us-west-2/switchback-sim-alarm-rule-1', 'us-east-1/switchback-sim-alarm-forwarder']);
    const rule = await clients.eventBridge('us-east-1').send(new DescribeRuleCommand({ Name: 'switchback-sim-alarm-forwarder' }));
    expect(rule).toMatchObject({ Arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/switchback-sim-alarm-forwarder`, State: 'ENABLED' });
    expect(JSON.parse(rule.EventPattern as string).resources).toEqual([`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:web-5xx-high`]);
    const targets = await clients.eventBridge('us-east-1').send(new ListTargetsByRuleCommand({ Rule: 'switchback-sim-alarm-forwarder' }));
    expect(targets.Targets).toEqual([
      {
        Id: 'switchback-control-bus',
        Arn: `arn:aws:events:us-west-2:${ACCOUNT}:event-bus/default`,
        RoleArn: forwarderRoleArn(ACCOUNT, 'sim', 'us-east-1'),
      },
    ]);
  });

  test('an alarm in the primary region reaches the alarm function only through the forwarder, unchanged', async () => {
    const { world, received } = setup();
    const event = alarm();
    const deliveries = await world.eventBridge.putServiceEvent(event);
    expect(
      deliveries.map((delivery) => [delivery.region, delivery.matchedRules, delivery.targets.map((target) => target.outcome)]),
    ).toEqual([
      ['us-east-1', ['switchback-sim-alarm-forwarder'], ['forwarded']],
      ['us-west-2', [alarmRuleName('sim', 0)], ['invoked']],
    ]);
    expect(describeAlarmRoute(deliveries, ACCOUNT)).toEqual({
      delivered: true,
      route:
        'default bus of us-east-1 → rule switchback-sim-alarm-forwarder → default bus of us-west-2 → rule switchback-sim-alarm-rule-1 → function switchback-sim-alarm',
    });
    await Promise.resolve();
    // Event (asynchronous) invocation in the control region, with the event as CloudWatch sent it.
    expect(world.lambda.invocations()).toEqual([
      expect.objectContaining({ name: 'switchback-sim-alarm', region: 'us-west-2', invocationType: 'Event' }),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([event]);
  });

  test('without the forwarder stack the alarm stays on its own bus and is lost', async () => {
    const { world } = setup(['us-east-1']);
    const deliveries = await world.eventBridge.putServiceEvent(alarm());
    expect(deliveries).toEqual([expect.objectContaining({ region: 'us-east-1', matchedRules: [], targets: [] })]);
    expect(describeAlarmRoute(deliveries, ACCOUNT)).toMatchObject({
      delivered: false,
      reason: 'no rule on the default bus of us-east-1 matches it',
    });
    expect(world.lambda.invocations()).toEqual([]);
  });

  test('a forwarder role that may not PutEvents on the control bus delivers nothing', async () => {
    const { world } = setup();
    world.iam.putRolePolicy(forwarderRoleArn(ACCOUNT, 'sim', 'us-east-1'), 'put-events-on-the-control-bus', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default` }],
    });
    const deliveries = await world.eventBridge.putServiceEvent(alarm());
    expect(describeAlarmRoute(deliveries, ACCOUNT)).toEqual({
      delivered: false,
      route: 'default bus of us-east-1',
      reason: `rule switchback-sim-alarm-forwarder could not deliver to arn:aws:events:us-west-2:${ACCOUNT}:event-bus/default: ${forwarderRoleArn(ACCOUNT, 'sim', 'us-east-1')} is not authorized to perform events:PutEvents on arn:aws:events:us-west-2:${ACCOUNT}:event-bus/default`,
    });
    expect(world.lambda.invocations()).toEqual([]);
  });

  test('INSUFFICIENT_DATA and a same-named alarm of another region match no rule', async () => {
    const { world } = setup();
    expect((await world.eventBridge.putServiceEvent(alarm('INSUFFICIENT_DATA')))[0].matchedRules).toEqual([]);
    expect(await world.eventBridge.putServiceEvent(alarm('ALARM', 'eu-west-1'))).toEqual([
      expect.objectContaining({ region: 'eu-west-1', matchedRules: [] }),
    ]);
    expect(world.lambda.invocations()).toEqual([]);
  });

  test('a region with many alarms gets as many forwarder rules as the pattern size quota needs, and every alarm is forwarded', async () => {
    const many = structuredClone(config);
    const names = Array.from({ length: 60 }, (_, i) => `checkout-api-${String(i).padStart(2, '0')}-5xx-high`);
    many.services[0].primary.alarms = names.map((name) => ({ name, region: 'us-east-1' }));
    const kit = createTestWorld();
    kit.world.lambda.register('switchback-sim-alarm', () => undefined);
    const deployed = deployAlarmRouting(many, kit.world, { stage: 'sim', accountId: ACCOUNT });
    const forwarders = deployed.rules.filter((rule) => rule.startsWith('us-east-1/'));
    expect(forwarders.length).toBeGreaterThan(1);
    expect(forwarders[0]).toBe('us-east-1/switchback-sim-alarm-forwarder');
    expect(forwarders[1]).toBe('us-east-1/switchback-sim-alarm-forwarder-2');
    for (const rule of kit.world.eventBridge.rules()) expect(rule.eventPattern.length).toBeLessThanOrEqual(EVENT_PATTERN_QUOTA_CHARS);
    for (const name of [names[0], names[59]]) {
      const event = alarmEventFor(many, name, 'ALARM', Date.UTC(2026, 0, 15, 12, 0, 0), 'eventbridge') as Record<string, unknown>;
      expect(describeAlarmRoute(await kit.world.eventBridge.putServiceEvent(event), ACCOUNT).delivered).toBe(true);
    }
  });

  test('deploy refuses to leave out a region that needs no forwarder', () => {
    expect(() => setup(['eu-west-1'])).toThrow('eu-west-1 needs no alarm forwarder (regions that do: us-east-1)');
  });
});

describe('EventBridge world: API answers', () => {
  test('at most 300 rules on a bus', async () => {
    const { world } = setup();
    for (let i = 0; i < 300; i++) world.eventBridge.putRule('ap-south-1', { Name: `r${i}`, EventPattern: '{"source":["aws.ec2"]}' });
    world.eventBridge.putRule('ap-south-1', { Name: 'r0', EventPattern: '{"source":["aws.s3"]}' }); // an update is no new rule
    expect(() => world.eventBridge.putRule('ap-south-1', { Name: 'r300', EventPattern: '{"source":["aws.ec2"]}' })).toThrow(/300 rules/);
  });

  test('a rule the bus does not hold, a custom bus, an oversize pattern, a sixth target', async () => {
    const { clients } = setup();
    const events = clients.eventBridge('eu-west-1');
    const missing = await rejectionOf(events.send(new DescribeRuleCommand({ Name: 'switchback-sim-alarm-forwarder' })));
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule switchback-sim-alarm-forwarder does not exist on EventBus default.',
    });
    expect(await rejectionOf(events.send(new ListTargetsByRuleCommand({ Rule: 'nope' })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await rejectionOf(events.send(new DescribeRuleCommand({ Name: 'r', EventBusName: 'orders' })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const huge = JSON.stringify({
      resources: Array.from({ length: 80 }, (_, i) => `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:alarm-${i}`),
    });
    expect(huge.length).toBeGreaterThan(4096);
    expect(await rejectionOf(events.send(new PutRuleCommand({ Name: 'big', EventPattern: huge })))).toMatchObject({
      name: 'ValidationException',
    });
    expect(await rejectionOf(events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"aws.cloudwatch"}' })))).toMatchObject({
      name: 'InvalidEventPatternException',
    });
    await events.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["aws.cloudwatch"]}' }));
    const targets = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f${i}` }));
    expect(await rejectionOf(events.send(new PutTargetsCommand({ Rule: 'r', Targets: targets })))).toMatchObject({
      name: 'LimitExceededException',
    });
  });
});
