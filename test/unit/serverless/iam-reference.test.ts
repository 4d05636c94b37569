import { join } from 'node:path';
import { buildFunctionPolicies } from '../../../serverless/iam';
import { loadConfigFile } from '../../../shared/config/load';
import type { SwitchbackConfig } from '../../../shared/config/types';
import { arnCanMatchFormat, iamReferenceProblems, type PolicyStatement } from '../../support/iam-reference';
import { exampleConfig, fullConfig } from './fixtures';

const check = (statement: PolicyStatement) => iamReferenceProblems([{ where: 'Policy', statement }]);

describe('iamReferenceProblems: policy statements against the Service Authorization Reference', () => {
  it('finds nothing in grants written the way AWS documents them', async () => {
    expect(
      await iamReferenceProblems([
        {
          where: 'Logs',
          statement: {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [
              { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/switchback-prod-probe:*' },
            ],
          },
        },
        {
          where: 'Start',
          statement: {
            Action: 'ec2:StartInstances',
            Resource: 'arn:aws:ec2:us-west-2:123456789012:instance/i-0abc1234def567890',
            Condition: { StringEquals: { 'aws:ResourceTag/switchback:run': 'x', 'ec2:ResourceTag/role': 'standby' } },
          },
        },
        {
          where: 'Dns',
          statement: {
            Action: 'route53:ChangeResourceRecordSets',
            Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/Z0123456789ABC' },
            Condition: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['app.example.com'] } },
          },
        },
        { where: 'Describe', statement: { Action: 'ec2:DescribeInstances', Resource: '*' } },
      ]),
    ).toEqual([]);
  });

  it('finds an action the service does not have', async () => {
    expect(await check({ Action: 'ec2:StartInstance', Resource: '*' })).toEqual(['Policy: ec2:StartInstance is not an action of ec2']);
  });

  it('finds a resource ARN that no resource type of the action can have', async () => {
    const [problem, ...rest] = await check({
      Action: 'ec2:StartInstances',
      Resource: 'arn:aws:ec2:us-west-2:123456789012:instances/i-0abc1234',
    });
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^Policy: ec2:StartInstances on arn:aws:ec2:us-west-2:123456789012:instances\/i-0abc1234: no resource type of the action has such an ARN \(.*:instance\/\$\{InstanceId\}/,
    );
  });

  it('finds a condition key the action does not take', async () => {
    expect(
      await check({
        Action: 'route53:ChangeResourceRecordSets',
        Resource: 'arn:aws:route53:::hostedzone/Z0123456789ABC',
        Condition: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordName': ['app.example.com'] } },
      }),
    ).toEqual([
      'Policy: route53:ChangeResourceRecordSets takes no condition key route53:ChangeResourceRecordSetsNormalizedRecordName (ForAllValues:StringEquals)',
    ]);
    expect(
      await check({
        Action: 'sns:Publish',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-west-2', 'aws:Nope': 'x' } },
      }),
    ).toEqual(['Policy: sns:Publish takes no condition key aws:Nope (StringEquals)']);
  });
});

describe('arnCanMatchFormat: IAM wildcards against an ARN format', () => {
  it('lets * span colons and slashes, as IAM does', () => {
    const logStream = 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}';
    expect(arnCanMatchFormat('arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/fn:*', logStream)).toBe(true);
    expect(arnCanMatchFormat('arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/fn', logStream)).toBe(false);
    expect(arnCanMatchFormat('arn:aws:ec2:*:*:instance/*', 'arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}')).toBe(true);
    expect(arnCanMatchFormat('arn:aws:ec2:*:*:volume/*', 'arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}')).toBe(false);
  });
});

describe('the policies switchback generates, for every configuration it ships', () => {
  // Every step action's grants appear in one of these (the whole-stack example has the RDS, Auto
  // Scaling and ECS steps, promote.yml the read-replica promotion, the full fixture hooks and launches).
  const ROOT = join(__dirname, '..', '..', '..');
  const configs: Array<[string, () => SwitchbackConfig]> = [
    ['switchback.example.yml', exampleConfig],
    ['the full fixture', fullConfig],
    ...['examples/whole-stack.yml', 'scenarios/configs/global-db.yml', 'scenarios/configs/promote.yml', 'scenarios/configs/launch.yml'].map(
      (file): [string, () => SwitchbackConfig] => [file, () => loadConfigFile(join(ROOT, file))],
    ),
  ];

  const policiesOf = (config: SwitchbackConfig) =>
    buildFunctionPolicies(config, { stage: 'prod', role: 'controller', tableName: 'switchback-prod', healthCheckLogicalIds: {} });

  it('between them grant what every step action calls', () => {
    const actions = new Set(
      configs.flatMap(([, config]) =>
        Object.values(policiesOf(config())).flatMap((list) => (list ?? []).flatMap((statement) => statement.Action)),
      ),
    );
    for (const action of [
      'ec2:RunInstances',
      'ec2:AttachVolume',
      'ec2:AssociateAddress',
      'rds:PromoteReadReplica',
      'rds:FailoverGlobalCluster',
      'rds:SwitchoverGlobalCluster',
      'autoscaling:UpdateAutoScalingGroup',
      'ecs:UpdateService',
      'lambda:InvokeFunction',
      'route53:ChangeResourceRecordSets',
    ])
      expect({ action, granted: actions.has(action) }).toEqual({ action, granted: true });
  });

  it.each(configs)('%s: every action, resource ARN and condition key of every function is in the reference', async (_name, config) => {
    const statements = Object.entries(policiesOf(config())).flatMap(([key, list]) =>
      (list ?? []).map((statement) => ({ where: key, statement })),
    );
    expect(statements.length).toBeGreaterThan(10);
    expect(await iamReferenceProblems(statements)).toEqual([]);
  });
});
