/**
 * What AWS authorizes for each call the adapters make: the IAM action, every resource ARN the
 * action is authorized on, and the condition keys the request carries. Looked up in the Service
 * Authorization Reference ("Actions, resources, and condition keys for …"):
 * - EC2:       https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 * - Route 53:  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html
 * - Lambda:    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 * - SNS:       https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
 * - CloudWatch https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * - EventBridge https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
 * - IAM:       https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 * - RDS:       https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 * - Auto Scaling https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 * - ECS:       https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 * and, for what RunInstances asks, "Grant permission to launch instances":
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances
 *
 * `undefined` means the request is malformed before IAM is consulted (a required parameter is
 * missing): EC2 answers MissingParameter, whatever the caller may do, so the model answers it.
 */
import type { AwsServiceName } from '../../shared/aws/clients';
import { SwitchbackError } from '../../shared/errors';
import type { AuthorizationRequest, ContextValues } from './iam';

/** What authorization needs to know about the world's resources. */
export interface AuthorizationLookup {
  accountId: string;
  instance(
    region: string,
    instanceId: string,
  ): { tags: Record<string, string>; availabilityZone: string; instanceType: string } | undefined;
  volume(region: string, volumeId: string): { availabilityZone: string; attachedTo: string[] } | undefined;
  /** The role (name) inside an instance profile given by name or ARN. */
  instanceProfileRole(nameOrArn: string): string;
  /** The ARN of an Auto Scaling group (it carries the group's id), or undefined when there is none. */
  autoScalingGroupArn?(region: string, name: string): string | undefined;
}

/** RunInstances with no SecurityGroupIds / SubnetId uses the default VPC's: concrete ids, so `security-group/*` grants match and named ones do not. */
export const DEFAULT_SECURITY_GROUP_ID = 'sg-00000000000000def';
export const DEFAULT_SUBNET_ID = 'subnet-00000000000000def';

type Input = Record<string, unknown>;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function text(value: unknown): string | undefined {
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

// ---------------------------------------------------------------------------------------------
// EC2

function ec2Requests(operation: string, input: Input, region: string, lookup: AuthorizationLookup): AuthorizationRequest[] | undefined {
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
        ...(found && {
          ...resourceTags(found.tags),
          'ec2:AvailabilityZone': found.availabilityZone,
          'ec2:InstanceType': found.instanceType,
        }),
      },
    };
  };
  const volume = (volumeId: string): AuthorizationRequest => {
    const found = lookup.volume(region, volumeId);
    return {
      action,
      resource: arn(`volume/${volumeId}`),
      context: { ...base, ...(found && { 'ec2:AvailabilityZone': found.availabilityZone }) },
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
      const ids = strings(input.InstanceIds);
      return ids.length === 0 ? undefined : ids.map(instance);
    }
    case 'AttachVolume': {
      // Authorized on the instance and the volume (both required).
      const volumeId = text(input.VolumeId);
      const instanceId = text(input.InstanceId);
      if (!volumeId || !instanceId || !text(input.Device)) return undefined;
      return [instance(instanceId), volume(volumeId)];
    }
    case 'DetachVolume': {
      // Authorized on the volume (required) and the instance it is attached to.
      const volumeId = text(input.VolumeId);
      if (!volumeId) return undefined;
      const instanceIds = text(input.InstanceId) ? [text(input.InstanceId) as string] : (lookup.volume(region, volumeId)?.attachedTo ?? []);
      return [volume(volumeId), ...instanceIds.map(instance)];
    }
    case 'AssociateAddress': {
      // Authorized on the elastic-ip, the instance and the instance's network interface.
      const allocationId = text(input.AllocationId);
      const instanceId = text(input.InstanceId);
      if (!allocationId && !text(input.PublicIp)) return undefined;
      if (!instanceId && !text(input.NetworkInterfaceId)) return undefined;
      const requests: AuthorizationRequest[] = [];
      if (allocationId) requests.push({ action, resource: arn(`elastic-ip/${allocationId}`), context: base });
      if (instanceId) {
        requests.push(instance(instanceId));
        // The world names an instance's primary interface eni-<id without "i-">.
        requests.push({ action, resource: arn(`network-interface/eni-${instanceId.slice(2)}`), context: base });
      }
      if (text(input.NetworkInterfaceId))
        requests.push({ action, resource: arn(`network-interface/${text(input.NetworkInterfaceId) as string}`), context: base });
      return requests;
    }
    case 'DisassociateAddress':
      return [{ action, resource: arn(`elastic-ip/${text(input.AllocationId) ?? '*'}`), context: base }];
    case 'RunInstances':
      return runInstancesRequests(input, region, lookup);
    default:
      return unmodelled('ec2', operation);
  }
}

