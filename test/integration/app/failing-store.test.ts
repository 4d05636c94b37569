/**
 * The app layer when the store fails: a probe round, a decision being applied. A state write that
 * fails must leave nothing half-done (no event saying it happened, no orchestrator started), must not
 * stop the other work of the round, and the next attempt must act exactly once.
 */
import { decideAndApply } from '../../../shared/app/apply-decision';
import type { AppDeps } from '../../../shared/app/deps';
import { runProbeInvocation } from '../../../shared/app/probe';
import { parseConfig } from '../../../shared/config/load';
import type { ProbeSpec } from '../../../shared/config/types';
import type { Evidence } from '../../../shared/domain/types';
import type { ControllerEvent } from '../../../shared/events';
import { createStore, VersionConflictError, type Store } from '../../../shared/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';
import { createWorld } from '../../../sim/world';
import { ManualClock, T0 } from '../engine/engine-kit';
import { simAppDeps } from '../../support/sim-app-deps';
import { recordingSelfMetrics } from '../../../shared/self-metrics';

const config = parseConfig({
  controlRegion: 'us-west-2',
  notify: { sms: ['+15555550100'] },
  defaults: { probe: { intervalSeconds: 10, failureThreshold: 1 } },
  services: [
    {
      name: 'web',
      dns: { hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A' },
      primary: { region: 'us-east-1', target: ['203.0.113.10'], probe: { type: 'http', url: 'http://203.0.113.10/health' } },
      secondary: { region: 'us-west-2', target: ['198.51.100.20'], probe: { type: 'http', url: 'http://198.51.100.20/health' } },
    },
  ],
});
const web = config.services[0];
const SERVICE_DOWN_REASON = 'failing over: primary failed 1/1 probes from 1/1 locations; secondary healthy';

/** The store, except that `saveState` throws `errors` in turn before it works again. */
function failingSaves(store: Store, errors: Error[]): Store {
  return {
    ...store,
    async saveState(...args) {
      const error = errors.shift();
      if (error) throw error;
      return store.saveState(...args);
    },
  };
}

const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });

function primaryDownEvidence(atEpochMs: number): Evidence {
  return {
    alarmFiring: false,
    locations: [
      {
        location: 'us-west-2',
        fresh: true,
        observedAtEpochMs: atEpochMs,
        primary: { status: 'down', consecutive: 1, sinceEpochMs: atEpochMs, lastCause: 'timeout' },
        secondary: { status: 'up', consecutive: 5, sinceEpochMs: atEpochMs - 60_000 },
      },
    ],
  };
}

