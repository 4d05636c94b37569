/** The world's Aurora global databases, through the real RDS and CloudWatch SDK clients. */
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { createTestWorld, rejectionOf } from './world-test-kit';

const EAST = 'arn:aws:rds:us-east-1:123456789012:cluster:app-east';
const WEST = 'arn:aws:rds:us-west-2:123456789012:cluster:app-west';

function setup() {
  const test = createTestWorld({ rds: { pendingMs: 10_000, failoverMs: 60_000, switchoverMs: 90_000, resyncMs: 120_000 } });
  test.world.rds.addGlobalCluster({
    globalClusterIdentifier: 'app-global',
    writerArn: EAST,
    secondaryArns: [WEST],
    replicationLagMs: 2_500,
  });
  return test;
}

const describeGlobal = async (test: ReturnType<typeof setup>, region = 'us-west-2') =>
  (await test.clients.rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'app-global' }))).GlobalClusters?.[0];

const lagPoints = async (test: ReturnType<typeof setup>) =>
  (
    await test.clients.cloudWatch('us-west-2').send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBReplicationLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'app-west' }],
        StartTime: new Date(test.clock.now() - 600_000),
        EndTime: new Date(test.clock.now()),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    )
  ).Datapoints ?? [];

describe('world RDS: global databases', () => {
  it('a failover goes pending → failing-over → done after its duration; a second request meanwhile is refused', async () => {
    const test = setup();
    await test.clients
      .rds('us-west-2')
      .send(
        new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: 'app-global', TargetDbClusterIdentifier: WEST, AllowDataLoss: true }),
      );
    expect((await describeGlobal(test))?.FailoverState).toMatchObject({ Status: 'pending', ToDbClusterArn: WEST, IsDataLossAllowed: true });
    test.clock.advance(10_000);
    expect(await describeGlobal(test)).toMatchObject({ Status: 'failing-over', FailoverState: { Status: 'failing-over' } });
    const again = await rejectionOf(
      test.clients
        .rds('us-west-2')
        .send(
          new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: 'app-global', TargetDbClusterIdentifier: WEST, AllowDataLoss: true }),
        ),
    );
    expect(again.name).toBe('InvalidGlobalClusterStateFault');
    test.clock.advance(50_000);
    const done = await describeGlobal(test);
    expect(done?.FailoverState).toBeUndefined();
    expect(done?.GlobalClusterMembers?.find((member) => member.IsWriter)?.DBClusterArn).toBe(WEST);
  });

  it('a switchover needs the writer region up: refused while it is down, a global failover is not', async () => {
    const test = setup();
    test.world.rds.setRegionAvailable('us-east-1', false);
    const refused = await rejectionOf(
      test.clients
        .rds('us-west-2')
        .send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: 'app-global', TargetDbClusterIdentifier: WEST })),
    );
    expect(refused.name).toBe('InvalidGlobalClusterStateFault');
    expect(refused.message).toMatch(/primary cluster .*app-east is not available/);
    const east = await rejectionOf(describeGlobal(test, 'us-east-1'));
    expect(east.code).toBe('ETIMEDOUT');
  });

  it('AllowDataLoss and Switchover together are a parameter error', async () => {
    const test = setup();
    const error = await rejectionOf(
      test.clients.rds('us-west-2').send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: 'app-global',
          TargetDbClusterIdentifier: WEST,
          AllowDataLoss: true,
          Switchover: true,
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterCombination');
  });

  it('the lag metric has a datapoint a minute while replication flows, and stops while the writer region is down', async () => {
    const test = setup();
    test.clock.advance(300_000);
    const flowing = await lagPoints(test);
    expect(flowing.length).toBeGreaterThanOrEqual(9);
    expect(flowing.every((point) => point.Maximum === 2_500)).toBe(true);
    test.world.rds.setRegionAvailable('us-east-1', false);
    test.clock.advance(180_000);
    expect((await lagPoints(test)).length).toBe(flowing.length - 2); // the window moved on 3 minutes; 1 more point came in before the outage
    test.clock.advance(480_000);
    expect(await lagPoints(test)).toEqual([]);
  });

  it('after a global failover the old writer resynchronizes once its region is back, then a switchover back works', async () => {
    const test = setup();
    test.world.rds.setRegionAvailable('us-east-1', false);
    await test.clients
      .rds('us-west-2')
      .send(
        new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: 'app-global', TargetDbClusterIdentifier: WEST, AllowDataLoss: true }),
      );
    test.clock.advance(60_000);
    expect(test.world.rds.globalCluster('app-global')?.operations).toMatchObject([{ kind: 'failover', lostMs: 2_500 }]);
    test.world.rds.setRegionAvailable('us-east-1', true);
    test.clock.advance(60_000);
    const early = await rejectionOf(
      test.clients
        .rds('us-east-1')
        .send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: 'app-global', TargetDbClusterIdentifier: EAST })),
    );
    expect(early.message).toMatch(/not synchronized \(pending-resync\)/);
    test.clock.advance(60_000);
    await test.clients
      .rds('us-east-1')
      .send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: 'app-global', TargetDbClusterIdentifier: EAST }));
    test.clock.advance(90_000);
    expect(test.world.rds.globalCluster('app-global')).toMatchObject({ writerArn: EAST });
  });
});