/**
 * RunInstances: the image (owned by no account: no account field), the new instance, network
 * interface and root volume (ids unknown yet: `…/*`), every security group and the subnet the
 * request names (else the default VPC's), the key pair; tags written at launch also need
 * `ec2:CreateTags` with `ec2:CreateAction = RunInstances`; an instance profile needs iam:PassRole
 * on the role inside it.
 */
function runInstancesRequests(input: Input, region: string, lookup: AuthorizationLookup): AuthorizationRequest[] | undefined {
  const imageId = text(input.ImageId);
  if (!imageId || input.MinCount === undefined || input.MaxCount === undefined) return undefined;
  const account = lookup.accountId;
  const arn = (resource: string) => `arn:aws:ec2:${region}:${account}:${resource}`;
  const action = 'ec2:RunInstances';
  const base: ContextValues = { 'ec2:Region': region };
  const subnetId = text(input.SubnetId) ?? DEFAULT_SUBNET_ID;
  const groups = strings(input.SecurityGroupIds);
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
  const keyName = text(input.KeyName);
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

// ---------------------------------------------------------------------------------------------
// Route 53 (global: no region in its ARNs)

/** Route 53's normalized record name: lowercase, no trailing dot (route53:ChangeResourceRecordSetsNormalizedRecordNames). */
function normalizedRecordName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function route53Requests(operation: string, input: Input): AuthorizationRequest[] | undefined {
  const action = `route53:${operation}`;
  const zone = () => `arn:aws:route53:::hostedzone/${String(input.HostedZoneId ?? '').replace(/^\/?hostedzone\//, '')}`;
  switch (operation) {
    case 'ChangeResourceRecordSets': {
      if (!text(input.HostedZoneId)) return undefined;
      const changes = ((input.ChangeBatch as { Changes?: Array<Record<string, unknown>> } | undefined)?.Changes ?? []).map((change) => ({
        action: String(change.Action),
        name: normalizedRecordName(String((change.ResourceRecordSet as { Name?: string } | undefined)?.Name ?? '')),
        type: String((change.ResourceRecordSet as { Type?: string } | undefined)?.Type ?? ''),
      }));
      return [
        {
          action,
          resource: zone(),
          context: {
            'route53:ChangeResourceRecordSetsActions': [...new Set(changes.map((change) => change.action))],
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...new Set(changes.map((change) => change.name))],
            'route53:ChangeResourceRecordSetsRecordTypes': [...new Set(changes.map((change) => change.type))],
          },
        },
      ];
    }
    case 'ListResourceRecordSets':
    case 'GetHostedZone':
      return text(input.HostedZoneId) ? [{ action, resource: zone(), context: {} }] : undefined;
    case 'GetChange':
      return text(input.Id)
        ? [{ action, resource: `arn:aws:route53:::change/${String(input.Id).replace(/^\/?change\//, '')}`, context: {} }]
        : undefined;
    case 'GetHealthCheckStatus':
    case 'GetHealthCheck':
      return text(input.HealthCheckId)
        ? [{ action, resource: `arn:aws:route53:::healthcheck/${String(input.HealthCheckId)}`, context: {} }]
        : undefined;
    default:
      return unmodelled('route53', operation);
  }
}

// ---------------------------------------------------------------------------------------------
// CloudWatch, SNS, Lambda

