/** Guards, trigger policies, failback, drills and commands, as short stories with asserted sentences. */
import { StateMachineError } from '../../../shared/domain/errors';
import { decide, type Decision, type DecisionInput } from '../../../shared/domain/state-machine';
import { initialServiceState, type Evidence, type ServiceState } from '../../../shared/domain/types';
import type { ServiceConfig } from '../../../shared/config/types';
import { command, context, endRun, evidence, exampleService, HOUR, location, MINUTE, observe, SECOND, SEEN, T0 } from './fixtures';

const DOWN = 'primary failed 3/3 probes from 1/1 locations; secondary healthy';
const alarm = (alarmState: 'ALARM' | 'OK', atEpochMs: number, seen = SEEN.healthy, name = 'web-5xx-high'): DecisionInput => ({
  kind: 'alarm',
  name,
  alarmState,
  atEpochMs,
  evidence: seen,
});
const effectsOf = (decision: Decision) => decision.effects.map((effect) => effect.type + ('key' in effect ? `:${effect.key}` : ''));

function primaryAt(now: number): ServiceState {
  return initialServiceState('web', now);
}

/** Fail over automatically at `at` and land on SECONDARY at `at + 1 min`. */
function onSecondary(service: ServiceConfig, at: number): ServiceState {
  const started = decide(primaryAt(at - HOUR), observe(SEEN.down), context(service, at));
  expect(started.state.state).toBe('FAILING_OVER');
  return endRun(started.state, at + MINUTE, 'succeeded').state;
}

describe('never to an unhealthy secondary', () => {
  it('texts "failover blocked" once per incident, not every round', () => {
    const service = exampleService();
    const first = decide(primaryAt(T0), observe(SEEN.downSecondaryUnknown), context(service, T0));
    expect(effectsOf(first)).toEqual(['notify:blocked']);
    const notify = first.effects[0];
    expect(notify.type === 'notify' && notify.text).toBe(
      '[switchback] web: failover blocked: primary failed 3/3 probes from 1/1 locations; secondary not confirmed healthy (0/1 up, quorum 1)',
    );
    expect(first.state.incident).toEqual({ openedAtEpochMs: T0, alertsSent: ['blocked'] });

    const again = decide(first.state, observe(SEEN.downSecondaryUnknown), context(service, T0 + 10 * SECOND));
    expect(again.changed).toBe(false);
    expect(again.state).toBe(first.state);
    expect(again.effects).toEqual([]);
    expect(again.reason).toBe(first.reason);

    // The primary recovers (incident closed), then fails again: a new incident, a new text.
    const recovered = decide(again.state, observe(SEEN.recovered), context(service, T0 + 2 * MINUTE));
    expect(recovered.state.incident).toBeUndefined();
    expect(recovered.reason).toBe('primary up 5/5 probes from 1/1 locations; secondary healthy; incident closed');
    const secondIncident = decide(recovered.state, observe(SEEN.downSecondaryUnknown), context(service, T0 + 5 * MINUTE));
    expect(effectsOf(secondIncident)).toEqual(['notify:blocked']);
  });

  it('counts a quorum of locations for the secondary and names where it is down', () => {
    const service = exampleService({ detect: { quorum: 2, locationCount: 3 } });
    const secondaryDiedEarlier = location('us-west-2', ['down', 3], ['down', 9]);
    secondaryDiedEarlier.secondary.sinceEpochMs = T0 - 5 * MINUTE;
    const seen = evidence(
      secondaryDiedEarlier,
      location('eu-west-1', ['down', 3], ['up', 4]),
      location('ap-southeast-2', ['down', 3], ['up', 4], false),
    );
    const decision = decide(primaryAt(T0), observe(seen), context(service, T0));
    expect(decision.state.state).toBe('PRIMARY');
    expect(decision.reason).toBe('failover blocked: primary failed 3/3 probes from 2/2 locations; secondary down at 1/2 locations');
  });

  it('starts the failover once the secondary is healthy again (same incident, no second text)', () => {
    const service = exampleService();
    const blocked = decide(primaryAt(T0), observe(SEEN.downSecondaryUnknown), context(service, T0));
    const go = decide(blocked.state, observe(SEEN.down), context(service, T0 + 10 * SECOND));
    expect(go.state.state).toBe('FAILING_OVER');
    expect(effectsOf(go)).toEqual(['startRun']);
    expect(go.reason).toBe(`failing over: ${DOWN}`);
  });
});

