import { join } from 'node:path';
import { loadConfigFile } from '../../../shared/config/load';
import { RUN_TAG_KEY as ADAPTER_RUN_TAG_KEY } from '../../../shared/aws/ec2';
import { FLAG_METRIC } from '../../../shared/aws/cloudwatch';
import {
  WILDCARD_RESOURCE_ACTIONS,
  buildFunctionPolicies,
  hookArn,
  toStatements,
  type IamContext,
  type PolicyStatement,
} from '../../../serverless/iam';
import { METRICS, RUN_TAG_KEY, type FunctionKey } from '../../../serverless/naming';
import { EXAMPLE_CONFIG_TEXT, configFrom, exampleConfig, fullConfig, PROBE_LOCATION_ACTIONS } from './fixtures';

const controller: IamContext = {
  stage: 'prod',
  role: 'controller',
  tableName: 'switchback-prod',
  healthCheckLogicalIds: { web: 'WebFailoverFlagHealthCheck' },
};

function grantsOf(statements: PolicyStatement[] | undefined): Array<{ action: string; resource: string; condition?: unknown }> {
  return (statements ?? []).flatMap((statement) =>
    statement.Action.flatMap((action) =>
      (statement.Resource === '*' ? ['*'] : statement.Resource).map((resource) => ({
        action,
        resource: typeof resource === 'string' ? resource : JSON.stringify(resource),
        ...(statement.Condition ? { condition: statement.Condition } : {}),
      })),
    ),
  );
}

function actionsOf(statements: PolicyStatement[] | undefined): string[] {
  return [...new Set((statements ?? []).flatMap((statement) => statement.Action))].sort();
}

const TABLE = JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:us-west-2:${AWS::AccountId}:table/switchback-prod' });

