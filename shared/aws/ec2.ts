/**
 * EC2 adapter: start/stop/launch the standby, attach its data volume, move the Elastic IP, and
 * check permissions with DryRun. Every mutating call is idempotent or guarded by a read first
 * (RunInstances with a ClientToken; attach/associate look before they act and refuse to steal a
 * volume or an address unless the config says so).
 *
 * Importing this module loads @aws-sdk/client-ec2 (1.5 MB bundled): only functions that run EC2
 * steps (orchestrator, drill) import it — never `probe` or `alarm`.
 */
import {
  AssociateAddressCommand,
  AttachVolumeCommand,
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type Volume,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import { AWS_ERROR_KINDS, AwsActionError, callAws, getAwsErrorCode, refusal } from './errors';
import { runInstancesRequest, type RunInstanceInput } from './ec2-requests';

export const ec2ClientFactory = sdkClientFactory(EC2Client);

/** The tag every instance switchback launches carries; the value is the run id (one definition, with the IAM grants that rely on it). */
import { RUN_TAG_KEY } from '../actions/grants';
export { RUN_TAG_KEY };
export const DEFAULT_EC2_POLL_MS = 3000;

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface InstanceStateChange {
  instanceId: string;
  previousState?: string;
  currentState?: string;
}

export interface InstanceSummary {
  instanceId: string;
  state: string;
  stateReason?: string;
  availabilityZone?: string;
  privateIpAddress?: string;
  publicIpAddress?: string;
  launchTimeEpochMs?: number;
  tags: Record<string, string>;
}

export interface PollOptions {
  /** Default 3000. */
  pollMs?: number;
  deadlineEpochMs: number;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface WaitForStateResult {
  reached: boolean;
  polls: number;
  /** Last seen state per instance (`not-found` while EC2 does not list it yet). */
  states: Record<string, string>;
}

export type { RunInstanceInput };

export interface AttachVolumeInput {
  volumeId: string;
  instanceId: string;
  device: string;
  /** Detach the volume (DetachVolume Force) from another instance first. */
  force: boolean;
}

export interface AttachVolumeResult {
  outcome: 'attached' | 'already-attached';
  /** The instance the volume was force-detached from, if any. */
  detachedFromInstanceId?: string;
  note?: string;
}

export interface AssociateAddressInput {
  allocationId: string;
  instanceId: string;
  allowReassociation: boolean;
}

export interface AssociateAddressResult {
  outcome: 'associated' | 'already-associated';
  associationId?: string;
  publicIp?: string;
  /** Where the address was before (reassociation). */
  previousInstanceId?: string;
  note?: string;
}

export const EC2_PERMISSION_ACTIONS = [
  'StartInstances',
  'StopInstances',
  'RunInstances',
  'AttachVolume',
  'DetachVolume',
  'AssociateAddress',
  'DescribeInstances',
  'DescribeVolumes',
  'DescribeAddresses',
] as const;
export type Ec2PermissionAction = (typeof EC2_PERMISSION_ACTIONS)[number];

export interface PermissionCheck {
  allowed: boolean;
  /** A sentence for the drill report, e.g. `ec2:StartInstances allowed (DryRunOperation)`. */
  detail: string;
}

export interface Ec2Adapter {
  startInstances(region: string, instanceIds: string[]): Promise<InstanceStateChange[]>;
  stopInstances(region: string, instanceIds: string[]): Promise<InstanceStateChange[]>;
  describeInstances(region: string, instanceIds: string[]): Promise<InstanceSummary[]>;
  waitForState(region: string, instanceIds: string[], target: 'running' | 'stopped', options: PollOptions): Promise<WaitForStateResult>;
  runInstance(region: string, input: RunInstanceInput): Promise<string>;
  attachVolume(region: string, input: AttachVolumeInput, options: PollOptions): Promise<AttachVolumeResult>;
  associateAddress(region: string, input: AssociateAddressInput): Promise<AssociateAddressResult>;
  checkPermission(region: string, action: Ec2PermissionAction, params: Record<string, unknown>): Promise<PermissionCheck>;
  /** The Availability Zone of a volume and of a subnet (the drill compares them before AttachVolume has to). */
  volumeZone(region: string, volumeId: string): Promise<string | undefined>;
  subnetZone(region: string, subnetId: string): Promise<string | undefined>;
  /** An AMI in a region (AMIs are regional), or undefined when the region has none by that id. */
  describeImage(region: string, imageId: string): Promise<ImageSummary | undefined>;
}

export interface ImageSummary {
  imageId: string;
  /** `available`, `pending`, `failed`, `deregistered` … */
  state: string;
  creationEpochMs?: number;
}

// The commands differ in input type; checkPermission passes caller-built params through.
type AnyEc2CommandClass = new (input: any) => any;
const PERMISSION_COMMANDS: Record<Ec2PermissionAction, AnyEc2CommandClass> = {
  StartInstances: StartInstancesCommand,
  StopInstances: StopInstancesCommand,
  RunInstances: RunInstancesCommand,
  AttachVolume: AttachVolumeCommand,
  DetachVolume: DetachVolumeCommand,
  AssociateAddress: AssociateAddressCommand,
  DescribeInstances: DescribeInstancesCommand,
  DescribeVolumes: DescribeVolumesCommand,
  DescribeAddresses: DescribeAddressesCommand,
};

/** States an instance never leaves for the wanted one: waiting longer cannot help. */
const DEAD_END_STATES: Record<'running' | 'stopped', ReadonlySet<string>> = {
  running: new Set(['shutting-down', 'terminated']),
  stopped: new Set(['shutting-down', 'terminated']),
};

/** `busy` is an attached volume with I/O in flight. */
const ATTACHED_STATES: ReadonlySet<string> = new Set(['attached', 'busy']);

function describeIds(ids: string[]): string {
  return ids.join(', ');
}

function toTagMap(tags: Array<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

function liveAttachments(volume: Volume) {
  return (volume.Attachments ?? []).filter((attachment) => attachment.State !== 'detached');
}

export function createEc2Adapter(clients: Pick<AwsClients, 'ec2'>): Ec2Adapter {
  /** EC2's answer to Start/StopInstances: each instance's state before and after the call. */
  function stateChanges(changes: Array<{ InstanceId?: string; PreviousState?: { Name?: string }; CurrentState?: { Name?: string } }> = []) {
    return changes.map((change): InstanceStateChange => ({
      instanceId: change.InstanceId ?? '',
      previousState: change.PreviousState?.Name,
      currentState: change.CurrentState?.Name,
    }));
  }

  async function startInstances(region: string, instanceIds: string[]): Promise<InstanceStateChange[]> {
    const response = await callAws('ec2:StartInstances', describeIds(instanceIds), () =>
      clients.ec2(region).send(new StartInstancesCommand({ InstanceIds: instanceIds })),
    );
    return stateChanges(response.StartingInstances);
  }

  async function stopInstances(region: string, instanceIds: string[]): Promise<InstanceStateChange[]> {
    const response = await callAws('ec2:StopInstances', describeIds(instanceIds), () =>
      clients.ec2(region).send(new StopInstancesCommand({ InstanceIds: instanceIds })),
    );
    return stateChanges(response.StoppingInstances);
  }

  async function describeInstances(region: string, instanceIds: string[]): Promise<InstanceSummary[]> {
    const summaries: InstanceSummary[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const response = await callAws('ec2:DescribeInstances', describeIds(instanceIds), () =>
        clients.ec2(region).send(new DescribeInstancesCommand({ InstanceIds: instanceIds, ...(token && { NextToken: token }) })),
      );
      for (const reservation of response.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          summaries.push({
            instanceId: instance.InstanceId ?? '',
            state: instance.State?.Name ?? 'unknown',
            ...(instance.StateReason?.Message && { stateReason: instance.StateReason.Message }),
            ...(instance.Placement?.AvailabilityZone && { availabilityZone: instance.Placement.AvailabilityZone }),
            ...(instance.PrivateIpAddress && { privateIpAddress: instance.PrivateIpAddress }),
            ...(instance.PublicIpAddress && { publicIpAddress: instance.PublicIpAddress }),
            ...(instance.LaunchTime && { launchTimeEpochMs: instance.LaunchTime.getTime() }),
            tags: toTagMap(instance.Tags),
          });
        }
      }
      nextToken = response.NextToken;
    } while (nextToken);
    return summaries;
  }

  async function waitForState(
    region: string,
    instanceIds: string[],
    target: 'running' | 'stopped',
    options: PollOptions,
  ): Promise<WaitForStateResult> {
    const pollMs = options.pollMs ?? DEFAULT_EC2_POLL_MS;
    const states: Record<string, string> = Object.fromEntries(instanceIds.map((id) => [id, 'not-found']));
    for (let polls = 1; ; polls += 1) {
      try {
        for (const summary of await describeInstances(region, instanceIds)) states[summary.instanceId] = summary.state;
      } catch (error) {
        // Eventual consistency: a just-launched instance can be "not found" for a few seconds.
        if (!(error instanceof AwsActionError && error.code === 'InvalidInstanceID.NotFound')) throw error;
      }
      const deadEnd = instanceIds.filter((id) => DEAD_END_STATES[target].has(states[id]));
      if (deadEnd.length > 0) {
        throw new AwsActionError({
          action: 'ec2:DescribeInstances',
          resource: describeIds(deadEnd),
          code: 'IncorrectInstanceState',
          kind: AWS_ERROR_KINDS.fatal,
          verb: 'cannot reach',
          detail: `waiting for ${target}, but ${deadEnd.map((id) => `${id} is ${states[id]}`).join(', ')}`,
          context: { states },
        });
      }
      if (instanceIds.every((id) => states[id] === target)) return { reached: true, polls, states };
      if (options.deadlineEpochMs - options.now() < pollMs) return { reached: false, polls, states };
      await options.sleep(pollMs);
    }
  }

  async function runInstance(region: string, input: RunInstanceInput): Promise<string> {
    const response = await callAws('ec2:RunInstances', `${input.imageId} (${input.instanceType})`, () =>
      clients.ec2(region).send(new RunInstancesCommand(runInstancesRequest(input))),
    );
    const instanceId = response.Instances?.[0]?.InstanceId;
    if (!instanceId) {
      throw new AwsActionError({
        action: 'ec2:RunInstances',
        resource: input.imageId,
        code: 'MissingInstanceId',
        kind: AWS_ERROR_KINDS.fatal,
        detail: 'the response listed no instance',
      });
    }
    return instanceId;
  }

  async function describeVolume(region: string, volumeId: string): Promise<Volume> {
    const response = await callAws('ec2:DescribeVolumes', volumeId, () =>
      clients.ec2(region).send(new DescribeVolumesCommand({ VolumeIds: [volumeId] })),
    );
    const volume = response.Volumes?.find((candidate) => candidate.VolumeId === volumeId);
    return foundOrFatal(volume, 'ec2:DescribeVolumes', volumeId, 'InvalidVolume.NotFound');
  }

  async function waitForVolume(
    region: string,
    volumeId: string,
    done: (volume: Volume) => boolean,
    waitingFor: string,
    options: PollOptions,
  ): Promise<void> {
    const pollMs = options.pollMs ?? DEFAULT_EC2_POLL_MS;
    for (;;) {
      const volume = await describeVolume(region, volumeId);
      if (done(volume)) return;
      if (options.deadlineEpochMs - options.now() < pollMs) {
        const seen =
          liveAttachments(volume)
            .map((a) => `${a.InstanceId} ${a.State}`)
            .join(', ') || 'no attachments';
        throw new AwsActionError({
          action: 'ec2:DescribeVolumes',
          resource: volumeId,
          code: 'WaitTimeout',
          kind: AWS_ERROR_KINDS.transient,
          verb: 'timed out',
          detail: `still not ${waitingFor} at the deadline (volume ${volume.State}; ${seen})`,
        });
      }
      await options.sleep(pollMs);
    }
  }

  async function attachVolume(region: string, input: AttachVolumeInput, options: PollOptions): Promise<AttachVolumeResult> {
    const { volumeId, instanceId, device } = input;
    const volume = await describeVolume(region, volumeId);
    const attachments = liveAttachments(volume);
    const isAttachedHere = (candidate: Volume) =>
      liveAttachments(candidate).some((a) => a.InstanceId === instanceId && ATTACHED_STATES.has(a.State ?? ''));

    const mine = attachments.find((a) => a.InstanceId === instanceId && a.State !== 'detaching');
    if (mine) {
      if (!ATTACHED_STATES.has(mine.State ?? ''))
        await waitForVolume(region, volumeId, isAttachedHere, `attached to ${instanceId}`, options);
      const deviceNote =
        mine.Device && mine.Device !== device ? ` as ${mine.Device} (config says ${device})` : ` as ${mine.Device ?? device}`;
      return { outcome: 'already-attached', note: `${volumeId} was already attached to ${instanceId}${deviceNote}; nothing to do` };
    }

    let detachedFromInstanceId: string | undefined;
    const elsewhere = attachments.find((a) => a.InstanceId !== instanceId && a.State !== 'detaching');
    if (elsewhere) {
      if (!input.force) {
        throw refusal(
          'ec2:AttachVolume',
          volumeId,
          'VolumeInUse',
          `${volumeId} is attached to ${elsewhere.InstanceId} as ${elsewhere.Device}; set force: true to detach it from there first`,
        );
      }
      detachedFromInstanceId = elsewhere.InstanceId;
      await callAws('ec2:DetachVolume', `${volumeId} from ${elsewhere.InstanceId}`, () =>
        clients.ec2(region).send(new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: elsewhere.InstanceId, Force: true })),
      );
    }
    if (elsewhere || attachments.length > 0 || volume.State !== 'available') {
      await waitForVolume(region, volumeId, (candidate) => candidate.State === 'available', 'available', options);
    }

    await callAws('ec2:AttachVolume', `${volumeId} to ${instanceId} as ${device}`, () =>
      clients.ec2(region).send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: device })),
    );
    await waitForVolume(region, volumeId, isAttachedHere, `attached to ${instanceId}`, options);
    return {
      outcome: 'attached',
      ...(detachedFromInstanceId && {
        detachedFromInstanceId,
        note: `force-detached ${volumeId} from ${detachedFromInstanceId} before attaching`,
      }),
    };
  }

  async function associateAddress(region: string, input: AssociateAddressInput): Promise<AssociateAddressResult> {
    const { allocationId, instanceId } = input;
    const described = await callAws('ec2:DescribeAddresses', allocationId, () =>
      clients.ec2(region).send(new DescribeAddressesCommand({ AllocationIds: [allocationId] })),
    );
    const address = foundOrFatal(
      described.Addresses?.find((candidate) => candidate.AllocationId === allocationId),
      'ec2:DescribeAddresses',
      allocationId,
      'InvalidAllocationID.NotFound',
    );
    if (address.InstanceId === instanceId) {
      return {
        outcome: 'already-associated',
        ...(address.AssociationId && { associationId: address.AssociationId }),
        ...(address.PublicIp && { publicIp: address.PublicIp }),
        note: `${address.PublicIp ?? allocationId} was already associated with ${instanceId}; nothing to do`,
      };
    }
    const currentHolder = address.InstanceId ?? address.NetworkInterfaceId;
    const associatedElsewhere = Boolean(address.AssociationId || currentHolder);
    if (associatedElsewhere && !input.allowReassociation) {
      throw refusal(
        'ec2:AssociateAddress',
        allocationId,
        'Resource.AlreadyAssociated',
        `${address.PublicIp ?? allocationId} is associated with ${currentHolder ?? address.AssociationId}; set allowReassociation: true to move it`,
      );
    }
    const response = await callAws('ec2:AssociateAddress', `${allocationId} to ${instanceId}`, () =>
      clients
        .ec2(region)
        .send(
          new AssociateAddressCommand({ AllocationId: allocationId, InstanceId: instanceId, AllowReassociation: input.allowReassociation }),
        ),
    );
    return {
      outcome: 'associated',
      ...(response.AssociationId && { associationId: response.AssociationId }),
      ...(address.PublicIp && { publicIp: address.PublicIp }),
      ...(associatedElsewhere &&
        currentHolder && { previousInstanceId: currentHolder, note: `moved ${address.PublicIp ?? allocationId} from ${currentHolder}` }),
    };
  }

  async function checkPermission(region: string, action: Ec2PermissionAction, params: Record<string, unknown>): Promise<PermissionCheck> {
    const Command = PERMISSION_COMMANDS[action];
    const qualified = `ec2:${action}`;
    try {
      await clients.ec2(region).send(new Command({ ...params, DryRun: true }));
      // EC2 always answers a DryRun with an error; a success means the endpoint ignored DryRun.
      return { allowed: true, detail: `${qualified} returned success to a DryRun request (the endpoint ignored DryRun)` };
    } catch (error) {
      const code = getAwsErrorCode(error);
      if (code === 'DryRunOperation') return { allowed: true, detail: `${qualified} allowed (DryRunOperation)` };
      if (code === 'UnauthorizedOperation') {
        const denied = new AwsActionError({ action: qualified, resource: describeParams(params), cause: error });
        return { allowed: false, detail: denied.message };
      }
      throw new AwsActionError({ action: qualified, resource: describeParams(params), cause: error, context: { dryRun: true } });
    }
  }

  async function volumeZone(region: string, volumeId: string): Promise<string | undefined> {
    return (await describeVolume(region, volumeId)).AvailabilityZone;
  }

  async function subnetZone(region: string, subnetId: string): Promise<string | undefined> {
    const response = await callAws('ec2:DescribeSubnets', subnetId, () =>
      clients.ec2(region).send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })),
    );
    return response.Subnets?.find((subnet) => subnet.SubnetId === subnetId)?.AvailabilityZone;
  }

  /** DescribeImages answers InvalidAMIID.NotFound for an id the region does not have (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html). */
  async function describeImage(region: string, imageId: string): Promise<ImageSummary | undefined> {
    try {
      const response = await callAws('ec2:DescribeImages', imageId, () =>
        clients.ec2(region).send(new DescribeImagesCommand({ ImageIds: [imageId] })),
      );
      const image = response.Images?.find((candidate) => candidate.ImageId === imageId);
      if (!image) return undefined;
      const created = image.CreationDate ? Date.parse(image.CreationDate) : Number.NaN;
      return { imageId, state: image.State ?? 'unknown', ...(Number.isFinite(created) && { creationEpochMs: created }) };
    } catch (error) {
      if (getAwsErrorCode(error) === 'InvalidAMIID.NotFound') return undefined;
      throw error;
    }
  }

  return {
    describeImage,
    startInstances,
    stopInstances,
    describeInstances,
    waitForState,
    runInstance,
    attachVolume,
    associateAddress,
    checkPermission,
    volumeZone,
    subnetZone,
  };
}

function describeParams(params: Record<string, unknown>): string {
  const ids = ['InstanceIds', 'InstanceId', 'VolumeId', 'AllocationId', 'ImageId', 'VolumeIds', 'AllocationIds'].flatMap((key) => {
    const value = params[key];
    return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
  });
  return ids.length > 0 ? [...new Set(ids)].join(', ') : '(dry run)';
}

/** A described resource, or the fatal error a missing one is (no retry makes it exist). */
function foundOrFatal<T>(item: T | undefined, action: string, resource: string, code: string): T {
  if (item) return item;
  throw new AwsActionError({ action, resource, code, kind: AWS_ERROR_KINDS.fatal });
}

/** What a function that carries the ec2 adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const ec2Kit: AdapterKit<'ec2', Ec2Adapter> = { factory: ec2ClientFactory, adapter: createEc2Adapter };
