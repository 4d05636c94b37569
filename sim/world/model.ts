/** The shape every in-memory service model has, and small helpers they share. */
import type { AwsServiceName } from '../../shared/aws/clients';
import type { WorldContext } from './context';

export interface CallContext {
  region: string;
  /** A `stuck` fault fired for this call (see FaultSpec.stuck). */
  stuck: boolean;
  /**
   * When the caller's SDK client gives up on this request (its `requestTimeout`, per call or per
   * client; undefined: it waits as long as it takes). A model whose answer takes longer (a Lambda
   * function that runs 7 s behind a 5 s client) must fail the call with `requestTimedOut`.
   */
  requestTimeoutMs?: number;
  /** An `sqs.SendMessage` fault: the message is accepted and never delivered (see ./sqs.ts). */
  lost?: boolean;
  /** An `sqs.SendMessage` fault: the message is delivered twice (at-least-once delivery). */
  duplicate?: boolean;
}

/**
 * What the SDK's Node HTTP handler raises when `requestTimeout` passes with `throwOnRequestTimeout`
 * (@smithy/node-http-handler: name TimeoutError, code ETIMEDOUT). The request may still be
 * processed by AWS: only the client stopped waiting.
 */
export function requestTimedOut(timeoutMs: number): Error {
  return Object.assign(
    new Error(`@smithy/node-http-handler - [ERROR] a request has exceeded the configured ${timeoutMs} ms requestTimeout.`),
    {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    },
  );
}

export interface ServiceModel {
  /** Answer one command: the SDK output without `$metadata`, or throw an AWS-shaped error. */
  handle(operation: string, input: object, call: CallContext): unknown;
}

/** An operation the world does not model: a clear, non-retryable error instead of a silent success. */
export function unsupportedOperation(ctx: WorldContext, service: AwsServiceName, operation: string): Error {
  return ctx.error(service, 'InvalidAction', `the embedded world does not model ${service}:${operation}`);
}

/** A model from a table of the operations it answers; any other operation is `unsupportedOperation`. */
export function operationTable(
  ctx: WorldContext,
  service: AwsServiceName,
  operations: Record<string, (input: object, call: CallContext) => unknown>,
): ServiceModel {
  return {
    handle(operation, input, call) {
      const answer = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!answer) throw unsupportedOperation(ctx, service, operation);
      return answer(input, call);
    },
  };
}

/** `*` and `?` wildcards as in EC2 filters and CloudWatch prefixes. */
export function wildcardMatches(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** JSON with sorted keys: the same input written in a different key order compares equal. */
export function stableStringify(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
