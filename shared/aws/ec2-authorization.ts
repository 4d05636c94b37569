/**
 * How AWS authorizes the EC2 calls the runbook makes: the IAM action, every resource ARN the call is
 * authorized on, and the condition keys the request carries. Looked up in the Service Authorization
 * Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html)
 * and, for what RunInstances asks, "Grant permission to launch instances"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances).
 *
 * One function for two users, so they cannot disagree: the embedded world authorizes every EC2 call
 * with it (sim/world/authorization.ts), and the drill asks IAM the same requests for a call whose
 * input holds a value known only at run time (an instance a launch step creates), through
 * iam:SimulatePrincipalPolicy on the orchestrator's role (./iam.ts). Pure: no SDK.
 *
 * `undefined` means the request is malformed before IAM is consulted (a required parameter is
 * missing): EC2 answers MissingParameter, whatever the caller may do.
 */
import { SwitchbackError } from '../errors';

export type ContextValues = Record<string, string | string[]>;

/** What AWS evaluates for one part of a call: one action on one resource with the request's context. */
export interface AuthorizationRequest {
  /** `ec2:RunInstances` */
  action: string;
  /** A full ARN, or `*` for actions (or requests) with no resource; `instance/*` for an instance not launched yet. */
  resource: string;
  context: ContextValues;
}

/** What authorizing an EC2 call needs to know about the account's resources. */
export interface Ec2AuthorizationLookup {
  accountId: string;
  instance(
    region: string,
    instanceId: string,
  ): { tags: Record<string, string>; availabilityZone?: string; instanceType?: string } | undefined;
  volume(region: string, volumeId: string): { availabilityZone?: string; attachedTo: string[] } | undefined;
  /** The role (name) inside an instance profile given by name or ARN. */
  instanceProfileRole(nameOrArn: string): string;
  /** The id of an instance's primary network interface (`*` while the instance does not exist yet). */
  networkInterfaceOf(region: string, instanceId: string): string;
}

/** RunInstances with no SecurityGroupIds / SubnetId uses the default VPC's: concrete ids, so `security-group/*` grants match and named ones do not. */
export const DEFAULT_SECURITY_GROUP_ID = 'sg-00000000000000def';
export const DEFAULT_SUBNET_ID = 'subnet-00000000000000def';

type Input = Record<string, unknown>;

