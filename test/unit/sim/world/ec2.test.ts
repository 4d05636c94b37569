import {
  AssociateAddressCommand,
  AttachVolumeCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../../../../shared/aws/errors';
import { createEc2Adapter } from '../../../../shared/aws/ec2';
import { createTestWorld, rejectionOf } from './world-test-kit';

const REGION = 'us-west-2';
const STANDBY = 'i-0abc1234def567890';
const OTHER = 'i-0fedcba9876543210';

function setup() {
  const kit = createTestWorld();
  kit.world.ec2.addInstance({
    region: REGION,
    instanceId: STANDBY,
    availabilityZone: 'us-west-2a',
    state: 'stopped',
    tags: { Name: 'web-standby', role: 'standby' },
  });
  kit.world.ec2.addInstance({ region: REGION, instanceId: OTHER, availabilityZone: 'us-west-2a', state: 'running', tags: { Name: 'db' } });
  return { ...kit, adapter: createEc2Adapter(kit.clients) };
}

describe('EC2 Availability Zones and eventual consistency', () => {
  it('AttachVolume across zones fails as in AWS: InvalidVolume.ZoneMismatch, fatal (not retried)', async () => {
    const { world, clients, adapter, clock } = setup();
    world.ec2.addVolume({ region: REGION, volumeId: 'vol-0abc1234', availabilityZone: 'us-west-2b' });
    const error = await rejectionOf(
      clients.ec2(REGION).send(new AttachVolumeCommand({ VolumeId: 'vol-0abc1234', InstanceId: STANDBY, Device: '/dev/sdf' })),
    );
    expect(error.name).toBe('InvalidVolume.ZoneMismatch');
    expect(error.message).toBe(`The volume 'vol-0abc1234' is not in the same availability zone as instance '${STANDBY}'`);
    expect(classifyAwsError(error)).toBe('fatal');
    const poll = { deadlineEpochMs: clock.now() + 60_000, sleep: clock.sleep, now: clock.now, pollMs: 1_000 };
    const viaAdapter = await rejectionOf(
      adapter.attachVolume(REGION, { volumeId: 'vol-0abc1234', instanceId: STANDBY, device: '/dev/sdf', force: true }, poll),
    );
    expect(viaAdapter.code).toBe('InvalidVolume.ZoneMismatch');
    expect(world.ec2.volumes(REGION)[0]).toMatchObject({ availabilityZone: 'us-west-2b', state: 'available' });
  });

  it("launches into the subnet's zone; an unknown subnet is InvalidSubnetID.NotFound; seeded resources spread over zones", async () => {
    const { world, clients } = setup();
    world.ec2.addImage(REGION, 'ami-0abc1234');
    expect(world.ec2.availabilityZones(REGION)).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c']);
    expect(world.ec2.addSubnet({ region: REGION, subnetId: 'subnet-0abc1234', availabilityZone: 'us-west-2c' })).toBe('us-west-2c');
    const launched = await clients.ec2(REGION).send(
      new RunInstancesCommand({
        ImageId: 'ami-0abc1234',
        InstanceType: 't3.small',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-0abc1234',
      }),
    );
    expect(launched.Instances?.[0]).toMatchObject({ Placement: { AvailabilityZone: 'us-west-2c' }, SubnetId: 'subnet-0abc1234' });
    const unknown = await rejectionOf(
      clients.ec2(REGION).send(
        new RunInstancesCommand({
          ImageId: 'ami-0abc1234',
          InstanceType: 't3.small',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: 'subnet-0fff0000',
        }),
      ),
    );
    expect(unknown.name).toBe('InvalidSubnetID.NotFound');
    const zones = new Set(
      ['i-0000000000000001a', 'i-0000000000000002b', 'i-0000000000000003c', 'i-0000000000000004d'].map(
        (instanceId) => world.ec2.addInstance({ region: REGION, instanceId }).availabilityZone,
      ),
    );
    expect(zones.size).toBeGreaterThan(1);
  });

  it('a just-launched instance is "not found" by id for a few seconds, and the adapter waits through it', async () => {
    const { world, clients, adapter, clock } = setup();
    world.ec2.addImage(REGION, 'ami-0abc1234');
    const instanceId = await adapter.runInstance(REGION, {
      imageId: 'ami-0abc1234',
      instanceType: 't3.small',
      clientToken: 'token-1',
      runId: 'run-1',
    });
    const early = await rejectionOf(clients.ec2(REGION).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
    expect(early.name).toBe('InvalidInstanceID.NotFound');
    const listed = await clients.ec2(REGION).send(new DescribeInstancesCommand({}));
    expect(listed.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).not.toContain(instanceId);
    // The world itself knows it (it exists), the API does not yet.
    expect(world.ec2.instance(instanceId)?.state).toBe('pending');
    const waited = await adapter.waitForState(REGION, [instanceId], 'running', {
      deadlineEpochMs: clock.now() + 60_000,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(waited.reached).toBe(true);
    expect(
      world.callLog().filter((call) => call.api === 'ec2.DescribeInstances' && call.error === 'InvalidInstanceID.NotFound').length,
    ).toBeGreaterThan(0);
  });
});

describe('EC2 through the real SDK client', () => {
  it('starts a stopped instance: pending at once, running after the transition delay (adapter waitForState)', async () => {
    const { world, clients, adapter, clock } = setup();
    expect(clients.ec2(REGION)).toBeInstanceOf(EC2Client);

    expect(await adapter.startInstances(REGION, [STANDBY])).toEqual([
      { instanceId: STANDBY, previousState: 'stopped', currentState: 'pending' },
    ]);
    clock.advance(14_999);
    expect(world.ec2.instance(STANDBY)?.state).toBe('pending');
    clock.advance(1);
    expect(world.ec2.instance(STANDBY)?.state).toBe('running');

    await adapter.stopInstances(REGION, [STANDBY]);
    const waited = await adapter.waitForState(REGION, [STANDBY], 'stopped', {
      deadlineEpochMs: clock.now() + 60_000,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(waited).toEqual({ reached: true, polls: 6, states: { [STANDBY]: 'stopped' } });
    // Starting a running instance changes nothing; starting one that is stopping is refused.
    await adapter.startInstances(REGION, [STANDBY]);
    clock.advance(15_000);
    expect(await adapter.startInstances(REGION, [STANDBY])).toEqual([
      { instanceId: STANDBY, previousState: 'running', currentState: 'running' },
    ]);
    await clients.ec2(REGION).send(new StopInstancesCommand({ InstanceIds: [STANDBY] }));
    const stopping = await rejectionOf(clients.ec2(REGION).send(new StartInstancesCommand({ InstanceIds: [STANDBY] })));
    expect(stopping.name).toBe('IncorrectInstanceState');
  });

  it('keeps regions apart and reports unknown ids as InvalidInstanceID.NotFound (fatal)', async () => {
    const { clients } = setup();
    const error = await rejectionOf(clients.ec2('us-east-1').send(new StartInstancesCommand({ InstanceIds: [STANDBY] })));
    expect(error.name).toBe('InvalidInstanceID.NotFound');
    expect(error.message).toBe(`The instance ID '${STANDBY}' does not exist`);
    expect(classifyAwsError(error)).toBe('fatal');
    const malformed = await rejectionOf(clients.ec2(REGION).send(new StartInstancesCommand({ InstanceIds: ['web-1'] })));
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
  });

  it('filters DescribeInstances by tag and state, with wildcards', async () => {
    const { clients } = setup();
    const describe = async (Filters: Array<{ Name: string; Values: string[] }>) =>
      ((await clients.ec2(REGION).send(new DescribeInstancesCommand({ Filters }))).Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => i.InstanceId);
    expect(await describe([{ Name: 'tag:role', Values: ['standby'] }])).toEqual([STANDBY]);
    expect(await describe([{ Name: 'instance-state-name', Values: ['running', 'pending'] }])).toEqual([OTHER]);
    expect(
      await describe([
        { Name: 'tag:Name', Values: ['web-*'] },
        { Name: 'instance-state-name', Values: ['stopped'] },
      ]),
    ).toEqual([STANDBY]);
    expect(await describe([{ Name: 'tag-key', Values: ['nothing'] }])).toEqual([]);
    const bad = await rejectionOf(describe([{ Name: 'colour', Values: ['red'] }]));
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('RunInstances is idempotent per ClientToken, keeps TagSpecifications, and needs a known AMI', async () => {
    const { world, clients, adapter, clock } = setup();
    world.ec2.addImage(REGION, 'ami-0abc1234');
    const input = {
      imageId: 'ami-0abc1234',
      instanceType: 't3.small',
      clientToken: 'a'.repeat(64),
      runId: 'run-1',
      tags: { Name: 'web-dr' },
      userData: '#!/bin/sh\necho hi',
    };
    const first = await adapter.runInstance(REGION, input);
    clock.advance(5_000);
    const second = await adapter.runInstance(REGION, input);
    expect(second).toBe(first);
    expect(world.ec2.instances(REGION).filter((instance) => instance.imageId === 'ami-0abc1234')).toHaveLength(1);
    expect(world.ec2.instance(first)).toMatchObject({
      state: 'pending',
      instanceType: 't3.small',
      tags: { Name: 'web-dr', 'switchback:run': 'run-1' },
      userData: '#!/bin/sh\necho hi',
      clientToken: 'a'.repeat(64),
    });
    clock.advance(10_000);
    expect(world.ec2.instance(first)?.state).toBe('running');

    const mismatch = await rejectionOf(adapter.runInstance(REGION, { ...input, instanceType: 't3.large' }));
    expect(mismatch.code).toBe('IdempotentParameterMismatch');
    const unknownImage = await rejectionOf(
      clients.ec2(REGION).send(new RunInstancesCommand({ ImageId: 'ami-0fff0000', InstanceType: 't3.small', MinCount: 1, MaxCount: 1 })),
    );
    expect(unknownImage.name).toBe('InvalidAMIID.NotFound');
    expect(classifyAwsError(unknownImage)).toBe('fatal');
  });

  it('RunInstances refuses what EC2 refuses: tag keys over 128 or values over 256 characters, user data over 16 KB', async () => {
    const { world, clients } = setup();
    world.ec2.addImage(REGION, 'ami-0abc1234');
    const send = (extra: Partial<ConstructorParameters<typeof RunInstancesCommand>[0]>) =>
      clients
        .ec2(REGION)
        .send(new RunInstancesCommand({ ImageId: 'ami-0abc1234', InstanceType: 't3.small', MinCount: 1, MaxCount: 1, ...extra }));
    const refusal = async (extra: Parameters<typeof send>[0]) => {
      const error = await rejectionOf(send(extra));
      return [error.name, error.message, classifyAwsError(error)];
    };
    const tagged = (Key: string, Value: string) => ({ TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [{ Key, Value }] }] });
    expect(await refusal(tagged('k'.repeat(129), 'v'))).toEqual([
      'InvalidParameterValue',
      'Tag key exceeds the maximum length of 128 characters.',
      'fatal',
    ]);
    expect(await refusal(tagged('owner', 'é'.repeat(257)))).toEqual([
      'InvalidParameterValue',
      'Tag value exceeds the maximum length of 256 characters.',
      'fatal',
    ]);
    // Characters, not bytes: 256 two-byte characters are a valid value.
    await expect(send(tagged('owner', 'é'.repeat(256)))).resolves.toBeDefined();
    const userData = (bytes: number) => ({ UserData: Buffer.alloc(bytes, 'a').toString('base64') });
    expect(await refusal(userData(16 * 1024 + 1))).toEqual(['InvalidParameterValue', 'User data is limited to 16384 bytes.', 'fatal']);
    await expect(send(userData(16 * 1024))).resolves.toBeDefined();
  });

  it('AttachVolume on a volume attached elsewhere fails with VolumeInUse (fatal); the adapter force-detaches when told to', async () => {
    const { world, clients, adapter, clock } = setup();
    const volume = world.ec2.addVolume({ region: REGION, volumeId: 'vol-0abc1234', attachedTo: { instanceId: OTHER, device: '/dev/sdf' } });
    expect(volume.state).toBe('in-use');

    const inUse = await rejectionOf(
      clients.ec2(REGION).send(new AttachVolumeCommand({ VolumeId: 'vol-0abc1234', InstanceId: STANDBY, Device: '/dev/sdf' })),
    );
    expect(inUse.name).toBe('VolumeInUse');
    expect(inUse.$fault).toBe('client');
    expect(inUse.$metadata.httpStatusCode).toBe(400);
    expect(classifyAwsError(inUse)).toBe('fatal');

    const poll = { deadlineEpochMs: clock.now() + 60_000, sleep: clock.sleep, now: clock.now, pollMs: 1_000 };
    const refused = await rejectionOf(
      adapter.attachVolume(REGION, { volumeId: 'vol-0abc1234', instanceId: STANDBY, device: '/dev/sdf', force: false }, poll),
    );
    expect(refused.code).toBe('VolumeInUse');

    const result = await adapter.attachVolume(
      REGION,
      { volumeId: 'vol-0abc1234', instanceId: STANDBY, device: '/dev/sdf', force: true },
      poll,
    );
    expect(result).toMatchObject({ outcome: 'attached', detachedFromInstanceId: OTHER });
    expect(world.ec2.volumes(REGION)[0]).toMatchObject({
      state: 'in-use',
      attachments: [{ instanceId: STANDBY, device: '/dev/sdf', state: 'attached' }],
    });
    expect(
      await adapter.attachVolume(REGION, { volumeId: 'vol-0abc1234', instanceId: STANDBY, device: '/dev/sdf', force: false }, poll),
    ).toMatchObject({
      outcome: 'already-attached',
    });
  });

  it('AssociateAddress refuses to move an associated address unless AllowReassociation is true', async () => {
    const { world, clients, adapter } = setup();
    world.ec2.addAddress({ region: REGION, allocationId: 'eipalloc-0abc1234', publicIp: '198.51.100.20', instanceId: OTHER });
    const refused = await rejectionOf(
      clients.ec2(REGION).send(new AssociateAddressCommand({ AllocationId: 'eipalloc-0abc1234', InstanceId: STANDBY })),
    );
    expect(refused.name).toBe('Resource.AlreadyAssociated');
    expect(classifyAwsError(refused)).toBe('fatal');

    const moved = await adapter.associateAddress(REGION, {
      allocationId: 'eipalloc-0abc1234',
      instanceId: STANDBY,
      allowReassociation: true,
    });
    expect(moved).toMatchObject({
      outcome: 'associated',
      publicIp: '198.51.100.20',
      previousInstanceId: OTHER,
      associationId: expect.stringMatching(/^eipassoc-0[0-9a-f]{16}$/),
    });
    expect(world.ec2.instance(STANDBY)?.publicIpAddress).toBe('198.51.100.20');
    expect(world.ec2.instance(OTHER)?.publicIpAddress).toBeUndefined();
    expect(
      await adapter.associateAddress(REGION, { allocationId: 'eipalloc-0abc1234', instanceId: STANDBY, allowReassociation: false }),
    ).toMatchObject({
      outcome: 'already-associated',
    });
  });

  it('answers DryRun with DryRunOperation without changing anything, and UnauthorizedOperation for a denied action', async () => {
    const { world, adapter, clients } = setup();
    expect(await adapter.checkPermission(REGION, 'StartInstances', { InstanceIds: [STANDBY] })).toEqual({
      allowed: true,
      detail: 'ec2:StartInstances allowed (DryRunOperation)',
    });
    const raw = await rejectionOf(clients.ec2(REGION).send(new StopInstancesCommand({ InstanceIds: [OTHER], DryRun: true })));
    expect(raw.name).toBe('DryRunOperation');
    expect(raw.$metadata.httpStatusCode).toBe(412);
    expect(world.ec2.instance(STANDBY)?.state).toBe('stopped');
    expect(world.ec2.instance(OTHER)?.state).toBe('running');

    world.ec2.denyAction('ec2:StartInstances');
    const denied = await adapter.checkPermission(REGION, 'StartInstances', { InstanceIds: [STANDBY] });
    expect(denied.allowed).toBe(false);
    expect(denied.detail).toMatch(/^ec2:StartInstances on i-0abc1234def567890 denied \(UnauthorizedOperation\)/);
    const real = await rejectionOf(adapter.startInstances(REGION, [STANDBY]));
    expect(real.code).toBe('UnauthorizedOperation');
    expect(real.kind).toBe('fatal');
    world.ec2.allowAction('StartInstances');
    expect((await adapter.checkPermission(REGION, 'StartInstances', { InstanceIds: [STANDBY] })).allowed).toBe(true);

    expect(world.callLog().filter((entry) => entry.mutating)).toEqual([
      expect.objectContaining({ api: 'ec2.StartInstances', ok: false, error: 'UnauthorizedOperation' }),
    ]);
    expect(
      world
        .callLog()
        .filter((entry) => entry.dryRun)
        .map((entry) => entry.error),
    ).toEqual(['DryRunOperation', 'DryRunOperation', 'UnauthorizedOperation', 'DryRunOperation']);
  });

  it('leaves an instance pending forever after a stuck StartInstances fault', async () => {
    const { world, adapter, clock } = setup();
    world.faults.add({ api: 'ec2.StartInstances', stuck: true });
    await adapter.startInstances(REGION, [STANDBY]);
    const waited = await adapter.waitForState(REGION, [STANDBY], 'running', {
      deadlineEpochMs: clock.now() + 120_000,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(waited).toMatchObject({ reached: false, states: { [STANDBY]: 'pending' } });
  });
});
