/**
 * Lambda adapter: synchronous invokes for `lambda.invoke` hooks and failback checks, and async
 * (Event) invokes for handing a run to the orchestrator.
 *
 * A synchronous Invoke stays open until the function returns (up to its own timeout, 900 s at
 * most), so the caller says how long it can wait (`timeoutMs`, the request timeout of this one
 * call). A call that got no answer in time may still be running, and Lambda does not stop it: it is
 * never retried here (error kind fatal), so a hook is never run twice because we were impatient.
 * A function given by full ARN is called in the ARN's region unless a region is given.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import { CrashError } from '../errors';
import { regionOfFunctionArn } from './lambda-arn';
import { AWS_ERROR_KINDS, AwsActionError, callAws, getAwsErrorCode, toAwsActionError } from './errors';

export const lambdaClientFactory = sdkClientFactory(LambdaClient);

export interface InvokeOptions {
  /** Default: the region of a full function ARN, else the client's (the control region). */
  region?: string;
  /** RequestResponse only: how long to wait for the function's answer (this call's request timeout). */
  timeoutMs?: number;
}

/** Errors after which the request may have reached Lambda and the function may still be running. */
const MAYBE_RUNNING_CODES = new Set(['TimeoutError', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'RequestTimeout']);

export interface LambdaAdapter {
  /** RequestResponse: resolves with the function's parsed JSON result (the raw text if it is not JSON). */
  invokeFunction(functionName: string, payload: unknown, options?: InvokeOptions): Promise<unknown>;
  /** Event: queued by Lambda; resolves once accepted (HTTP 202). */
  invokeAsync(functionName: string, payload: unknown, options?: InvokeOptions): Promise<{ statusCode: number }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodePayload(payload: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(payload ?? {}));
}

function decodePayload(payload: Uint8Array | undefined): { text: string; value: unknown } {
  if (!payload || payload.length === 0) return { text: '', value: undefined };
  const text = decoder.decode(payload);
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    return { text, value: text };
  }
}

/** The `{ errorType, errorMessage }` Lambda returns for a failed function, as one line. */
function describeFunctionError(kind: string, value: unknown, text: string): string {
  if (typeof value === 'object' && value !== null) {
    const { errorType, errorMessage } = value as { errorType?: unknown; errorMessage?: unknown };
    if (typeof errorMessage === 'string') {
      return `${typeof errorType === 'string' ? `${errorType}: ` : ''}${errorMessage} [${kind}]`;
    }
  }
  return `${text || 'no error message'} [${kind}]`;
}

export function createLambdaAdapter(clients: Pick<AwsClients, 'lambda'>): LambdaAdapter {
  async function invokeFunction(functionName: string, payload: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const region = options.region ?? regionOfFunctionArn(functionName);
    const command = new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: encodePayload(payload) });
    const timeoutMs = options.timeoutMs !== undefined ? Math.max(1, Math.ceil(options.timeoutMs)) : undefined;
    let response;
    try {
      response = await clients.lambda(region).send(command, timeoutMs !== undefined ? { requestTimeout: timeoutMs } : {});
    } catch (error) {
      if (error instanceof CrashError) throw error;
      const code = getAwsErrorCode(error);
      if (MAYBE_RUNNING_CODES.has(code)) {
        const waited = timeoutMs !== undefined ? ` within ${Math.round(timeoutMs / 1000)}s` : '';
        throw new AwsActionError({
          action: 'lambda:Invoke',
          resource: functionName,
          cause: error,
          code,
          kind: AWS_ERROR_KINDS.fatal,
          detail: `no answer${waited}; the function may still be running, so it is not invoked again`,
        });
      }
      throw toAwsActionError(error, 'lambda:Invoke', functionName);
    }
    const { text, value } = decodePayload(response.Payload);
    if (response.FunctionError) {
      throw new AwsActionError({
        action: 'lambda:Invoke',
        resource: functionName,
        code: 'FunctionError',
        // The function ran and said no: its own logic, not AWS, decides; retrying is the hook's business.
        kind: AWS_ERROR_KINDS.fatal,
        detail: describeFunctionError(response.FunctionError, value, text),
        context: { functionError: response.FunctionError, result: value },
      });
    }
    return value;
  }

  async function invokeAsync(functionName: string, payload: unknown, options: InvokeOptions = {}): Promise<{ statusCode: number }> {
    const response = await callAws('lambda:Invoke', `${functionName} (async)`, () =>
      clients
        .lambda(options.region)
        .send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: encodePayload(payload) })),
    );
    return { statusCode: response.StatusCode ?? 202 };
  }

  return { invokeFunction, invokeAsync };
}

/** What a function that carries the lambda adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const lambdaKit: AdapterKit<'lambda', LambdaAdapter> = { factory: lambdaClientFactory, adapter: createLambdaAdapter };
