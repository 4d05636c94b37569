/**
 * The run journal over an in-memory store: lease taking, re-applying a change on top of someone
 * else's write, and stopping (LeaseLostError) once the run is no longer ours.
 */
import { buildConfig } from '../../support/config-builder';
import { plannedRun } from '../../support/planned-run';
import type { Run, ServiceState } from '../../../shared/domain/types';
import { RunJournal } from '../../../shared/engine/journal';
import { LeaseLostError, VersionConflictError, type Store } from '../../../shared/store';

const T0 = Date.UTC(2026, 0, 1);
const config = buildConfig({ services: [{ dns: { ttl: undefined } }] });

/** Just enough of a Store: one versioned STATE item per service, conditional on version. */
class MemoryStore {
  readonly items = new Map<string, ServiceState>();
  saves = 0;
  /** Runs once, just before the next save is checked (another writer sneaking in). */
  beforeNextSave?: () => void;

  async getState(service: string) {
    const item = this.items.get(service);
    return item ? structuredClone(item) : undefined;
  }

  async saveState(next: ServiceState, expectedVersion: number) {
    const interfere = this.beforeNextSave;
    this.beforeNextSave = undefined;
    interfere?.();
    this.saves += 1;
    const current = this.items.get(next.service);
    if ((current?.version ?? 0) !== expectedVersion) throw new VersionConflictError(next.service, expectedVersion, current?.version);
    const saved = { ...structuredClone(next), version: expectedVersion + 1 };
    this.items.set(next.service, saved);
    return structuredClone(saved);
  }

  /** Another writer's change, bumping the version. */
  poke(service: string, change: (state: ServiceState) => ServiceState) {
    const current = this.items.get(service) as ServiceState;
    this.items.set(service, { ...change(structuredClone(current)), version: current.version + 1 });
  }
}

function setup(lease?: Run['lease']) {
  const store = new MemoryStore();
  let now = T0;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
  const run: Run = {
    ...plannedRun({ id: 'r1', service: config.services[0], kind: 'failover', trigger: 'auto', reason: 'test', nowEpochMs: T0 }),
    ...(lease && { lease }),
  };
  store.items.set('web', {
    service: 'web',
    version: 3,
    state: 'FAILING_OVER',
    sinceEpochMs: T0,
    frozen: false,
    failoverHistoryEpochMs: [],
    activeRun: run,
  });
  return { store, clock, advance: (ms: number) => void (now += ms), asStore: store as unknown as Store };
}

describe('RunJournal.open', () => {
  it('takes a free lease and stamps owner and expiry', async () => {
    const { store, clock, asStore } = setup();
    const opened = await RunJournal.open(asStore, clock, 'web', 'me', 60_000);
    expect(opened.kind).toBe('opened');
    expect(store.items.get('web')?.activeRun?.lease).toEqual({ owner: 'me', expiresAtEpochMs: T0 + 60_000 });
    expect(store.items.get('web')?.version).toBe(4);
  });

  it('refuses a lease someone else holds, and takes it once it has expired', async () => {
    const { store, clock, advance, asStore } = setup({ owner: 'other', expiresAtEpochMs: T0 + 10_000 });
    const refused = await RunJournal.open(asStore, clock, 'web', 'me', 60_000);
    expect(refused).toMatchObject({ kind: 'not-owner', reason: 'run r1 of web is held by other for 10s more' });
    expect(store.saves).toBe(0);
    advance(10_000);
    expect((await RunJournal.open(asStore, clock, 'web', 'me', 60_000)).kind).toBe('opened');
  });

  it('takes back its own lease even before it expires (a re-invoked owner)', async () => {
    const { clock, asStore } = setup({ owner: 'me', expiresAtEpochMs: T0 + 50_000 });
    expect((await RunJournal.open(asStore, clock, 'web', 'me', 60_000)).kind).toBe('opened');
  });

  it('losing the race for a free lease answers not-owner', async () => {
    const { store, clock, asStore } = setup();
    store.beforeNextSave = () =>
      store.poke('web', (state) => ({
        ...state,
        activeRun: { ...(state.activeRun as Run), lease: { owner: 'fast', expiresAtEpochMs: T0 + 60_000 } },
      }));
    const opened = await RunJournal.open(asStore, clock, 'web', 'me', 60_000);
    expect(opened).toMatchObject({ kind: 'not-owner', reason: expect.stringContaining('held by fast') });
  });

  it('answers no-run when there is nothing to run', async () => {
    const { store, clock, asStore } = setup();
    store.items.set('web', { ...(store.items.get('web') as ServiceState), activeRun: undefined });
    expect(await RunJournal.open(asStore, clock, 'web', 'me', 60_000)).toEqual({ kind: 'no-run', reason: 'web has no active run' });
    expect((await RunJournal.open(asStore, clock, 'api', 'me', 60_000)).kind).toBe('no-run');
  });
});

