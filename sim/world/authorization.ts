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
 * EC2's part lives in shared/aws/ec2-authorization.ts: the drill asks IAM the same requests.
 *
 * `undefined` means the request is malformed before IAM is consulted (a required parameter is
 * missing): EC2 answers MissingParameter, whatever the caller may do, so the model answers it.
 */
import type { AwsServiceName } from '../../shared/aws/clients';
import {
  ec2AuthorizationRequests,
  stringListParam as strings,
  stringParam as text,
  withRequestedRegion,
  type AuthorizationRequest,
  type ContextValues,
  type Ec2AuthorizationLookup,
} from '../../shared/aws/ec2-authorization';
import { SwitchbackError } from '../../shared/errors';

export { DEFAULT_SECURITY_GROUP_ID, DEFAULT_SUBNET_ID } from '../../shared/aws/ec2-authorization';

/** What authorization needs to know about the world's resources (EC2's part is shared with the drill). */
export interface AuthorizationLookup extends Ec2AuthorizationLookup {
  /** The ARN of an Auto Scaling group (it carries the group's id), or undefined when there is none. */
  autoScalingGroupArn?(region: string, name: string): string | undefined;
}

type Input = Record<string, unknown>;

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
        return ec2AuthorizationRequests(operation, input, region, lookup);
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
  return withRequestedRegion(requests, service === 'route53' || service === 'iam' ? 'us-east-1' : region);
}
