/**
 * Lambda in memory: functions are handlers registered by name (the simulator registers the real
 * switchback use cases). RequestResponse awaits the handler and answers like Lambda does, with
 * `FunctionError: 'Unhandled'` and an error payload when it throws; Event answers 202 at once and
 * hands the work to `onAsyncInvoke` (the simulator spawns a task) or runs it without awaiting.
 */
import type { InvokeCommandInput } from '@aws-sdk/client-lambda';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type ServiceModel, unsupportedOperation } from './model';

export type LambdaHandler = (payload: unknown) => unknown;

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
  register(name: string, handler: LambdaHandler): void;
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

  async function invoke(input: InvokeCommandInput, region: string) {
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

    try {
      const result = await handler(structuredClone(payload));
      record.outcome = { ok: true, result };
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: PayloadBytes.fromText(JSON.stringify(result ?? null)) };
    } catch (error) {
      const described = describeError(error);
      record.outcome = { ok: false, error: `${described.errorType}: ${described.errorMessage}` };
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        FunctionError: 'Unhandled',
        Payload: PayloadBytes.fromText(JSON.stringify(described)),
      };
    }
  }

  const world: LambdaWorld = {
    register(name, handler) {
      if (!NAME.test(name) || name.includes(':')) throw new SwitchbackError(`world.lambda.register: "${name}" is not a function name`);
      if (typeof handler !== 'function') throw new SwitchbackError(`world.lambda.register: the handler of ${name} must be a function`);
      handlers.set(name, handler);
    },
    invocations: () => invocations.map((record) => ({ ...record })),
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      if (operation === 'Invoke') return invoke(input as InvokeCommandInput, call.region);
      throw unsupportedOperation(ctx, 'lambda', operation);
    },
  };

  return { model, world };
}
