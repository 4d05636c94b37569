import {
  DeploymentError,
  MAX_POLICIES_PER_ROLE,
  POLICY_BUDGET_CHARS,
  SCHEDULED_DRILL_INPUT,
  alarmEventPatterns,
  buildFunctions,
  buildResources,
  checkDeployment,
  chunkStatements,
  flagResources,
  type DeploymentContext,
  PATTERN_BUDGET_CHARS,
} from '../../../serverless/deployment';
import type { PolicyStatement } from '../../../serverless/iam';
import { EXAMPLE_CONFIG_TEXT, configFrom, exampleConfig, fullConfig, FULL_CONFIG_FORWARDER_PATTERN, PROD_CONTROLLER } from './fixtures';

const context = PROD_CONTROLLER;

describe('checkDeployment', () => {
  it('accepts the controller in controlRegion and a probe location listed in probeLocations', () => {
    expect(() => checkDeployment(fullConfig(), context)).not.toThrow();
    expect(() => checkDeployment(fullConfig(), { ...context, role: 'probe-only', region: 'eu-west-1' })).not.toThrow();
  });

  it('refuses a controller outside controlRegion, naming the probe-only alternative', () => {
    expect(() => checkDeployment(fullConfig(), { ...context, region: 'eu-west-1' })).toThrow(
      new DeploymentError(
        'the controller deploys to controlRegion us-west-2, not eu-west-1; for an extra probe location use --region eu-west-1 --param role=probe-only',
      ),
    );
  });

  it('refuses a probe location that would replace the controller stack or that quorum does not count', () => {
    expect(() => checkDeployment(fullConfig(), { ...context, role: 'probe-only' })).toThrow(/cannot deploy to controlRegion us-west-2/);
    expect(() => checkDeployment(fullConfig(), { ...context, role: 'probe-only', region: 'ap-south-1' })).toThrow(
      'ap-south-1 is not in probeLocations (us-west-2, eu-west-1, us-east-2): add it to switchback.yml so quorum counts it',
    );
  });

  it('refuses an unknown role', () => {
    expect(() => checkDeployment(fullConfig(), { ...context, role: 'probe' as never })).toThrow(
      '--param role=probe: must be controller or probe-only or alarm-forwarder',
    );
  });
});

describe('buildFunctions', () => {
  it('defines the six functions with their own roles, fixed names and triggers', () => {
    const functions = buildFunctions(exampleConfig(), context);
    expect(Object.keys(functions)).toEqual(['probe', 'alarm', 'orchestrator', 'drill', 'status', 'control']);
    expect(functions.probe).toMatchObject({
      name: 'switchback-prod-probe',
      handler: 'functions/probe.handler',
      role: 'ProbeRole',
      timeout: 70,
      memorySize: 256,
      maximumRetryAttempts: 0,
      events: [{ schedule: { rate: ['rate(1 minute)'] } }, { sqs: { arn: { 'Fn::GetAtt': ['ProbeChainQueue', 'Arn'] }, batchSize: 1 } }],
    });
    expect(functions.orchestrator).toMatchObject({ name: 'switchback-prod-orchestrator', timeout: 900, maximumRetryAttempts: 0 });
    expect(functions.orchestrator.events).toBeUndefined();
    expect(functions.drill.events).toEqual([{ schedule: { rate: ['cron(0 15 * * ? *)'], input: SCHEDULED_DRILL_INPUT } }]);
    expect(functions.alarm.events).toEqual([
      {
        eventBridge: {
          pattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change'],
            // By ARN: a same-named alarm in another region or account never matches.
            resources: [{ 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:us-east-1:${AWS::AccountId}:alarm:web-5xx-high' }],
            detail: { state: { value: ['ALARM', 'OK'] } },
          },
        },
      },
      { sns: { arn: { Ref: 'AlarmTopic' }, topicName: 'switchback-prod-alarms' } },
    ]);
    // Bounded async retries, then the dead-letter queue.
    expect(functions.alarm).toMatchObject({
      maximumRetryAttempts: 2,
      maximumEventAge: 600,
      destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['AlarmDeadLetterQueue', 'Arn'] } } },
    });
    expect(functions.status.events).toBeUndefined();
    expect(functions.control.events).toBeUndefined();
  });

  it('deploys only the probe at a probe location', () => {
    const functions = buildFunctions(fullConfig(), { ...context, role: 'probe-only', region: 'eu-west-1' });
    expect(Object.keys(functions)).toEqual(['probe']);
    expect(functions.probe.role).toBe('ProbeRole');
  });

  it('subscribes the alarm function to SNS only when no alarm name is configured', () => {
    const noAlarms = configFrom(EXAMPLE_CONFIG_TEXT.replace('      alarms: [web-5xx-high]\n', ''));
    expect(buildFunctions(noAlarms, context).alarm.events).toEqual([
      { sns: { arn: { Ref: 'AlarmTopic' }, topicName: 'switchback-prod-alarms' } },
    ]);
  });
});

