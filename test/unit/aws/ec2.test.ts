import {
  AssociateAddressCommand,
  AttachVolumeCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type Volume,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsActionError } from '../../../shared/aws/errors';
import { createEc2Adapter } from '../../../shared/aws/ec2';
import { awsError, createFakeClock, networkError, recordingClients } from './aws-test-kit';

const ec2Mock = mockClient(EC2Client);
const clients = recordingClients({ ec2: new EC2Client({ region: 'us-west-2' }) });
const adapter = createEc2Adapter(clients);
const REGION = 'us-west-2';
const I1 = 'i-0abc1234def567890';
const I2 = 'i-0fff1234def567890';
const VOL = 'vol-0123456789abcdef0';

beforeEach(() => {
  ec2Mock.reset();
  clients.regions.length = 0;
});

function poll() {
  const clock = createFakeClock();
  return { clock, options: { pollMs: 1000, deadlineEpochMs: clock.now() + 10_000, sleep: clock.sleep, now: clock.now } };
}

function instances(...entries: Array<[string, string]>) {
  return { Reservations: [{ Instances: entries.map(([InstanceId, Name]) => ({ InstanceId, State: { Name: Name as never } })) }] };
}

function volume(state: Volume['State'], attachments: Array<{ instanceId: string; state: string; device?: string }> = []) {
  return {
    Volumes: [
      {
        VolumeId: VOL,
        State: state,
        Attachments: attachments.map((a) => ({
          VolumeId: VOL,
          InstanceId: a.instanceId,
          State: a.state as never,
          Device: a.device ?? '/dev/sdf',
        })),
      },
    ],
  };
}

describe('start / stop / describe', () => {
  it('starts and stops instances in the given region with exact input', async () => {
    ec2Mock.on(StartInstancesCommand).resolves({
      StartingInstances: [{ InstanceId: I1, PreviousState: { Name: 'stopped' }, CurrentState: { Name: 'pending' } }],
    });
    ec2Mock.on(StopInstancesCommand).resolves({
      StoppingInstances: [{ InstanceId: I1, PreviousState: { Name: 'running' }, CurrentState: { Name: 'stopping' } }],
    });
    await expect(adapter.startInstances(REGION, [I1])).resolves.toEqual([
      { instanceId: I1, previousState: 'stopped', currentState: 'pending' },
    ]);
    await expect(adapter.stopInstances(REGION, [I1])).resolves.toEqual([
      { instanceId: I1, previousState: 'running', currentState: 'stopping' },
    ]);
    expect(ec2Mock.commandCalls(StartInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: [I1] });
    expect(ec2Mock.commandCalls(StopInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: [I1] });
    expect(clients.regions).toEqual([
      ['ec2', REGION],
      ['ec2', REGION],
    ]);
  });

  it('describes instances across reservations', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: I1,
              State: { Name: 'running' },
              Placement: { AvailabilityZone: 'us-west-2a' },
              PrivateIpAddress: '10.0.0.5',
              PublicIpAddress: '198.51.100.7',
              LaunchTime: new Date(1_700_000_000_000),
              Tags: [{ Key: 'Name', Value: 'standby' }],
            },
          ],
        },
        { Instances: [{ InstanceId: I2, State: { Name: 'stopped' }, StateReason: { Message: 'User initiated' } }] },
      ],
    });
    await expect(adapter.describeInstances(REGION, [I1, I2])).resolves.toEqual([
      {
        instanceId: I1,
        state: 'running',
        availabilityZone: 'us-west-2a',
        privateIpAddress: '10.0.0.5',
        publicIpAddress: '198.51.100.7',
        launchTimeEpochMs: 1_700_000_000_000,
        tags: { Name: 'standby' },
      },
      { instanceId: I2, state: 'stopped', stateReason: 'User initiated', tags: {} },
    ]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: [I1, I2] });
  });

  it.each([
    [
      awsError('UnauthorizedOperation', { status: 403, message: 'You are not authorized to perform this operation.' }),
      'UnauthorizedOperation',
      'fatal',
    ],
    [awsError('RequestLimitExceeded', { status: 503 }), 'RequestLimitExceeded', 'throttle'],
    [awsError('InternalError', { status: 500 }), 'InternalError', 'transient'],
    [awsError('Unavailable', { status: 503 }), 'Unavailable', 'transient'],
    [networkError('ECONNRESET'), 'ECONNRESET', 'transient'],
    [awsError('InsufficientInstanceCapacity', { status: 500 }), 'InsufficientInstanceCapacity', 'transient'],
    [awsError('InvalidInstanceID.NotFound'), 'InvalidInstanceID.NotFound', 'fatal'],
  ])('maps StartInstances failure #%# to its code and kind', async (error, code, kind) => {
    ec2Mock.on(StartInstancesCommand).rejects(error);
    const failure = await adapter.startInstances(REGION, [I1]).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(AwsActionError);
    expect(failure).toMatchObject({ code, kind, action: 'ec2:StartInstances', resource: I1, cause: error });
  });

  it('words an access error the way an operator reads it', async () => {
    ec2Mock.on(StartInstancesCommand).rejects(
      new EC2ServiceException({
        name: 'UnauthorizedOperation',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'You are not authorized to perform this operation.',
      }),
    );
    await expect(adapter.startInstances(REGION, [I1])).rejects.toThrow(
      `ec2:StartInstances on ${I1} denied (UnauthorizedOperation): You are not authorized to perform this operation.`,
    );
  });
});