describe('ControlCutOff', () => {
  it('alerts once and never acts', () => {
    const service = exampleService();
    const first = decide(primaryAt(T0), observe(SEEN.cutoff), context(service, T0));
    expect(effectsOf(first)).toEqual(['notify:cutoff']);
    const notify = first.effects[0];
    expect(notify.type === 'notify' && notify.text).toBe(
      '[switchback] web: no action taken: primary and secondary unreachable from every probe location: the controller may be cut off',
    );
    const second = decide(first.state, observe(SEEN.cutoff), context(service, T0 + MINUTE));
    expect(second.changed).toBe(false);
    expect(second.effects).toEqual([]);
  });

  it('needs every fresh location to see both sites down; a stale location does not vote', () => {
    const service = exampleService({ detect: { quorum: 2, locationCount: 3 } });
    const seen = evidence(
      location('us-west-2', ['down', 3], ['down', 3]),
      location('eu-west-1', ['down', 3], ['down', 1]),
      location('ap-southeast-2', ['up', 5], ['up', 5], false),
    );
    expect(decide(primaryAt(T0), observe(seen), context(service, T0)).reason).toBe(
      'primary and secondary unreachable from every probe location: the controller may be cut off; no action taken',
    );
  });

  it('while frozen: no text', () => {
    const service = exampleService();
    const frozen = decide(primaryAt(T0), command('freeze'), context(service, T0)).state;
    const decision = decide(frozen, observe(SEEN.cutoff), context(service, T0 + MINUTE));
    expect(decision.effects).toEqual([]);
    expect(decision.reason).toMatch(/; frozen by alice: automation paused$/);
  });
});

describe('cooldown after any transition', () => {
  it('waits with the seconds left, texts once, then fails over when it ends', () => {
    const service = exampleService({ failback: { holdDownSeconds: 60 } });
    const secondary = onSecondary(service, T0);
    const back = endRun(
      decide(secondary, command('failback'), context(service, T0 + 10 * MINUTE)).state,
      T0 + 11 * MINUTE,
      'succeeded',
    ).state;
    expect(back.lastTransition).toMatchObject({ from: 'FAILING_BACK', to: 'PRIMARY', atEpochMs: T0 + 11 * MINUTE });

    const waiting = decide(back, observe(SEEN.down), context(service, T0 + 21 * MINUTE));
    expect(waiting.state.state).toBe('PRIMARY');
    expect(waiting.reason).toBe(`${DOWN}; failover waits for cooldown: 1200s left`);
    expect(effectsOf(waiting)).toEqual(['notify:cooldown']);
    const notify = waiting.effects[0];
    expect(notify.type === 'notify' && notify.text).toBe(
      `[switchback] web: primary down, failover waits for cooldown: 1200s left; ${DOWN}`,
    );

    const stillWaiting = decide(waiting.state, observe(SEEN.down), context(service, T0 + 40 * MINUTE));
    expect(stillWaiting.effects).toEqual([]);
    expect(stillWaiting.reason).toBe(`${DOWN}; failover waits for cooldown: 60s left`);

    const go = decide(stillWaiting.state, observe(SEEN.down), context(service, T0 + 41 * MINUTE));
    expect(go.state.state).toBe('FAILING_OVER');
  });

  it('does not apply to failback: the hold-down is its guard', () => {
    const service = exampleService({ failback: { holdDownSeconds: 60 } });
    const secondary = onSecondary(service, T0); // arrived at T0 + 1 min; cooldown 1800 s would last until T0 + 31 min
    const started = decide(secondary, observe(SEEN.recovered), context(service, T0 + 2 * MINUTE));
    expect(started.state.primaryHealthySinceEpochMs).toBe(T0 + 2 * MINUTE);
    const back = decide(started.state, observe(SEEN.recovered), context(service, T0 + 3 * MINUTE));
    expect(back.state.state).toBe('FAILING_BACK');
    expect(back.reason).toBe('failing back: primary healthy for 60s (hold-down 60s)');
  });
});

