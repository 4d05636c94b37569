/**
 * Lambda in memory: functions are handlers registered by name (the simulator registers the real
 * switchback use cases). RequestResponse awaits the handler and answers like Lambda does, with
 * `FunctionError: 'Unhandled'` and an error payload when it throws; Event answers 202 at once and
 * hands the work to `onAsyncInvoke` (the simulator spawns a task) or runs it without awaiting.
 *
 * Timeouts, the unkind part of a synchronous Invoke:
 * - Every function has a timeout (default 3 s, at most 900 s:
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html). A function that runs
 *   longer is answered as timed out (`FunctionError: Unhandled`, "Task timed out after N seconds").
 * - The caller's SDK client waits only its request timeout; a function still running then is not
 *   stopped: the call fails with TimeoutError while the function goes on (and does its side effects).
 *   Retrying such a call runs the function twice ("When an error occurs, your function may be invoked
 *   multiple times": https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html).
 * The model runs the handler to its end and then answers; an answer past the client's timeout
 * becomes the client's TimeoutError (the caller learns it when the handler ends, not at the
 * timeout itself: the ordering of effects is exact, the caller's clock is late by the overrun).
 */
import type { InvokeCommandInput } from '@aws-sdk/client-lambda';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type CallContext, requestTimedOut, type ServiceModel, unsupportedOperation } from './model';

export type LambdaHandler = (payload: unknown) => unknown;

/** Lambda's default function timeout (seconds). */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

export interface FunctionOptions {
  /** The function's configured timeout (1–900 s, default 3). */
  timeoutSeconds?: number;
}

export interface InvocationRecord {
  atEpochMs: number;
  name: string;
  region: string;
  invocationType: 'RequestResponse' | 'Event' | 'DryRun';
  payload: unknown;
  /** RequestResponse and fire-and-forget Event: how the handler ended (absent while running, or handed to onAsyncInvoke). */
  outcome?: { ok: true; result: unknown } | { ok: false; error: string };
}

export interface LambdaWorld {
  register(name: string, handler: LambdaHandler, options?: FunctionOptions): void;
  invocations(): InvocationRecord[];
}

/** What `Invoke` returns as Payload: a Uint8Array that also has the SDK's `transformToString()`. */
export class PayloadBytes extends Uint8Array {
  static fromText(text: string): PayloadBytes {
    const bytes = Buffer.from(text, 'utf8');
    const payload = new PayloadBytes(bytes.length);
    payload.set(bytes);
    return payload;
  }

