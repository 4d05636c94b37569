import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetHealthCheckStatusCommand } from '@aws-sdk/client-route-53';
import { parseDocument } from 'yaml';
import { createCloudWatchAdapter } from '../../../../shared/aws/cloudwatch';
import { createEc2Adapter } from '../../../../shared/aws/ec2';
import { createRoute53Adapter } from '../../../../shared/aws/route53';
import { loadConfigFile, parseConfig } from '../../../../shared/config/load';
import { flagAlarmName } from '../../../../sim/world';
import { createTestWorld } from './world-test-kit';

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
  it('switches traffic with PutMetricData alone: flag 1 → alarm ALARM → health check Unhealthy → SECONDARY answered', async () => {
    const { world, clients, clock } = createTestWorld();
    const config = exampleWith((service) => {
      service.dns.strategy = 'health-check-flag';
    });
    world.seed(config);
    world.seed(config);

    const alarmName = flagAlarmName('web');
    expect(alarmName).toBe('switchback-web-failover-flag');
    const [healthCheck] = world.route53.healthChecks();
    expect(world.route53.healthChecks()).toHaveLength(1);
    expect(healthCheck).toMatchObject({
      callerReference: 'switchback-web-failover-flag',
      config: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: 'us-west-2', Name: alarmName } },
      status: 'Healthy',
    });
    expect(
      world.route53.records('Z0123456789ABC').map((set) => [set.SetIdentifier, set.Failover, set.HealthCheckId, set.ResourceRecords]),
    ).toEqual([
      ['web-primary', 'PRIMARY', healthCheck.id, [{ Value: '203.0.113.10' }]],
      ['web-secondary', 'SECONDARY', undefined, [{ Value: '198.51.100.20' }]],
    ]);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['203.0.113.10']);

    const cloudWatch = createCloudWatchAdapter(clients);
    expect(await cloudWatch.describeAlarmStates([alarmName])).toEqual([expect.objectContaining({ state: 'OK' })]);

    clock.advance(5_000);
    const flaggedAt = clock.now();
    await cloudWatch.putFlagMetric({ service: 'web', value: 1, atEpochMs: flaggedAt });
    expect(await cloudWatch.describeAlarmStates([alarmName])).toEqual([
      expect.objectContaining({ state: 'ALARM', updatedAtEpochMs: flaggedAt }),
    ]);
    expect(world.route53.healthCheckStatus(healthCheck.id)).toBe('Unhealthy');
    const status = await clients.route53().send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheck.id }));
    expect(status.HealthCheckObservations?.[0].StatusReport?.Status).toBe(`Failure: alarm ${alarmName} is ALARM`);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.20']);

    // The flag is published once: the alarm keeps its state while no new datapoint arrives.
    clock.advance(3_600_000);
    expect(await cloudWatch.describeAlarmStates([alarmName])).toEqual([
      expect.objectContaining({ state: 'ALARM', updatedAtEpochMs: flaggedAt }),
    ]);
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['198.51.100.20']);

    await cloudWatch.putFlagMetric({ service: 'web', value: 0, atEpochMs: clock.now() });
    expect(world.route53.resolve('app.example.com', 'A')).toEqual(['203.0.113.10']);
    expect(Object.keys(world.apiCalls()).filter((api) => api.startsWith('route53.ChangeResourceRecordSets'))).toEqual([]);
    expect(
      world.cloudWatch
        .datapoints({ namespace: 'switchback', metricName: 'FailoverActive', dimensions: { Service: 'web' } })
        .map((point) => point.value),
    ).toEqual([1, 0]);
  });

  it('follows an alarm state set by hand too', () => {
    const { world } = createTestWorld();
    world.seed(
      exampleWith((service) => {
        service.dns.strategy = 'health-check-flag';
      }),
    );
    world.cloudWatch.setAlarmState(flagAlarmName('web'), 'ALARM');
    expect(world.route53.resolve('app.example.com')).toEqual(['198.51.100.20']);
  });
});