describe('cap on automatic failovers per sliding 24 h', () => {
  const service = exampleService({ guard: { cooldownSeconds: 0, maxFailoversPer24h: 2 } });

  it('stops at the cap, texts once "manual only", and allows a manual failover', () => {
    let state = primaryAt(T0);
    for (const at of [T0, T0 + HOUR]) {
      const decision = decide(state, observe(SEEN.down), context(service, at));
      expect(decision.state.state).toBe('FAILING_OVER');
      const secondary = endRun(decision.state, at + MINUTE, 'succeeded').state;
      const failingBack = decide(secondary, command('failback'), context(service, at + 2 * MINUTE)).state;
      state = endRun(failingBack, at + 3 * MINUTE, 'succeeded').state;
      expect(state.state).toBe('PRIMARY');
    }
    expect(state.failoverHistoryEpochMs).toEqual([T0, T0 + HOUR]);

    const capped = decide(state, observe(SEEN.down), context(service, T0 + 2 * HOUR));
    expect(capped.state.state).toBe('PRIMARY');
    expect(capped.reason).toBe(`${DOWN}; 2 automatic failovers in 24h (cap 2): manual only`);
    expect(effectsOf(capped)).toEqual(['notify:cap']);
    const text = capped.effects[0];
    expect(text.type === 'notify' && text.text).toBe(
      `[switchback] web: failover cap reached, manual only: 2 automatic failovers in 24h (cap 2); ${DOWN}`,
    );
    expect(decide(capped.state, observe(SEEN.down), context(service, T0 + 2 * HOUR + MINUTE)).effects).toEqual([]);

    const manual = decide(capped.state, command('failover'), context(service, T0 + 2 * HOUR + 2 * MINUTE));
    expect(manual.state.state).toBe('FAILING_OVER');
    expect(manual.state.activeRun?.trigger).toBe('manual');
    expect(manual.state.failoverHistoryEpochMs).toEqual([T0, T0 + HOUR]); // manual failovers do not count
  });

  it('counts a failover exactly 24 h ago, not one a millisecond older; prunes when it writes', () => {
    const day = 24 * HOUR;
    const base: ServiceState = { ...primaryAt(T0 - 2 * day), failoverHistoryEpochMs: [T0 - 3 * day, T0 - day, T0 - HOUR] };
    const atLimit = decide(base, observe(SEEN.down), context(service, T0));
    expect(atLimit.state.state).toBe('PRIMARY');
    expect(atLimit.reason).toContain('2 automatic failovers in 24h (cap 2)');
    const after = decide(base, observe(SEEN.down), context(service, T0 + 1));
    expect(after.state.state).toBe('FAILING_OVER');
    expect(after.state.failoverHistoryEpochMs).toEqual([T0 - HOUR, T0 + 1]);
  });
});

describe('frozen', () => {
  const service = exampleService();

  it('records but takes no automatic action; manual commands still work', () => {
    const frozen = decide(primaryAt(T0), command('freeze'), context(service, T0));
    expect(frozen.state).toMatchObject({ frozen: true, frozenBy: 'alice' });
    expect(decide(frozen.state, command('freeze', 'bob'), context(service, T0)).reason).toBe('already frozen by alice');

    const down = decide(frozen.state, observe(SEEN.down), context(service, T0 + MINUTE));
    expect(down.state.state).toBe('PRIMARY');
    expect(down.effects).toEqual([]);
    expect(down.reason).toBe(`${DOWN}; frozen by alice: automation paused`);
    expect(down.state.incident).toEqual({ openedAtEpochMs: T0 + MINUTE, alertsSent: [] }); // still recorded

    const blocked = decide(frozen.state, observe(SEEN.downSecondaryUnknown), context(service, T0 + MINUTE));
    expect(blocked.effects).toEqual([]);

    const manual = decide(down.state, command('failover'), context(service, T0 + 2 * MINUTE));
    expect(manual.state.state).toBe('FAILING_OVER');
    expect(manual.state.frozen).toBe(true);

    const unfrozen = decide(down.state, command('unfreeze', 'bob'), context(service, T0 + 3 * MINUTE));
    expect(unfrozen.reason).toBe('unfrozen by bob: automation resumed');
    expect(unfrozen.state.frozenBy).toBeUndefined();
    expect(decide(unfrozen.state, observe(SEEN.down), context(service, T0 + 4 * MINUTE)).state.state).toBe('FAILING_OVER');
  });

  it('blocks automatic failback', () => {
    const svc = exampleService({ failback: { holdDownSeconds: 60 } });
    const secondary = onSecondary(svc, T0);
    const frozen = decide(secondary, command('freeze'), context(svc, T0 + 2 * MINUTE)).state;
    const a = decide(frozen, observe(SEEN.recovered), context(svc, T0 + 3 * MINUTE));
    const b = decide(a.state, observe(SEEN.recovered), context(svc, T0 + 30 * MINUTE));
    expect(b.state.state).toBe('SECONDARY');
    expect(b.reason).toBe('primary up 5/5 probes from 1/1 locations; secondary healthy; frozen by alice: automation paused');
  });
});