describe('alarmEventPatterns', () => {
  it('splits many alarm names over several rules, each within the size budget, losing none', () => {
    const names = Array.from({ length: 120 }, (_, i) => `service-${i}-primary-5xx-rate-high`);
    const text = EXAMPLE_CONFIG_TEXT.replace('alarms: [web-5xx-high]', `alarms: [${names.join(', ')}]`);
    const patterns = alarmEventPatterns(configFrom(text));
    expect(patterns.length).toBeGreaterThan(1);
    for (const pattern of patterns) expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(1_500);
    const matched = patterns.flatMap((pattern) => (pattern.resources as Array<{ 'Fn::Sub': string }>).map((arn) => arn['Fn::Sub']));
    expect(matched.sort()).toEqual(
      names.map((name) => `arn:\${AWS::Partition}:cloudwatch:us-east-1:\${AWS::AccountId}:alarm:${name}`).sort(),
    );
  });
});

describe('flagResources', () => {
  it('builds alias records for alias targets and CNAME records for hostnames', () => {
    const text = EXAMPLE_CONFIG_TEXT.replace(
      'type: A, ttl: 30, strategy: record-swap',
      'type: alias, strategy: health-check-flag, setIdentifier: app',
    )
      .replace(
        'target: ["203.0.113.10"]',
        'target: { alias: { dnsName: primary-123.us-east-1.elb.amazonaws.com, hostedZoneId: Z35SXDOTRQ7X7K, evaluateTargetHealth: true } }',
      )
      .replace('target: ["198.51.100.20"]', 'target: { alias: { dnsName: d111111abcdef8.cloudfront.net, hostedZoneId: Z2FDTNDATAQYW2 } }');
    const config = configFrom(text);
    const resources = flagResources(config.services[0], config, 'prod') as Record<string, { Properties: Record<string, unknown> }>;
    expect(resources.WebPrimaryRecord.Properties).toEqual({
      HostedZoneId: 'Z0123456789ABC',
      Name: 'app.example.com',
      Type: 'A',
      SetIdentifier: 'app-primary',
      Failover: 'PRIMARY',
      HealthCheckId: { Ref: 'WebFailoverFlagHealthCheck' },
      AliasTarget: { DNSName: 'primary-123.us-east-1.elb.amazonaws.com', HostedZoneId: 'Z35SXDOTRQ7X7K', EvaluateTargetHealth: true },
    });
    expect(resources.WebSecondaryRecord.Properties.AliasTarget).toEqual({
      DNSName: 'd111111abcdef8.cloudfront.net',
      HostedZoneId: 'Z2FDTNDATAQYW2',
      EvaluateTargetHealth: false,
    });
    expect(resources.WebSecondaryRecord.Properties.TTL).toBeUndefined();

    const cname = configFrom(
      EXAMPLE_CONFIG_TEXT.replace('type: A, ttl: 30, strategy: record-swap', 'type: CNAME, ttl: 45, strategy: health-check-flag')
        .replace('target: ["203.0.113.10"]', 'target: primary.example.net')
        .replace('target: ["198.51.100.20"]', 'target: secondary.example.net'),
    );
    const cnameResources = flagResources(cname.services[0], cname, 'prod') as Record<string, { Properties: Record<string, unknown> }>;
    expect(cnameResources.WebSecondaryRecord.Properties).toMatchObject({
      Type: 'CNAME',
      TTL: '45',
      ResourceRecords: ['secondary.example.net'],
      SetIdentifier: 'web-secondary',
    });
  });

  it('names the alarm and its metric after the stage; Minimum makes a failback win its minute; no data keeps the last status', () => {
    const config = fullConfig();
    const resources = flagResources(config.services[0], config, 'prod') as Record<string, { Properties: Record<string, any> }>;
    expect(resources.WebFailoverFlagAlarm.Properties).toMatchObject({
      AlarmName: 'switchback-prod-web-failover-flag',
      Dimensions: [
        { Name: 'Stage', Value: 'prod' },
        { Name: 'Service', Value: 'web' },
      ],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(resources.WebFailoverFlagHealthCheck.Properties.HealthCheckConfig).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Name: 'switchback-prod-web-failover-flag', Region: 'us-west-2' },
      InsufficientDataHealthStatus: 'LastKnownStatus',
      Inverted: false,
    });
  });

  it('creates the health check after its alarm', () => {
    const config = fullConfig();
    const resources = flagResources(config.services[0], config, 'prod') as Record<string, { DependsOn?: string }>;
    expect(resources.WebFailoverFlagHealthCheck.DependsOn).toBe('WebFailoverFlagAlarm');
  });
});