  transformToString(encoding: BufferEncoding = 'utf8'): string {
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString(encoding);
  }
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$/;
const PARTIAL_ARN = /^(\d{12}):function:([A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$/;
const NAME = /^([A-Za-z0-9_-]{1,64})(:[A-Za-z0-9$_-]+)?$/;
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

function describeError(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error)
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '')
        .split('\n')
        .slice(1, 6)
        .map((line) => line.trim()),
    };
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

export function createLambdaModel(
  ctx: WorldContext,
  options: { onAsyncInvoke?(name: string, payload: unknown): unknown },
): { model: ServiceModel; world: LambdaWorld } {
  const handlers = new Map<string, LambdaHandler>();
  const timeoutsMs = new Map<string, number>();
  const invocations: InvocationRecord[] = [];

  const fail = (code: string, message: string) => ctx.error('lambda', code, message);

  function functionName(reference: unknown, region: string): string {
    if (typeof reference !== 'string' || reference.length === 0) throw fail('InvalidParameterValueException', 'FunctionName is required');
    const arn = FUNCTION_ARN.exec(reference);
    if (arn) {
      if (arn[1] !== region)
        throw fail('InvalidParameterValueException', `The function ${reference} is in ${arn[1]}; the request was sent to ${region}`);
      return arn[3];
    }
    const partial = PARTIAL_ARN.exec(reference) ?? undefined;
    if (partial) return partial[2];
    const plain = NAME.exec(reference);
    if (!plain)
      throw fail(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${reference}' at 'functionName' failed to satisfy constraint`,
      );
    return plain[1];
  }

  function decodePayload(payload: unknown): { value: unknown; bytes: number } {
    if (payload === undefined) return { value: {}, bytes: 0 };
    const text = typeof payload === 'string' ? payload : payload instanceof Uint8Array ? Buffer.from(payload).toString('utf8') : undefined;
    if (text === undefined)
      throw fail('InvalidRequestContentException', 'Could not parse request body into json: the payload must be bytes or a string');
    if (text.length === 0) return { value: {}, bytes: 0 };
    try {
      return { value: JSON.parse(text), bytes: Buffer.byteLength(text, 'utf8') };
    } catch (error) {
      throw fail('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
    }
  }

  async function invoke(input: InvokeCommandInput, call: CallContext) {
    const { region } = call;
    const invocationType = input.InvocationType ?? 'RequestResponse';
    if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
      throw fail('InvalidParameterValueException', `InvocationType ${String(invocationType)} is not one of RequestResponse, Event, DryRun`);
    }
    const name = functionName(input.FunctionName, region);
    const handler = handlers.get(name);
    if (!handler) throw fail('ResourceNotFoundException', `Function not found: arn:aws:lambda:${region}:${ctx.accountId}:function:${name}`);
    const { value: payload, bytes } = decodePayload(input.Payload);
    const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (bytes > limit)
      throw fail('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the ${invocationType} invocation type`);

    const record: InvocationRecord = { atEpochMs: ctx.now(), name, region, invocationType, payload: structuredClone(payload) };
    invocations.push(record);

    if (invocationType === 'DryRun') return { StatusCode: 204 };

    if (invocationType === 'Event') {
      if (options.onAsyncInvoke) {
        options.onAsyncInvoke(name, structuredClone(payload));
      } else {
        void Promise.resolve()
          .then(() => handler(structuredClone(payload)))
          .then(
            (result) => (record.outcome = { ok: true, result }),
            (error: unknown) =>
              (record.outcome = { ok: false, error: `${describeError(error).errorType}: ${describeError(error).errorMessage}` }),
          );
      }
      return { StatusCode: 202, Payload: PayloadBytes.fromText('') };
    }

    const timeoutMs = timeoutsMs.get(name) ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS * 1000;
    const startedAtEpochMs = ctx.now();
    const answer = await runSync(handler, payload, record, timeoutMs, startedAtEpochMs);
    // The client waited for the answer (or the function's timeout), unless its own timeout came first.
    const waitedMs = Math.min(ctx.now() - startedAtEpochMs, timeoutMs);
    if (call.requestTimeoutMs !== undefined && waitedMs > call.requestTimeoutMs) throw requestTimedOut(call.requestTimeoutMs);
    return answer;
  }

  async function runSync(handler: LambdaHandler, payload: unknown, record: InvocationRecord, timeoutMs: number, startedAtEpochMs: number) {
    const timedOut = () => ctx.now() - startedAtEpochMs > timeoutMs;
    const failed = (described: { errorType: string; errorMessage: string; trace?: string[] }) => {
      record.outcome = { ok: false, error: `${described.errorType}: ${described.errorMessage}` };
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        FunctionError: 'Unhandled',
        Payload: PayloadBytes.fromText(JSON.stringify(described)),
      };
    };
    const timeoutAnswer = () =>
      failed({ errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` });
    try {
      const result = await handler(structuredClone(payload));
      if (timedOut()) return timeoutAnswer();
      record.outcome = { ok: true, result };
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: PayloadBytes.fromText(JSON.stringify(result ?? null)) };
    } catch (error) {
      if (timedOut()) return timeoutAnswer();
      return failed(describeError(error));
    }
  }

  const world: LambdaWorld = {
    register(name, handler, functionOptions = {}) {
      if (!NAME.test(name) || name.includes(':')) throw new SwitchbackError(`world.lambda.register: "${name}" is not a function name`);
      if (typeof handler !== 'function') throw new SwitchbackError(`world.lambda.register: the handler of ${name} must be a function`);
      const timeoutSeconds = functionOptions.timeoutSeconds ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS;
      if (!(timeoutSeconds >= 1 && timeoutSeconds <= MAX_FUNCTION_TIMEOUT_SECONDS))
        throw new SwitchbackError(`world.lambda.register: the timeout of ${name} must be 1–${MAX_FUNCTION_TIMEOUT_SECONDS} seconds`);
      handlers.set(name, handler);
      timeoutsMs.set(name, timeoutSeconds * 1000);
    },
    invocations: () => invocations.map((record) => ({ ...record })),
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      if (operation === 'Invoke') return invoke(input as InvokeCommandInput, call);
      throw unsupportedOperation(ctx, 'lambda', operation);
    },
  };

  return { model, world };
}
