/** Plan lines and IAM grants of the database and fleet actions: scoped to the resources the params name. */
import { autoscalingSetCapacity } from '../../../shared/actions/autoscaling-set-capacity';
import { ecsSetDesiredCount } from '../../../shared/actions/ecs-set-desired-count';
import { rdsFailoverGlobalCluster } from '../../../shared/actions/rds-failover-global-cluster';
import { rdsSwitchoverGlobalCluster } from '../../../shared/actions/rds-switchover-global-cluster';
import { buildConfig } from '../../support/config-builder';

const service = buildConfig().services[0];
const context = { region: 'us-west-2', controlRegion: 'us-west-2' };
const WEST = 'arn:aws:rds:us-west-2:123456789012:cluster:app-west';

describe('database and fleet actions', () => {
  it('rds.failoverGlobalCluster: plan line, and grants on the target cluster and the (region-less) global cluster', () => {
    const params = rdsFailoverGlobalCluster.parseParams({ globalClusterIdentifier: 'app-global', targetDbClusterArn: WEST });
    expect(params.allowDataLoss).toBe(false);
    expect(rdsFailoverGlobalCluster.describe(params, service)).toBe(
      'make app-west the writer of global database app-global in us-west-2 (switchover only: no data loss)',
    );
    expect(rdsFailoverGlobalCluster.grants(params, context)).toEqual([
      { action: 'rds:FailoverGlobalCluster', resource: { 'Fn::Sub': WEST } },
      {
        action: 'rds:FailoverGlobalCluster',
        resource: { 'Fn::Sub': 'arn:${AWS::Partition}:rds::${AWS::AccountId}:global-cluster:app-global' },
      },
      {
        action: 'rds:DescribeGlobalClusters',
        resource: { 'Fn::Sub': 'arn:${AWS::Partition}:rds::${AWS::AccountId}:global-cluster:app-global' },
      },
      { action: 'rds:DescribeDBClusters', resource: { 'Fn::Sub': 'arn:${AWS::Partition}:rds:*:${AWS::AccountId}:cluster:*' } },
      { action: 'cloudwatch:GetMetricStatistics', resource: '*' },
    ]);
  });

  it('rds params: a cluster name instead of an ARN is refused with an example', () => {
    expect(() => rdsSwitchoverGlobalCluster.parseParams({ globalClusterIdentifier: 'app-global', targetDbClusterArn: 'app-east' })).toThrow(
      /targetDbClusterArn: must be a DB cluster ARN like arn:aws:rds:us-west-2:123456789012:cluster:app-west/,
    );
  });

  it('autoscaling.setCapacity: grants UpdateAutoScalingGroup on the named group (any group id), Describe on *', () => {
    const params = autoscalingSetCapacity.parseParams({ autoScalingGroupName: 'web-west', minSize: 1, desiredCapacity: 2, maxSize: 4 });
    expect(autoscalingSetCapacity.describe(params, service)).toBe(
      'scale Auto Scaling group web-west to 2 (min 1, max 4), wait for 2 InService',
    );
    expect(autoscalingSetCapacity.grants(params, context)).toEqual([
      {
        action: 'autoscaling:UpdateAutoScalingGroup',
        resource: {
          'Fn::Sub': 'arn:${AWS::Partition}:autoscaling:us-west-2:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/web-west',
        },
      },
      { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' },
    ]);
  });

  it('ecs.setDesiredCount: grants on the service of the cluster, given by name or ARN', () => {
    const params = ecsSetDesiredCount.parseParams({
      cluster: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop',
      service: 'api',
      desiredCount: 3,
    });
    expect(ecsSetDesiredCount.describe(params, service)).toBe('set ECS service shop/api to 3 tasks, wait for 3 running');
    const resource = { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:us-west-2:${AWS::AccountId}:service/shop/api' };
    expect(ecsSetDesiredCount.grants(params, context)).toEqual([
      { action: 'ecs:UpdateService', resource },
      { action: 'ecs:DescribeServices', resource },
    ]);
  });
});