describe('incident', () => {
  it('opens when the primary is first seen down and closes when it has recovered on PRIMARY', () => {
    const service = exampleService({ probe: { failureThreshold: 3 } });
    const frozen = decide(primaryAt(T0), command('freeze'), context(service, T0)).state;
    const degraded = decide(frozen, observe(SEEN.degraded), context(service, T0 + SECOND));
    expect(degraded.state.incident).toBeUndefined();
    const down = decide(degraded.state, observe(SEEN.down), context(service, T0 + 20 * SECOND));
    expect(down.state.incident?.openedAtEpochMs).toBe(T0 + 20 * SECOND);
    const healthy = decide(down.state, observe(SEEN.healthy), context(service, T0 + 30 * SECOND));
    expect(healthy.state.incident).toBeDefined(); // up, but not yet recoveryThreshold: a flapping primary keeps one incident
    const recovered = decide(healthy.state, observe(SEEN.recovered), context(service, T0 + MINUTE));
    expect(recovered.state.incident).toBeUndefined();
  });
});

describe('trigger policies', () => {
  it('probe: alarms are recorded only', () => {
    const service = exampleService();
    const decision = decide(primaryAt(T0), alarm('ALARM', T0 - 5 * SECOND), context(service, T0));
    expect(decision.state.alarm).toEqual({ name: 'web-5xx-high', state: 'ALARM', atEpochMs: T0 - 5 * SECOND });
    expect(decision.state.state).toBe('PRIMARY');
    expect(decision.effects).toEqual([]);
  });

  describe('alarm', () => {
    const service = exampleService({ trigger: 'alarm' });

    it('probes alone do not fail over', () => {
      const decision = decide(primaryAt(T0), observe(SEEN.down), context(service, T0));
      expect(decision.state.state).toBe('PRIMARY');
      expect(decision.reason).toBe(`${DOWN}; trigger is alarm: waiting for an alarm`);
    });

    it('a fresh ALARM fails over when the secondary is healthy', () => {
      const decision = decide(primaryAt(T0), alarm('ALARM', T0 - 5 * SECOND), context(service, T0));
      expect(decision.state.state).toBe('FAILING_OVER');
      expect(decision.reason).toBe('failing over: alarm web-5xx-high in ALARM; secondary healthy');
      expect(effectsOf(decision)).toEqual(['startRun']);
    });

    it('a stale ALARM is ignored with a reason', () => {
      const state = primaryAt(T0);
      const decision = decide(state, alarm('ALARM', T0 - 601 * SECOND), context(service, T0));
      expect(decision).toEqual({
        state,
        changed: false,
        accepted: false,
        effects: [],
        reason: 'alarm web-5xx-high ALARM is 601s old (max 600s): too late to act on',
      });
      expect(decision.state).toBe(state);
    });

    it('without probe evidence it asks for a probe round, and the next round fails over', () => {
      const waiting = decide(primaryAt(T0), alarm('ALARM', T0, SEEN.none), context(service, T0));
      expect(waiting.state.state).toBe('PRIMARY');
      expect(effectsOf(waiting)).toEqual(['probeNow']);
      expect(waiting.reason).toBe(
        'alarm web-5xx-high in ALARM; no fresh probe results (0/1 locations reporting): waiting for probe results',
      );
      const go = decide(waiting.state, observe(SEEN.healthy), context(service, T0 + 10 * SECOND));
      expect(go.state.state).toBe('FAILING_OVER');
    });

    it('an unhealthy secondary blocks it; OK clears the alarm', () => {
      const blocked = decide(primaryAt(T0), alarm('ALARM', T0, SEEN.downSecondaryUnknown), context(service, T0));
      expect(blocked.reason).toBe('failover blocked: alarm web-5xx-high in ALARM; secondary not confirmed healthy (0/1 up, quorum 1)');
      expect(effectsOf(blocked)).toEqual(['notify:blocked', 'probeNow']);
      const ok = decide(blocked.state, alarm('OK', T0 + MINUTE), context(service, T0 + MINUTE));
      expect(ok.state.alarm).toEqual({ name: 'web-5xx-high', state: 'OK', atEpochMs: T0 + MINUTE });
      expect(decide(ok.state, observe(SEEN.healthy), context(service, T0 + 2 * MINUTE)).state.state).toBe('PRIMARY');
      // A late ALARM delivery older than the OK is ignored.
      const late = decide(ok.state, alarm('ALARM', T0 + 30 * SECOND), context(service, T0 + 2 * MINUTE));
      expect(late.accepted).toBe(false);
      expect(late.reason).toBe('alarm web-5xx-high ALARM is older than the recorded OK: ignored');
    });

    it('an OK for another alarm does not clear the one in ALARM', () => {
      const svc = exampleService();
      const firing = decide(primaryAt(T0), alarm('ALARM', T0, SEEN.healthy), context(svc, T0)).state;
      const other = decide(firing, alarm('OK', T0 + SECOND, SEEN.healthy, 'web-latency'), context(svc, T0 + SECOND));
      expect(other.state.alarm?.state).toBe('ALARM');
    });
  });

  describe('alarm-confirmed-by-probe', () => {
    const service = exampleService({ trigger: 'alarm-confirmed-by-probe' });

    it('an ALARM asks for a probe round; one failed probe at a quorum confirms it', () => {
      const alarmed = decide(primaryAt(T0), alarm('ALARM', T0), context(service, T0));
      expect(alarmed.state.state).toBe('PRIMARY');
      expect(effectsOf(alarmed)).toEqual(['probeNow']);
      expect(alarmed.reason).toBe(
        'alarm web-5xx-high in ALARM, not confirmed by probes yet; primary up 2/5 probes from 1/1 locations; secondary healthy',
      );
      const confirmed = decide(alarmed.state, observe(SEEN.degraded), context(service, T0 + 2 * SECOND));
      expect(confirmed.state.state).toBe('FAILING_OVER');
      expect(confirmed.reason).toBe(
        'failing over: alarm web-5xx-high confirmed: primary failed probes from 1/1 locations; secondary healthy',
      );
    });

    it('probes alone at the full threshold also fail over; one failure without an alarm does not', () => {
      expect(decide(primaryAt(T0), observe(SEEN.degraded), context(service, T0)).state.state).toBe('PRIMARY');
      expect(decide(primaryAt(T0), observe(SEEN.down), context(service, T0)).state.state).toBe('FAILING_OVER');
    });

    it('needs a quorum of failing locations to confirm', () => {
      const svc = exampleService({ detect: { quorum: 2, locationCount: 3 }, trigger: 'alarm-confirmed-by-probe' });
      const alarmed = decide(primaryAt(T0), alarm('ALARM', T0), context(svc, T0)).state;
      const one = evidence(location('a', ['down', 1], ['up', 5]), location('b', ['up', 5], ['up', 5]), location('c', ['up', 5], ['up', 5]));
      expect(decide(alarmed, observe(one), context(svc, T0 + SECOND)).state.state).toBe('PRIMARY');
      const two = evidence(
        location('a', ['down', 1], ['up', 5]),
        location('b', ['down', 2], ['up', 5]),
        location('c', ['up', 5], ['up', 5]),
      );
      expect(decide(alarmed, observe(two), context(svc, T0 + SECOND)).state.state).toBe('FAILING_OVER');
    });
  });
});

