/**
 * What went wrong when switchback called AWS, and whether trying again can help.
 *
 * Classification (the retry policy of every runbook step depends on it):
 * - `throttle`  — the API asked us to slow down: retry with backoff.
 * - `transient` — 5xx, network trouble, timeouts, EC2 capacity shortages: retry with backoff,
 *                 bounded by the step's attempts and time budget.
 * - `fatal`     — validation, access, not-found … and anything we do not recognise. Retrying what
 *                 we do not understand can make an incident worse (a half-applied change retried
 *                 against a different state), so unknown errors fail fast and a human reads them.
 *
 * This module reads errors by shape only (`name`, `code`, `$fault`, `$metadata`) and imports no
 * SDK package, so it costs nothing to load in the small `probe` and `alarm` bundles.
 */
import { CrashError, SwitchbackError } from '../errors';

export const AWS_ERROR_KINDS = { throttle: 'throttle', transient: 'transient', fatal: 'fatal' } as const;
export type AwsErrorKind = (typeof AWS_ERROR_KINDS)[keyof typeof AWS_ERROR_KINDS];

const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'PriorRequestNotComplete',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'InternalServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceException',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'IDPCommunicationError',
  // EC2 reports capacity shortages as server errors and documents "wait and retry". A bounded
  // retry is fine: if capacity does not come back within the step's budget the step fails and
  // the run ends FAILOVER_FAILED before any DNS change.
  'InsufficientInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientHostCapacity',
  'InsufficientAddressCapacity',
  // Auto Scaling: another scaling activity or update holds the group for a moment; it says retry.
  'ScalingActivityInProgressFault',
  'ResourceContentionFault',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeoutError']);

const ACCESS_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'AuthorizationError',
  'NotAuthorized',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
  cause?: unknown;
}

function shapeOf(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The AWS error code (`UnauthorizedOperation`, `Throttling` …) or the Node network code, else the error name. */
export function getAwsErrorCode(error: unknown): string {
  if (error instanceof AwsActionError) return error.code;
  const shape = shapeOf(error);
  for (const candidate of [shape.Code, shape.code]) {
    if (typeof candidate === 'string' && candidate.length > 0) return candidate;
  }
  if (typeof shape.name === 'string' && shape.name.length > 0 && shape.name !== 'Error') return shape.name;
  return 'UnknownError';
}

function isNetworkError(shape: ErrorShape): boolean {
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return true;
  if (typeof shape.name === 'string' && NETWORK_NAMES.has(shape.name)) return true;
  return typeof shape.message === 'string' && /socket hang up/i.test(shape.message);
}

/** throttle | transient | fatal; see the module comment for the reasoning. */
export function classifyAwsError(error: unknown): AwsErrorKind {
  if (error instanceof AwsActionError) return error.kind;
  const shape = shapeOf(error);
  const names = [shape.name, shape.code, shape.Code].filter((value): value is string => typeof value === 'string');
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;

  if (names.some((name) => THROTTLE_CODES.has(name)) || status === 429 || shape.$retryable?.throttling === true) {
    return AWS_ERROR_KINDS.throttle;
  }
  if (names.some((name) => ACCESS_CODES.has(name))) return AWS_ERROR_KINDS.fatal;
  if (names.some((name) => TRANSIENT_CODES.has(name))) return AWS_ERROR_KINDS.transient;
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return AWS_ERROR_KINDS.transient;
  if (isNetworkError(shape)) return AWS_ERROR_KINDS.transient;
  // A wrapped network error (e.g. the SDK's own error with the socket error as cause).
  if (shape.cause !== undefined && shape.cause !== error && isNetworkError(shapeOf(shape.cause))) {
    return AWS_ERROR_KINDS.transient;
  }
  return AWS_ERROR_KINDS.fatal;
}

/** True for access problems (IAM policy, credentials): the message says "denied". */
export function isAccessDenied(error: unknown): boolean {
  return ACCESS_CODES.has(getAwsErrorCode(error));
}

const MAX_DETAIL_CHARS = 200;

function describeDetail(error: unknown): string | undefined {
  const shape = shapeOf(error);
  let message = typeof shape.message === 'string' ? shape.message.trim() : typeof error === 'string' ? error : '';
  // Route 53's InvalidChangeBatch carries its reasons in `messages`.
  const extra = (error as { messages?: unknown } | undefined)?.messages;
  if (Array.isArray(extra) && extra.length > 0) message = `${message} ${extra.join('; ')}`.trim();
  if (!message) return undefined;
  const oneLine = message.replace(/\s+/g, ' ');
  return oneLine.length > MAX_DETAIL_CHARS ? `${oneLine.slice(0, MAX_DETAIL_CHARS - 1)}…` : oneLine;
}

export interface AwsActionErrorOptions {
  /** `service:Operation`, e.g. `ec2:StartInstances`. */
  action: string;
  /** What it acted on, e.g. `i-0abc1234def567890` or `app.example.com A in Z0123`. */
  resource: string;
  cause?: unknown;
  /** Defaults to the code read from `cause`. */
  code?: string;
  /** Defaults to `classifyAwsError(cause)`. */
  kind?: AwsErrorKind;
  /** Replaces the AWS message as the human detail. */
  detail?: string;
  /** Replaces the verb (`denied` / `throttled` / `failed`), e.g. `refused` for an adapter's own safety check. */
  verb?: string;
  context?: Record<string, unknown>;
}

/**
 * An AWS call (or a check an adapter makes around one) failed. The message names the action,
 * the resource and the AWS code: `ec2:StartInstances on i-0abc… denied (UnauthorizedOperation): …`.
 */
export class AwsActionError extends SwitchbackError {
  override readonly name: string = 'AwsActionError';
  readonly action: string;
  readonly resource: string;
  readonly code: string;
  readonly kind: AwsErrorKind;
  /** How many attempts were made before giving up (set by `withRetry`; 1 when not retried). */
  attempts = 1;

  constructor(options: AwsActionErrorOptions) {
    const code = options.code ?? getAwsErrorCode(options.cause);
    const kind = options.kind ?? classifyAwsError(options.cause);
    const verb = options.verb ?? (ACCESS_CODES.has(code) ? 'denied' : kind === AWS_ERROR_KINDS.throttle ? 'throttled' : 'failed');
    const detail = options.detail ?? describeDetail(options.cause);
    super(`${options.action} on ${options.resource} ${verb} (${code})${detail ? `: ${detail}` : ''}`, {
      cause: options.cause,
      context: { action: options.action, resource: options.resource, code, kind, ...options.context },
    });
    this.action = options.action;
    this.resource = options.resource;
    this.code = code;
    this.kind = kind;
  }
}

/** A refusal a step or an adapter makes itself (a missing resource, an unsafe move): fatal, never retried. */
export function refusal(action: string, resource: string, code: string, detail: string): AwsActionError {
  return new AwsActionError({ action, resource, code, kind: AWS_ERROR_KINDS.fatal, verb: 'refused', detail });
}

/** Wrap any failure of an AWS call as an AwsActionError (an AwsActionError passes through). */
export function toAwsActionError(error: unknown, action: string, resource: string): AwsActionError {
  if (error instanceof AwsActionError) return error;
  return new AwsActionError({ action, resource, cause: error });
}

/** Run one AWS call; any failure becomes an AwsActionError naming `action` and `resource`. No retries. */
export async function callAws<T>(action: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // A simulated crash is the process dying, not a failed call.
    if (error instanceof CrashError) throw error;
    throw toAwsActionError(error, action, resource);
  }
}