describe('RunJournal.write', () => {
  async function opened() {
    const context = setup();
    const result = await RunJournal.open(context.asStore, context.clock, 'web', 'me', 60_000);
    if (result.kind !== 'opened') throw new Error('not opened');
    return { ...context, journal: result.journal };
  }

  it('renews the lease with every write', async () => {
    const { journal, advance, store } = await opened();
    advance(5_000);
    await journal.write((run) => ({ ...run, dnsPending: true }));
    expect(store.items.get('web')?.activeRun).toMatchObject({ dnsPending: true, lease: { owner: 'me', expiresAtEpochMs: T0 + 65_000 } });
  });

  it('re-applies its change on top of a concurrent write that kept the run ours (an abort request survives)', async () => {
    const { journal, store } = await opened();
    store.beforeNextSave = () =>
      store.poke('web', (state) => ({
        ...state,
        lastReason: 'probe round',
        activeRun: { ...(state.activeRun as Run), abortRequested: { by: 'alice', atEpochMs: T0 } },
      }));
    const run = await journal.write((current) => ({
      ...current,
      steps: current.steps.map((step, i) => (i === 0 ? { ...step, status: 'running', attempts: step.attempts + 1 } : step)),
    }));
    expect(run.abortRequested).toEqual({ by: 'alice', atEpochMs: T0 });
    expect(run.steps[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(store.items.get('web')?.lastReason).toBe('probe round');
  });

  it('throws LeaseLostError, naming the new holder, once someone else took the run', async () => {
    const { journal, store } = await opened();
    store.poke('web', (state) => ({
      ...state,
      activeRun: { ...(state.activeRun as Run), lease: { owner: 'watchdog', expiresAtEpochMs: T0 + 120_000 } },
    }));
    const saves = store.saves;
    await expect(journal.write((run) => run)).rejects.toEqual(
      expect.objectContaining({ name: 'LeaseLostError', holder: 'watchdog', owner: 'me', runId: 'r1' }),
    );
    expect(store.saves).toBe(saves + 1);
    await expect(journal.refresh()).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('throws LeaseLostError when the run is gone (finished by someone else)', async () => {
    const { journal, store } = await opened();
    store.poke('web', (state) => ({ ...state, state: 'SECONDARY', activeRun: undefined }));
    await expect(journal.write((run) => run)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('renews only when a third of the lease has passed since the last write', async () => {
    const { journal, store, advance } = await opened();
    const saves = store.saves;
    advance(19_999);
    await journal.renewIfDue();
    expect(store.saves).toBe(saves);
    advance(1);
    await journal.renewIfDue();
    expect(store.saves).toBe(saves + 1);
    expect(store.items.get('web')?.activeRun?.lease?.expiresAtEpochMs).toBe(T0 + 80_000);
  });

  it('can release the lease for a handoff (expiry now)', async () => {
    const { journal, store, advance } = await opened();
    advance(1_000);
    await journal.write((run) => run, { leaseExpiresAtEpochMs: T0 + 1_000 });
    expect(store.items.get('web')?.activeRun?.lease).toEqual({ owner: 'me', expiresAtEpochMs: T0 + 1_000 });
  });
});