describe('waitForState', () => {
  it('polls until every instance is running', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce(instances([I1, 'pending'], [I2, 'pending']))
      .resolvesOnce(instances([I1, 'running'], [I2, 'pending']))
      .resolves(instances([I1, 'running'], [I2, 'running']));
    const { clock, options } = poll();
    await expect(adapter.waitForState(REGION, [I1, I2], 'running', options)).resolves.toEqual({
      reached: true,
      polls: 3,
      states: { [I1]: 'running', [I2]: 'running' },
    });
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('keeps polling while a just-launched instance is not found yet (eventual consistency)', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejectsOnce(awsError('InvalidInstanceID.NotFound'))
      .resolves(instances([I1, 'running']));
    const { options } = poll();
    await expect(adapter.waitForState(REGION, [I1], 'running', options)).resolves.toMatchObject({ reached: true, polls: 2 });
  });

  it('fails fast when an instance is terminated while we wait for running', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(instances([I1, 'terminated']));
    const { clock, options } = poll();
    await expect(adapter.waitForState(REGION, [I1], 'running', options)).rejects.toMatchObject({
      code: 'IncorrectInstanceState',
      kind: 'fatal',
      message: `ec2:DescribeInstances on ${I1} cannot reach (IncorrectInstanceState): waiting for running, but ${I1} is terminated`,
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('reports reached false at the deadline with the last states', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(instances([I1, 'stopping']));
    const { clock, options } = poll();
    await expect(adapter.waitForState(REGION, [I1], 'stopped', options)).resolves.toEqual({
      reached: false,
      polls: 11,
      states: { [I1]: 'stopping' },
    });
    expect(clock.now()).toBeLessThanOrEqual(options.deadlineEpochMs);
  });

  it('does not swallow other errors', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', { status: 403 }));
    await expect(adapter.waitForState(REGION, [I1], 'running', poll().options)).rejects.toMatchObject({ code: 'UnauthorizedOperation' });
  });
});

describe('runInstance', () => {
  it('launches exactly one instance with the client token, base64 user data and the run tag', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: I2 }] });
    const instanceId = await adapter.runInstance(REGION, {
      imageId: 'ami-0abc12345',
      instanceType: 't3.small',
      subnetId: 'subnet-0abc1234',
      securityGroupIds: ['sg-0abc1234'],
      keyName: 'ops',
      iamInstanceProfile: 'standby-profile',
      userData: '#!/bin/sh\necho hi',
      tags: { Name: 'standby', team: 'web' },
      clientToken: 'r-42-launch',
      runId: 'r-42',
    });
    expect(instanceId).toBe(I2);
    expect(ec2Mock.commandCalls(RunInstancesCommand)[0].args[0].input).toEqual({
      ImageId: 'ami-0abc12345',
      InstanceType: 't3.small',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'r-42-launch',
      SubnetId: 'subnet-0abc1234',
      SecurityGroupIds: ['sg-0abc1234'],
      KeyName: 'ops',
      IamInstanceProfile: { Name: 'standby-profile' },
      UserData: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Name', Value: 'standby' },
            { Key: 'team', Value: 'web' },
            { Key: 'switchback:run', Value: 'r-42' },
          ],
        },
      ],
    });
  });

  it('passes an instance profile ARN as Arn and leaves optional fields out', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: I2 }] });
    await adapter.runInstance(REGION, {
      imageId: 'ami-0abc12345',
      instanceType: 't3.small',
      iamInstanceProfile: 'arn:aws:iam::123456789012:instance-profile/standby',
      clientToken: 't',
      runId: 'r-1',
    });
    expect(ec2Mock.commandCalls(RunInstancesCommand)[0].args[0].input).toEqual({
      ImageId: 'ami-0abc12345',
      InstanceType: 't3.small',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 't',
      IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/standby' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'switchback:run', Value: 'r-1' }] }],
    });
  });

  it('maps IdempotentParameterMismatch to fatal', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('IdempotentParameterMismatch'));
    await expect(
      adapter.runInstance(REGION, { imageId: 'ami-0abc12345', instanceType: 't3.small', clientToken: 't', runId: 'r' }),
    ).rejects.toMatchObject({ kind: 'fatal', code: 'IdempotentParameterMismatch' });
  });
});

