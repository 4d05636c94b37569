/**
 * Aurora global database steps in the simulated world, with IAM enforced (every function holds only
 * its generated policy): a regional outage fails the database over (data loss allowed, data age in
 * the texts), DNS follows, and failback switches the writer back with no data loss.
 */
import { join } from 'node:path';
import { runScenario } from '../../sim/runner';
import { parseScenario, readScenarioDocument } from '../../sim/scenario';
import { runSuite, SCENARIOS, smsTexts, variant } from './scenario-kit';

const dbNotes = (result: Awaited<ReturnType<typeof runScenario>>) =>
  result.timeline
    .filter((entry) => entry.kind === 'step' && entry.phase === 'succeeded' && String(entry.action).startsWith('rds.'))
    .map((entry) => entry.note);

describe('Aurora global database', () => {
  test('outage: global failover with data age, DNS switch; failback by switchover with no data loss', async () => {
    const result = await runSuite('global-db-outage');
    expect(result.summary.errors).toEqual([]);
    expect(result.summary.services.app).toMatchObject({ finalState: 'PRIMARY', failovers: 1, failbacks: 1 });
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    expect(result.summary.apiCalls['rds.FailoverGlobalCluster']).toBe(1);
    expect(result.summary.apiCalls['rds.SwitchoverGlobalCluster']).toBe(1);
    expect(dbNotes(result)).toEqual([
      'app-west is the writer after a global failover (data loss allowed); data up to 4s old',
      'app-east is the writer after a switchover (no data loss)',
    ]);
    const texts = smsTexts(result).map((text) => text.replace(/took \d+s/, 'took Ns'));
    expect(texts).toContain('[switchback] app: now on SECONDARY (took Ns; data up to 4s old)');
    expect(texts).toContain('[switchback] app: back on PRIMARY (took Ns; no data lost)');
  });

  test('status says the data age in the same sentence as the transition', async () => {
    const result = await runScenario(
      variant('global-db-outage', {
        duration: '6m',
        events: [
          { at: '1m', site: 'app/primary', health: 'down' },
          { at: '1m', rds: { region: 'us-east-1', available: false } },
          { at: '5m', invoke: { function: 'status', payload: {} } },
        ],
      }),
    );
    const transition = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'SECONDARY');
    expect(String(transition?.reason)).toMatch(/^failover succeeded in \d+s: now on SECONDARY; data up to 4s old$/);
    const status = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'status');
    expect(status?.result).toMatchObject({ ok: true, services: [{ service: 'app', state: 'SECONDARY', reason: transition?.reason }] });
  });

  test('guard.maxDataAgeSeconds refuses the automatic failover (the text says what would be lost); a manual one goes', async () => {
    const config = { ...(readScenarioDocument(join(SCENARIOS, 'configs', 'global-db.yml')) as Record<string, unknown>) };
    config.defaults = { failback: { mode: 'manual', holdDownSeconds: 600 }, guard: { maxDataAgeSeconds: 10 } };
    const result = await runScenario(
      variant('global-db-outage', {
        config,
        duration: '12m',
        world: { rdsReplicationLagSeconds: 30 },
        events: [
          { at: '1m', site: 'app/primary', health: 'down' },
          { at: '1m', rds: { region: 'us-east-1', available: false } },
          { at: '6m', invoke: { function: 'control', payload: { action: 'failover', service: 'app', by: 'alice' } } },
        ],
      }),
    );
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.trigger} ${run.status}`)).toEqual([
      'failover auto failed',
      'failover manual succeeded',
    ]);
    const texts = smsTexts(result).map((text) => text.replace(/took \d+s/, 'took Ns'));
    expect(texts).toContain(
      '[switchback] app: FAILOVER FAILED at rds.failoverGlobalCluster: would lose up to 30s of writes > maxDataAgeSeconds 10; manual failover only - DNS unchanged',
    );
    expect(texts.at(-1)).toBe('[switchback] app: now on SECONDARY (took Ns; data up to 30s old)');
    expect(result.summary.services.app.finalState).toBe('SECONDARY');
    expect(result.summary.apiCalls['rds.FailoverGlobalCluster']).toBe(1);
  });

  test('a crash right after the database step starts resumes it without a second failover', async () => {
    const result = await runScenario(variant('global-db-outage', { faults: [{ crash: { step: 'db', times: 1 } }] }));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.timeline.filter((entry) => entry.kind === 'fault')).toHaveLength(1);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    expect(result.summary.runs[0].steps[0].attempts).toBe(2);
    expect(result.summary.apiCalls['rds.FailoverGlobalCluster']).toBe(1);
  });

  test('a crash right after FailoverGlobalCluster succeeded resumes without a second failover', async () => {
    const result = await runScenario(variant('global-db-outage', { faults: [{ crash: { afterApi: 'rds.FailoverGlobalCluster' } }] }));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.timeline.filter((entry) => entry.kind === 'fault').map((entry) => entry.message)).toEqual([
      'orchestrator crashed right after rds.FailoverGlobalCluster succeeded',
    ]);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    expect(result.summary.apiCalls['rds.FailoverGlobalCluster']).toBe(1);
    // The resumed step found its own failover under way, waited for it and still knew the data age.
    expect(dbNotes(result)[0]).toBe(
      'app-west is the writer after a global failover (data loss allowed); data up to 4s old (resumed: requested before)',
    );
  });

  test('a crash right after UpdateAutoScalingGroup or UpdateService succeeded: resumed, the sizes are found set, nothing is asked twice', async () => {
    const file = join(SCENARIOS, 'whole-stack.yml');
    for (const api of ['autoScaling.UpdateAutoScalingGroup', 'ecs.UpdateService']) {
      const scenario = parseScenario(
        { ...(readScenarioDocument(file) as Record<string, unknown>), faults: [{ crash: { afterApi: api } }] },
        SCENARIOS,
        file,
      );
      const result = await runScenario(scenario);
      expect(result.summary.accessDenied).toEqual([]);
      expect(result.timeline.filter((entry) => entry.kind === 'fault').map((entry) => entry.message)).toEqual([
        `orchestrator crashed right after ${api} succeeded`,
      ]);
      expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
      // One update on the way out, one in the cleanup: the crashed one was not repeated.
      expect(result.summary.apiCalls[api]).toBe(2);
    }
  });

  test('an orchestrator that times out while the database fails over hands the run on; the request is not repeated', async () => {
    const result = await runScenario(variant('global-db-outage', { timeouts: { orchestrator: 30 } }));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.runs.map((run) => `${run.kind} ${run.status}`)).toEqual(['failover succeeded', 'failback succeeded']);
    expect(result.summary.invocations.orchestrator).toBeGreaterThanOrEqual(4);
    expect(result.summary.apiCalls['rds.FailoverGlobalCluster']).toBe(1);
    expect(result.summary.apiCalls['rds.SwitchoverGlobalCluster']).toBe(1);
    // The failover's request went out before the hand-off; the next invocation waited for it.
    expect(dbNotes(result)[0]).toMatch(/data up to 4s old \(resumed: requested before\)$/);
  });

  test('RDS throttling on the failover request is retried with backoff', async () => {
    const result = await runScenario(
      variant('global-db-outage', { faults: [{ api: 'rds.FailoverGlobalCluster', error: 'Throttling', times: 2 }] }),
    );
    expect(result.summary.runs[0]).toMatchObject({ kind: 'failover', status: 'succeeded' });
    expect(result.summary.runs[0].steps[0].attempts).toBe(3);
    expect(result.summary.apiCalls['rds.FailoverGlobalCluster']).toBe(3);
  });

  test('RDS in the east region back but the switchover refused until it resynchronizes: failback fails and says why', async () => {
    // East comes back 1 minute before its site, so the former writer is still pending-resync at failback time.
    const result = await runScenario(
      variant('global-db-outage', {
        duration: '20m',
        events: [
          { at: '1m', site: 'app/primary', health: 'down' },
          { at: '1m', rds: { region: 'us-east-1', available: false } },
          { at: '4m', rds: { region: 'us-east-1', available: true } },
          { at: '4m', site: 'app/primary', health: 'up' },
        ],
        config: {
          ...(readScenarioDocument(join(SCENARIOS, 'configs', 'global-db.yml')) as object),
          defaults: { failback: { mode: 'auto', holdDownSeconds: 60 } },
        },
      }),
    );
    const failback = result.summary.runs.find((run) => run.kind === 'failback');
    expect(failback).toMatchObject({ status: 'failed' });
    expect(failback?.error).toMatch(/not synchronized \(pending-resync\)/);
    expect(result.summary.apiCalls['rds.SwitchoverGlobalCluster']).toBe(1);
  });
});

describe('drill dry-run of a global database step', () => {
  const dryRun = (changes: Record<string, unknown>) =>
    runScenario(
      variant('global-db-outage', {
        duration: '3m',
        events: [{ at: '2m', invoke: { function: 'drill', payload: { service: 'app', mode: 'dry-run' } } }],
        ...changes,
      }),
    );
  const checkOf = (result: Awaited<ReturnType<typeof runScenario>>) => {
    const invoke = result.timeline.find((entry) => entry.kind === 'invoke' && entry.function === 'drill');
    const reports =
      (invoke?.result as { reports?: Array<{ checks: Array<{ check: string; ok: boolean; detail: string }> }> }).reports ?? [];
    const checks = reports[0]?.checks ?? [];
    return checks.find((check) => check.check === 'global database app-global');
  };

  test('checks the global database is idle, the target connected, and reports the lag; changes nothing', async () => {
    const result = await dryRun({});
    expect(result.summary.accessDenied).toEqual([]);
    expect(checkOf(result)).toEqual({
      check: 'global database app-global',
      ok: true,
      detail: 'app-global available; app-west connected, lag 4s',
    });
    expect(result.summary.mutatingApiCalls).toBe(0);
  });

  test('fails when the lag is more than guard.maxDataAgeSeconds', async () => {
    const config = { ...(readScenarioDocument(join(SCENARIOS, 'configs', 'global-db.yml')) as Record<string, unknown>) };
    config.defaults = { failback: { mode: 'auto', holdDownSeconds: 600 }, guard: { maxDataAgeSeconds: 2 } };
    const result = await dryRun({ config });
    expect(checkOf(result)).toEqual({
      check: 'global database app-global',
      ok: false,
      detail: 'app-west lags 4s, more than guard.maxDataAgeSeconds 2s',
    });
  });

  test('fails when the target has no recent lag datapoint (replication not running)', async () => {
    const result = await dryRun({
      events: [
        { at: '5s', rds: { region: 'us-east-1', available: false } },
        { at: '11m', invoke: { function: 'drill', payload: { service: 'app', mode: 'dry-run' } } },
      ],
      duration: '12m',
    });
    // The writer's region has been down for 11 minutes: the lag metric stopped, nothing in the last 10.
    expect(checkOf(result)).toEqual({
      check: 'global database app-global',
      ok: false,
      detail: 'app-west reports no replication lag in the last 10 minutes (is replication running?)',
    });
  });
});