function cloudWatchRequests(operation: string, input: Input, region: string, accountId: string): AuthorizationRequest[] | undefined {
  const action = `cloudwatch:${operation}`;
  switch (operation) {
    case 'PutMetricData':
      // No resource; the namespace is a condition key.
      return [{ action, resource: '*', context: text(input.Namespace) ? { 'cloudwatch:namespace': input.Namespace as string } : {} }];
    case 'DescribeAlarms': {
      const names = strings(input.AlarmNames);
      if (names.length === 0) return [{ action, resource: '*', context: {} }];
      return names.map((name) => ({ action, resource: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`, context: {} }));
    }
    case 'GetMetricData':
    case 'GetMetricStatistics':
    case 'ListMetrics':
      return [{ action, resource: '*', context: {} }];
    default:
      return unmodelled('cloudWatch', operation);
  }
}

function snsRequests(operation: string, input: Input): AuthorizationRequest[] | undefined {
  const action = `sns:${operation}`;
  switch (operation) {
    case 'Publish': {
      // A topic or endpoint ARN is the resource; an SMS straight to a phone number has none ("*").
      const target = text(input.TopicArn) ?? text(input.TargetArn);
      return [{ action, resource: target ?? '*', context: {} }];
    }
    case 'GetSMSAttributes':
    case 'GetSMSSandboxAccountStatus':
      return [{ action, resource: '*', context: {} }];
    default:
      return unmodelled('sns', operation);
  }
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:.+$/;
const PARTIAL_ARN = /^(\d{12}):function:(.+)$/;

/** FunctionName as Invoke takes it (name, name:qualifier, partial or full ARN) → the ARN IAM authorizes. */
export function invokedFunctionArn(functionName: string, qualifier: string | undefined, region: string, accountId: string): string {
  let arn: string;
  if (FUNCTION_ARN.test(functionName)) arn = functionName;
  else {
    const partial = PARTIAL_ARN.exec(functionName);
    arn = partial
      ? `arn:aws:lambda:${region}:${partial[1]}:function:${partial[2]}`
      : `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  }
  return qualifier && arn.split(':').length === 7 ? `${arn}:${qualifier}` : arn;
}

function lambdaRequests(operation: string, input: Input, region: string, accountId: string): AuthorizationRequest[] | undefined {
  if (operation !== 'Invoke') return unmodelled('lambda', operation);
  const name = text(input.FunctionName);
  if (!name) return undefined;
  return [{ action: 'lambda:InvokeFunction', resource: invokedFunctionArn(name, text(input.Qualifier), region, accountId), context: {} }];
}

/**
 * EventBridge rules on the default bus are authorized on `rule/<name>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html,
 * resource type rule-on-default-event-bus).
 */
function eventBridgeRequests(operation: string, input: Input, region: string, accountId: string): AuthorizationRequest[] | undefined {
  const ruleName = operation === 'DescribeRule' || operation === 'PutRule' ? text(input.Name) : text(input.Rule);
  switch (operation) {
    case 'DescribeRule':
    case 'ListTargetsByRule':
    case 'PutRule':
    case 'PutTargets':
      if (!ruleName) return undefined;
      return [{ action: `events:${operation}`, resource: `arn:aws:events:${region}:${accountId}:rule/${ruleName}`, context: {} }];
    case 'ListRules':
      return [{ action: 'events:ListRules', resource: '*', context: {} }];
    default:
      return unmodelled('eventBridge', operation);
  }
}

// ---------------------------------------------------------------------------------------------
// RDS: a global cluster's ARN has no region (`arn:aws:rds::<account>:global-cluster:<id>`); a DB
// cluster's does. Failover/SwitchoverGlobalCluster require both resource types (cluster*,
// global-cluster*): the target cluster and the global cluster.

function rdsRequests(operation: string, input: Input, region: string, accountId: string): AuthorizationRequest[] | undefined {
  const action = `rds:${operation}`;
  const globalArn = (id: string) => `arn:aws:rds::${accountId}:global-cluster:${id}`;
  const clusterArn = (idOrArn: string) => (idOrArn.startsWith('arn:') ? idOrArn : `arn:aws:rds:${region}:${accountId}:cluster:${idOrArn}`);
  switch (operation) {
    case 'DescribeGlobalClusters': {
      const id = text(input.GlobalClusterIdentifier);
      return [{ action, resource: id ? globalArn(id) : '*', context: {} }];
    }
    case 'DescribeDBClusters': {
      const id = text(input.DBClusterIdentifier);
      return [{ action, resource: id ? clusterArn(id) : '*', context: {} }];
    }
    case 'DescribeDBInstances': {
      const id = text(input.DBInstanceIdentifier);
      return [{ action, resource: id ? `arn:aws:rds:${region}:${accountId}:db:${id}` : '*', context: {} }];
    }
    case 'PromoteReadReplica': {
      const id = text(input.DBInstanceIdentifier);
      return id ? [{ action, resource: `arn:aws:rds:${region}:${accountId}:db:${id}`, context: {} }] : undefined;
    }
    case 'FailoverGlobalCluster':
    case 'SwitchoverGlobalCluster': {
      const id = text(input.GlobalClusterIdentifier);
      const target = text(input.TargetDbClusterIdentifier);
      if (!id || !target) return undefined;
      return [
        { action, resource: clusterArn(target), context: {} },
        { action, resource: globalArn(id), context: {} },
      ];
    }
    default:
      return unmodelled('rds', operation);
  }
}

// ---------------------------------------------------------------------------------------------
// Auto Scaling: a group's ARN carries its id (`autoScalingGroup:<uuid>:autoScalingGroupName/<name>`);
// DescribeAutoScalingGroups has no resource type. UpdateAutoScalingGroup carries the sizes as
// condition keys (autoscaling:MinSize, autoscaling:MaxSize).

function autoScalingRequests(
  operation: string,
  input: Input,
  region: string,
  lookup: AuthorizationLookup,
): AuthorizationRequest[] | undefined {
  const action = `autoscaling:${operation}`;
  switch (operation) {
    case 'DescribeAutoScalingGroups':
      return [{ action, resource: '*', context: {} }];
    case 'UpdateAutoScalingGroup': {
      const name = text(input.AutoScalingGroupName);
      if (!name) return undefined;
      const resource =
        lookup.autoScalingGroupArn?.(region, name) ??
        `arn:aws:autoscaling:${region}:${lookup.accountId}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${name}`;
      const context: ContextValues = {};
      if (typeof input.MinSize === 'number') context['autoscaling:MinSize'] = String(input.MinSize);
      if (typeof input.MaxSize === 'number') context['autoscaling:MaxSize'] = String(input.MaxSize);
      return [{ action, resource, context }];
    }
    default:
      return unmodelled('autoScaling', operation);
  }
}

// ---------------------------------------------------------------------------------------------
// ECS: UpdateService and DescribeServices are authorized on the service
// (`service/<cluster>/<name>`), with the cluster's ARN as the ecs:cluster condition key.

function ecsRequests(operation: string, input: Input, region: string, accountId: string): AuthorizationRequest[] | undefined {
  const action = `ecs:${operation}`;
  const cluster = (text(input.cluster) ?? 'default').replace(/^.*:cluster\//, '');
  const context: ContextValues = { 'ecs:cluster': `arn:aws:ecs:${region}:${accountId}:cluster/${cluster}` };
  const serviceArn = (service: string) =>
    service.startsWith('arn:') ? service : `arn:aws:ecs:${region}:${accountId}:service/${cluster}/${service}`;
  switch (operation) {
    case 'UpdateService': {
      const service = text(input.service);
      return service ? [{ action, resource: serviceArn(service), context }] : undefined;
    }
    case 'DescribeServices': {
      const services = strings(input.services);
      return services.length === 0 ? undefined : services.map((service) => ({ action, resource: serviceArn(service), context }));
    }
    default:
      return unmodelled('ecs', operation);
  }
}

// SQS: SendMessage acts on the queue (`arn:aws:sqs:<region>:<account>:<name>`), named by its URL
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html).
function sqsRequests(operation: string, input: Input, region: string, accountId: string): AuthorizationRequest[] | undefined {
  const match = /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_-]+)$/.exec(text(input.QueueUrl) ?? '');
  if (!match) return undefined;
  if (operation !== 'SendMessage') return unmodelled('sqs', operation);
  return [{ action: 'sqs:SendMessage', resource: `arn:aws:sqs:${region}:${match[1] || accountId}:${match[2]}`, context: {} }];
}

function unmodelled(service: string, operation: string): never {
  throw new SwitchbackError(
    `world IAM: how AWS authorizes ${service}:${operation} is not modelled (add it to sim/world/authorization.ts from the Service Authorization Reference)`,
  );
}

/** The authorization requests of one call, or undefined when the request is malformed before IAM is consulted. */
export function authorizationRequests(
  service: AwsServiceName | 'iam',
  operation: string,
  input: Input,
  region: string,
  lookup: AuthorizationLookup,
): AuthorizationRequest[] | undefined {
  const requests = ((): AuthorizationRequest[] | undefined => {
    switch (service) {
      case 'ec2':
        return ec2Requests(operation, input, region, lookup);
      case 'route53':
        return route53Requests(operation, input);
      case 'cloudWatch':
        return cloudWatchRequests(operation, input, region, lookup.accountId);
      case 'sns':
        return snsRequests(operation, input);
      case 'lambda':
        return lambdaRequests(operation, input, region, lookup.accountId);
      case 'eventBridge':
        return eventBridgeRequests(operation, input, region, lookup.accountId);
      case 'rds':
        return rdsRequests(operation, input, region, lookup.accountId);
      case 'autoScaling':
        return autoScalingRequests(operation, input, region, lookup);
      case 'ecs':
        return ecsRequests(operation, input, region, lookup.accountId);
      case 'sqs':
        return sqsRequests(operation, input, region, lookup.accountId);
      case 'iam':
        if (operation !== 'SimulatePrincipalPolicy') return unmodelled('iam', operation);
        return text(input.PolicySourceArn)
          ? [{ action: 'iam:SimulatePrincipalPolicy', resource: input.PolicySourceArn as string, context: {} }]
          : undefined;
      default:
        return unmodelled(String(service), operation);
    }
  })();
  if (!requests) return undefined;
  // Every request carries the region it was sent to (global services: us-east-1).
  const requestedRegion = service === 'route53' || service === 'iam' ? 'us-east-1' : region;
  return requests.map((request) => ({ ...request, context: { 'aws:RequestedRegion': requestedRegion, ...request.context } }));
}
