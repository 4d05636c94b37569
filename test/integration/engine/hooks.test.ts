/**
 * Safe hooks (`lambda.invoke`) on the embedded world, with the deployed clients' 5 s request timeout:
 * the call waits what is left of the step's budget, a hook that may still be running is never
 * invoked again, every payload says who calls and carries an idempotency key, answers and errors are
 * stored bounded, and a hook given by ARN is called in its own region.
 */
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { MAX_STEP_TEXT_BYTES } from '../../../shared/engine/bounded';
import { buildConfig } from '../../support/config-builder';
import { createEngineKit, SERVICE, type EngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

function hookConfig(hook: Record<string, unknown>, timeoutSeconds = 60) {
  return buildConfig({
    services: [
      {
        name: SERVICE,
        secondary: {
          prepare: [
            { id: 'promote', timeoutSeconds, 'lambda.invoke': { functionName: 'promote-replica', ...hook } },
            { notify: { message: 'writer is ${steps.promote.writer}' } },
          ],
        },
      },
    ],
  });
}

function invocationsOf(kit: EngineKit, name: string) {
  return kit.world.lambda.invocations().filter((record) => record.name === name && record.invocationType === 'RequestResponse');
}

describe('lambda.invoke hooks', () => {
  it('a 7 s hook is invoked once and its answer is used (the 5 s client default does not apply)', async () => {
    const kit = await createEngineKit(dynamo, { config: hookConfig({}) });
    kit.world.lambda.register(
      'promote-replica',
      async () => {
        await kit.clock.sleep(7_000);
        return { writer: 'db-2' };
      },
      { timeoutSeconds: 30 },
    );
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.steps[0]).toMatchObject({ id: 'promote', status: 'succeeded', attempts: 1, output: { writer: 'db-2' } });
    expect(invocationsOf(kit, 'promote-replica')).toHaveLength(1);
    expect(outcome.run?.status).toBe('succeeded');
    expect(kit.texts()).toContain('[switchback] web: writer is db-2');
  });

  it('a hook that outlasts the step budget fails the step once: it may still be running, so it is not invoked again', async () => {
    const kit = await createEngineKit(dynamo, { config: hookConfig({}, 10) });
    kit.world.lambda.register(
      'promote-replica',
      async () => {
        await kit.clock.sleep(12_000);
        return { writer: 'db-2' };
      },
      { timeoutSeconds: 60 },
    );
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('failed');
    expect(outcome.run?.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.run?.steps[0].error).toBe(
      'lambda:Invoke on promote-replica failed (ETIMEDOUT): no answer within 10s; the function may still be running, so it is not invoked again',
    );
    expect(invocationsOf(kit, 'promote-replica')).toHaveLength(1);
    expect(kit.dnsAnswer()).toEqual(['203.0.113.10']);
  });

  it('every payload carries switchback { service, runId, step, attempt, idempotencyKey }', async () => {
    const kit = await createEngineKit(dynamo, { config: hookConfig({ payload: { cluster: 'db' } }) });
    kit.world.lambda.register('promote-replica', async () => ({ writer: 'db-2' }));
    await kit.startRun('failover', { id: 'run-7' });
    await kit.execute('orchestrator:1');
    expect(invocationsOf(kit, 'promote-replica')[0].payload).toEqual({
      service: 'web',
      runId: 'run-7',
      kind: 'failover',
      trigger: 'auto',
      stepId: 'promote',
      cluster: 'db',
      switchback: { service: 'web', runId: 'run-7', step: 'promote', attempt: 1, idempotencyKey: 'run-7/promote' },
    });
  });

  it('a 450 KB answer does not break the run: the output is kept bounded with a note', async () => {
    const kit = await createEngineKit(dynamo, { config: hookConfig({}) });
    kit.world.lambda.register('promote-replica', async () => ({ writer: 'db-2', dump: 'x'.repeat(450_000) }));
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    const step = outcome.run?.steps[0];
    expect(step?.output?.writer).toBe('db-2');
    expect(Buffer.byteLength(JSON.stringify(step?.output))).toBeLessThanOrEqual(MAX_STEP_TEXT_BYTES);
    expect(step?.note).toMatch(/^promote-replica answered; output cut to 4096 bytes \(was \d+\); shortened: dump$/);
    expect(invocationsOf(kit, 'promote-replica')).toHaveLength(1);
    expect((await kit.state()).state).toBe('SECONDARY');
  });

  it('a 450 KB error fails the run cleanly: stored bounded, invoked once, people texted', async () => {
    const kit = await createEngineKit(dynamo, { config: hookConfig({}) });
    kit.world.lambda.register('promote-replica', async () => {
      throw new Error(`replica lag too high ${'z'.repeat(450_000)}`);
    });
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.status).toBe('finished');
    expect(outcome.run?.status).toBe('failed');
    const error = outcome.run?.steps[0].error ?? '';
    expect(error).toMatch(/^lambda:Invoke on promote-replica failed \(FunctionError\): Error: replica lag too high z+/);
    expect(Buffer.byteLength(error)).toBeLessThanOrEqual(MAX_STEP_TEXT_BYTES);
    expect(invocationsOf(kit, 'promote-replica')).toHaveLength(1);
    expect((await kit.state()).state).toBe('FAILOVER_FAILED');
    expect(kit.texts()[1]).toMatch(/^\[switchback\] web: FAILOVER FAILED at lambda\.invoke/);
  });

  it('a hook given as a full ARN in another region is called in that region', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:promote-replica';
    const kit = await createEngineKit(dynamo, { config: hookConfig({ functionName: arn }) });
    kit.world.lambda.register('promote-replica', async () => ({ writer: 'db-2' }));
    await kit.startRun('failover');
    const outcome = await kit.execute('orchestrator:1');
    expect(outcome.run?.status).toBe('succeeded');
    expect(invocationsOf(kit, 'promote-replica').map((record) => record.region)).toEqual(['us-east-1']);
  });

  it('a hook the rest of this invocation cannot wait for is handed to a fresh invocation before it is called', async () => {
    const config = buildConfig({
      services: [
        {
          name: SERVICE,
          secondary: {
            prepare: [
              { 'ec2.start': { instanceIds: ['i-0abc1234def567890'] } },
              { id: 'promote', timeoutSeconds: 390, 'lambda.invoke': { functionName: 'promote-replica' } },
            ],
          },
        },
      ],
    });
    const kit = await createEngineKit(dynamo, { config });
    kit.world.lambda.register(
      'promote-replica',
      async () => {
        await kit.clock.sleep(370_000);
        return { writer: 'db-2' };
      },
      { timeoutSeconds: 900 },
    );
    await kit.startRun('failover');
    // A 400 s invocation: after the standby start, less than the hook's 390 s is left of it.
    const first = await kit.execute('orchestrator:1', { deadlineEpochMs: kit.clock.now() + 400_000 });
    expect(first.status).toBe('handoff');
    expect(invocationsOf(kit, 'promote-replica')).toHaveLength(0);
    const second = await kit.execute('orchestrator:2', { deadlineEpochMs: kit.clock.now() + 900_000 });
    expect(second.run?.steps[1]).toMatchObject({ id: 'promote', status: 'succeeded', attempts: 1, output: { writer: 'db-2' } });
    expect(invocationsOf(kit, 'promote-replica')).toHaveLength(1);
  });
});