describe('buildResources', () => {
  type Resources = Record<string, { Type: string; DeletionPolicy?: string; Properties: Record<string, any> }>;

  it('keeps the table when the stage asks for it, and names everything after the stage', () => {
    const { Resources, Outputs } = buildResources(exampleConfig(), context) as { Resources: Resources; Outputs: Record<string, unknown> };
    expect(Resources.SwitchbackTable.DeletionPolicy).toBe('Retain');
    expect(Resources.SwitchbackTable.Properties.TableName).toBe('switchback-prod');
    expect(Resources.AlarmTopic.Properties.TopicName).toBe('switchback-prod-alarms');
    expect(Resources.AlertsTopic.Properties.TopicName).toBe('switchback-prod-alerts');
    expect(Resources.HeartbeatAlarm.Properties.AlarmName).toBe('switchback-prod-heartbeat');
    expect(Object.keys(Outputs).sort()).toEqual(['AlarmTopicArn', 'AlertsTopicArn', 'SwitchbackTableName']);
  });

  it('attaches each role its generated managed policies', () => {
    const { Resources } = buildResources(exampleConfig(), context) as { Resources: Resources };
    expect(Resources.ProbeRole.Properties.ManagedPolicyArns).toEqual([{ Ref: 'ProbeRolePolicy1' }]);
    expect(Resources.ProbeRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(Resources.ProbeRolePolicy1.Type).toBe('AWS::IAM::ManagedPolicy');
  });

  it('names each role after its function and region, so the drill can name the orchestrator role to IAM', () => {
    const { Resources } = buildResources(exampleConfig(), context) as { Resources: Resources };
    expect(Resources.OrchestratorRole.Properties.RoleName).toBe('switchback-prod-orchestrator-us-west-2');
    expect(Resources.DrillRole.Properties.RoleName).toBe('switchback-prod-drill-us-west-2');
  });

  it('refuses a stage whose role names would pass the 64 characters IAM allows', () => {
    expect(() => buildResources(exampleConfig(), { ...context, stage: 'a-very-long-stage-name-for-testing' })).toThrow(
      /the IAM role name switchback-a-very-long-stage-name-for-testing-\w+-us-west-2 is longer than 64 characters: use a shorter stage name/,
    );
  });

  it('leaves a topic in another region out of the heartbeat actions (alarm actions are regional)', () => {
    const text = EXAMPLE_CONFIG_TEXT.replace('# topicArn: arn:aws:sns:us-west-2:', 'topicArn: arn:aws:sns:us-east-1:');
    const { Resources } = buildResources(configFrom(text), context) as { Resources: Resources };
    expect(Resources.HeartbeatAlarm.Properties.AlarmActions).toEqual([{ Ref: 'AlertsTopic' }]);
  });

  it('creates the probe role at a probe location, its own table, heartbeat and alerts topic (alarms watch their own region)', () => {
    const { Resources, Outputs } = buildResources(fullConfig(), { ...context, role: 'probe-only', region: 'eu-west-1' }) as {
      Resources: Resources;
      Outputs: Record<string, unknown>;
    };
    expect(Object.keys(Resources).sort()).toEqual([
      'AlertsSmsSubscription1',
      'AlertsSmsSubscription2',
      'AlertsTopic',
      'HeartbeatAlarm',
      'LocationTable',
      'NotificationFailuresAlarm',
      'ProbeChainDeadLetterQueue',
      'ProbeChainQueue',
      'ProbeRole',
      'ProbeRolePolicy1',
    ]);
    expect(Object.keys(Outputs)).toEqual(['AlertsTopicArn']);
    // Six times the probe's timeout, five receives before the dead-letter queue (Lambda's advice for SQS sources).
    expect(Resources.ProbeChainQueue).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'switchback-prod-probe-chain',
        VisibilityTimeout: 420,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['ProbeChainDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 },
      },
    });
    // Its watch on the control region lives in its own region (shared/store/control-watch.ts).
    expect(Resources.LocationTable).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'switchback-prod-location', BillingMode: 'PAY_PER_REQUEST' },
    });
  });

  it('refuses services whose names collide as CloudFormation ids', () => {
    const service = EXAMPLE_CONFIG_TEXT.slice(EXAMPLE_CONFIG_TEXT.indexOf('  - name: web'));
    const text = `${EXAMPLE_CONFIG_TEXT.replace('name: web', 'name: web1')}${service.replace('name: web', 'name: web-1')}`;
    expect(() => buildResources(configFrom(text), context)).toThrow(
      'services "web1" and "web-1" map to the same CloudFormation name Web1: rename one',
    );
  });

  it('spreads a large policy over several managed policies and refuses one that cannot fit', () => {
    const ids = (count: number) => Array.from({ length: count }, (_, i) => `i-${(0x10000000 + i).toString(16)}`);
    const many = (count: number) =>
      configFrom(
        EXAMPLE_CONFIG_TEXT.replace(
          'ec2.start: { instanceIds: [i-0abc1234def567890] }',
          `ec2.start: { instanceIds: [${ids(count).join(', ')}] }`,
        ),
      );
    const { Resources } = buildResources(many(150), context) as { Resources: Resources };
    const policies = Resources.OrchestratorRole.Properties.ManagedPolicyArns as unknown[];
    expect(policies.length).toBeGreaterThan(1);
    for (const [id, resource] of Object.entries(Resources)) {
      if (resource.Type === 'AWS::IAM::ManagedPolicy')
        expect({ id, chars: JSON.stringify(resource.Properties.PolicyDocument.Statement).length <= POLICY_BUDGET_CHARS }).toEqual({
          id,
          chars: true,
        });
    }
    expect(() => buildResources(many(1500), context)).toThrow(
      new RegExp(`needs \\d+ managed policies \\(at most ${MAX_POLICIES_PER_ROLE} per role\\)`),
    );
  });
});