/** A list param's strings (others dropped). */
export function stringListParam(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A non-empty string param, else undefined. */
export function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `aws:ResourceTag/<k>` and EC2's older `ec2:ResourceTag/<k>` for each tag of a resource. */
function resourceTags(tags: Record<string, string>): ContextValues {
  const context: ContextValues = {};
  for (const [key, value] of Object.entries(tags)) {
    context[`aws:ResourceTag/${key}`] = value;
    context[`ec2:ResourceTag/${key}`] = value;
  }
  return context;
}

/** `aws:RequestTag/<k>` and `aws:TagKeys` for the tags a request writes. */
function requestTags(tags: Record<string, string>): ContextValues {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  const context: ContextValues = { 'aws:TagKeys': keys };
  for (const [key, value] of Object.entries(tags)) context[`aws:RequestTag/${key}`] = value;
  return context;
}

function tagsFor(input: Input, resourceType: string): Record<string, string> {
  const specs = Array.isArray(input.TagSpecifications) ? (input.TagSpecifications as Array<Record<string, unknown>>) : [];
  const tags: Record<string, string> = {};
  for (const spec of specs) {
    if (spec.ResourceType !== resourceType || !Array.isArray(spec.Tags)) continue;
    for (const tag of spec.Tags as Array<{ Key?: string; Value?: string }>) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  }
  return tags;
}

/** The authorization requests of one EC2 call (`operation` as in the API: `AttachVolume`), or undefined when EC2 refuses it as malformed first. */
export function ec2AuthorizationRequests(
  operation: string,
  input: Input,
  region: string,
  lookup: Ec2AuthorizationLookup,
): AuthorizationRequest[] | undefined {
  const account = lookup.accountId;
  const arn = (resource: string) => `arn:aws:ec2:${region}:${account}:${resource}`;
  const base: ContextValues = { 'ec2:Region': region };
  const action = `ec2:${operation}`;
  const instance = (instanceId: string): AuthorizationRequest => {
    const found = lookup.instance(region, instanceId);
    return {
      action,
      resource: arn(`instance/${instanceId}`),
      context: {
        ...base,
        ...(found && resourceTags(found.tags)),
        ...(found?.availabilityZone && { 'ec2:AvailabilityZone': found.availabilityZone }),
        ...(found?.instanceType && { 'ec2:InstanceType': found.instanceType }),
      },
    };
  };
  const volume = (volumeId: string): AuthorizationRequest => {
    const found = lookup.volume(region, volumeId);
    return {
      action,
      resource: arn(`volume/${volumeId}`),
      context: { ...base, ...(found?.availabilityZone && { 'ec2:AvailabilityZone': found.availabilityZone }) },
    };
  };

  switch (operation) {
    case 'DescribeInstances':
    case 'DescribeVolumes':
    case 'DescribeAddresses':
    case 'DescribeImages':
    case 'DescribeSubnets':
      // Describe* support no resource-level permissions.
      return [{ action, resource: '*', context: base }];
    case 'StartInstances':
    case 'StopInstances':
    case 'TerminateInstances': {
      const ids = stringListParam(input.InstanceIds);
      return ids.length === 0 ? undefined : ids.map(instance);
    }
    case 'AttachVolume': {
      // Authorized on the instance and the volume (both required).
      const volumeId = stringParam(input.VolumeId);
      const instanceId = stringParam(input.InstanceId);
      if (!volumeId || !instanceId || !stringParam(input.Device)) return undefined;
      return [instance(instanceId), volume(volumeId)];
    }
    case 'DetachVolume': {
      // Authorized on the volume (required) and the instance it is attached to.
      const volumeId = stringParam(input.VolumeId);
      if (!volumeId) return undefined;
      const instanceIds = stringParam(input.InstanceId)
        ? [stringParam(input.InstanceId) as string]
        : (lookup.volume(region, volumeId)?.attachedTo ?? []);
      return [volume(volumeId), ...instanceIds.map(instance)];
    }
    case 'AssociateAddress': {
      // Authorized on the elastic-ip, the instance and the instance's network interface.
      const allocationId = stringParam(input.AllocationId);
      const instanceId = stringParam(input.InstanceId);
      if (!allocationId && !stringParam(input.PublicIp)) return undefined;
      if (!instanceId && !stringParam(input.NetworkInterfaceId)) return undefined;
      const requests: AuthorizationRequest[] = [];
      if (allocationId) requests.push({ action, resource: arn(`elastic-ip/${allocationId}`), context: base });
      if (instanceId) {
        requests.push(instance(instanceId));
        requests.push({ action, resource: arn(`network-interface/${lookup.networkInterfaceOf(region, instanceId)}`), context: base });
      }
      if (stringParam(input.NetworkInterfaceId))
        requests.push({ action, resource: arn(`network-interface/${stringParam(input.NetworkInterfaceId) as string}`), context: base });
      return requests;
    }
    case 'DisassociateAddress':
      return [{ action, resource: arn(`elastic-ip/${stringParam(input.AllocationId) ?? '*'}`), context: base }];
    case 'RunInstances':
      return runInstancesRequests(input, region, lookup);
    default:
      throw new SwitchbackError(
        `how AWS authorizes ec2:${operation} is not modelled (add it to shared/aws/ec2-authorization.ts from the Service Authorization Reference)`,
      );
  }
}

/**
 * RunInstances: the image (owned by no account: no account field), the new instance, network
 * interface and root volume (ids unknown yet: `…/*`), every security group and the subnet the
 * request names (else the default VPC's), the key pair; tags written at launch also need
 * `ec2:CreateTags` with `ec2:CreateAction = RunInstances`; an instance profile needs iam:PassRole
 * on the role inside it.
 */
function runInstancesRequests(input: Input, region: string, lookup: Ec2AuthorizationLookup): AuthorizationRequest[] | undefined {
  const imageId = stringParam(input.ImageId);
  if (!imageId || input.MinCount === undefined || input.MaxCount === undefined) return undefined;
  const account = lookup.accountId;
  const arn = (resource: string) => `arn:aws:ec2:${region}:${account}:${resource}`;
  const action = 'ec2:RunInstances';
  const base: ContextValues = { 'ec2:Region': region };
  const subnetId = stringParam(input.SubnetId) ?? DEFAULT_SUBNET_ID;
  const groups = stringListParam(input.SecurityGroupIds);
  const profile = input.IamInstanceProfile as { Name?: string; Arn?: string } | undefined;
  const profileRef = profile?.Arn ?? profile?.Name;
  const profileArn = profileRef
    ? profileRef.startsWith('arn:')
      ? profileRef
      : `arn:aws:iam::${account}:instance-profile/${profileRef}`
    : undefined;
  const instanceTags = tagsFor(input, 'instance');
  const volumeTags = tagsFor(input, 'volume');
  const interfaceTags = tagsFor(input, 'network-interface');
  const requests: AuthorizationRequest[] = [
    { action, resource: `arn:aws:ec2:${region}::image/${imageId}`, context: base },
    {
      action,
      resource: arn('instance/*'),
      context: {
        ...base,
        ...requestTags(instanceTags),
        ...(typeof input.InstanceType === 'string' && { 'ec2:InstanceType': input.InstanceType }),
        ...(profileArn && { 'ec2:InstanceProfile': profileArn }),
      },
    },
    {
      action,
      resource: arn('network-interface/*'),
      context: { ...base, 'ec2:Subnet': arn(`subnet/${subnetId}`), ...requestTags(interfaceTags) },
    },
    ...(groups.length > 0 ? groups : [DEFAULT_SECURITY_GROUP_ID]).map((group) => ({
      action,
      resource: arn(`security-group/${group}`),
      context: base,
    })),
    { action, resource: arn(`subnet/${subnetId}`), context: base },
    { action, resource: arn('volume/*'), context: { ...base, ...requestTags(volumeTags) } },
  ];
  const keyName = stringParam(input.KeyName);
  if (keyName) requests.push({ action, resource: arn(`key-pair/${keyName}`), context: base });
  for (const [resourceType, tags] of [
    ['instance', instanceTags],
    ['volume', volumeTags],
    ['network-interface', interfaceTags],
  ] as const) {
    if (Object.keys(tags).length === 0) continue;
    requests.push({
      action: 'ec2:CreateTags',
      resource: arn(`${resourceType}/*`),
      context: { ...base, 'ec2:CreateAction': 'RunInstances', ...requestTags(tags) },
    });
  }
  if (profileRef) {
    requests.push({
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${account}:role/${lookup.instanceProfileRole(profileRef)}`,
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
  }
  return requests;
}

/** Every request carries the region it was sent to (`aws:RequestedRegion`; global services: us-east-1). */
export function withRequestedRegion(requests: AuthorizationRequest[], requestedRegion: string): AuthorizationRequest[] {
  return requests.map((request) => ({ ...request, context: { 'aws:RequestedRegion': requestedRegion, ...request.context } }));
}