describe('attachVolume', () => {
  const input = { volumeId: VOL, instanceId: I1, device: '/dev/sdf', force: false };

  it('is a no-op with a note when the volume is already attached to this instance', async () => {
    ec2Mock.on(DescribeVolumesCommand).resolves(volume('in-use', [{ instanceId: I1, state: 'attached' }]));
    const result = await adapter.attachVolume(REGION, input, poll().options);
    expect(result).toEqual({ outcome: 'already-attached', note: `${VOL} was already attached to ${I1} as /dev/sdf; nothing to do` });
    expect(ec2Mock.commandCalls(AttachVolumeCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeVolumesCommand)[0].args[0].input).toEqual({ VolumeIds: [VOL] });
  });

  it('attaches an available volume and waits until it is attached', async () => {
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce(volume('available'))
      .resolvesOnce(volume('in-use', [{ instanceId: I1, state: 'attaching' }]))
      .resolves(volume('in-use', [{ instanceId: I1, state: 'attached' }]));
    ec2Mock.on(AttachVolumeCommand).resolves({ State: 'attaching' });
    const { clock, options } = poll();
    await expect(adapter.attachVolume(REGION, input, options)).resolves.toEqual({ outcome: 'attached' });
    expect(ec2Mock.commandCalls(AttachVolumeCommand)[0].args[0].input).toEqual({ VolumeId: VOL, InstanceId: I1, Device: '/dev/sdf' });
    expect(ec2Mock.commandCalls(DetachVolumeCommand)).toHaveLength(0);
    expect(clock.sleeps).toEqual([1000]);
  });

  it('refuses to take a volume attached elsewhere unless force is set', async () => {
    ec2Mock.on(DescribeVolumesCommand).resolves(volume('in-use', [{ instanceId: I2, state: 'attached', device: '/dev/xvdf' }]));
    const failure = await adapter.attachVolume(REGION, input, poll().options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsActionError);
    expect(failure).toMatchObject({
      code: 'VolumeInUse',
      kind: 'fatal',
      message: `ec2:AttachVolume on ${VOL} refused (VolumeInUse): ${VOL} is attached to ${I2} as /dev/xvdf; set force: true to detach it from there first`,
    });
    expect(ec2Mock.commandCalls(DetachVolumeCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(AttachVolumeCommand)).toHaveLength(0);
  });

  it('with force: force-detaches from the other instance, waits for available, attaches, waits for attached', async () => {
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce(volume('in-use', [{ instanceId: I2, state: 'attached' }]))
      .resolvesOnce(volume('in-use', [{ instanceId: I2, state: 'detaching' }]))
      .resolvesOnce(volume('available'))
      .resolves(volume('in-use', [{ instanceId: I1, state: 'attached' }]));
    ec2Mock.on(DetachVolumeCommand).resolves({ State: 'detaching' });
    ec2Mock.on(AttachVolumeCommand).resolves({ State: 'attaching' });
    const result = await adapter.attachVolume(REGION, { ...input, force: true }, poll().options);
    expect(result).toEqual({ outcome: 'attached', detachedFromInstanceId: I2, note: `force-detached ${VOL} from ${I2} before attaching` });
    expect(ec2Mock.commandCalls(DetachVolumeCommand)[0].args[0].input).toEqual({ VolumeId: VOL, InstanceId: I2, Force: true });
    expect(ec2Mock.commandCalls(AttachVolumeCommand)[0].args[0].input).toEqual({ VolumeId: VOL, InstanceId: I1, Device: '/dev/sdf' });
    // describe order: initial, detaching, available, attached
    expect(ec2Mock.commandCalls(DescribeVolumesCommand)).toHaveLength(4);
  });

  it('times out with a transient error naming what it saw', async () => {
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce(volume('available'))
      .resolves(volume('in-use', [{ instanceId: I1, state: 'attaching' }]));
    ec2Mock.on(AttachVolumeCommand).resolves({});
    await expect(adapter.attachVolume(REGION, input, poll().options)).rejects.toMatchObject({
      code: 'WaitTimeout',
      kind: 'transient',
      message: expect.stringContaining(`still not attached to ${I1} at the deadline (volume in-use; ${I1} attaching)`),
    });
  });
});

describe('associateAddress', () => {
  const input = { allocationId: 'eipalloc-0abc1234', instanceId: I1, allowReassociation: false };

  it('is a no-op when the address is already on this instance', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({
      Addresses: [{ AllocationId: 'eipalloc-0abc1234', InstanceId: I1, AssociationId: 'eipassoc-1', PublicIp: '198.51.100.7' }],
    });
    await expect(adapter.associateAddress(REGION, input)).resolves.toEqual({
      outcome: 'already-associated',
      associationId: 'eipassoc-1',
      publicIp: '198.51.100.7',
      note: `198.51.100.7 was already associated with ${I1}; nothing to do`,
    });
    expect(ec2Mock.commandCalls(DescribeAddressesCommand)[0].args[0].input).toEqual({ AllocationIds: ['eipalloc-0abc1234'] });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(0);
  });

  it('refuses to move an address from another instance without allowReassociation', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({
      Addresses: [{ AllocationId: 'eipalloc-0abc1234', InstanceId: I2, AssociationId: 'eipassoc-1', PublicIp: '198.51.100.7' }],
    });
    await expect(adapter.associateAddress(REGION, input)).rejects.toMatchObject({
      code: 'Resource.AlreadyAssociated',
      kind: 'fatal',
      message: `ec2:AssociateAddress on eipalloc-0abc1234 refused (Resource.AlreadyAssociated): 198.51.100.7 is associated with ${I2}; set allowReassociation: true to move it`,
    });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(0);
  });

  it('moves it with AllowReassociation true when allowed', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({
      Addresses: [{ AllocationId: 'eipalloc-0abc1234', InstanceId: I2, AssociationId: 'eipassoc-1', PublicIp: '198.51.100.7' }],
    });
    ec2Mock.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-2' });
    await expect(adapter.associateAddress(REGION, { ...input, allowReassociation: true })).resolves.toEqual({
      outcome: 'associated',
      associationId: 'eipassoc-2',
      publicIp: '198.51.100.7',
      previousInstanceId: I2,
      note: `moved 198.51.100.7 from ${I2}`,
    });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)[0].args[0].input).toEqual({
      AllocationId: 'eipalloc-0abc1234',
      InstanceId: I1,
      AllowReassociation: true,
    });
  });

  it('associates a free address, passing AllowReassociation false explicitly', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: 'eipalloc-0abc1234', PublicIp: '198.51.100.7' }] });
    ec2Mock.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-3' });
    await expect(adapter.associateAddress(REGION, input)).resolves.toEqual({
      outcome: 'associated',
      associationId: 'eipassoc-3',
      publicIp: '198.51.100.7',
    });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)[0].args[0].input).toEqual({
      AllocationId: 'eipalloc-0abc1234',
      InstanceId: I1,
      AllowReassociation: false,
    });
  });

  it('treats an address on a bare network interface as associated elsewhere', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({
      Addresses: [
        { AllocationId: 'eipalloc-0abc1234', NetworkInterfaceId: 'eni-1', AssociationId: 'eipassoc-9', PublicIp: '198.51.100.7' },
      ],
    });
    await expect(adapter.associateAddress(REGION, input)).rejects.toMatchObject({ code: 'Resource.AlreadyAssociated' });
  });
});