describe('chunkStatements', () => {
  it('keeps every resource of a statement it splits', () => {
    const resources = Array.from(
      { length: 300 },
      (_, i) => `arn:aws:ec2:us-west-2:123456789012:instance/i-${i.toString(16).padStart(17, '0')}`,
    );
    const statement: PolicyStatement = { Sid: 'Big1', Effect: 'Allow', Action: ['ec2:StartInstances'], Resource: resources };
    const chunks = chunkStatements([statement], 2_000);
    const kept = chunks.flat().flatMap((s) => (s.Resource === '*' ? [] : s.Resource));
    expect(kept).toEqual(resources);
    for (const chunk of chunks) expect(JSON.stringify(chunk).length).toBeLessThanOrEqual(2_000);
    expect(new Set(chunks.flat().map((s) => s.Sid)).size).toBe(chunks.flat().length);
  });
});

describe('alarm forwarders', () => {
  const forwarderContext: DeploymentContext = { ...context, role: 'alarm-forwarder', region: 'us-east-1' };

  it('deploy only where configured alarms live outside the control region, and not over a probe location', () => {
    expect(() => checkDeployment(fullConfig(), forwarderContext)).not.toThrow();
    expect(() => checkDeployment(fullConfig(), { ...forwarderContext, region: 'ap-south-1' })).toThrow(
      'ap-south-1 holds no configured alarm outside controlRegion us-west-2: alarm forwarders are needed in us-east-1',
    );
    const alarmsInProbeRegion = configFrom(
      EXAMPLE_CONFIG_TEXT.replace('alarms: [web-5xx-high]', 'alarms: [{ name: web-5xx-high, region: eu-west-1 }]'),
    );
    expect(() =>
      checkDeployment({ ...alarmsInProbeRegion, probeLocations: ['us-west-2', 'eu-west-1'] }, { ...forwarderContext, region: 'eu-west-1' }),
    ).toThrow(/eu-west-1 is a probe location: deploy it with --param role=probe-only, which includes the alarm forwarder/);
    expect(buildFunctions(fullConfig(), forwarderContext)).toEqual({});
  });

  it('forward exactly the configured alarms of the region to the control bus, through a role that may only PutEvents there', () => {
    const { Resources } = buildResources(fullConfig(), forwarderContext) as { Resources: Record<string, any> };
    expect(Object.keys(Resources).sort()).toEqual(['AlarmForwarderRole', 'AlarmForwarderRule']);
    const rule = Resources.AlarmForwarderRule.Properties;
    expect(rule).toMatchObject({ Name: 'switchback-prod-alarm-forwarder', EventBusName: 'default', State: 'ENABLED' });
    expect(rule.EventPattern).toEqual(FULL_CONFIG_FORWARDER_PATTERN);
    const bus = { 'Fn::Sub': 'arn:${AWS::Partition}:events:us-west-2:${AWS::AccountId}:event-bus/default' };
    expect(rule.Targets).toEqual([{ Id: 'switchback-control-bus', Arn: bus, RoleArn: { 'Fn::GetAtt': ['AlarmForwarderRole', 'Arn'] } }]);
    const role = Resources.AlarmForwarderRole.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement)).toEqual([
      { Sid: 'ForwardAlarms', Effect: 'Allow', Action: 'events:PutEvents', Resource: bus },
    ]);
  });

  it('splits a region with more alarms than one event pattern holds over several forwarder rules, each within the quota', () => {
    const names = Array.from({ length: 60 }, (_, i) => `checkout-api-${String(i).padStart(2, '0')}-5xx-high`);
    const config = fullConfig();
    config.services[0].primary.alarms = names.map((name) => ({ name, region: 'us-east-1' }));
    const { Resources, Outputs } = buildResources(config, forwarderContext);
    const rules = Object.entries(Resources as Record<string, any>).filter(([, resource]) => resource.Type === 'AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(1);
    expect(rules.map(([id]) => id).slice(0, 2)).toEqual(['AlarmForwarderRule', 'AlarmForwarderRule2']);
    expect(rules.map(([, rule]) => rule.Properties.Name).slice(0, 2)).toEqual([
      'switchback-prod-alarm-forwarder',
      'switchback-prod-alarm-forwarder-2',
    ]);
    for (const [, rule] of rules) {
      expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(PATTERN_BUDGET_CHARS);
      expect(rule.Properties.Targets[0].RoleArn).toEqual({ 'Fn::GetAtt': ['AlarmForwarderRole', 'Arn'] });
    }
    const matched = rules.flatMap(([, rule]) =>
      rule.Properties.EventPattern.resources.map((arn: any) => arn['Fn::Sub'].replace(/^.*:alarm:/, '')),
    );
    expect([...matched].sort()).toEqual([...names, 'api-errors'].sort());
    expect(Object.keys(Outputs)).toEqual(expect.arrayContaining(['AlarmForwarderRuleArn', 'AlarmForwarderRule2Arn']));
  });

  it('a probe location that holds configured alarms carries the forwarder in its own stack', () => {
    const config = configFrom(EXAMPLE_CONFIG_TEXT.replace('alarms: [web-5xx-high]', 'alarms: [{ name: web-5xx-high, region: eu-west-1 }]'));
    const located = { ...config, probeLocations: ['us-west-2', 'eu-west-1'] };
    const { Resources } = buildResources(located, { ...context, role: 'probe-only', region: 'eu-west-1' }) as {
      Resources: Record<string, any>;
    };
    expect(Resources.AlarmForwarderRule.Properties.EventPattern.resources).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:web-5xx-high' },
    ]);
    expect(Resources.ProbeRole).toBeDefined();
  });

  it('the controller keeps failed deliveries in a dead-letter queue whose depth alarms the alerts topic', () => {
    const { Resources } = buildResources(exampleConfig(), context) as { Resources: Record<string, any> };
    expect(Resources.AlarmDeadLetterQueue.Properties.QueueName).toBe('switchback-prod-alarm-dlq');
    expect(Resources.AlarmDeadLetterAlarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'AlertsTopic' }],
    });
  });
});