describe('the app layer with a store that fails', () => {
  let dynamo: EmbeddedDynamo;
  let table = 0;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
  });
  afterAll(() => dynamo.close());

  async function kit(saveErrors: Error[], wrap: (store: Store) => Store = (store) => store) {
    const tableName = `failing-store-${++table}`;
    await dynamo.createTable(tableName);
    const clock = new ManualClock(T0);
    const world = createWorld({ now: () => clock.now(), onAsyncInvoke: () => undefined });
    world.seed(config);
    const store = createStore({ client: dynamo.client, tableName, now: () => clock.now() });
    const events: ControllerEvent[] = [];
    const invoked: unknown[] = [];
    const base = simAppDeps({ config, world, store: wrap(failingSaves(store, saveErrors)), clock });
    // The primary is down, the secondary answers.
    const answers = (spec: ProbeSpec) => ({
      ok: spec.type === 'http' && spec.url.includes('198.51'),
      latencyMs: 1,
      checkedAtEpochMs: clock.now(),
    });
    const deps: AppDeps = {
      ...base,
      prober: { probe: async (spec) => answers(spec), probeAll: async (specs) => specs.map(answers), close: async () => {} },
      aws: {
        ...base.aws,
        lambda: {
          ...base.aws.lambda,
          invokeAsync: async (name: string, payload: unknown) => {
            invoked.push([name, payload]);
            return { statusCode: 202 };
          },
        },
      },
      emit: (event) => events.push(event),
    };
    return { deps, store, clock, events, invoked };
  }

  test('apply-decision: a failed state write emits nothing and starts nothing; the retry acts exactly once', async () => {
    const { deps, store, clock, events, invoked } = await kit([throttled()]);
    const input = { kind: 'observe', evidence: primaryDownEvidence(clock.now()) } as const;

    await expect(decideAndApply(deps, web, input)).rejects.toThrow(/throughput/);
    expect(events).toEqual([]);
    expect(invoked).toEqual([]);
    expect((await store.getState('web'))?.state ?? 'PRIMARY').toBe('PRIMARY');

    clock.advance(1_000);
    const applied = await decideAndApply(deps, web, { kind: 'observe', evidence: primaryDownEvidence(clock.now()) });
    expect(applied.state.state).toBe('FAILING_OVER');
    expect(events.filter((event) => event.kind === 'transition')).toEqual([
      { kind: 'transition', atEpochMs: clock.now(), service: 'web', from: 'PRIMARY', to: 'FAILING_OVER', reason: SERVICE_DOWN_REASON },
    ]);
    expect(invoked).toEqual([['orchestrator', { service: 'web', runId: applied.state.activeRun?.id }]]);
  });

  test('apply-decision: a version conflict decides again on what was written and acts once', async () => {
    const { deps, events, invoked, clock } = await kit([new VersionConflictError('web', 0, 1)]);
    const applied = await decideAndApply(deps, web, { kind: 'observe', evidence: primaryDownEvidence(clock.now()) });
    expect(applied.state.state).toBe('FAILING_OVER');
    expect(events.filter((event) => event.kind === 'transition')).toHaveLength(1);
    expect(invoked).toHaveLength(1);
  });

  test('apply-decision: the orchestrator is invoked without waiting for the audit write, and the audit event is still stored', async () => {
    let releaseAudit = () => {};
    const auditHeld = new Promise<void>((resolve) => (releaseAudit = resolve));
    const { deps, store, clock, invoked } = await kit([], (inner) => ({
      ...inner,
      async appendEvent(...args) {
        await auditHeld;
        return inner.appendEvent(...args);
      },
    }));
    const applying = decideAndApply(deps, web, { kind: 'observe', evidence: primaryDownEvidence(clock.now()) });
    // Let everything that does not wait for the audit write happen.
    for (let turn = 0; turn < 50 && invoked.length === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    const invokedWhileAuditHeld = [...invoked];
    releaseAudit();
    const applied = await applying;

    expect(invokedWhileAuditHeld).toEqual([['orchestrator', { service: 'web', runId: applied.state.activeRun?.id }]]);
    expect(await store.listEvents('web', 10, clock.now())).toEqual([
      expect.objectContaining({ type: 'transition', reason: SERVICE_DOWN_REASON }),
    ]);
  });

  test('apply-decision: a failed audit write is logged and neither undoes the decision nor stops the orchestrator', async () => {
    const warnings: string[] = [];
    const { deps, store, clock, invoked } = await kit([], (inner) => ({
      ...inner,
      appendEvent: async () => {
        throw throttled();
      },
    }));
    const logged = { ...deps, logger: { ...deps.logger, warn: (message: string) => void warnings.push(message) } };
    const applied = await decideAndApply(logged, web, { kind: 'observe', evidence: primaryDownEvidence(clock.now()) });

    expect((await store.getState('web'))?.state).toBe('FAILING_OVER');
    expect(invoked).toEqual([['orchestrator', { service: 'web', runId: applied.state.activeRun?.id }]]);
    expect(warnings).toEqual(['could not append the audit event']);
  });

  test("probe round: the decision's read of the states goes out with the observation write, not after it", async () => {
    let releaseObservation = () => {};
    const observationHeld = new Promise<void>((resolve) => (releaseObservation = resolve));
    let observationInFlight = false;
    let statesReadWhileObservationInFlight = false;
    const { deps, store } = await kit([], (inner) => ({
      ...inner,
      async putObservation(...args) {
        observationInFlight = true;
        await observationHeld;
        await inner.putObservation(...args);
        observationInFlight = false;
      },
      async getStates(...args) {
        statesReadWhileObservationInFlight ||= observationInFlight;
        releaseObservation();
        return inner.getStates(...args);
      },
    }));
    // Without the overlap, the read would wait for the write forever: let the write go after a while.
    const fallback = setTimeout(releaseObservation, 2_000);
    const result = await runProbeInvocation(deps, { windowMs: 0, deadlineEpochMs: T0 + 60_000, maxRounds: 1 });
    clearTimeout(fallback);

    expect(statesReadWhileObservationInFlight).toBe(true);
    expect(result.rounds[0]).toMatchObject({ observationWrites: 1, decisions: 1 });
    expect((await store.getState('web'))?.state).toBe('FAILING_OVER');
  });

  test('probe round: a failed observation write fails the round before any decision is applied', async () => {
    const { deps, store, invoked, events } = await kit([], (inner) => ({
      ...inner,
      putObservation: async () => {
        throw throttled();
      },
    }));
    await expect(runProbeInvocation(deps, { windowMs: 0, deadlineEpochMs: T0 + 60_000, maxRounds: 1 })).rejects.toThrow(/throughput/);
    expect((await store.getState('web'))?.state ?? 'PRIMARY').toBe('PRIMARY');
    expect(invoked).toEqual([]);
    expect(events.filter((event) => event.kind === 'transition')).toEqual([]);
  });

  test('probe round: a failed decision is one error event, the round completes, and the next round fails over', async () => {
    const { deps, store, events, invoked } = await kit([throttled()]);
    const first = await runProbeInvocation(deps, { windowMs: 0, deadlineEpochMs: T0 + 60_000, maxRounds: 1 });
    expect(first.rounds).toHaveLength(1);
    expect(first.rounds[0]).toMatchObject({ primaryDown: ['web'], secondaryDown: [], decisions: 0, observationWrites: 1 });
    const errors = events.filter((event) => event.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ service: 'web', message: expect.stringMatching(/^decision failed: .*throughput/) });
    expect(invoked).toEqual([]);
    // The observation was written even though the decision failed: the next round continues the streak.
    expect((await store.listObservations()).get('web')).toHaveLength(1);

    const second = await runProbeInvocation(deps, { windowMs: 0, deadlineEpochMs: T0 + 120_000, maxRounds: 1 });
    expect(second.rounds[0]).toMatchObject({ decisions: 1 });
    expect((await store.getState('web'))?.state).toBe('FAILING_OVER');
    expect(events.filter((event) => event.kind === 'error')).toHaveLength(1);
    expect(invoked).toHaveLength(1);
  });

  test('self metrics: a failed decision is a DecisionError and its round does not count for the heartbeat', async () => {
    const { deps } = await kit([throttled()]);
    const metrics = recordingSelfMetrics();
    const counted = { ...deps, metrics };
    await runProbeInvocation(counted, { windowMs: 0, deadlineEpochMs: T0 + 60_000, maxRounds: 1, heartbeat: true });
    expect(metrics.totals).toEqual({ ProbeRoundsCompleted: 0, DecisionErrors: 1 });
    await runProbeInvocation(counted, { windowMs: 0, deadlineEpochMs: T0 + 120_000, maxRounds: 1, heartbeat: true });
    expect(metrics.totals).toEqual({ ProbeRoundsCompleted: 1, DecisionErrors: 1 });
    // A confirming round (no heartbeat) is extra: it never keeps the heartbeat green.
    await runProbeInvocation(counted, { windowMs: 0, deadlineEpochMs: T0 + 180_000, maxRounds: 1 });
    expect(metrics.totals.ProbeRoundsCompleted).toBe(1);
  });
});
