/**
 * Errors the embedded world throws, built the way the SDK builds them: the service's own
 * ServiceException subclass when the SDK models the code (`InvalidChangeBatch`, `NoSuchHostedZone`,
 * `ResourceNotFoundException` …), else the service's base ServiceException with `name` = the AWS
 * code (EC2 models none: `UnauthorizedOperation`, `DryRunOperation` …). Either way `name`,
 * `$fault` and `$metadata.httpStatusCode` are what `classifyAwsError` reads.
 * Network failures (`ECONNRESET` …) and `TimeoutError` come out as Node would raise them.
 */
import * as cloudWatchSdk from '@aws-sdk/client-cloudwatch';
import * as ec2Sdk from '@aws-sdk/client-ec2';
import * as eventBridgeSdk from '@aws-sdk/client-eventbridge';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as route53Sdk from '@aws-sdk/client-route-53';
import * as snsSdk from '@aws-sdk/client-sns';
import * as rdsSdk from '@aws-sdk/client-rds';
import * as autoScalingSdk from '@aws-sdk/client-auto-scaling';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as iamSdk from '@aws-sdk/client-iam';
import * as sqsSdk from '@aws-sdk/client-sqs';
import type { AwsServiceName } from '../../shared/aws/clients';

type ServiceExceptionClass = new (options: Record<string, unknown>) => Error;

const BASE_EXCEPTIONS: Record<AwsServiceName, ServiceExceptionClass> = {
  route53: route53Sdk.Route53ServiceException as unknown as ServiceExceptionClass,
  ec2: ec2Sdk.EC2ServiceException as unknown as ServiceExceptionClass,
  sns: snsSdk.SNSServiceException as unknown as ServiceExceptionClass,
  cloudWatch: cloudWatchSdk.CloudWatchServiceException as unknown as ServiceExceptionClass,
  lambda: lambdaSdk.LambdaServiceException as unknown as ServiceExceptionClass,
  eventBridge: eventBridgeSdk.EventBridgeServiceException as unknown as ServiceExceptionClass,
  rds: rdsSdk.RDSServiceException as unknown as ServiceExceptionClass,
  autoScaling: autoScalingSdk.AutoScalingServiceException as unknown as ServiceExceptionClass,
  ecs: ecsSdk.ECSServiceException as unknown as ServiceExceptionClass,
  iam: iamSdk.IAMServiceException as unknown as ServiceExceptionClass,
  sqs: sqsSdk.SQSServiceException as unknown as ServiceExceptionClass,
};

const SDK_MODULES: Record<AwsServiceName, Record<string, unknown>> = {
  route53: route53Sdk,
  ec2: ec2Sdk,
  sns: snsSdk,
  cloudWatch: cloudWatchSdk,
  lambda: lambdaSdk,
  eventBridge: eventBridgeSdk,
  rds: rdsSdk,
  autoScaling: autoScalingSdk,
  ecs: ecsSdk,
  iam: iamSdk,
  sqs: sqsSdk,
};

/** Query-protocol services name their classes `<Code>Exception` (SNS `InvalidParameter` → `InvalidParameterException`). */
const EXCEPTION_SUFFIX_SERVICES: ReadonlySet<AwsServiceName> = new Set(['sns', 'cloudWatch', 'iam']);

const STATUS_BY_CODE: Record<string, number> = {
  DryRunOperation: 412,
  UnauthorizedOperation: 403,
  AccessDenied: 403,
  AccessDeniedException: 403,
  AuthFailure: 401,
  AuthorizationError: 403,
  InvalidClientTokenId: 403,
  ExpiredToken: 403,
  TooManyRequestsException: 429,
  RequestLimitExceeded: 503,
  NoSuchHostedZone: 404,
  NoSuchChange: 404,
  NoSuchHealthCheck: 404,
  ResourceNotFoundException: 404,
  GlobalClusterNotFoundFault: 404,
  DBClusterNotFoundFault: 404,
  DBInstanceNotFoundFault: 404,
  ServiceNotFoundException: 400,
  ClusterNotFoundException: 400,
  ScalingActivityInProgressFault: 400,
  ResourceContentionFault: 500,
  ServerException: 500,
  ResourceNotFound: 404,
  NotFound: 404,
  HealthCheckAlreadyExists: 409,
  InternalError: 500,
  InternalFailure: 500,
  InternalServiceError: 500,
  InternalServerError: 500,
  InternalErrorException: 500,
  ServiceException: 500,
  InsufficientInstanceCapacity: 500,
  InsufficientAddressCapacity: 500,
  InsufficientCapacity: 500,
  InsufficientHostCapacity: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  Unavailable: 503,
};

const DEFAULT_MESSAGES: Record<string, string> = {
  Throttling: 'Rate exceeded',
  ThrottlingException: 'Rate exceeded',
  RequestLimitExceeded: 'Request limit exceeded.',
  TooManyRequestsException: 'Rate Exceeded.',
  PriorRequestNotComplete: 'The request was rejected because Route 53 was still processing a prior request.',
  InsufficientInstanceCapacity:
    'We currently do not have sufficient capacity in the Availability Zone you requested. Our system will be working on provisioning additional capacity.',
  UnauthorizedOperation: 'You are not authorized to perform this operation.',
  AccessDenied: 'User is not authorized to perform this action.',
  AccessDeniedException: 'User is not authorized to perform this action.',
  InternalError: 'An internal error has occurred',
  ServiceUnavailable: 'The service is unavailable. Please try again shortly.',
};

const NETWORK_CODE = /^E[A-Z]{3,}$/;

export interface WorldErrorShape extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number };
}

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

export function defaultMessageFor(code: string): string {
  return DEFAULT_MESSAGES[code] ?? `${code} (simulated by the embedded world)`;
}

function findModeledClass(service: AwsServiceName, code: string): ServiceExceptionClass | undefined {
  const base = BASE_EXCEPTIONS[service];
  const candidates = EXCEPTION_SUFFIX_SERVICES.has(service) && !code.endsWith('Exception') ? [code, `${code}Exception`] : [code];
  for (const name of candidates) {
    const candidate = SDK_MODULES[service][name];
    if (typeof candidate === 'function' && candidate !== base && candidate.prototype instanceof base) {
      return candidate as ServiceExceptionClass;
    }
  }
  return undefined;
}

let requestCounter = 0;

/** An error exactly as the SDK client would have thrown it for this AWS error code. */
export function createAwsError(service: AwsServiceName, code: string, message: string, extra: Record<string, unknown> = {}): Error {
  if (NETWORK_CODE.test(code)) {
    return Object.assign(new Error(`${message || code}`), { code, errno: -1, syscall: 'connect' });
  }
  if (code === 'TimeoutError') {
    return Object.assign(new Error(message || 'Connection timed out'), { name: 'TimeoutError' });
  }
  const status = statusForCode(code);
  requestCounter += 1;
  const $metadata = { httpStatusCode: status, requestId: `world-${requestCounter}`, attempts: 1, totalRetryDelay: 0 };
  const modeled = findModeledClass(service, code);
  if (modeled) return Object.assign(new modeled({ $metadata, message, ...extra }), extra);
  const Base = BASE_EXCEPTIONS[service];
  return Object.assign(new Base({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata, message }), extra);
}