describe('failback', () => {
  it('auto: waits the hold-down after recovery, then fails back', () => {
    const service = exampleService();
    const secondary = onSecondary(service, T0);
    expect(secondary.primaryHealthySinceEpochMs).toBeUndefined();
    const start = T0 + 5 * MINUTE;
    const first = decide(secondary, observe(SEEN.recovered), context(service, start));
    expect(first.state.primaryHealthySinceEpochMs).toBe(start);
    const almost = decide(first.state, observe(SEEN.recovered), context(service, start + 899 * SECOND));
    expect(almost.changed).toBe(false);
    expect(almost.reason).toBe('primary healthy for 899s of 900s hold-down: failback in 1s');
    const go = decide(almost.state, observe(SEEN.recovered), context(service, start + 900 * SECOND));
    expect(go.state.state).toBe('FAILING_BACK');
    expect(go.state.activeRun).toMatchObject({ kind: 'failback', trigger: 'auto' });
    expect(go.reason).toBe('failing back: primary healthy for 900s (hold-down 900s)');
  });

  it('a single failed probe restarts the hold-down', () => {
    const service = exampleService();
    const start = T0 + 5 * MINUTE;
    const healthy = decide(onSecondary(service, T0), observe(SEEN.recovered), context(service, start)).state;
    const blip = decide(healthy, observe(SEEN.degraded), context(service, start + 600 * SECOND));
    expect(blip.state.primaryHealthySinceEpochMs).toBeUndefined();
    expect(blip.reason).toBe(
      'waiting for the primary to recover: primary failed 1/3 probes from 1/1 locations, below threshold (quorum 1); secondary healthy; primary failed again: hold-down restarts',
    );
    const climbing = decide(blip.state, observe(SEEN.healthy), context(service, start + 640 * SECOND));
    expect(climbing.state.primaryHealthySinceEpochMs).toBeUndefined();
    const again = decide(climbing.state, observe(SEEN.recovered), context(service, start + 700 * SECOND));
    expect(again.state.primaryHealthySinceEpochMs).toBe(start + 700 * SECOND);
    expect(decide(again.state, observe(SEEN.recovered), context(service, start + 1599 * SECOND)).state.state).toBe('SECONDARY');
    expect(decide(again.state, observe(SEEN.recovered), context(service, start + 1600 * SECOND)).state.state).toBe('FAILING_BACK');
  });

  it('with an alarm trigger, an alarm in ALARM restarts the hold-down and holds the failback', () => {
    const service = exampleService({ failback: { holdDownSeconds: 60 }, trigger: 'alarm' });
    const secondary = endRun(decide(primaryAt(T0), alarm('ALARM', T0), context(service, T0)).state, T0 + MINUTE, 'succeeded').state;
    const stillAlarm = decide(secondary, observe(SEEN.recovered), context(service, T0 + 2 * MINUTE));
    expect(stillAlarm.state.primaryHealthySinceEpochMs).toBeUndefined();
    expect(stillAlarm.reason).toBe('staying on SECONDARY: alarm web-5xx-high still in ALARM');
    const ok = decide(stillAlarm.state, alarm('OK', T0 + 3 * MINUTE, SEEN.recovered), context(service, T0 + 3 * MINUTE));
    expect(ok.state.primaryHealthySinceEpochMs).toBe(T0 + 3 * MINUTE);
    expect(decide(ok.state, observe(SEEN.recovered), context(service, T0 + 4 * MINUTE)).state.state).toBe('FAILING_BACK');
  });

  it('manual: waits for approve after the hold-down; approve is refused in auto mode', () => {
    const service = exampleService({ failback: { mode: 'manual', holdDownSeconds: 60 } });
    const secondary = onSecondary(service, T0);
    const healthy = decide(secondary, observe(SEEN.recovered), context(service, T0 + 2 * MINUTE)).state;
    const waiting = decide(healthy, observe(SEEN.recovered), context(service, T0 + 10 * MINUTE));
    expect(waiting.state.state).toBe('SECONDARY');
    expect(waiting.reason).toBe('primary healthy for 480s (hold-down passed); failback mode manual: waiting for approve');
    const approved = decide(waiting.state, command('approve', 'carol'), context(service, T0 + 11 * MINUTE));
    expect(approved.reason).toBe('failback approved by carol: it starts once the primary has been healthy for 60s');
    expect(approved.state.failbackApproved).toEqual({ by: 'carol', atEpochMs: T0 + 11 * MINUTE });
    expect(decide(approved.state, command('approve'), context(service, T0 + 11 * MINUTE)).reason).toBe(
      'failback already approved by carol',
    );
    const go = decide(approved.state, observe(SEEN.recovered), context(service, T0 + 12 * MINUTE));
    expect(go.state.state).toBe('FAILING_BACK');
    expect(go.reason).toBe('failing back: primary healthy for 600s (hold-down 60s), approved by carol');
    expect(go.state.failbackApproved).toBeUndefined();
  });

  it('manual: an early approve still waits for the hold-down', () => {
    const service = exampleService({ failback: { mode: 'manual', holdDownSeconds: 300 } });
    const approved = decide(onSecondary(service, T0), command('approve', 'carol'), context(service, T0 + 2 * MINUTE)).state;
    const healthy = decide(approved, observe(SEEN.recovered), context(service, T0 + 3 * MINUTE));
    expect(healthy.reason).toBe('approved by carol; primary healthy for 0s of 300s hold-down: failback in 300s');
    expect(healthy.state.state).toBe('SECONDARY');
  });

  it('failback.check: asks through the caller, waits with its reason, goes when ready', () => {
    const service = exampleService({ failback: { holdDownSeconds: 0, check: { functionName: 'replication-caught-up' } } });
    const secondary = onSecondary(service, T0);
    const ask = decide(secondary, observe(SEEN.recovered), context(service, T0 + 2 * MINUTE));
    expect(effectsOf(ask)).toEqual(['checkFailback']);
    expect(ask.reason).toBe('primary healthy for 0s (hold-down 0s); asking failback check replication-caught-up');
    expect(ask.state.state).toBe('SECONDARY');
    const notReady = decide(
      secondary,
      observe(SEEN.recovered),
      context(service, T0 + 2 * MINUTE, { failbackCheck: { ready: false, reason: 'replica lag 40s' } }),
    );
    expect(notReady.reason).toBe('failback waits: replica lag 40s');
    expect(notReady.effects).toEqual([]);
    const ready = decide(
      secondary,
      observe(SEEN.recovered),
      context(service, T0 + 2 * MINUTE, { failbackCheck: { ready: true, reason: 'ok' } }),
    );
    expect(ready.state.state).toBe('FAILING_BACK');
  });

  it('a primary that recovers during the failover lets it finish; the hold-down starts on SECONDARY', () => {
    const service = exampleService();
    const failingOver = decide(primaryAt(T0 - HOUR), observe(SEEN.down), context(service, T0)).state;
    const absorbed = decide(failingOver, observe(SEEN.recovered), context(service, T0 + 30 * SECOND));
    expect(absorbed.changed).toBe(false);
    const secondary = endRun(absorbed.state, T0 + MINUTE, 'succeeded').state;
    expect(secondary.state).toBe('SECONDARY');
    const first = decide(secondary, observe(SEEN.recovered), context(service, T0 + 70 * SECOND));
    expect(first.state.primaryHealthySinceEpochMs).toBe(T0 + 70 * SECOND);
    expect(decide(first.state, observe(SEEN.recovered), context(service, T0 + 70 * SECOND + 899 * SECOND)).state.state).toBe('SECONDARY');
  });
});

