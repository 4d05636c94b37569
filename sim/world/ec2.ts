/**
 * EC2 in memory, one independent model per region: instances (with state transitions that take
 * `transitionDelayMs`), AMIs, EBS volumes and their attachments, Elastic IPs, and IAM-style denials.
 *
 * As the real API: every call is checked for permission first (UnauthorizedOperation), then its
 * parameters and the resources it names are validated (NotFound, IncorrectInstanceState,
 * VolumeInUse …), then a DryRun stops with DryRunOperation, and only then does anything change.
 * Transitions complete when `now()` passes their due time, evaluated whenever the model is read.
 *
 * Availability Zones: every region has zones `<region>a`, `<region>b`, `<region>c`. A subnet lives in
 * one zone (`addSubnet`; RunInstances into an unknown subnet fails with InvalidSubnetID.NotFound), an
 * instance launched into a subnet lives in its zone (without one: the default subnet's, `<region>a`),
 * a seeded instance or volume in the zone it is given or one derived from its id. AttachVolume needs
 * the volume and the instance in one zone and fails with InvalidVolume.ZoneMismatch otherwise
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 *
 * Eventual consistency: for `notFoundAfterLaunchMs` after RunInstances a new instance is "not found"
 * by every call that names it (InvalidInstanceID.NotFound) and missing from unfiltered listings,
 * although RunInstances returned its id
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 */
import type {
  AssociateAddressRequest,
  AttachVolumeRequest,
  DescribeAddressesRequest,
  DescribeInstancesRequest,
  DescribeVolumesRequest,
  DetachVolumeRequest,
  DisassociateAddressRequest,
  Filter,
  RunInstancesRequest,
  StartInstancesRequest,
  StopInstancesRequest,
  TerminateInstancesRequest,
} from '@aws-sdk/client-ec2';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type CallContext, type ServiceModel, stableStringify, unsupportedOperation, wildcardMatches } from './model';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
export type AttachmentStateName = 'attaching' | 'attached' | 'detaching';

export interface InstanceView {
  instanceId: string;
  region: string;
  availabilityZone: string;
  state: InstanceStateName;
  imageId: string;
  instanceType: string;
  tags: Record<string, string>;
  launchTimeEpochMs: number;
  privateIpAddress: string;
  publicIpAddress?: string;
  clientToken?: string;
  /** Decoded user data, if any was given. */
  userData?: string;
  subnetId?: string;
}

export interface VolumeView {
  volumeId: string;
  region: string;
  availabilityZone: string;
  sizeGiB: number;
  state: 'available' | 'in-use';
  attachments: Array<{ instanceId: string; device: string; state: AttachmentStateName }>;
}

export interface AddressView {
  allocationId: string;
  region: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
}

export interface AddInstanceInput {
  region: string;
  instanceId?: string;
  /** Default: one of the region's zones, derived from the instance id (or the subnet's zone). */
  availabilityZone?: string;
  /** Must be a subnet added with `addSubnet`; the instance takes its zone. */
  subnetId?: string;
  state?: InstanceStateName;
  imageId?: string;
  instanceType?: string;
  tags?: Record<string, string>;
}

export interface Ec2World {
  /** Every instance (settled to now), optionally of one region. */
  instances(region?: string): InstanceView[];
  instance(instanceId: string): InstanceView | undefined;
  /** Create an instance (default: running); a no-op returning the existing one if the id exists in that region. */
  addInstance(input: AddInstanceInput): InstanceView;
  /** Put an instance in a state at once (a scenario's "someone stopped it"). */
  setInstanceState(instanceId: string, state: InstanceStateName): void;
  /** Register an AMI in a region (created now, or at `creationEpochMs`); a no-op if it exists. */
  addImage(region: string, imageId: string, options?: { creationEpochMs?: number }): void;
  /** Deregister an AMI: DescribeImages and RunInstances no longer find it. */
  removeImage(region: string, imageId: string): void;
  /**
   * Create a volume (available, or attached to an existing instance); a no-op if the id exists.
   * Zone: the one given, else the instance's it is attached to, else one derived from the id.
   */
  addVolume(input: {
    region: string;
    volumeId?: string;
    sizeGiB?: number;
    availabilityZone?: string;
    attachedTo?: { instanceId: string; device: string };
  }): VolumeView;
  /** Create a subnet in a zone (default: one derived from its id); a no-op if it exists. Returns its zone. */
  addSubnet(input: { region: string; subnetId: string; availabilityZone?: string }): string;
  /** The zones of a region (`<region>a`, `b`, `c`). */
  availabilityZones(region: string): string[];
  volumes(region?: string): VolumeView[];
  /** Allocate an Elastic IP (optionally associated); a no-op if the allocation id exists. */
  addAddress(input: { region: string; allocationId?: string; publicIp?: string; instanceId?: string }): AddressView;
  addresses(region?: string): AddressView[];
  /** Deny an action (`StartInstances` or `ec2:StartInstances`) in one region or everywhere: calls fail with UnauthorizedOperation. */
  denyAction(action: string, region?: string): void;
  allowAction(action: string, region?: string): void;
}

interface Transition<State> {
  to: State;
  dueEpochMs: number;
}

interface InstanceModel {
  instanceId: string;
  region: string;
  availabilityZone: string;
  /** Calls naming the instance find it from then on (eventual consistency after RunInstances). */
  visibleAtEpochMs: number;
  reservationId: string;
  state: InstanceStateName;
  transition?: Transition<InstanceStateName>;
  imageId: string;
  instanceType: string;
  tags: Record<string, string>;
  launchTimeEpochMs: number;
  privateIpAddress: string;
  clientToken?: string;
  userData?: string;
  subnetId?: string;
  securityGroupIds: string[];
  keyName?: string;
  launchIndex: number;
}

interface AttachmentModel {
  instanceId: string;
  device: string;
  state: AttachmentStateName;
  transition?: Transition<'attached' | 'detached'>;
  attachTimeEpochMs: number;
}

interface VolumeModel {
  volumeId: string;
  availabilityZone: string;
  sizeGiB: number;
  createTimeEpochMs: number;
  attachments: AttachmentModel[];
}

interface AddressModel {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
}

