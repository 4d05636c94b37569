/**
 * The runbook against EC2 as unkind as AWS: Availability Zones (AttachVolume needs the volume and the
 * instance in one zone) and eventual consistency (a launched instance is "not found" for a few seconds).
 */
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createEngineKit, launchConfig } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

describe('EC2 zones and eventual consistency in a failover', () => {
  it('launches, waits through the "not found" window, and attaches the volume the seed put in the subnet\'s zone', async () => {
    const kit = await createEngineKit(dynamo, { config: launchConfig() });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    const launched = String(outcome.run?.steps[0].output?.instanceId);
    const zone = kit.world.ec2.instance(launched)?.availabilityZone;
    expect(kit.world.ec2.volumes('us-west-2').find((volume) => volume.volumeId === 'vol-0abc1234')).toMatchObject({
      availabilityZone: zone,
      attachments: [expect.objectContaining({ instanceId: launched })],
    });
    // Describe right after RunInstances said "not found"; the launch step polled on instead of failing.
    const describes = kit.world.callLog().filter((call) => call.api === 'ec2.DescribeInstances');
    expect(describes[0]).toMatchObject({ ok: false, error: 'InvalidInstanceID.NotFound' });
    expect(describes.some((call) => call.ok)).toBe(true);
  });

  it("fails at ec2.attachVolume with AWS's InvalidVolume.ZoneMismatch when the volume is in another zone, without retrying", async () => {
    const kit = await createEngineKit(dynamo, {
      config: launchConfig(),
      prepareWorld(world) {
        // The launch subnet is in us-west-2c; the backup volume was restored into us-west-2a.
        world.ec2.addSubnet({ region: 'us-west-2', subnetId: 'subnet-0abc1234', availabilityZone: 'us-west-2c' });
        world.ec2.addVolume({ region: 'us-west-2', volumeId: 'vol-0abc1234', availabilityZone: 'us-west-2a' });
      },
    });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    const attach = outcome.run?.steps.find((step) => step.action === 'ec2.attachVolume');
    expect(attach).toMatchObject({ status: 'failed', attempts: 1 });
    expect(attach?.error).toContain('InvalidVolume.ZoneMismatch');
    expect(attach?.error).toContain('is not in the same availability zone as instance');
    expect(
      kit.world
        .callLog()
        .filter((call) => call.api === 'ec2.AttachVolume')
        .map((call) => call.error),
    ).toEqual(['InvalidVolume.ZoneMismatch']);
    expect(kit.world.ec2.volumes('us-west-2')[0]).toMatchObject({ availabilityZone: 'us-west-2a', state: 'available' });
  });
});