describe('failed runs need a human', () => {
  it('FAILOVER_FAILED takes no automatic action, even with the primary down; manual commands leave it', () => {
    const service = exampleService();
    const failed = endRun(decide(primaryAt(T0 - HOUR), observe(SEEN.down), context(service, T0)).state, T0 + MINUTE, 'failed').state;
    expect(failed.state).toBe('FAILOVER_FAILED');
    const decision = decide(failed, observe(SEEN.down), context(service, T0 + 2 * HOUR));
    expect(decision.changed).toBe(false);
    expect(decision.reason).toBe('a human must look: failover failed at ec2.start: InsufficientInstanceCapacity; DNS unchanged');
    expect(decide(failed, command('failover'), context(service, T0 + 2 * HOUR)).state.state).toBe('FAILING_OVER');
  });
});

describe('abort', () => {
  it('flags the active run once', () => {
    const service = exampleService();
    const running = decide(primaryAt(T0 - HOUR), observe(SEEN.down), context(service, T0)).state;
    const abort = decide(running, command('abort', 'dave'), context(service, T0 + 5 * SECOND));
    expect(abort.state.activeRun?.abortRequested).toEqual({ by: 'dave', atEpochMs: T0 + 5 * SECOND });
    expect(effectsOf(abort)).toEqual(['requestAbort']);
    const again = decide(abort.state, command('abort', 'erin'), context(service, T0 + 6 * SECOND));
    expect(again.changed).toBe(false);
    expect(again.reason).toBe(`abort of run ${running.activeRun?.id} already requested by dave`);
  });
});