describe('least-privilege IAM from the example configuration', () => {
  const policies = buildFunctionPolicies(exampleConfig(), controller);

  it('gives each of the six functions its own statements, logging only to its own log group', () => {
    expect(Object.keys(policies).sort()).toEqual(['alarm', 'control', 'drill', 'orchestrator', 'probe', 'status']);
    for (const [key, statements] of Object.entries(policies) as Array<[FunctionKey, PolicyStatement[]]>) {
      const logs = grantsOf(statements).filter((grant) => grant.action.startsWith('logs:'));
      expect(logs.map((grant) => grant.action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const grant of logs) expect(grant.resource).toContain(`log-group:/aws/lambda/switchback-prod-${key}:*`);
      for (const statement of statements) expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it('lets the orchestrator UPSERT only the configured record, in the configured zone', () => {
    const change = grantsOf(policies.orchestrator).filter((grant) => grant.action === 'route53:ChangeResourceRecordSets');
    expect(change).toEqual([
      {
        action: 'route53:ChangeResourceRecordSets',
        resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/Z0123456789ABC' }),
        condition: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['app.example.com'],
            'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
            'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
          },
        },
      },
    ]);
    expect(grantsOf(policies.orchestrator)).toContainEqual({
      action: 'route53:GetChange',
      resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:route53:::change/*' }),
    });
  });

  it('scopes EC2 actions to the configured instance and Elastic IP in the secondary region', () => {
    const ec2 = grantsOf(policies.orchestrator).filter((grant) => grant.action.startsWith('ec2:') && grant.resource !== '*');
    const instance = JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2:${AWS::AccountId}:instance/i-0abc1234def567890' });
    expect(ec2).toEqual(
      expect.arrayContaining([
        { action: 'ec2:StartInstances', resource: instance },
        { action: 'ec2:StopInstances', resource: instance },
        { action: 'ec2:AssociateAddress', resource: instance },
        {
          action: 'ec2:AssociateAddress',
          resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2:${AWS::AccountId}:elastic-ip/eipalloc-0abc1234' }),
        },
        // AssociateAddress is also authorized on the instance's network interface, which no config names.
        {
          action: 'ec2:AssociateAddress',
          resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2:${AWS::AccountId}:network-interface/*' }),
        },
      ]),
    );
    expect(ec2).toHaveLength(5);
    expect(actionsOf(policies.probe).filter((action) => action.startsWith('ec2:'))).toEqual([]);
  });

  it('gives the drill the same EC2 grants as the orchestrator (a DryRun answers for the caller) and no DNS changes', () => {
    const ec2 = (statements: PolicyStatement[] | undefined) => grantsOf(statements).filter((grant) => grant.action.startsWith('ec2:'));
    expect(ec2(policies.drill)).toEqual(ec2(policies.orchestrator));
    expect(actionsOf(policies.drill)).toContain('route53:ListResourceRecordSets');
    expect(actionsOf(policies.drill)).not.toContain('route53:ChangeResourceRecordSets');
  });

  it('lets only the drill read the alarm forwarder rule, by its ARN in each alarm region', () => {
    const rule = JSON.stringify({
      'Fn::Sub': 'arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:rule/switchback-prod-alarm-forwarder',
    });
    const events = (statements: PolicyStatement[] | undefined) =>
      grantsOf(statements).filter((grant) => grant.action.startsWith('events:'));
    expect(events(policies.drill)).toEqual([
      { action: 'events:DescribeRule', resource: rule },
      { action: 'events:ListTargetsByRule', resource: rule },
    ]);
    for (const key of ['probe', 'alarm', 'orchestrator', 'status', 'control'] as const) expect(events(policies[key])).toEqual([]);
    // No alarm outside the control region, no forwarder to read.
    const local = exampleConfig();
    local.services[0].primary.alarms = local.services[0].primary.alarms.map((alarm) => ({ ...alarm, region: 'us-west-2' }));
    expect(events(buildFunctionPolicies(local, controller).drill)).toEqual([]);
  });

  it('gives status read access plus the first-state PutItem, and nothing else', () => {
    expect(actionsOf(policies.status)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    for (const grant of grantsOf(policies.status).filter((g) => g.action.startsWith('dynamodb:'))) expect(grant.resource).toBe(TABLE);
  });

  it('lets decision makers invoke only the orchestrator, and text the on-call numbers', () => {
    const orchestrator = JSON.stringify({
      'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-west-2:${AWS::AccountId}:function:switchback-prod-orchestrator',
    });
    for (const key of ['probe', 'alarm', 'control', 'drill', 'orchestrator'] as const) {
      expect(grantsOf(policies[key]).filter((grant) => grant.action === 'lambda:InvokeFunction')).toEqual([
        { action: 'lambda:InvokeFunction', resource: orchestrator },
      ]);
      expect(grantsOf(policies[key])).toContainEqual({ action: 'sns:Publish', resource: '*' });
    }
    expect(actionsOf(policies.status)).not.toContain('sns:Publish');
  });

  it('publishes no metric and touches no health check for record-swap services', () => {
    for (const statements of Object.values(policies)) {
      expect(actionsOf(statements)).not.toContain('cloudwatch:PutMetricData');
      expect(actionsOf(statements)).not.toContain('route53:GetHealthCheckStatus');
    }
  });
});

describe('least-privilege IAM from the full configuration', () => {
  const policies = buildFunctionPolicies(fullConfig(), controller);

  it('lets RunInstances use only the configured AMI, subnet, security group and key, and requires the run tag', () => {
    const run = grantsOf(policies.orchestrator).filter((grant) => grant.action === 'ec2:RunInstances');
    const at = (resource: string) => JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:ec2:us-west-2:\${AWS::AccountId}:${resource}` });
    expect(
      run
        .filter((grant) => !grant.condition)
        .map((grant) => grant.resource)
        .sort(),
    ).toEqual(
      [
        JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2::image/ami-0abc1234def567890' }),
        at('subnet/subnet-0abc1234'),
        at('security-group/sg-0abc1234'),
        at('key-pair/ops'),
        at('network-interface/*'),
        at('volume/*'),
      ].sort(),
    );
    expect(run.filter((grant) => grant.condition)).toEqual([
      { action: 'ec2:RunInstances', resource: at('instance/*'), condition: { Null: { 'aws:RequestTag/switchback:run': 'false' } } },
    ]);
    expect(grantsOf(policies.orchestrator).filter((grant) => grant.action === 'ec2:CreateTags')).toEqual([
      { action: 'ec2:CreateTags', resource: at('instance/*'), condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } } },
    ]);
    expect(grantsOf(policies.orchestrator).filter((grant) => grant.action === 'iam:PassRole')).toEqual([
      {
        action: 'iam:PassRole',
        resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' }),
        condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      },
    ]);
  });

  it('acts on a launched instance (a step reference) only through its run tag', () => {
    const tagged = { Null: { 'aws:ResourceTag/switchback:run': 'false' } };
    const onTagged = grantsOf(policies.orchestrator).filter((grant) => JSON.stringify(grant.condition) === JSON.stringify(tagged));
    expect(onTagged.map((grant) => grant.action).sort()).toEqual(['ec2:AssociateAddress', 'ec2:AttachVolume', 'ec2:StopInstances']);
    for (const grant of onTagged) expect(grant.resource).toContain('ec2:us-west-2:${AWS::AccountId}:instance/*');
    // The volume and the address are still named: only the instance is found by tag.
    expect(grantsOf(policies.orchestrator)).toContainEqual({
      action: 'ec2:AttachVolume',
      resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2:${AWS::AccountId}:volume/vol-0abc1234def567890' }),
    });
    // force: true may detach the volume from whichever instance holds it, but only that volume.
    const detach = grantsOf(policies.orchestrator)
      .filter((grant) => grant.action === 'ec2:DetachVolume')
      .map((grant) => grant.resource);
    expect(detach.sort()).toEqual(
      [
        JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2:${AWS::AccountId}:instance/*' }),
        JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-west-2:${AWS::AccountId}:volume/vol-0abc1234def567890' }),
      ].sort(),
    );
  });

  it('honours a step region over the site region', () => {
    expect(grantsOf(policies.orchestrator)).toContainEqual({
      action: 'ec2:StartInstances',
      resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:us-east-2:${AWS::AccountId}:instance/i-0123456789abcdef0' }),
    });
  });

  it('invokes lambda hooks by the ARN the config implies, failback checks from every decision maker', () => {
    const warm = JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-west-2:${AWS::AccountId}:function:warm-caches' });
    const lag = JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-east-2:123456789012:function:replication-lag' });
    const invoked = (key: FunctionKey) =>
      grantsOf(policies[key])
        .filter((grant) => grant.action === 'lambda:InvokeFunction')
        .map((grant) => grant.resource);
    expect(invoked('orchestrator')).toEqual(expect.arrayContaining([warm, lag]));
    for (const key of ['probe', 'alarm', 'control'] as const) {
      expect(invoked(key)).toContain(lag);
      expect(invoked(key)).not.toContain(warm);
    }
    // alarm-confirmed-by-probe: the alarm function asks the probe for an immediate round.
    expect(invoked('alarm')).toContain(
      JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-west-2:${AWS::AccountId}:function:switchback-prod-probe' }),
    );
  });

  it('switches health-check-flag DNS by metric only, and reads the alarm and health check it drives', () => {
    const orchestrator = grantsOf(policies.orchestrator);
    const publish = {
      action: 'cloudwatch:PutMetricData',
      resource: '*',
      condition: { StringEquals: { 'cloudwatch:namespace': 'switchback' } },
    };
    expect(orchestrator).toContainEqual(publish);
    // The controller's probe republishes the held flag every round.
    expect(grantsOf(policies.probe)).toContainEqual(publish);
    expect(orchestrator).toContainEqual({
      action: 'route53:GetHealthCheckStatus',
      resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:route53:::healthcheck/${WebFailoverFlagHealthCheck}' }),
    });
    const alarm = JSON.stringify({
      'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:us-west-2:${AWS::AccountId}:alarm:switchback-prod-web-failover-flag',
    });
    expect(orchestrator).toContainEqual({ action: 'cloudwatch:DescribeAlarms', resource: alarm });
    expect(grantsOf(policies.drill)).toContainEqual({ action: 'cloudwatch:DescribeAlarms', resource: alarm });
    // The drill reads the health check deploy created (does it follow the flag alarm?), and nothing else of Route 53's health checks.
    expect(grantsOf(policies.drill).filter((grant) => grant.action.startsWith('route53:GetHealthCheck'))).toEqual([
      {
        action: 'route53:GetHealthCheck',
        resource: JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:route53:::healthcheck/${WebFailoverFlagHealthCheck}' }),
      },
    ]);
    // Only the record-swap service's zone may be changed.
    const zones = orchestrator.filter((grant) => grant.action === 'route53:ChangeResourceRecordSets').map((grant) => grant.resource);
    expect(zones).toEqual([JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/Z0FEDCBA987654' })]);
  });

  it('grants "*" only for the documented actions, and never a wildcard action', () => {
    for (const statements of Object.values(policies)) {
      for (const statement of statements ?? []) {
        for (const action of statement.Action) expect(action).not.toContain('*');
        if (statement.Resource === '*')
          for (const action of statement.Action) expect(Object.keys(WILDCARD_RESOURCE_ACTIONS)).toContain(action);
      }
    }
  });
});

describe('record-swap grants', () => {
  it('one statement per zone and record type lists every record name of that type (200 services stay one statement)', () => {
    const base = exampleConfig();
    const service = base.services[0];
    const services = Array.from({ length: 200 }, (_, index) => ({
      ...service,
      name: `svc-${index}`,
      dns: { ...service.dns, strategy: 'record-swap' as const, recordName: `Svc-${index}.Example.com.`, type: 'A' as const },
    }));
    const policies = buildFunctionPolicies({ ...base, services }, controller);
    const changes = (policies.orchestrator ?? []).filter((statement) => statement.Action.includes('route53:ChangeResourceRecordSets'));
    expect(changes).toHaveLength(1);
    const condition = changes[0].Condition?.['ForAllValues:StringEquals'];
    expect(condition?.['route53:ChangeResourceRecordSetsNormalizedRecordNames']).toHaveLength(200);
    expect(condition?.['route53:ChangeResourceRecordSetsNormalizedRecordNames']).toContain('svc-7.example.com');
    expect(condition?.['route53:ChangeResourceRecordSetsRecordTypes']).toEqual(['A']);
    expect(condition?.['route53:ChangeResourceRecordSetsActions']).toEqual(['UPSERT']);
  });
});

describe('notify grants', () => {
  it('grants SNS by topic ARN only when there are no SMS numbers', () => {
    const topicOnly = configFrom(EXAMPLE_CONFIG_TEXT.replace('sms: ["+15555550100"]', 'sms: []').replace('# topicArn:', 'topicArn:'));
    const policies = buildFunctionPolicies(topicOnly, controller);
    expect(grantsOf(policies.probe).filter((grant) => grant.action === 'sns:Publish')).toEqual([
      { action: 'sns:Publish', resource: 'arn:aws:sns:us-west-2:123456789012:oncall' },
    ]);
  });
});

describe('probe locations', () => {
  it('let the probe write observations to the control region table, keep its watch in its own table and text, nothing else', () => {
    const policies = buildFunctionPolicies(fullConfig(), { ...controller, role: 'probe-only' });
    expect(Object.keys(policies)).toEqual(['probe']);
    expect(actionsOf(policies.probe)).toEqual(PROBE_LOCATION_ACTIONS);
    // Its own chain queue only (the event source mapping polls with the function's role).
    const CHAIN_QUEUE = { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:switchback-prod-probe-chain' };
    expect(
      grantsOf(policies.probe)
        .filter((grant) => grant.action.startsWith('sqs:'))
        .map((grant) => grant.resource),
    ).toEqual(Array(4).fill(JSON.stringify(CHAIN_QUEUE)));
    const LOCATION_TABLE = JSON.stringify({
      'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/switchback-prod-location',
    });
    const tables = grantsOf(policies.probe).filter((g) => g.action.startsWith('dynamodb:'));
    expect(tables.filter((grant) => grant.resource !== TABLE)).toEqual([
      { action: 'dynamodb:GetItem', resource: LOCATION_TABLE },
      { action: 'dynamodb:PutItem', resource: LOCATION_TABLE },
      { action: 'dynamodb:UpdateItem', resource: LOCATION_TABLE },
    ]);
    expect(
      tables
        .filter((grant) => grant.resource === TABLE)
        .map((grant) => grant.action)
        .sort(),
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    // Texts when the control region is dark: SMS has no resource ARN, so "*" (which covers the configured topic too).
    expect(
      grantsOf(policies.probe)
        .filter((g) => g.action === 'sns:Publish')
        .map((g) => g.resource),
    ).toEqual(['*']);
    // Logs go to the region the probe runs in.
    expect(grantsOf(policies.probe)[0].resource).toContain('logs:${AWS::Region}');
  });
});

describe('hookArn', () => {
  it('turns names, qualified names, partial ARNs and ARNs into the ARN to grant', () => {
    expect(hookArn('warm', 'us-west-2')).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-west-2:${AWS::AccountId}:function:warm' });
    expect(hookArn('warm:live', 'eu-west-1')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:lambda:eu-west-1:${AWS::AccountId}:function:warm:live',
    });
    expect(hookArn('210987654321:function:warm', 'us-east-2')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-east-2:210987654321:function:warm',
    });
    expect(hookArn('arn:aws:lambda:us-east-1:210987654321:function:warm', 'us-west-2')).toBe(
      'arn:aws:lambda:us-east-1:210987654321:function:warm',
    );
  });

  it('keeps ${ in user values literal inside Fn::Sub', () => {
    expect(hookArn('odd${name}', 'us-west-2')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-west-2:${AWS::AccountId}:function:odd${!name}',
    });
  });
});

describe('toStatements', () => {
  it('merges grants of one AWS service on the same resources, and drops resources a "*" grant makes redundant', () => {
    const statements = toStatements('Probe', [
      { action: 'dynamodb:GetItem', resource: 'arn:table' },
      { action: 'dynamodb:PutItem', resource: 'arn:table' },
      { action: 'sns:Publish', resource: 'arn:topic' },
      { action: 'sns:Publish', resource: '*' },
      { action: 'ec2:DescribeInstances', resource: '*' },
    ]);
    expect(statements).toEqual([
      { Sid: 'ProbeDynamodb1', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: ['arn:table'] },
      { Sid: 'ProbeSns1', Effect: 'Allow', Action: ['sns:Publish'], Resource: '*' },
      { Sid: 'ProbeEc21', Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: '*' },
    ]);
  });
});

describe('contracts with the adapters', () => {
  it('uses the run tag the EC2 adapter writes and the flag metric the CloudWatch adapter publishes', () => {
    expect(RUN_TAG_KEY).toBe(ADAPTER_RUN_TAG_KEY);
    expect({
      namespace: METRICS.namespace,
      metricName: METRICS.failoverFlag.name,
      stageDimensionName: METRICS.stageDimension,
      dimensionName: METRICS.failoverFlag.dimension,
    }).toEqual(FLAG_METRIC);
  });
});

describe('database and fleet steps (examples/whole-stack.yml)', () => {
  const config = loadConfigFile(join(__dirname, '../../../examples/whole-stack.yml'));
  const policies = buildFunctionPolicies(config, controller);
  const actionsOf = (key: FunctionKey) =>
    new Set(
      (policies[key] ?? [])
        .flatMap((statement) => statement.Action)
        .filter((action) => /^(rds|autoscaling|ecs|cloudwatch:Get)/.test(action)),
    );

  // The group and the service are the branches of the example's `scale-out` parallel group: granted as any step.
  it('the orchestrator may move the database, size the group and the service; probe and alarm may do none of it', () => {
    expect([...actionsOf('orchestrator')].sort()).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:UpdateAutoScalingGroup',
      'cloudwatch:GetMetricStatistics',
      'ecs:DescribeServices',
      'ecs:UpdateService',
      'rds:DescribeDBClusters',
      'rds:DescribeGlobalClusters',
      'rds:FailoverGlobalCluster',
      'rds:SwitchoverGlobalCluster',
    ]);
    expect([...actionsOf('probe')]).toEqual([]);
    expect([...actionsOf('alarm')]).toEqual([]);
  });

  it('the drill only reads what its dry-run checks (no failover, no scaling)', () => {
    expect([...actionsOf('drill')].sort()).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'cloudwatch:GetMetricStatistics',
      'ecs:DescribeServices',
      'rds:DescribeGlobalClusters',
    ]);
  });
});

describe('the drill asks IAM about the orchestrator role (launch chain)', () => {
  const policies = buildFunctionPolicies(
    loadConfigFile(join(__dirname, '..', '..', '..', 'scenarios', 'configs', 'launch.yml')),
    controller,
  );
  const ORCHESTRATOR_ROLE = JSON.stringify({
    'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/switchback-prod-orchestrator-us-west-2',
  });

  it('may simulate the orchestrator role and no other; no other function may simulate at all', () => {
    expect(grantsOf(policies.drill).filter((grant) => grant.action.startsWith('iam:Simulate'))).toEqual([
      { action: 'iam:SimulatePrincipalPolicy', resource: ORCHESTRATOR_ROLE },
    ]);
    for (const key of ['probe', 'alarm', 'orchestrator', 'status', 'control'] as const)
      expect(actionsOf(policies[key]).filter((action) => action.startsWith('iam:Simulate'))).toEqual([]);
  });

  it('holds RunInstances for its DryRun, but not what it only simulates (the steps on the launched instance)', () => {
    expect(actionsOf(policies.drill)).toContain('ec2:RunInstances');
    expect(actionsOf(policies.orchestrator)).toEqual(expect.arrayContaining(['ec2:AttachVolume', 'ec2:AssociateAddress']));
    expect(actionsOf(policies.drill)).not.toContain('ec2:AttachVolume');
    expect(actionsOf(policies.drill)).not.toContain('ec2:AssociateAddress');
  });
});