interface RegionModel {
  name: string;
  instances: Map<string, InstanceModel>;
  /** AMIs by id: when each was created (DescribeImages CreationDate). */
  images: Map<string, { creationEpochMs: number }>;
  volumes: Map<string, VolumeModel>;
  addresses: Map<string, AddressModel>;
  /** Subnet id → its zone. */
  subnets: Map<string, string>;
  clientTokens: Map<string, { fingerprint: string; reservationId: string; instanceIds: string[] }>;
}

const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
const VOLUME_ID = /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/;
const ALLOCATION_ID = /^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/;
const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const ZONE_LETTERS = ['a', 'b', 'c'] as const;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const DEVICE = /^\/dev\/[a-z0-9]+$/;
const MAX_INSTANCES_PER_CALL = 20;
const MAX_CLIENT_TOKEN_CHARS = 64;
const MAX_TAG_KEY_CHARS = 128;
const MAX_TAG_VALUE_CHARS = 256;
const MAX_USER_DATA_BYTES = 16 * 1024;
const DRY_RUN_MESSAGE = 'Request would have succeeded, but DryRun flag is set.';

function stateOf(name: InstanceStateName) {
  return { Code: STATE_CODES[name], Name: name };
}

function normalizeAction(action: string): string {
  return action.replace(/^ec2:/, '');
}

/** A zone of the region derived from an id: resources the world creates without one spread over a, b and c. */
export function zoneFromId(region: string, id: string): string {
  const sum = [...id].reduce((total, char) => (total * 31 + char.charCodeAt(0)) >>> 0, 0);
  return `${region}${ZONE_LETTERS[sum % ZONE_LETTERS.length]}`;
}