describe('drills', () => {
  const service = exampleService();
  const drill = (holdSeconds = 120, seen?: Evidence): DecisionInput => ({
    kind: 'drill',
    holdSeconds,
    by: 'bob',
    ...(seen ? { evidence: seen } : {}),
  });

  it('runs a failover with trigger drill, holds, then fails back regardless of the hold-down', () => {
    const started = decide(primaryAt(T0 - HOUR), drill(), context(service, T0));
    expect(started.state.activeRun).toMatchObject({ trigger: 'drill', kind: 'failover', drill: { holdSeconds: 120 } });
    expect(started.state.failoverHistoryEpochMs).toEqual([]); // drills never count towards the cap
    const finished = endRun(started.state, T0 + MINUTE, 'succeeded');
    expect(finished.reason).toBe('drill failover succeeded in 60s: holding on SECONDARY for 120s');
    expect(finished.state.drill).toEqual({ holdUntilEpochMs: T0 + 3 * MINUTE, runId: started.state.activeRun?.id, holdSeconds: 120 });

    const holding = decide(finished.state, observe(SEEN.recovered), context(service, T0 + 2 * MINUTE));
    expect(holding.reason).toBe('drill: holding on SECONDARY for 60s more; primary up 5/5 probes from 1/1 locations; secondary healthy');
    expect(holding.changed).toBe(false);
    const back = decide(holding.state, observe(SEEN.recovered), context(service, T0 + 3 * MINUTE));
    expect(back.state.state).toBe('FAILING_BACK');
    expect(back.state.activeRun).toMatchObject({ trigger: 'drill', kind: 'failback' });
    expect(back.state.drill).toBeUndefined();
    const done = endRun(back.state, T0 + 4 * MINUTE, 'succeeded');
    expect(done.state.state).toBe('PRIMARY');
    expect(done.reason).toBe('drill complete: back on PRIMARY (failback took 60s)');
  });

  it('is refused while frozen, during an incident, off PRIMARY, or with an unhealthy site in the evidence', () => {
    const frozen = decide(primaryAt(T0), command('freeze'), context(service, T0)).state;
    expect(decide(frozen, drill(), context(service, T0)).reason).toBe('drill refused: frozen by alice: automation paused');
    const incident = decide(frozen, observe(SEEN.down), context(service, T0 + MINUTE)).state;
    const unfrozen = decide(incident, command('unfreeze'), context(service, T0 + MINUTE)).state;
    const refused = decide(unfrozen, drill(), context(service, T0 + 3 * MINUTE));
    expect(refused.accepted).toBe(false);
    expect(refused.reason).toBe('drill refused: a real incident is open (primary seen down 120s ago)');
    expect(decide(primaryAt(T0), drill(120, SEEN.degraded), context(service, T0)).reason).toBe(
      'drill refused: primary not healthy: primary failed 1/3 probes from 1/1 locations, below threshold (quorum 1); secondary healthy',
    );
    const secondaryDown = evidence(location('us-west-2', ['up', 5], ['down', 1]));
    expect(decide(primaryAt(T0), drill(120, secondaryDown), context(service, T0)).reason).toBe(
      'drill refused: secondary down at 1/1 locations',
    );
    expect(decide(primaryAt(T0), drill(120, SEEN.recovered), context(service, T0)).accepted).toBe(true);
  });

  it('a real incident during the hold pre-empts the drill: no failback while the primary is down, then normal rules', () => {
    const started = decide(primaryAt(T0 - HOUR), drill(60), context(service, T0)).state;
    const holding = endRun(started, T0 + MINUTE, 'succeeded').state;
    const preempted = decide(holding, observe(SEEN.down), context(service, T0 + 90 * SECOND));
    expect(preempted.state.drill).toBeUndefined();
    expect(preempted.state.state).toBe('SECONDARY');
    const text = preempted.effects[0];
    expect(text.type === 'notify' && text.text).toBe(`[switchback] web: real incident during a drill: staying on SECONDARY: ${DOWN}`);
    // After the hold would have ended, the primary is back: the normal hold-down applies, not the drill's.
    const recovered = decide(preempted.state, observe(SEEN.recovered), context(service, T0 + 5 * MINUTE));
    expect(recovered.state.state).toBe('SECONDARY');
    expect(recovered.reason).toBe('primary healthy for 0s of 900s hold-down: failback in 900s');
  });

  it('a drill failover that finishes during a real incident stays as a real failover', () => {
    const started = decide(primaryAt(T0 - HOUR), drill(60), context(service, T0)).state;
    const incident = decide(started, observe(SEEN.down), context(service, T0 + 30 * SECOND)).state;
    expect(incident.incident).toBeDefined();
    const finished = endRun(incident, T0 + MINUTE, 'succeeded');
    expect(finished.state.drill).toBeUndefined();
    expect(finished.reason).toBe(
      'drill failover succeeded in 60s, but a real incident opened meanwhile: staying on SECONDARY as a real failover',
    );
  });
});

describe('steady state and invariants', () => {
  it('returns the very same state when nothing changed and never rewrites lastReason alone', () => {
    const service = exampleService();
    const state = { ...primaryAt(T0), lastReason: 'something older' };
    for (const seen of [SEEN.recovered, SEEN.healthy, SEEN.degraded, SEEN.none]) {
      const decision = decide(state, observe(seen), context(service, T0 + HOUR));
      expect(decision.changed).toBe(false);
      expect(decision.state).toBe(state);
    }
  });

  it('throws on states that break the invariants (a bug, not a decision)', () => {
    const service = exampleService();
    const running = decide(primaryAt(T0), observe(SEEN.down), context(service, T0)).state;
    expect(() => decide({ ...running, state: 'PRIMARY' }, observe(SEEN.down), context(service, T0))).toThrow(StateMachineError);
    const { activeRun, ...withoutRun } = running;
    void activeRun;
    expect(() => decide(withoutRun, observe(SEEN.down), context(service, T0))).toThrow(/FAILING_OVER without an active run/);
    expect(() => decide({ ...primaryAt(T0), state: 'BOGUS' as never }, observe(SEEN.down), context(service, T0))).toThrow(
      /no table row for state BOGUS/,
    );
  });
});
