/**
 * The store against the embedded DynamoDB (dynalite in-process): optimistic locking, the
 * one-run-per-service race, batching, TTL'd items checked on read.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildPlan } from '../../../shared/domain/build-plan';
import { plannedRun } from '../../support/planned-run';
import type { LocationObservation, Run, ServiceState } from '../../../shared/domain/types';
import { buildConfig } from '../../support/config-builder';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createStore, RunAlreadyActiveError, VersionConflictError, type Store } from '../../../shared/store';

const T0 = Date.UTC(2026, 0, 1);
const config = buildConfig({ services: [{ secondary: { prepare: [{ 'ec2.start': { instanceIds: ['i-0abc1234def567890'] } }] } }] });
const service = config.services[0];

let dynamo: EmbeddedDynamo;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

async function freshStore(client: DynamoDBDocumentClient = dynamo.client, extra: { now?: () => number } = {}): Promise<Store> {
  const tableName = `store-test-${++tableCount}`;
  await dynamo.createTable(tableName);
  return createStore({ client, tableName, ...extra });
}

function runFor(id: string, nowEpochMs = T0): Run {
  return plannedRun({
    id,
    service,
    kind: 'failover',
    trigger: 'auto',
    reason: 'primary failed 3/3 probes from 1/1 locations; secondary healthy',
    nowEpochMs,
  });
}

function startFailover(run: Run) {
  return (state: ServiceState): ServiceState => ({
    ...state,
    state: 'FAILING_OVER',
    activeRun: run,
    failoverHistoryEpochMs: [...state.failoverHistoryEpochMs, run.startedAtEpochMs],
  });
}

/** A client that lets a test act just before a command reaches DynamoDB. */
function interceptingClient(before: (command: unknown) => Promise<unknown | undefined>): DynamoDBDocumentClient {
  return {
    send: async (command: unknown) => {
      const replaced = await before(command);
      if (replaced !== undefined) return replaced;
      return dynamo.client.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
}

describe('service state', () => {
  it('creates the initial state once and round-trips every field of an active run', async () => {
    const store = await freshStore();
    expect(await store.getState('web')).toBeUndefined();
    const created = await store.ensureState('web', T0);
    expect(created).toEqual({ service: 'web', version: 0, state: 'PRIMARY', sinceEpochMs: T0, frozen: false, failoverHistoryEpochMs: [] });
    // A second ensureState later does not reset anything.
    expect(await store.ensureState('web', T0 + 60_000)).toEqual(created);

    const run: Run = { ...runFor('r1'), lease: { owner: 'orchestrator:a', expiresAtEpochMs: T0 + 60_000 }, error: undefined };
    run.steps[0] = {
      ...run.steps[0],
      status: 'succeeded',
      attempts: 2,
      startedAtEpochMs: T0,
      endedAtEpochMs: T0 + 5_000,
      output: { instanceIds: ['i-0abc1234def567890'], ok: true, n: 3 },
      note: '',
    };
    const next: ServiceState = {
      ...created,
      state: 'FAILING_OVER',
      activeRun: run,
      incident: { openedAtEpochMs: T0, alertsSent: ['blocked'] },
      lastReason: 'failing over',
    };
    const saved = await store.saveState(next, 0);
    expect(saved.version).toBe(1);
    const read = await store.getState('web');
    const { error: _dropped, ...runWithoutUndefined } = run;
    expect(read).toEqual({ ...next, version: 1, activeRun: runWithoutUndefined });
    expect(read?.activeRun?.plan).toEqual(buildPlan(service, 'failover'));
  });

  it('saveState at version 0 creates the item when nothing is stored yet', async () => {
    const store = await freshStore();
    const saved = await store.saveState(
      { service: 'web', version: 0, state: 'PRIMARY', sinceEpochMs: T0, frozen: true, failoverHistoryEpochMs: [] },
      0,
    );
    expect(saved.version).toBe(1);
    expect((await store.getState('web'))?.frozen).toBe(true);
  });

  it('refuses a write on a stale version and says which version is stored', async () => {
    const store = await freshStore();
    const base = await store.ensureState('web', T0);
    const first = await store.saveState({ ...base, frozen: true, frozenBy: 'alice' }, base.version);
    const stale = store.saveState({ ...base, lastReason: 'late writer' }, base.version);
    await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
    await expect(stale).rejects.toMatchObject({ service: 'web', expectedVersion: 0, actualVersion: 1 });
    expect(await store.getState('web')).toEqual(first);
    // The writer that re-reads wins on the new version.
    const again = await store.saveState({ ...first, lastReason: 're-read first' }, first.version);
    expect(again.version).toBe(2);
    await expect(store.saveState({ ...base }, 5)).rejects.toMatchObject({ expectedVersion: 5, actualVersion: 2 });
  });

  it('reports a conflict on a service that has no state item when the caller expected one', async () => {
    const store = await freshStore();
    await expect(store.saveState({ ...(await freshState('api')), version: 3 }, 3)).rejects.toMatchObject({
      service: 'api',
      actualVersion: undefined,
    });
  });

  async function freshState(name: string): Promise<ServiceState> {
    return { service: name, version: 0, state: 'PRIMARY', sinceEpochMs: T0, frozen: false, failoverHistoryEpochMs: [] };
  }
});

describe('startRun', () => {
  it('50 concurrent attempts for one service: exactly one wins, the 49 losers are told the winner', async () => {
    const store = await freshStore();
    const attempts = Array.from({ length: 50 }, (_, i) => {
      const run = runFor(`run-${String(i).padStart(2, '0')}`);
      return store.startRun('web', run, startFailover(run), T0).then(
        (state) => ({ ok: true as const, runId: run.id, state }),
        (error: unknown) => ({ ok: false as const, runId: run.id, error }),
      );
    });
    const results = await Promise.all(attempts);
    const winners = results.filter((result) => result.ok);
    const losers = results.filter((result) => !result.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    const winnerRunId = winners[0].runId;
    for (const loser of losers) {
      if (loser.ok) throw new Error('unreachable');
      expect(loser.error).toBeInstanceOf(RunAlreadyActiveError);
      expect(loser.error).toMatchObject({ service: 'web', winnerRunId, refusedRunId: loser.runId });
      expect((loser.error as Error).message).toContain(winnerRunId);
    }
    const stored = await store.getState('web');
    expect(stored?.activeRun?.id).toBe(winnerRunId);
    expect(stored?.state).toBe('FAILING_OVER');
    expect(stored?.failoverHistoryEpochMs).toEqual([T0]);
    expect(stored?.version).toBe(1);
  });

  it('is idempotent for the active run and allows a new run once the active one has ended', async () => {
    const store = await freshStore();
    const first = runFor('r1');
    const started = await store.startRun('web', first, startFailover(first), T0);
    expect(await store.startRun('web', first, startFailover(first), T0)).toEqual(started);

    await store.saveState({ ...started, state: 'SECONDARY', activeRun: { ...first, status: 'succeeded' } }, started.version);
    const second = runFor('r2', T0 + 3_600_000);
    const next = await store.startRun('web', second, (state) => ({ ...state, state: 'FAILING_BACK', activeRun: second }), T0 + 3_600_000);
    expect(next.activeRun?.id).toBe('r2');
    expect(next.state).toBe('FAILING_BACK');
  });

  it('tries again when an unrelated write moved the version between its read and its write', async () => {
    let interfere = true;
    // eslint-disable-next-line prefer-const -- the client below closes over it before it exists
    let store!: Store;
    const client = interceptingClient(async (command) => {
      const input = (command as { input?: { ExpressionAttributeValues?: Record<string, unknown> } }).input;
      if (interfere && input?.ExpressionAttributeValues?.[':running'] === 'running') {
        interfere = false;
        const current = (await store.getState('web')) as ServiceState;
        await store.saveState({ ...current, lastReason: 'a probe round wrote in between' }, current.version);
      }
      return undefined;
    });
    store = await freshStore(client);
    const run = runFor('r1');
    let mutations = 0;
    const started = await store.startRun('web', run, (state) => (mutations++, startFailover(run)(state)), T0);
    expect(mutations).toBe(2);
    expect(started.version).toBe(2);
    expect(started.lastReason).toBe('a probe round wrote in between');
    expect((await store.getState('web'))?.activeRun?.id).toBe('r1');
  });
});

describe('getStates', () => {
  it('reads more than 100 services in batches and leaves unknown services out', async () => {
    const store = await freshStore();
    const names = Array.from({ length: 230 }, (_, i) => `svc-${i}`);
    await Promise.all(
      names.map((name, i) =>
        store.saveState(
          { service: name, version: 0, state: 'PRIMARY', sinceEpochMs: T0 + i, frozen: false, failoverHistoryEpochMs: [] },
          0,
        ),
      ),
    );
    const states = await store.getStates([...names, 'never-seen', 'svc-0']);
    expect(states.size).toBe(230);
    expect(states.get('svc-229')).toMatchObject({ service: 'svc-229', version: 1, sinceEpochMs: T0 + 229 });
    expect(states.has('never-seen')).toBe(false);
    expect(await store.getStates([])).toEqual(new Map());
  });

  it('retries keys DynamoDB left unprocessed', async () => {
    let batchCalls = 0;
    const client = interceptingClient(async (command) => {
      if (!(command instanceof BatchGetCommand)) return undefined;
      batchCalls += 1;
      if (batchCalls > 1) return undefined;
      // First call: answer half, leave the rest unprocessed (as DynamoDB does under load).
      const [table, request] = Object.entries(command.input.RequestItems ?? {})[0];
      const keys = request.Keys ?? [];
      const half = keys.slice(0, Math.ceil(keys.length / 2));
      const answered = await dynamo.client.send(new BatchGetCommand({ RequestItems: { [table]: { ...request, Keys: half } } }));
      return { ...answered, UnprocessedKeys: { [table]: { ...request, Keys: keys.slice(half.length) } } };
    });
    const store = await freshStore(client);
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names)
      await store.saveState(
        { service: name, version: 0, state: 'PRIMARY', sinceEpochMs: T0, frozen: false, failoverHistoryEpochMs: [] },
        0,
      );
    const states = await store.getStates(names);
    expect([...states.keys()].sort()).toEqual(names);
    expect(batchCalls).toBe(2);
  });
});

describe('archived runs and audit events', () => {
  it('lists archived runs newest first, archives idempotently and honours the limit', async () => {
    const store = await freshStore();
    const runs = [runFor('old', T0), runFor('mid', T0 + 60_000), runFor('new', T0 + 120_000)];
    for (const run of [runs[1], runs[0], runs[2]])
      await store.archiveRun({ ...run, status: 'succeeded', endedAtEpochMs: run.startedAtEpochMs + 41_000 });
    await store.archiveRun({ ...runs[2], status: 'succeeded', endedAtEpochMs: runs[2].startedAtEpochMs + 41_000 });
    const listed = await store.listRuns('web', 10);
    expect(listed.map((run) => run.id)).toEqual(['new', 'mid', 'old']);
    expect(listed[0]).toMatchObject({ status: 'succeeded', endedAtEpochMs: T0 + 161_000, steps: runs[2].steps });
    expect((await store.listRuns('web', 2)).map((run) => run.id)).toEqual(['new', 'mid']);
    expect(await store.listRuns('other', 10)).toEqual([]);
    // The state item and events share the partition but never show up as runs.
    await store.ensureState('web', T0);
    await store.appendEvent('web', { atEpochMs: T0, type: 'decision', reason: 'x' });
    expect(await store.listRuns('web', 10)).toHaveLength(3);
  });

  it('pages through more runs than one query returns', async () => {
    const store = await freshStore();
    for (let i = 0; i < 130; i++) await store.archiveRun({ ...runFor(`r${i}`, T0 + i * 1000), status: 'failed' });
    const listed = await store.listRuns('web', 120);
    expect(listed).toHaveLength(120);
    expect(listed[0].id).toBe('r129');
    expect(listed[119].id).toBe('r10');
  });

  it('lists audit events newest first and hides expired ones', async () => {
    let nowEpochMs = T0;
    const store = await freshStore(dynamo.client, { now: () => nowEpochMs });
    await store.appendEvent('web', { atEpochMs: T0, type: 'decision', reason: 'first' });
    await store.appendEvent('web', {
      atEpochMs: T0 + 1000,
      type: 'transition',
      reason: 'second',
      data: { from: 'PRIMARY', to: 'FAILING_OVER', note: undefined },
    });
    await store.appendEvent('web', { atEpochMs: T0 + 1000, type: 'decision', reason: 'same millisecond' });
    const events = await store.listEvents('web', 10);
    expect(events.map((event) => event.reason).slice(0, 1)).toEqual([expect.stringMatching(/second|same millisecond/)]);
    expect(events.map((event) => event.reason)).toHaveLength(3);
    expect(events[2]).toEqual({ atEpochMs: T0, type: 'decision', reason: 'first' });
    expect(events.find((event) => event.reason === 'second')?.data).toEqual({ from: 'PRIMARY', to: 'FAILING_OVER' });
    expect(await store.listEvents('web', 1)).toHaveLength(1);

    nowEpochMs = T0 + 90 * 24 * 3600 * 1000 + 500; // past the first event's ttl only
    expect((await store.listEvents('web', 10)).map((event) => event.reason).sort()).toEqual(['same millisecond', 'second']);
    expect(await store.listEvents('web', 10, T0 + 365 * 24 * 3600 * 1000)).toEqual([]);
  });
});

describe('observations and heartbeats', () => {
  const site = (status: 'up' | 'down') => ({ status, consecutive: 3, sinceEpochMs: T0 });
  const observation = (location: string, status: 'up' | 'down'): LocationObservation => ({
    location,
    fresh: true,
    observedAtEpochMs: T0,
    primary: site(status),
    secondary: site('up'),
  });

  it('groups the latest observation of each location by service', async () => {
    const store = await freshStore();
    await store.putObservation('web', observation('us-west-2', 'up'));
    await store.putObservation('web', observation('eu-west-1', 'up'));
    await store.putObservation('web', observation('us-west-2', 'down'));
    await store.putObservation('api', observation('us-west-2', 'up'));
    const all = await store.listObservations();
    expect([...all.keys()].sort()).toEqual(['api', 'web']);
    expect(
      all
        .get('web')
        ?.map((o) => [o.location, o.primary.status])
        .sort(),
    ).toEqual([
      ['eu-west-1', 'up'],
      ['us-west-2', 'down'],
    ]);
    expect(all.get('api')).toEqual([observation('us-west-2', 'up')]);
  });

  it('reads every observation even past one page', async () => {
    const store = await freshStore();
    await Promise.all(Array.from({ length: 150 }, (_, i) => store.putObservation(`svc-${i}`, observation('us-west-2', 'up'))));
    expect((await store.listObservations()).size).toBe(150);
  });

  it('keeps the last heartbeat per location', async () => {
    const store = await freshStore();
    expect(await store.listLocationHeartbeats()).toEqual({});
    await store.touchLocation('us-west-2', T0);
    await store.touchLocation('eu-west-1', T0 + 5);
    await store.touchLocation('us-west-2', T0 + 60_000);
    expect(await store.listLocationHeartbeats()).toEqual({ 'us-west-2': T0 + 60_000, 'eu-west-1': T0 + 5 });
  });
});

describe('claimDedup', () => {
  it('claims a key once', async () => {
    const store = await freshStore();
    expect(await store.claimDedup('alarm-1', T0, 3600)).toBe(true);
    expect(await store.claimDedup('alarm-1', T0 + 1000, 3600)).toBe(false);
    expect(await store.claimDedup('alarm-2', T0 + 1000, 3600)).toBe(true);
  });

  it('20 concurrent claims of one key: exactly one is first', async () => {
    const store = await freshStore();
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimDedup('delivery-42', T0, 600)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('an expired claim can be claimed again (expiry is checked, not left to TTL deletion)', async () => {
    const store = await freshStore();
    expect(await store.claimDedup('k', T0, 60)).toBe(true);
    expect(await store.claimDedup('k', T0 + 59_999, 60)).toBe(false);
    expect(await store.claimDedup('k', T0 + 60_000, 60)).toBe(true);
    expect(await store.claimDedup('k', T0 + 61_000, 60)).toBe(false);
  });

  it('a released claim can be claimed at once; an extended one holds for the new ttl', async () => {
    const store = await freshStore();
    expect(await store.claimDedup('held', T0, 30)).toBe(true);
    await store.releaseDedup('held');
    expect(await store.claimDedup('held', T0 + 1000, 30)).toBe(true);
    await store.extendDedup('held', T0 + 2000, 3600);
    expect(await store.claimDedup('held', T0 + 60_000, 30)).toBe(false);
    expect(await store.claimDedup('held', T0 + 3_602_000, 30)).toBe(true);
    await store.releaseDedup('never-claimed');
  });
});

describe('stats', () => {
  it('counts consumed capacity of reads and writes', async () => {
    const store = await freshStore();
    expect(store.stats()).toEqual({ reads: 0, writes: 0, readRequests: 0, writeRequests: 0 });
    const state = await store.ensureState('web', T0); // 1 read + 1 write
    await store.saveState({ ...state, frozen: true }, 0); // 1 write
    await store.saveState({ ...state, frozen: true }, 0).catch(() => undefined); // failed write + re-read
    await store.getStates(['web']);
    const stats = store.stats();
    expect(stats.writeRequests).toBe(3);
    expect(stats.readRequests).toBe(3);
    expect(stats.writes).toBeGreaterThanOrEqual(3);
    expect(stats.reads).toBeGreaterThan(0);
  });

  it('an eventually consistent getStates costs half a strongly consistent one', async () => {
    const store = await freshStore();
    const names = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
    await Promise.all(names.map((name) => store.ensureState(name, T0)));
    const before = store.stats().reads;
    await store.getStates(names);
    const strong = store.stats().reads - before;
    await store.getStates(names, { consistent: false });
    const eventual = store.stats().reads - before - strong;
    expect(strong).toBe(10);
    expect(eventual).toBe(5);
  });
});
