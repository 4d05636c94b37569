/**
 * The orchestrator's critical path, from taking the run to the first step's AWS call: every DynamoDB
 * request on it costs several milliseconds of recovery time on a real table. What it may not lose:
 * the lease, the "started" text marker journalled before the text is sent, the step's start
 * journalled before its call, and an operator's abort honoured before the step.
 */
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { CrashError, type EngineAws } from '../../../shared/engine';
import type { Store } from '../../../shared/store';
import { createEngineKit, recordingCalls, SERVICE, type EngineKit } from './engine-kit';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

/** Store calls and AWS adapter calls, in the order they were made. */
function recording(kit: EngineKit, owner: string) {
  const log: string[] = [];
  const store = recordingCalls('store', kit.store, log, ['stats']);
  const base = kit.deps(owner).aws;
  const wrap = <T extends object>(name: string, adapter: T): T => recordingCalls(name, adapter, log);
  const ec2 = typeof base.ec2 === 'function' ? base.ec2() : base.ec2;
  const aws: EngineAws = { ...base, ec2: wrap('ec2', ec2), sns: wrap('sns', base.sns) };
  return { log, store, aws };
}

describe("the orchestrator's path to the first runbook call", () => {
  it('reads the state once and writes twice: the lease with the "started" marker, then the step start', async () => {
    const kit = await createEngineKit(dynamo);
    const run = await kit.startRun('failover');
    const { log, store, aws } = recording(kit, 'orchestrator:1');
    const before = kit.store.stats();
    let requestsBeforeFirstCall: number | undefined;
    const countingAws: EngineAws = {
      ...aws,
      ec2: new Proxy(aws.ec2, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (requestsBeforeFirstCall === undefined) {
              const now = kit.store.stats();
              requestsBeforeFirstCall = now.readRequests + now.writeRequests - before.readRequests - before.writeRequests;
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
    };

    const outcome = await kit.execute('orchestrator:1', { store, aws: countingAws });

    expect(outcome.run?.status).toBe('succeeded');
    // Finished before the first call: the read and the lease write, then the step start. (The text's
    // outcome is recorded by a write of its own, alongside the call.)
    expect(requestsBeforeFirstCall).toBe(3);
    expect(log.filter((call) => call.startsWith('store.')).slice(0, 3)).toEqual(['store.getState', 'store.saveState', 'store.saveState']);
    // Every stage still texted, once each.
    expect(kit.texts()).toHaveLength(2);
    expect(kit.texts()[0]).toContain('failing over');
    expect(outcome.run?.notifications.started).toEqual({ atEpochMs: run.startedAtEpochMs, ok: true });
  });

  it('journals the "started" marker in the lease write, before the text is sent', async () => {
    const kit = await createEngineKit(dynamo);
    await kit.startRun('failover');
    const { log, store, aws } = recording(kit, 'orchestrator:1');
    const saved: Array<{ lease?: string; started?: unknown; stepsRunning: number }> = [];
    const watched: Store = {
      ...store,
      async saveState(next, expectedVersion) {
        const result = await store.saveState(next, expectedVersion);
        if (saved.length === 0) {
          const run = next.activeRun;
          saved.push({
            lease: run?.lease?.owner,
            started: run?.notifications.started,
            stepsRunning: run?.steps.filter((step) => step.status === 'running').length ?? 0,
          });
          log.push('(lease written)');
        }
        return result;
      },
    };

    await kit.execute('orchestrator:1', { store: watched, aws });

    expect(saved[0]).toEqual({
      lease: 'orchestrator:1',
      started: { atEpochMs: expect.any(Number), ok: false, error: expect.stringMatching(/^sending/) },
      stepsRunning: 0,
    });
    expect(log.indexOf('(lease written)')).toBeLessThan(log.indexOf('sns.sendSms'));
  });

  it('a second owner taking over an expired lease does not text "failing over" again', async () => {
    const kit = await createEngineKit(dynamo, { leaseTtlMs: 60_000 });
    await kit.startRun('failover');
    // The first owner dies right after its first step started.
    const first = await kit.execute('orchestrator:1', {
      faults: {
        afterStepStart: () => {
          throw new CrashError('died');
        },
      },
    });
    expect(first.status).toBe('crashed');
    kit.clock.advance(61_000);

    const second = await kit.execute('orchestrator:2');

    expect(second.run?.status).toBe('succeeded');
    expect(kit.texts().filter((text) => text.includes('failing over'))).toHaveLength(1);
  });

  it('an abort that lands after the lease was taken stops the run before its first step is journalled or called', async () => {
    const kit = await createEngineKit(dynamo);
    await kit.startRun('failover');
    const { log, store, aws } = recording(kit, 'orchestrator:1');
    let aborted = false;
    const abortingFirst: Store = {
      ...store,
      async saveState(next, expectedVersion) {
        const starting = next.activeRun?.steps.some((step) => step.status === 'running');
        if (starting && !aborted) {
          // The operator's abort reaches the table just before the first step's start write.
          aborted = true;
          const state = (await kit.store.getState(SERVICE))!;
          await kit.store.saveState(
            { ...state, activeRun: { ...state.activeRun!, abortRequested: { by: 'alice', atEpochMs: kit.clock.now() } } },
            state.version,
          );
        }
        return store.saveState(next, expectedVersion);
      },
    };

    const outcome = await kit.execute('orchestrator:1', { store: abortingFirst, aws });

    expect(aborted).toBe(true);
    expect(outcome.run?.status).toBe('aborted');
    expect(outcome.run?.error).toBe(`aborted by alice before ${outcome.run?.plan[0].id}`);
    expect(outcome.run?.steps.every((step) => step.status === 'skipped')).toBe(true);
    expect(log.filter((call) => call.startsWith('ec2.'))).toEqual([]);
    expect(kit.texts()).toHaveLength(2);
    expect(kit.texts()[1]).toBe('[switchback] web: failover aborted by alice - DNS unchanged');
  });
});
