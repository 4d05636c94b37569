import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsActionError } from '../../../shared/aws/errors';
import { createLambdaAdapter } from '../../../shared/aws/lambda';
import { awsError, recordingClients } from './aws-test-kit';

const lambdaMock = mockClient(LambdaClient);
const clients = recordingClients({ lambda: new LambdaClient({ region: 'us-east-1' }) });
const adapter = createLambdaAdapter(clients);
/** A response payload as the SDK hands it over (a Uint8Array with string helpers). */
const responsePayload = (text: string) =>
  Object.assign(new TextEncoder().encode(text), { transformToString: () => text }) as InvokeCommandOutput['Payload'];
const encode = (value: unknown) => responsePayload(JSON.stringify(value));
const decode = (payload: unknown) => JSON.parse(new TextDecoder().decode(payload as Uint8Array));

beforeEach(() => {
  lambdaMock.reset();
  clients.regions.length = 0;
});

describe('invokeFunction', () => {
  it('invokes RequestResponse with a JSON payload and parses the result', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ ok: true, checks: 3 }) });
    await expect(adapter.invokeFunction('failback-check', { service: 'web' }, { region: 'us-west-2' })).resolves.toEqual({
      ok: true,
      checks: 3,
    });
    const input = lambdaMock.commandCalls(InvokeCommand)[0].args[0].input;
    expect({ ...input, Payload: decode(input.Payload) }).toEqual({
      FunctionName: 'failback-check',
      InvocationType: 'RequestResponse',
      Payload: { service: 'web' },
    });
    expect(clients.regions).toEqual([['lambda', 'us-west-2']]);
  });

  it('returns undefined for an empty payload and raw text for non-JSON', async () => {
    lambdaMock
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200 })
      .resolves({ StatusCode: 200, Payload: responsePayload('not json') });
    await expect(adapter.invokeFunction('f', {})).resolves.toBeUndefined();
    await expect(adapter.invokeFunction('f', {})).resolves.toBe('not json');
  });

  it("turns a FunctionError into a fatal AwsActionError carrying the function's errorMessage", async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'Error', errorMessage: 'database replica is 40 s behind', trace: ['at x'] }),
    });
    const failure = await adapter.invokeFunction('failback-check', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsActionError);
    expect(failure).toMatchObject({
      message: 'lambda:Invoke on failback-check failed (FunctionError): Error: database replica is 40 s behind [Unhandled]',
      code: 'FunctionError',
      kind: 'fatal',
    });
  });

  it('handles a FunctionError without the usual shape', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Handled', Payload: encode('nope') });
    await expect(adapter.invokeFunction('f', {})).rejects.toThrow('lambda:Invoke on f failed (FunctionError): "nope" [Handled]');
  });

  it.each([
    ['TooManyRequestsException', 429, 'throttle'],
    ['ServiceException', 500, 'transient'],
    ['AccessDeniedException', 403, 'fatal'],
    ['ResourceNotFoundException', 404, 'fatal'],
  ])('maps %s to %s', async (code, status, kind) => {
    lambdaMock.on(InvokeCommand).rejects(awsError(code, { status }));
    await expect(adapter.invokeFunction('f', {})).rejects.toMatchObject({ code, kind, action: 'lambda:Invoke', resource: 'f' });
  });
});

describe('invokeFunction: a call that may still be running', () => {
  it('a request timeout is fatal (never retried) and says the function may still be running', async () => {
    lambdaMock.on(InvokeCommand).rejects(
      Object.assign(new Error('a request has exceeded the configured 30000 ms requestTimeout'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      }),
    );
    const failure = await adapter.invokeFunction('promote', {}, { timeoutMs: 30_000 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      message:
        'lambda:Invoke on promote failed (ETIMEDOUT): no answer within 30s; the function may still be running, so it is not invoked again',
      kind: 'fatal',
    });
  });

  it('throttling (the function did not run) stays retryable', async () => {
    lambdaMock.on(InvokeCommand).rejects(awsError('TooManyRequestsException', { status: 429 }));
    const failure = await adapter.invokeFunction('promote', {}, { timeoutMs: 30_000 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'TooManyRequestsException', kind: 'throttle' });
  });

  it('a full ARN is called in its own region unless a region is given', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ ok: true }) });
    await adapter.invokeFunction('arn:aws:lambda:eu-west-1:123456789012:function:promote', {});
    await adapter.invokeFunction('promote', {});
    expect(clients.regions).toEqual([
      ['lambda', 'eu-west-1'],
      ['lambda', undefined],
    ]);
  });
});

describe('invokeAsync', () => {
  it('invokes with InvocationType Event', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    await expect(adapter.invokeAsync('switchback-dev-orchestrator', { runId: 'r-1' })).resolves.toEqual({ statusCode: 202 });
    const input = lambdaMock.commandCalls(InvokeCommand)[0].args[0].input;
    expect({ ...input, Payload: decode(input.Payload) }).toEqual({
      FunctionName: 'switchback-dev-orchestrator',
      InvocationType: 'Event',
      Payload: { runId: 'r-1' },
    });
  });
});