describe('checkPermission (DryRun)', () => {
  it('DryRunOperation means allowed; the request carries DryRun: true', async () => {
    ec2Mock
      .on(StartInstancesCommand)
      .rejects(awsError('DryRunOperation', { status: 412, message: 'Request would have succeeded, but DryRun flag is set.' }));
    await expect(adapter.checkPermission(REGION, 'StartInstances', { InstanceIds: [I1] })).resolves.toEqual({
      allowed: true,
      detail: 'ec2:StartInstances allowed (DryRunOperation)',
    });
    expect(ec2Mock.commandCalls(StartInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: [I1], DryRun: true });
  });

  it('UnauthorizedOperation means denied, with a readable detail', async () => {
    ec2Mock
      .on(AssociateAddressCommand)
      .rejects(awsError('UnauthorizedOperation', { status: 403, message: 'You are not authorized to perform this operation.' }));
    await expect(
      adapter.checkPermission(REGION, 'AssociateAddress', { AllocationId: 'eipalloc-0abc1234', InstanceId: I1, AllowReassociation: true }),
    ).resolves.toEqual({
      allowed: false,
      detail: `ec2:AssociateAddress on ${I1}, eipalloc-0abc1234 denied (UnauthorizedOperation): You are not authorized to perform this operation.`,
    });
  });

  it('any other answer is an error for the caller (e.g. the instance does not exist)', async () => {
    ec2Mock.on(StopInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', { message: `The instance ID '${I1}' does not exist` }));
    await expect(adapter.checkPermission(REGION, 'StopInstances', { InstanceIds: [I1] })).rejects.toMatchObject({
      code: 'InvalidInstanceID.NotFound',
      kind: 'fatal',
      action: 'ec2:StopInstances',
    });
  });
});