export function createEc2Model(
  ctx: WorldContext,
  options: { transitionDelayMs: number; volumeDelayMs: number; notFoundAfterLaunchMs: number },
): { model: ServiceModel; world: Ec2World } {
  const regions = new Map<string, RegionModel>();
  const denied = new Set<string>();
  let addressCounter = 0;
  let privateIpCounter = 0;

  const fail = (code: string, message: string) => ctx.error('ec2', code, message);

  function regionModel(name: string): RegionModel {
    let region = regions.get(name);
    if (!region) {
      region = {
        name,
        instances: new Map(),
        images: new Map(),
        volumes: new Map(),
        addresses: new Map(),
        subnets: new Map(),
        clientTokens: new Map(),
      };
      regions.set(name, region);
    }
    return region;
  }

  function due(stuck: boolean, delayMs: number): number {
    return stuck ? Number.POSITIVE_INFINITY : ctx.now() + delayMs;
  }

  function nextPrivateIp(): string {
    privateIpCounter += 1;
    return `10.0.${Math.floor(privateIpCounter / 250) % 256}.${(privateIpCounter % 250) + 4}`;
  }

  function nextPublicIp(): string {
    addressCounter += 1;
    return `198.18.${Math.floor(addressCounter / 250) % 256}.${(addressCounter % 250) + 1}`;
  }

  // -------------------------------------------------------------------------------------------
  // Settling transitions

  function settleInstance(instance: InstanceModel): InstanceModel {
    if (instance.transition && instance.transition.dueEpochMs <= ctx.now()) {
      instance.state = instance.transition.to;
      instance.transition = undefined;
    }
    return instance;
  }

  function settleVolume(volume: VolumeModel): VolumeModel {
    const now = ctx.now();
    volume.attachments = volume.attachments.filter((attachment) => {
      if (!attachment.transition || attachment.transition.dueEpochMs > now) return true;
      if (attachment.transition.to === 'detached') return false;
      attachment.state = 'attached';
      attachment.transition = undefined;
      return true;
    });
    return volume;
  }

  function addressOfInstance(region: RegionModel, instanceId: string): AddressModel | undefined {
    return [...region.addresses.values()].find((address) => address.instanceId === instanceId);
  }

  // -------------------------------------------------------------------------------------------
  // Lookups (validation errors as EC2 words them)

  function checkIds(ids: unknown, pattern: RegExp, malformedCode: string, parameter: string): string[] {
    if (!Array.isArray(ids) || ids.length === 0) throw fail('MissingParameter', `The request must contain the parameter ${parameter}`);
    for (const id of ids) if (typeof id !== 'string' || !pattern.test(id)) throw fail(malformedCode, `Invalid id: "${String(id)}"`);
    return ids as string[];
  }

  /** The instances the API can see now: a just-launched one is not found for a few seconds. */
  function visible(instance: InstanceModel | undefined): instance is InstanceModel {
    return instance !== undefined && instance.visibleAtEpochMs <= ctx.now();
  }

  function zoneOf(region: RegionModel, zone: string | undefined, fallbackId: string): string {
    if (zone === undefined) return zoneFromId(region.name, fallbackId);
    if (!ZONE_LETTERS.some((letter) => zone === `${region.name}${letter}`))
      throw new SwitchbackError(
        `world.ec2: ${zone} is not a zone of ${region.name} (${ZONE_LETTERS.map((l) => region.name + l).join(', ')})`,
      );
    return zone;
  }

  function requireInstances(region: RegionModel, ids: unknown, parameter = 'InstanceIds'): InstanceModel[] {
    const instanceIds = checkIds(ids, INSTANCE_ID, 'InvalidInstanceID.Malformed', parameter);
    const missing = instanceIds.filter((id) => !visible(region.instances.get(id)));
    if (missing.length === 1) throw fail('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
    if (missing.length > 1) throw fail('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    return [...new Set(instanceIds)].map((id) => settleInstance(region.instances.get(id) as InstanceModel));
  }

  function requireVolume(region: RegionModel, id: unknown): VolumeModel {
    const [volumeId] = checkIds(id === undefined ? undefined : [id], VOLUME_ID, 'InvalidVolumeID.Malformed', 'VolumeId');
    const volume = region.volumes.get(volumeId);
    if (!volume) throw fail('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
    return settleVolume(volume);
  }

  function requireAddress(region: RegionModel, allocationId: unknown, publicIp: unknown): AddressModel {
    if (allocationId !== undefined) {
      const [id] = checkIds([allocationId], ALLOCATION_ID, 'InvalidAllocationID.Malformed', 'AllocationId');
      const address = region.addresses.get(id);
      if (!address) throw fail('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`);
      return address;
    }
    if (typeof publicIp === 'string') {
      const address = [...region.addresses.values()].find((candidate) => candidate.publicIp === publicIp);
      if (!address) throw fail('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);
      return address;
    }
    throw fail('MissingParameter', 'Either public IP or allocation id must be specified');
  }

  function checkFilters(filters: Filter[] | undefined, known: (name: string) => boolean): Filter[] {
    for (const filter of filters ?? []) {
      if (!filter.Name || !known(filter.Name)) throw fail('InvalidParameterValue', `The filter '${String(filter.Name)}' is invalid`);
    }
    return filters ?? [];
  }

  function matchesFilters(filters: Filter[], valuesOf: (name: string) => string[]): boolean {
    return filters.every((filter) => {
      const actual = valuesOf(filter.Name as string);
      return (filter.Values ?? []).some((pattern) => actual.some((value) => wildcardMatches(pattern, value)));
    });
  }

  function tagValues(tags: Record<string, string>, name: string): string[] | undefined {
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return key in tags ? [tags[key]] : [];
    }
    if (name === 'tag-key') return Object.keys(tags);
    if (name === 'tag-value') return Object.values(tags);
    return undefined;
  }

  function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
    const start = nextToken ? Number(Buffer.from(nextToken, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw fail('InvalidParameterValue', `Invalid value '${nextToken}' for nextToken`);
    if (maxResults === undefined) return { page: items.slice(start) };
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000)
      throw fail('InvalidParameterValue', 'Value for parameter maxResults is invalid. Expecting a value between 5 and 1000.');
    const end = start + maxResults;
    return { page: items.slice(start, end), ...(end < items.length && { nextToken: Buffer.from(String(end), 'utf8').toString('base64') }) };
  }

  // -------------------------------------------------------------------------------------------
  // Output shapes

  function instanceOutput(region: RegionModel, instance: InstanceModel) {
    settleInstance(instance);
    const address = addressOfInstance(region, instance.instanceId);
    const volumes = [...region.volumes.values()]
      .map(settleVolume)
      .flatMap((volume) => volume.attachments.filter((a) => a.instanceId === instance.instanceId).map((a) => ({ volume, attachment: a })));
    return {
      InstanceId: instance.instanceId,
      ImageId: instance.imageId,
      InstanceType: instance.instanceType,
      State: stateOf(instance.state),
      StateTransitionReason: instance.state === 'stopped' ? `User initiated (${new Date(instance.launchTimeEpochMs).toISOString()})` : '',
      ...(instance.state === 'stopped' && {
        StateReason: { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' },
      }),
      ...(instance.state === 'pending' && { StateReason: { Code: 'pending', Message: 'pending' } }),
      Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: 'default' },
      PrivateIpAddress: instance.privateIpAddress,
      ...(address && { PublicIpAddress: address.publicIp }),
      LaunchTime: new Date(instance.launchTimeEpochMs),
      AmiLaunchIndex: instance.launchIndex,
      Tags: Object.entries(instance.tags).map(([Key, Value]) => ({ Key, Value })),
      ...(instance.clientToken !== undefined && { ClientToken: instance.clientToken }),
      ...(instance.subnetId !== undefined && { SubnetId: instance.subnetId }),
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroups: instance.securityGroupIds.map((GroupId) => ({ GroupId })),
      ...(instance.keyName !== undefined && { KeyName: instance.keyName }),
      BlockDeviceMappings: volumes.map(({ volume, attachment }) => ({
        DeviceName: attachment.device,
        Ebs: {
          VolumeId: volume.volumeId,
          Status: attachment.state,
          AttachTime: new Date(attachment.attachTimeEpochMs),
          DeleteOnTermination: false,
        },
      })),
    };
  }

  function volumeOutput(volume: VolumeModel) {
    settleVolume(volume);
    return {
      VolumeId: volume.volumeId,
      Size: volume.sizeGiB,
      AvailabilityZone: volume.availabilityZone,
      State: volume.attachments.length > 0 ? 'in-use' : 'available',
      VolumeType: 'gp3',
      Encrypted: true,
      CreateTime: new Date(volume.createTimeEpochMs),
      Attachments: volume.attachments.map((attachment) => ({
        VolumeId: volume.volumeId,
        InstanceId: attachment.instanceId,
        Device: attachment.device,
        State: attachment.state,
        AttachTime: new Date(attachment.attachTimeEpochMs),
        DeleteOnTermination: false,
      })),
    };
  }

  function addressOutput(region: RegionModel, address: AddressModel) {
    const instance = address.instanceId ? region.instances.get(address.instanceId) : undefined;
    return {
      AllocationId: address.allocationId,
      PublicIp: address.publicIp,
      Domain: 'vpc',
      ...(address.associationId && { AssociationId: address.associationId }),
      ...(address.instanceId && { InstanceId: address.instanceId }),
      ...(instance && { PrivateIpAddress: instance.privateIpAddress, NetworkInterfaceId: `eni-${instance.instanceId.slice(2)}` }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Operations. Each validates, then calls `commit()` (which throws DryRunOperation on a dry run).

  type Commit = () => void;

  /**
   * StartInstances / StopInstances: every instance must be in a state the call accepts (else the
   * whole call fails with IncorrectInstanceState and changes nothing); those in `from` begin the
   * transition to `to`, the others are reported as they are.
   */
  function transitionInstances(
    region: RegionModel,
    instanceIds: string[] | undefined,
    commit: Commit,
    call: CallContext,
    change: InstanceChange,
  ) {
    const instances = requireInstances(region, instanceIds);
    for (const instance of instances) {
      if (!change.accepted.includes(instance.state)) {
        throw fail(
          'IncorrectInstanceState',
          `The instance '${instance.instanceId}' is not in a state from which it can be ${change.verb}.`,
        );
      }
    }
    commit();
    return instances.map((instance) => {
      const previous = instance.state;
      if (previous === change.from) {
        instance.state = change.via;
        if (change.via === 'pending') instance.launchTimeEpochMs = ctx.now();
        instance.transition = { to: change.to, dueEpochMs: due(call.stuck, options.transitionDelayMs) };
      }
      return { InstanceId: instance.instanceId, PreviousState: stateOf(previous), CurrentState: stateOf(instance.state) };
    });
  }

  function startInstances(region: RegionModel, input: StartInstancesRequest, commit: Commit, call: CallContext) {
    return { StartingInstances: transitionInstances(region, input.InstanceIds, commit, call, INSTANCE_CHANGES.start) };
  }

  function stopInstances(region: RegionModel, input: StopInstancesRequest, commit: Commit, call: CallContext) {
    return { StoppingInstances: transitionInstances(region, input.InstanceIds, commit, call, INSTANCE_CHANGES.stop) };
  }

  function terminateInstances(region: RegionModel, input: TerminateInstancesRequest, commit: Commit) {
    const instances = requireInstances(region, input.InstanceIds);
    commit();
    return {
      TerminatingInstances: instances.map((instance) => {
        const previous = instance.state;
        if (previous !== 'terminated' && previous !== 'shutting-down') {
          instance.state = 'shutting-down';
          instance.transition = { to: 'terminated', dueEpochMs: due(false, options.transitionDelayMs) };
          const address = addressOfInstance(region, instance.instanceId);
          if (address) {
            address.instanceId = undefined;
            address.associationId = undefined;
          }
          for (const volume of region.volumes.values())
            volume.attachments = volume.attachments.filter((a) => a.instanceId !== instance.instanceId);
        }
        return { InstanceId: instance.instanceId, PreviousState: stateOf(previous), CurrentState: stateOf(instance.state) };
      }),
    };
  }

  function describeInstances(region: RegionModel, input: DescribeInstancesRequest, commit: Commit) {
    if (input.InstanceIds?.length && input.MaxResults !== undefined) {
      throw fail('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    }
    let instances = input.InstanceIds?.length
      ? requireInstances(region, input.InstanceIds)
      : [...region.instances.values()].filter(visible).map(settleInstance);
    const simple: Record<string, (instance: InstanceModel) => string[]> = {
      'instance-state-name': (i) => [i.state],
      'instance-state-code': (i) => [String(STATE_CODES[i.state])],
      'instance-id': (i) => [i.instanceId],
      'image-id': (i) => [i.imageId],
      'instance-type': (i) => [i.instanceType],
      'availability-zone': (i) => [i.availabilityZone],
      'client-token': (i) => (i.clientToken ? [i.clientToken] : []),
      'private-ip-address': (i) => [i.privateIpAddress],
      'ip-address': (i) => {
        const address = addressOfInstance(region, i.instanceId);
        return address ? [address.publicIp] : [];
      },
      'subnet-id': (i) => (i.subnetId ? [i.subnetId] : []),
      'reservation-id': (i) => [i.reservationId],
    };
    const filters = checkFilters(input.Filters, (name) => name in simple || tagValues({}, name) !== undefined);
    instances = instances.filter((instance) =>
      matchesFilters(filters, (name) => simple[name]?.(instance) ?? tagValues(instance.tags, name) ?? []),
    );
    commit();
    const byReservation = new Map<string, InstanceModel[]>();
    for (const instance of instances)
      byReservation.set(instance.reservationId, [...(byReservation.get(instance.reservationId) ?? []), instance]);
    const reservations = [...byReservation.entries()].map(([reservationId, members]) => ({
      ReservationId: reservationId,
      OwnerId: ctx.accountId,
      Groups: [],
      Instances: members.map((instance) => instanceOutput(region, instance)),
    }));
    const { page, nextToken } = paginate(reservations, input.MaxResults, input.NextToken);
    return { Reservations: page, ...(nextToken && { NextToken: nextToken }) };
  }

  /**
   * Tag limits (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions):
   * 50 per resource, keys of 1–128 and values of up to 256 Unicode characters, no `aws:` prefix.
   */
  function parseTags(input: RunInstancesRequest): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const spec of input.TagSpecifications ?? []) {
      if (!spec.ResourceType || !['instance', 'volume', 'network-interface', 'spot-instances-request'].includes(spec.ResourceType)) {
        throw fail('InvalidParameterValue', `'${String(spec.ResourceType)}' is not a valid taggable resource type for this operation.`);
      }
      if ((spec.Tags ?? []).length > 50) throw fail('TagLimitExceeded', 'The maximum number of tags per resource is 50.');
      for (const tag of spec.Tags ?? []) {
        if (!tag.Key) throw fail('InvalidParameterValue', 'Tag keys must not be empty.');
        if (tag.Key.toLowerCase().startsWith('aws:'))
          throw fail('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
        if ([...tag.Key].length > MAX_TAG_KEY_CHARS)
          throw fail('InvalidParameterValue', `Tag key exceeds the maximum length of ${MAX_TAG_KEY_CHARS} characters.`);
        if ([...(tag.Value ?? '')].length > MAX_TAG_VALUE_CHARS)
          throw fail('InvalidParameterValue', `Tag value exceeds the maximum length of ${MAX_TAG_VALUE_CHARS} characters.`);
        if (spec.ResourceType === 'instance') tags[tag.Key] = tag.Value ?? '';
      }
    }
    return tags;
  }

  function runInstances(region: RegionModel, input: RunInstancesRequest, commit: Commit, call: CallContext) {
    if (!input.ImageId) throw fail('MissingParameter', 'The request must contain the parameter ImageId');
    if (!IMAGE_ID.test(input.ImageId)) throw fail('InvalidAMIID.Malformed', `Invalid id: "${input.ImageId}" (expecting "ami-...")`);
    if (!region.images.has(input.ImageId)) throw fail('InvalidAMIID.NotFound', `The image id '[${input.ImageId}]' does not exist`);
    const { MinCount: minCount, MaxCount: maxCount } = input;
    if (minCount === undefined || maxCount === undefined)
      throw fail('MissingParameter', 'The request must contain the parameters MinCount and MaxCount');
    if (!Number.isInteger(minCount) || !Number.isInteger(maxCount) || minCount < 1 || maxCount < minCount) {
      throw fail('InvalidParameterValue', `Invalid MinCount ${minCount} / MaxCount ${maxCount}: need 1 ≤ MinCount ≤ MaxCount`);
    }
    if (minCount > MAX_INSTANCES_PER_CALL) {
      throw fail(
        'InstanceLimitExceeded',
        `You have requested more instances (${minCount}) than your current instance limit of ${MAX_INSTANCES_PER_CALL} allows.`,
      );
    }
    const instanceType = input.InstanceType ?? 'm1.small';
    if (!INSTANCE_TYPE.test(instanceType)) throw fail('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
    if (input.SubnetId !== undefined && !region.subnets.has(input.SubnetId))
      throw fail('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId}' does not exist`);
    // Without a subnet the default subnet's zone (the world takes <region>a).
    const availabilityZone = input.SubnetId !== undefined ? (region.subnets.get(input.SubnetId) as string) : `${region.name}a`;
    const clientToken = input.ClientToken;
    if (clientToken !== undefined && (clientToken.length === 0 || clientToken.length > MAX_CLIENT_TOKEN_CHARS)) {
      throw fail(
        'InvalidParameterValue',
        `Value (${clientToken}) for parameter clientToken is invalid. Length must be between 1 and ${MAX_CLIENT_TOKEN_CHARS} characters.`,
      );
    }
    let userData: string | undefined;
    if (input.UserData !== undefined) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.UserData) || input.UserData.length % 4 !== 0)
        throw fail('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
      const raw = Buffer.from(input.UserData, 'base64');
      // "User data is limited to 16 KB, in raw form, before it is base64-encoded":
      // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html
      if (raw.length > MAX_USER_DATA_BYTES) throw fail('InvalidParameterValue', `User data is limited to ${MAX_USER_DATA_BYTES} bytes.`);
      userData = raw.toString('utf8');
    }
    const tags = parseTags(input);
    const { ClientToken: _token, DryRun: _dryRun, ...parameters } = input;
    const fingerprint = stableStringify(parameters);
    const previous = clientToken !== undefined ? region.clientTokens.get(clientToken) : undefined;
    if (previous && previous.fingerprint !== fingerprint) {
      throw fail(
        'IdempotentParameterMismatch',
        `Arguments on this idempotent request are inconsistent with arguments used in previous request(s) with client token ${clientToken}.`,
      );
    }
    commit();
    if (previous) {
      return {
        ReservationId: previous.reservationId,
        OwnerId: ctx.accountId,
        Groups: [],
        Instances: previous.instanceIds.map((id) => instanceOutput(region, region.instances.get(id) as InstanceModel)),
      };
    }
    const reservationId = `r-0${ctx.nextHex('reservation', 16)}`;
    const created: InstanceModel[] = [];
    for (let index = 0; index < maxCount; index++) {
      const instance: InstanceModel = {
        instanceId: `i-0${ctx.nextHex('instance', 16)}`,
        region: region.name,
        availabilityZone,
        visibleAtEpochMs: ctx.now() + options.notFoundAfterLaunchMs,
        reservationId,
        state: 'pending',
        transition: { to: 'running', dueEpochMs: due(call.stuck, options.transitionDelayMs) },
        imageId: input.ImageId,
        instanceType,
        tags: { ...tags },
        launchTimeEpochMs: ctx.now(),
        privateIpAddress: nextPrivateIp(),
        ...(clientToken !== undefined && { clientToken }),
        ...(userData !== undefined && { userData }),
        ...(input.SubnetId !== undefined && { subnetId: input.SubnetId }),
        securityGroupIds: [...(input.SecurityGroupIds ?? [])],
        ...(input.KeyName !== undefined && { keyName: input.KeyName }),
        launchIndex: index,
      };
      region.instances.set(instance.instanceId, instance);
      created.push(instance);
    }
    if (clientToken !== undefined)
      region.clientTokens.set(clientToken, { fingerprint, reservationId, instanceIds: created.map((i) => i.instanceId) });
    return {
      ReservationId: reservationId,
      OwnerId: ctx.accountId,
      Groups: [],
      Instances: created.map((instance) => instanceOutput(region, instance)),
    };
  }

  function describeVolumes(region: RegionModel, input: DescribeVolumesRequest, commit: Commit) {
    let volumes: VolumeModel[];
    if (input.VolumeIds?.length) {
      const ids = checkIds(input.VolumeIds, VOLUME_ID, 'InvalidVolumeID.Malformed', 'VolumeIds');
      const missing = ids.filter((id) => !region.volumes.has(id));
      if (missing.length > 0)
        throw fail(
          'InvalidVolume.NotFound',
          `The volume${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' do${missing.length > 1 ? '' : 'es'} not exist.`,
        );
      volumes = [...new Set(ids)].map((id) => region.volumes.get(id) as VolumeModel);
    } else {
      volumes = [...region.volumes.values()];
    }
    volumes = volumes.map(settleVolume);
    const simple: Record<string, (volume: VolumeModel) => string[]> = {
      'volume-id': (v) => [v.volumeId],
      status: (v) => [v.attachments.length > 0 ? 'in-use' : 'available'],
      'availability-zone': (v) => [v.availabilityZone],
      'attachment.instance-id': (v) => v.attachments.map((a) => a.instanceId),
      'attachment.status': (v) => v.attachments.map((a) => a.state),
      'attachment.device': (v) => v.attachments.map((a) => a.device),
    };
    const filters = checkFilters(input.Filters, (name) => name in simple);
    volumes = volumes.filter((volume) => matchesFilters(filters, (name) => simple[name](volume)));
    commit();
    const { page, nextToken } = paginate(volumes.map(volumeOutput), input.MaxResults, input.NextToken);
    return { Volumes: page, ...(nextToken && { NextToken: nextToken }) };
  }

  /**
   * DescribeSubnets by id: each subnet and its zone; an unknown id fails the whole call with
   * InvalidSubnetID.NotFound (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html,
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). Like every Describe*, it has no
   * resource-level permission (authorized on "*", sim/world/authorization.ts).
   */
  function describeSubnets(region: RegionModel, input: { SubnetIds?: string[] }, commit: Commit) {
    const ids = input.SubnetIds ?? [...region.subnets.keys()];
    const missing = ids.filter((id) => !region.subnets.has(id));
    if (missing.length > 0) throw fail('InvalidSubnetID.NotFound', `The subnet ID '${missing.join(', ')}' does not exist`);
    commit();
    return {
      Subnets: [...new Set(ids)].map((id) => ({ SubnetId: id, AvailabilityZone: region.subnets.get(id), State: 'available' })),
    };
  }

  /**
   * DescribeImages by id (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html):
   * AMIs are regional, so an AMI of another region is not found; an unknown id is
   * InvalidAMIID.NotFound, a malformed one InvalidAMIID.Malformed; CreationDate is an ISO 8601 string.
   * Not modelled: a recently deregistered image still listed for a short while, other owners' images.
   */
  function describeImages(region: RegionModel, input: { ImageIds?: string[] }, commit: Commit) {
    const ids = input.ImageIds ?? [...region.images.keys()];
    const malformed = ids.filter((id) => !IMAGE_ID.test(id));
    if (malformed.length > 0) throw fail('InvalidAMIID.Malformed', `Invalid id: "${malformed[0]}" (expecting "ami-...")`);
    const missing = ids.filter((id) => !region.images.has(id));
    if (missing.length > 0) throw fail('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
    commit();
    return {
      Images: [...new Set(ids)].map((id) => ({
        ImageId: id,
        State: 'available',
        CreationDate: new Date(region.images.get(id)?.creationEpochMs ?? 0).toISOString(),
      })),
    };
  }

  function attachVolume(region: RegionModel, input: AttachVolumeRequest, commit: Commit, call: CallContext) {
    if (!input.Device) throw fail('MissingParameter', 'The request must contain the parameter device');
    if (!DEVICE.test(input.Device))
      throw fail(
        'InvalidParameterValue',
        `Value (${input.Device}) for parameter device is invalid. ${input.Device} is not a valid EBS device name.`,
      );
    const volume = requireVolume(region, input.VolumeId);
    const [instance] = requireInstances(region, input.InstanceId === undefined ? undefined : [input.InstanceId], 'InstanceId');
    if (volume.availabilityZone !== instance.availabilityZone) {
      throw fail(
        'InvalidVolume.ZoneMismatch',
        `The volume '${volume.volumeId}' is not in the same availability zone as instance '${instance.instanceId}'`,
      );
    }
    if (volume.attachments.length > 0) throw fail('VolumeInUse', `${volume.volumeId} is already attached to an instance`);
    if (instance.state !== 'running' && instance.state !== 'stopped')
      throw fail('IncorrectState', `Instance '${instance.instanceId}' is not 'running'.`);
    const deviceTaken = [...region.volumes.values()].some((other) =>
      settleVolume(other).attachments.some((a) => a.instanceId === instance.instanceId && a.device === input.Device),
    );
    if (deviceTaken)
      throw fail(
        'InvalidParameterValue',
        `Invalid value '${input.Device}' for unixDevice. Attachment point ${input.Device} is already in use`,
      );
    commit();
    const attachment: AttachmentModel = {
      instanceId: instance.instanceId,
      device: input.Device,
      state: 'attaching',
      transition: { to: 'attached', dueEpochMs: due(call.stuck, options.volumeDelayMs) },
      attachTimeEpochMs: ctx.now(),
    };
    volume.attachments.push(attachment);
    return {
      VolumeId: volume.volumeId,
      InstanceId: instance.instanceId,
      Device: attachment.device,
      State: attachment.state,
      AttachTime: new Date(attachment.attachTimeEpochMs),
    };
  }

  function detachVolume(region: RegionModel, input: DetachVolumeRequest, commit: Commit, call: CallContext) {
    const volume = requireVolume(region, input.VolumeId);
    const attachment = volume.attachments.find((candidate) => input.InstanceId === undefined || candidate.instanceId === input.InstanceId);
    if (volume.attachments.length === 0) throw fail('IncorrectState', `Volume '${volume.volumeId}' is in the 'available' state.`);
    if (!attachment)
      throw fail('InvalidAttachment.NotFound', `Volume '${volume.volumeId}' is not attached to instance '${input.InstanceId}'.`);
    if (input.Device !== undefined && input.Device !== attachment.device) {
      throw fail('InvalidAttachment.NotFound', `Volume '${volume.volumeId}' is not attached as '${input.Device}'.`);
    }
    commit();
    if (attachment.state !== 'detaching') {
      attachment.state = 'detaching';
      attachment.transition = { to: 'detached', dueEpochMs: due(call.stuck, options.volumeDelayMs) };
    }
    return {
      VolumeId: volume.volumeId,
      InstanceId: attachment.instanceId,
      Device: attachment.device,
      State: attachment.state,
      AttachTime: new Date(attachment.attachTimeEpochMs),
    };
  }

  function describeAddresses(region: RegionModel, input: DescribeAddressesRequest, commit: Commit) {
    let addresses = [...region.addresses.values()];
    if (input.AllocationIds?.length) addresses = input.AllocationIds.map((id) => requireAddress(region, id, undefined));
    if (input.PublicIps?.length) {
      const wanted = input.PublicIps.map((ip) => requireAddress(region, undefined, ip));
      addresses = addresses.filter((address) => wanted.includes(address));
    }
    const simple: Record<string, (address: AddressModel) => string[]> = {
      'allocation-id': (a) => [a.allocationId],
      'association-id': (a) => (a.associationId ? [a.associationId] : []),
      'instance-id': (a) => (a.instanceId ? [a.instanceId] : []),
      'public-ip': (a) => [a.publicIp],
      domain: () => ['vpc'],
    };
    const filters = checkFilters(input.Filters, (name) => name in simple);
    addresses = addresses.filter((address) => matchesFilters(filters, (name) => simple[name](address)));
    commit();
    return { Addresses: addresses.map((address) => addressOutput(region, address)) };
  }

  function associateAddress(region: RegionModel, input: AssociateAddressRequest, commit: Commit) {
    const address = requireAddress(region, input.AllocationId, input.PublicIp);
    if (input.NetworkInterfaceId !== undefined)
      throw fail('InvalidParameterValue', 'The embedded world associates addresses with instances (InstanceId) only.');
    const [instance] = requireInstances(region, input.InstanceId === undefined ? undefined : [input.InstanceId], 'InstanceId');
    if (instance.state === 'terminated' || instance.state === 'shutting-down') {
      throw fail('IncorrectInstanceState', `The instance '${instance.instanceId}' is not in a valid state for this operation.`);
    }
    const elsewhere = address.instanceId !== undefined && address.instanceId !== instance.instanceId;
    if (elsewhere && input.AllowReassociation !== true) {
      throw fail(
        'Resource.AlreadyAssociated',
        `resource ${address.allocationId} is already associated with associate-id ${address.associationId}`,
      );
    }
    commit();
    if (address.instanceId === instance.instanceId && address.associationId) return { AssociationId: address.associationId };
    // An instance has one public address: the one it had is disassociated.
    const previous = addressOfInstance(region, instance.instanceId);
    if (previous) {
      previous.instanceId = undefined;
      previous.associationId = undefined;
    }
    address.instanceId = instance.instanceId;
    address.associationId = `eipassoc-0${ctx.nextHex('association', 16)}`;
    return { AssociationId: address.associationId };
  }

  function disassociateAddress(region: RegionModel, input: DisassociateAddressRequest, commit: Commit) {
    const address =
      input.AssociationId !== undefined
        ? [...region.addresses.values()].find((candidate) => candidate.associationId === input.AssociationId)
        : requireAddress(region, undefined, input.PublicIp);
    if (!address) throw fail('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
    commit();
    address.instanceId = undefined;
    address.associationId = undefined;
    return {};
  }

  type Handler = (region: RegionModel, input: any, commit: Commit, call: CallContext) => unknown;
  const HANDLERS: Record<string, Handler> = {
    StartInstances: startInstances,
    StopInstances: stopInstances,
    TerminateInstances: terminateInstances,
    DescribeInstances: describeInstances,
    RunInstances: runInstances,
    DescribeVolumes: describeVolumes,
    AttachVolume: attachVolume,
    DetachVolume: detachVolume,
    DescribeAddresses: describeAddresses,
    DescribeSubnets: describeSubnets,
    DescribeImages: describeImages,
    AssociateAddress: associateAddress,
    DisassociateAddress: disassociateAddress,
  };

  function isDenied(action: string, region: string): boolean {
    return denied.has(`*|${action}`) || denied.has(`${region}|${action}`);
  }

  const model: ServiceModel = {
    handle(operation, input, call) {
      const handler = HANDLERS[operation];
      if (!handler) throw unsupportedOperation(ctx, 'ec2', operation);
      if (isDenied(operation, call.region)) {
        throw fail(
          'UnauthorizedOperation',
          `You are not authorized to perform this operation. User: arn:aws:sts::${ctx.accountId}:assumed-role/switchback/controller is not authorized to perform: ec2:${operation} because no identity-based policy allows the ec2:${operation} action`,
        );
      }
      const dryRun = (input as { DryRun?: unknown }).DryRun === true;
      const commit: Commit = () => {
        if (dryRun) throw fail('DryRunOperation', DRY_RUN_MESSAGE);
      };
      return handler(regionModel(call.region), input, commit, call);
    },
  };

  // -------------------------------------------------------------------------------------------
  // Test and seeding surface

  function findInstance(instanceId: string): { region: RegionModel; instance: InstanceModel } | undefined {
    for (const region of regions.values()) {
      const instance = region.instances.get(instanceId);
      if (instance) return { region, instance: settleInstance(instance) };
    }
    return undefined;
  }

  function instanceView(region: RegionModel, instance: InstanceModel): InstanceView {
    settleInstance(instance);
    const address = addressOfInstance(region, instance.instanceId);
    return {
      instanceId: instance.instanceId,
      region: region.name,
      availabilityZone: instance.availabilityZone,
      state: instance.state,
      imageId: instance.imageId,
      instanceType: instance.instanceType,
      tags: { ...instance.tags },
      launchTimeEpochMs: instance.launchTimeEpochMs,
      privateIpAddress: instance.privateIpAddress,
      ...(address && { publicIpAddress: address.publicIp }),
      ...(instance.clientToken !== undefined && { clientToken: instance.clientToken }),
      ...(instance.userData !== undefined && { userData: instance.userData }),
      ...(instance.subnetId !== undefined && { subnetId: instance.subnetId }),
    };
  }

  function volumeView(region: RegionModel, volume: VolumeModel): VolumeView {
    settleVolume(volume);
    return {
      volumeId: volume.volumeId,
      region: region.name,
      availabilityZone: volume.availabilityZone,
      sizeGiB: volume.sizeGiB,
      state: volume.attachments.length > 0 ? 'in-use' : 'available',
      attachments: volume.attachments.map((a) => ({ instanceId: a.instanceId, device: a.device, state: a.state })),
    };
  }

  function addressView(region: RegionModel, address: AddressModel): AddressView {
    return {
      allocationId: address.allocationId,
      region: region.name,
      publicIp: address.publicIp,
      ...(address.associationId && { associationId: address.associationId }),
      ...(address.instanceId && { instanceId: address.instanceId }),
    };
  }

  const pickRegions = (name?: string) => (name === undefined ? [...regions.values()] : [regionModel(name)]);

  const world: Ec2World = {
    instances: (regionName) =>
      pickRegions(regionName).flatMap((region) => [...region.instances.values()].map((instance) => instanceView(region, instance))),
    instance(instanceId) {
      const found = findInstance(instanceId);
      return found && instanceView(found.region, found.instance);
    },
    addInstance(input) {
      const region = regionModel(input.region);
      const instanceId = seededId('addInstance', input.instanceId ?? `i-0${ctx.nextHex('instance', 16)}`, INSTANCE_ID, 'an instance id');
      const existing = region.instances.get(instanceId);
      if (existing) return instanceView(region, existing);
      const imageId = input.imageId ?? 'ami-0123456789abcdef0';
      if (input.subnetId !== undefined && !region.subnets.has(input.subnetId))
        throw new SwitchbackError(`world.ec2.addInstance: no subnet ${input.subnetId} in ${region.name} (addSubnet first)`);
      const subnetZone = input.subnetId !== undefined ? region.subnets.get(input.subnetId) : undefined;
      zonesAgree('addInstance', `subnet ${input.subnetId}`, subnetZone, input.availabilityZone);
      if (!region.images.has(imageId)) region.images.set(imageId, { creationEpochMs: ctx.now() });
      const instance: InstanceModel = {
        instanceId,
        region: region.name,
        availabilityZone: subnetZone ?? zoneOf(region, input.availabilityZone, instanceId),
        visibleAtEpochMs: ctx.now(),
        ...(input.subnetId !== undefined && { subnetId: input.subnetId }),
        reservationId: `r-0${ctx.nextHex('reservation', 16)}`,
        state: input.state ?? 'running',
        imageId,
        instanceType: input.instanceType ?? 't3.micro',
        tags: { ...input.tags },
        launchTimeEpochMs: ctx.now(),
        privateIpAddress: nextPrivateIp(),
        securityGroupIds: [],
        launchIndex: 0,
      };
      region.instances.set(instanceId, instance);
      return instanceView(region, instance);
    },
    setInstanceState(instanceId, state) {
      const found = findInstance(instanceId);
      if (!found) throw new SwitchbackError(`world.ec2.setInstanceState: no instance ${instanceId}`);
      if (!(state in STATE_CODES)) throw new SwitchbackError(`world.ec2.setInstanceState: ${state} is not an instance state`);
      found.instance.state = state;
      found.instance.transition = undefined;
    },
    addImage(regionName, imageId, options) {
      if (!IMAGE_ID.test(imageId)) throw new SwitchbackError(`world.ec2.addImage: "${imageId}" is not an AMI id`);
      const region = regionModel(regionName);
      if (!region.images.has(imageId)) region.images.set(imageId, { creationEpochMs: options?.creationEpochMs ?? ctx.now() });
    },
    removeImage(regionName, imageId) {
      regionModel(regionName).images.delete(imageId);
    },
    addVolume(input) {
      const region = regionModel(input.region);
      const volumeId = seededId('addVolume', input.volumeId ?? `vol-0${ctx.nextHex('volume', 16)}`, VOLUME_ID, 'a volume id');
      const existing = region.volumes.get(volumeId);
      if (existing) return volumeView(region, existing);
      const attachedZone = input.attachedTo ? region.instances.get(input.attachedTo.instanceId)?.availabilityZone : undefined;
      zonesAgree('addVolume', String(input.attachedTo?.instanceId), attachedZone, input.availabilityZone);
      const volume: VolumeModel = {
        volumeId,
        availabilityZone: attachedZone ?? zoneOf(region, input.availabilityZone, volumeId),
        sizeGiB: input.sizeGiB ?? 100,
        createTimeEpochMs: ctx.now(),
        attachments: [],
      };
      if (input.attachedTo) {
        if (!region.instances.has(input.attachedTo.instanceId))
          throw new SwitchbackError(`world.ec2.addVolume: no instance ${input.attachedTo.instanceId} in ${region.name}`);
        volume.attachments.push({
          instanceId: input.attachedTo.instanceId,
          device: input.attachedTo.device,
          state: 'attached',
          attachTimeEpochMs: ctx.now(),
        });
      }
      region.volumes.set(volumeId, volume);
      return volumeView(region, volume);
    },
    volumes: (regionName) =>
      pickRegions(regionName).flatMap((region) => [...region.volumes.values()].map((volume) => volumeView(region, volume))),
    addSubnet(input) {
      const region = regionModel(input.region);
      if (!SUBNET_ID.test(input.subnetId)) throw new SwitchbackError(`world.ec2.addSubnet: "${input.subnetId}" is not a subnet id`);
      const existing = region.subnets.get(input.subnetId);
      if (existing) return existing;
      const zone = zoneOf(region, input.availabilityZone, input.subnetId);
      region.subnets.set(input.subnetId, zone);
      return zone;
    },
    availabilityZones: (regionName) => ZONE_LETTERS.map((letter) => `${regionName}${letter}`),
    addAddress(input) {
      const region = regionModel(input.region);
      const allocationId = input.allocationId ?? `eipalloc-0${ctx.nextHex('allocation', 16)}`;
      if (!ALLOCATION_ID.test(allocationId)) throw new SwitchbackError(`world.ec2.addAddress: "${allocationId}" is not an allocation id`);
      const existing = region.addresses.get(allocationId);
      if (existing) return addressView(region, existing);
      const address: AddressModel = { allocationId, publicIp: input.publicIp ?? nextPublicIp() };
      if (input.instanceId) {
        if (!region.instances.has(input.instanceId))
          throw new SwitchbackError(`world.ec2.addAddress: no instance ${input.instanceId} in ${region.name}`);
        address.instanceId = input.instanceId;
        address.associationId = `eipassoc-0${ctx.nextHex('association', 16)}`;
      }
      region.addresses.set(allocationId, address);
      return addressView(region, address);
    },
    addresses: (regionName) =>
      pickRegions(regionName).flatMap((region) => [...region.addresses.values()].map((address) => addressView(region, address))),
    denyAction(action, regionName) {
      denied.add(`${regionName ?? '*'}|${normalizeAction(action)}`);
    },
    allowAction(action, regionName) {
      denied.delete(`${regionName ?? '*'}|${normalizeAction(action)}`);
    },
  };

  return { model, world };
}

interface InstanceChange {
  verb: 'started' | 'stopped';
  accepted: readonly InstanceStateName[];
  from: InstanceStateName;
  via: InstanceStateName;
  to: InstanceStateName;
}

/** StartInstances and StopInstances: which states each accepts, and the transition it begins. */
const INSTANCE_CHANGES: Record<'start' | 'stop', InstanceChange> = {
  start: { verb: 'started', accepted: ['stopped', 'pending', 'running'], from: 'stopped', via: 'pending', to: 'running' },
  stop: { verb: 'stopped', accepted: ['running', 'stopping', 'stopped'], from: 'running', via: 'stopping', to: 'stopped' },
};

/** The id a seeding call uses (given, or fresh), refused when it is not shaped like the real thing. */
function seededId(method: string, id: string, pattern: RegExp, what: string): string {
  if (!pattern.test(id)) throw new SwitchbackError(`world.ec2.${method}: "${id}" is not ${what}`);
  return id;
}

/** A seeded resource's zone must be the zone of what places it (its subnet, the instance it is attached to). */
function zonesAgree(method: string, placedBy: string, placedZone: string | undefined, requestedZone: string | undefined): void {
  if (placedZone && requestedZone && placedZone !== requestedZone)
    throw new SwitchbackError(`world.ec2.${method}: ${placedBy} is in ${placedZone}, not ${requestedZone}`);
}
