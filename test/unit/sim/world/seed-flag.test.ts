import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckStatusCommand } from '@aws-sdk/client-route-53';
import { parseDocument } from 'yaml';
import { createCloudWatchAdapter } from '../../../../shared/aws/cloudwatch';
import { createEc2Adapter } from '../../../../shared/aws/ec2';
import { createRoute53Adapter } from '../../../../shared/aws/route53';
import { loadConfigFile, parseConfig } from '../../../../shared/config/load';
import { flagAlarmName } from '../../../../sim/world';
import { START_EPOCH_MS, createTestWorld } from './world-test-kit';

const EXAMPLE = join(__dirname, '../../../../switchback.example.yml');
const STANDBY = 'i-0abc1234def567890';

/** The example config with its first service changed by `edit` (the document, before validation). */
function exampleWith(edit: (service: Record<string, any>) => void) {
  const document = parseDocument(readFileSync(EXAMPLE, 'utf8')).toJS() as { services: Array<Record<string, any>> };
  edit(document.services[0]);
  return parseConfig(document, 'edited example');
}

describe('seed', () => {
  it('builds what the example config refers to: zone, record → primary (INSYNC), stopped standby, EIP, alarm', async () => {
    const { world, clients } = createTestWorld();
    const config = loadConfigFile(EXAMPLE);
    world.seed(config);

    expect(world.route53.hostedZones()).toEqual([{ id: 'Z0123456789ABC', name: 'example.com' }]);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['203.0.113.10']);
    expect(world.route53.changes()).toEqual([]);
    const record = await createRoute53Adapter(clients).getRecord({
      hostedZoneId: 'Z0123456789ABC',
      recordName: 'app.example.com',
      type: 'A',
    });
    expect(record).toMatchObject({ ttl: 30, values: ['203.0.113.10'] });

    expect(world.ec2.instances()).toEqual([expect.objectContaining({ instanceId: STANDBY, region: 'us-west-2', state: 'stopped' })]);
    expect(world.ec2.addresses()).toEqual([{ allocationId: 'eipalloc-0abc1234', region: 'us-west-2', publicIp: '198.51.100.20' }]);
    expect(world.cloudWatch.alarms()).toEqual([expect.objectContaining({ name: 'web-5xx-high', region: 'us-east-1', state: 'OK' })]);
    expect(world.callLog()).toEqual([expect.objectContaining({ api: 'route53.ListResourceRecordSets' })]);
  });

  it('is idempotent: seeding again creates nothing and resets nothing', async () => {
    const { world, clients, clock } = createTestWorld();
    const config = loadConfigFile(EXAMPLE);
    world.seed(config);
    await createEc2Adapter(clients).startInstances('us-west-2', [STANDBY]);
    await createRoute53Adapter(clients).upsertRecord({
      hostedZoneId: 'Z0123456789ABC',
      recordName: 'app.example.com',
      type: 'A',
      ttl: 30,
      target: ['198.51.100.20'],
    });
    clock.advance(20_000);
    world.seed(config);
    world.seed(config);
    expect(world.ec2.instances()).toEqual([expect.objectContaining({ instanceId: STANDBY, state: 'running' })]);
    expect(world.route53.records('Z0123456789ABC')).toHaveLength(1);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.20']);
    expect(world.ec2.addresses()).toHaveLength(1);
    expect(world.cloudWatch.alarms()).toHaveLength(1);
  });

  it('registers AMIs, volumes and primary-side instances named by steps', async () => {
    const { world, clients } = createTestWorld();
    world.seed(
      exampleWith((service) => {
        service.secondary.prepare = [
          { id: 'launch', 'ec2.launchFromAmi': { imageId: 'ami-0abc1234', instanceType: 't3.small' } },
          { 'ec2.attachVolume': { volumeId: 'vol-0abc1234', instanceId: '${steps.launch.instanceId}', device: '/dev/sdf' } },
        ];
        service.primary.prepare = [{ 'ec2.start': { instanceIds: ['i-0123456789abcdef0'] } }];
        service.secondary.cleanup = [];
      }),
    );
    expect(world.ec2.volumes()).toEqual([expect.objectContaining({ volumeId: 'vol-0abc1234', region: 'us-west-2', state: 'available' })]);
    expect(world.ec2.instances()).toEqual([
      expect.objectContaining({ instanceId: 'i-0123456789abcdef0', region: 'us-east-1', state: 'running' }),
    ]);
    const launched = await createEc2Adapter(clients).runInstance('us-west-2', {
      imageId: 'ami-0abc1234',
      instanceType: 't3.small',
      clientToken: 'tok',
      runId: 'r1',
    });
    expect(world.ec2.instance(launched)?.region).toBe('us-west-2');
  });

  it('lets a drill-style dry run check everything with zero mutating calls', async () => {
    const { world, clients } = createTestWorld();
    world.seed(loadConfigFile(EXAMPLE));
    const ec2 = createEc2Adapter(clients);
    await ec2.describeInstances('us-west-2', [STANDBY]);
    for (const [action, params] of [
      ['StartInstances', { InstanceIds: [STANDBY] }],
      ['AssociateAddress', { AllocationId: 'eipalloc-0abc1234', InstanceId: STANDBY, AllowReassociation: false }],
      ['StopInstances', { InstanceIds: [STANDBY] }],
    ] as const) {
      expect(await ec2.checkPermission('us-west-2', action, params)).toMatchObject({ allowed: true });
    }
    await createRoute53Adapter(clients).getRecord({ hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A' });
    expect(world.callLog().filter((entry) => entry.mutating)).toEqual([]);
    expect(world.callLog().filter((entry) => entry.dryRun)).toHaveLength(3);
    expect(world.ec2.instance(STANDBY)?.state).toBe('stopped');
  });
});

describe('health-check-flag strategy', () => {
  const MINUTE = 60_000;
  const PRIMARY = ['203.0.113.10'];
  const SECONDARY = ['198.51.100.20'];
  const flagConfig = () =>
    exampleWith((service) => {
      service.dns.strategy = 'health-check-flag';
    });

  it('switches with PutMetricData alone: the minute ends → alarm ALARM → health checkers 15 s later → SECONDARY answered', async () => {
    const { world, clients, clock } = createTestWorld();
    const config = flagConfig();
    world.seed(config);
    world.seed(config);

    const alarmName = flagAlarmName('sim', 'web');
    expect(alarmName).toBe('switchback-sim-web-failover-flag');
    const [healthCheck] = world.route53.healthChecks();
    expect(world.route53.healthChecks()).toHaveLength(1);
    expect(healthCheck).toMatchObject({
      callerReference: 'switchback-sim-web-failover-flag',
      config: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Region: 'us-west-2', Name: alarmName },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      },
      status: 'Healthy',
    });
    expect(world.cloudWatch.alarm(alarmName)?.metric).toMatchObject({
      statistic: 'Minimum',
      periodSeconds: 60,
      dimensions: { Stage: 'sim', Service: 'web' },
      treatMissingData: 'ignore',
    });
    expect(
      world.route53.records('Z0123456789ABC').map((set) => [set.SetIdentifier, set.Failover, set.HealthCheckId, set.ResourceRecords]),
    ).toEqual([
      ['web-primary', 'PRIMARY', healthCheck.id, [{ Value: '203.0.113.10' }]],
      ['web-secondary', 'SECONDARY', undefined, [{ Value: '198.51.100.20' }]],
    ]);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(PRIMARY);

    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'sim' });
    expect(await cloudWatch.describeAlarmStates([alarmName])).toEqual([expect.objectContaining({ state: 'OK' })]);

    clock.advance(5_000);
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: clock.now() });
    // Nothing moves inside the minute.
    clock.advance(MINUTE - 5_001);
    expect(world.cloudWatch.alarm(alarmName)?.state).toBe('OK');
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(PRIMARY);
    // The boundary evaluates the minute: ALARM, stamped with the boundary.
    clock.advance(1);
    const boundary = START_EPOCH_MS + MINUTE;
    expect(await cloudWatch.describeAlarmStates([alarmName])).toEqual([
      expect.objectContaining({ state: 'ALARM', updatedAtEpochMs: boundary }),
    ]);
    // The health checkers see it at their next poll, 15 s later.
    clock.advance(14_999);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(PRIMARY);
    clock.advance(1);
    expect(world.route53.healthCheckStatus(healthCheck.id)).toBe('Unhealthy');
    const status = await clients.route53().send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheck.id }));
    expect(status.HealthCheckObservations?.[0].StatusReport?.Status).toBe(`Failure: alarm ${alarmName} data breaches its threshold`);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(SECONDARY);
    expect(Object.keys(world.apiCalls()).filter((api) => api.startsWith('route53.ChangeResourceRecordSets'))).toEqual([]);
    expect(
      world.cloudWatch
        .datapoints({ namespace: 'switchback', metricName: 'FailoverActive', dimensions: { Stage: 'sim', Service: 'web' } })
        .map((point) => point.value),
    ).toEqual([1]);
  });

  it('honours a failback published in the same minute as the failover: the 0 wins the minute (Minimum)', async () => {
    const { world, clients, clock } = createTestWorld();
    world.seed(flagConfig());
    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'sim' });
    const answers = new Set<string>();
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: clock.now() + 10_000 });
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: clock.now() + 20_000 });
    await cloudWatch.putFlagMetric({ service: 'web', value: 0, atEpochMs: clock.now() + 40_000 });
    for (let second = 0; second < 5 * 60; second++) {
      clock.advance(1_000);
      answers.add(JSON.stringify(world.route53.resolve('app.example.com', 'A')));
    }
    expect([...answers]).toEqual([JSON.stringify(PRIMARY)]);
    expect(world.cloudWatch.alarm(flagAlarmName('sim', 'web'))?.state).toBe('OK');
  });

  it('a failback in the minute after the failover goes home at the end of that minute', async () => {
    const { world, clients, clock } = createTestWorld();
    world.seed(flagConfig());
    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'sim' });
    for (const at of [10_000, 20_000, 30_000, 40_000, 50_000, MINUTE + 10_000])
      await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: START_EPOCH_MS + at });
    await cloudWatch.putFlagMetric({ service: 'web', value: 0, atEpochMs: START_EPOCH_MS + MINUTE + 15_000 });
    clock.advance(MINUTE + 15_000);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(SECONDARY);
    clock.advance(MINUTE);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(PRIMARY);
  });

  /** The template before this release: Maximum, ignore, InsufficientDataHealthStatus Healthy, one publish. */
  function seedOldTemplate(world: ReturnType<typeof createTestWorld>['world']) {
    world.route53.createHostedZone({ id: 'ZOLD', name: 'old.example.com' });
    world.cloudWatch.putAlarm({
      name: 'switchback-web-failover-flag',
      region: 'us-west-2',
      state: 'OK',
      metric: {
        namespace: 'switchback',
        metricName: 'FailoverActive',
        dimensions: { Service: 'web' },
        statistic: 'Maximum',
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'ignore',
      },
    });
    const id = world.route53.createHealthCheck('old', {
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Region: 'us-west-2', Name: 'switchback-web-failover-flag' },
      InsufficientDataHealthStatus: 'Healthy',
    });
    const record = { Name: 'app.old.example.com', Type: 'A' as const, TTL: 30 };
    world.route53.putRecord('ZOLD', {
      ...record,
      SetIdentifier: 'p',
      Failover: 'PRIMARY',
      HealthCheckId: id,
      ResourceRecords: [{ Value: PRIMARY[0] }],
    });
    world.route53.putRecord('ZOLD', { ...record, SetIdentifier: 's', Failover: 'SECONDARY', ResourceRecords: [{ Value: SECONDARY[0] }] });
  }

  it('holds SECONDARY for an hour when the flag is republished every round; the old single publish flips back at the next minute', async () => {
    const { world, clients, clock } = createTestWorld();
    world.seed(flagConfig());
    seedOldTemplate(world);
    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'sim' });
    const client = clients.cloudWatch('us-west-2');
    // Both switch at once; only the new one is republished every 10 s round.
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: clock.now() });
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'switchback',
        MetricData: [
          { MetricName: 'FailoverActive', Dimensions: [{ Name: 'Service', Value: 'web' }], Value: 1, Timestamp: new Date(clock.now()) },
        ],
      }),
    );
    const held: string[] = [];
    const old: string[] = [];
    for (let second = 1; second <= 3600; second++) {
      clock.advance(1_000);
      if (second % 10 === 0) await cloudWatch.putFlagMetrics([{ service: 'web', value: 1 }], clock.now(), 'us-west-2');
      // The switch itself: the minute's boundary (60 s) + the health checkers' poll (15 s).
      if (second >= 75) held.push(JSON.stringify(world.route53.resolve('app.example.com', 'A')));
      // The next minute's boundary finds no data; its poll is at 135 s.
      if (second >= 135) old.push(JSON.stringify(world.route53.resolve('app.old.example.com', 'A')));
    }
    expect(new Set(held)).toEqual(new Set([JSON.stringify(SECONDARY)]));
    // The old template: the minute after the publish has no data → InsufficientDataHealthStatus Healthy → the dead primary.
    expect(old[0]).toBe(JSON.stringify(PRIMARY));
    expect(new Set(old)).toEqual(new Set([JSON.stringify(PRIMARY)]));
    // ...while the old alarm itself still says ALARM (ignore): status would have reported success.
    expect(world.cloudWatch.alarm('switchback-web-failover-flag')?.state).toBe('ALARM');
  });

  it('keeps the last decision through a gap in the data (LastKnownStatus), and a health check with none starts Healthy', async () => {
    const { world, clients, clock } = createTestWorld();
    world.seed(flagConfig());
    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'sim' });
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: clock.now() + 1_000 });
    clock.advance(MINUTE + 15_000);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(SECONDARY);
    // Ten minutes without a datapoint (the control region's Lambda down): still the secondary.
    clock.advance(10 * MINUTE);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(SECONDARY);
    // A health check created now (a redeploy replacing it) has no last status: Healthy → the primary,
    // until the data says otherwise again.
    const fresh = world.route53.createHealthCheck('replaced', {
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Region: 'us-west-2', Name: flagAlarmName('sim', 'web') },
      InsufficientDataHealthStatus: 'LastKnownStatus',
    });
    clock.advance(30_000);
    expect(world.route53.healthCheckStatus(fresh)).toBe('Healthy');
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: clock.now() });
    clock.advance(MINUTE + 30_000);
    expect(world.route53.healthCheckStatus(fresh)).toBe('Unhealthy');
  });
});
