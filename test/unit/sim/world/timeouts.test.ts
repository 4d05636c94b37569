/**
 * Timeouts in the world, as in AWS: a client stops waiting at its request timeout (injected latency
 * is cut there), a Lambda function is stopped at its own timeout, and a synchronous Invoke the client
 * gave up on keeps running (its effects happen; retrying would run it twice).
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { classifyAwsError } from '../../../../shared/aws/errors';
import { createLambdaAdapter } from '../../../../shared/aws/lambda';
import { createTestWorld, rejectionOf, START_EPOCH_MS } from './world-test-kit';

describe('request timeouts of the client', () => {
  it('injected latency longer than the request timeout fails the call with TimeoutError at the timeout', async () => {
    const { world, clients, clock } = createTestWorld({}, { requestTimeoutMs: 5_000 });
    world.faults.add({ api: 'ec2.DescribeInstances', latencyMs: 20_000 });
    const error = await rejectionOf(clients.ec2('us-west-2').send(new DescribeInstancesCommand({})));
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(classifyAwsError(error)).toBe('transient');
    expect(clock.now() - START_EPOCH_MS).toBe(5_000);
    expect(world.callLog()[0]).toMatchObject({ api: 'ec2.DescribeInstances', ok: false, error: 'ETIMEDOUT', injected: true });
  });

  it('latency within the timeout is only latency; a client without a timeout waits it all', async () => {
    const within = createTestWorld({}, { requestTimeoutMs: 5_000 });
    within.world.faults.add({ api: 'ec2.DescribeInstances', latencyMs: 4_000 });
    await within.clients.ec2('us-west-2').send(new DescribeInstancesCommand({}));
    expect(within.clock.now() - START_EPOCH_MS).toBe(4_000);

    const patient = createTestWorld();
    patient.world.faults.add({ api: 'ec2.DescribeInstances', latencyMs: 20_000 });
    await patient.clients.ec2('us-west-2').send(new DescribeInstancesCommand({}));
    expect(patient.clock.now() - START_EPOCH_MS).toBe(20_000);
  });
});

describe('Lambda timeouts', () => {
  it('a function running past its own timeout is answered as timed out (FunctionError Unhandled)', async () => {
    const { world, clients, clock } = createTestWorld();
    world.lambda.register('slow', async () => {
      await clock.sleep(5_000);
      return { ready: true };
    });
    const answer = await clients.lambda().send(new InvokeCommand({ FunctionName: 'slow' }));
    expect(answer.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(answer.Payload as Uint8Array).toString('utf8'))).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 3.00 seconds',
    });
  });

  it('a synchronous Invoke past the client request timeout fails with TimeoutError, and the function still ran', async () => {
    const { world, clients, clock } = createTestWorld({}, { requestTimeoutMs: 5_000 });
    const effects: string[] = [];
    world.lambda.register(
      'promote',
      async () => {
        await clock.sleep(7_000);
        effects.push('promoted');
        return { writer: 'db-2' };
      },
      { timeoutSeconds: 30 },
    );
    const error = await rejectionOf(clients.lambda().send(new InvokeCommand({ FunctionName: 'promote' })));
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(effects).toEqual(['promoted']);
    expect(world.lambda.invocations()[0].outcome).toEqual({ ok: true, result: { writer: 'db-2' } });
  });

  it('a per-call request timeout (the adapter waiting a step budget) replaces the client default', async () => {
    const { world, clients, clock } = createTestWorld({}, { requestTimeoutMs: 5_000 });
    world.lambda.register(
      'promote',
      async () => {
        await clock.sleep(7_000);
        return { writer: 'db-2' };
      },
      { timeoutSeconds: 30 },
    );
    const lambda = createLambdaAdapter(clients);
    await expect(lambda.invokeFunction('promote', {}, { timeoutMs: 60_000 })).resolves.toEqual({ writer: 'db-2' });
    await expect(lambda.invokeFunction('promote', {}, { timeoutMs: 6_000 })).rejects.toThrow(
      'lambda:Invoke on promote failed (ETIMEDOUT): no answer within 6s; the function may still be running, so it is not invoked again',
    );
  });

  it('refuses a function timeout outside 1–900 s', () => {
    const { world } = createTestWorld();
    expect(() => world.lambda.register('f', async () => 1, { timeoutSeconds: 901 })).toThrow(/1–900 seconds/);
  });
});
