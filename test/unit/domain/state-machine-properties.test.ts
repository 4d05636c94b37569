/**
 * Properties over random histories: observations with random evidence, alarms (fresh and stale),
 * operator commands, drills, runs ending with random outcomes, time jumping by seconds to hours, under
 * random policies. Invariants are checked against facts computed here from the inputs, not from the
 * state machine's own bookkeeping.
 */
import fc from 'fast-check';
import type { ServiceConfig } from '../../../shared/config/types';
import { buildPlan } from '../../../shared/domain/build-plan';
import { COMMANDS, decide, type Decision, type DecisionInput } from '../../../shared/domain/state-machine';
import {
  initialServiceState,
  type Evidence,
  type LocationObservation,
  type PlanStep,
  type RunKind,
  type ServiceState,
  type SiteHealth,
} from '../../../shared/domain/types';
import { context, endRun, exampleService, HOUR, MINUTE, SECOND, T0 } from './fixtures';

const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------
// Generators

const policyArb = fc
  .record({
    failureThreshold: fc.integer({ min: 1, max: 4 }),
    recoveryThreshold: fc.integer({ min: 1, max: 5 }),
    locationCount: fc.integer({ min: 1, max: 3 }),
    quorumPick: fc.integer({ min: 1, max: 3 }),
    trigger: fc.constantFrom('probe', 'alarm', 'alarm-confirmed-by-probe' as const),
    mode: fc.constantFrom('auto', 'manual' as const),
    holdDownSeconds: fc.constantFrom(0, 30, 300, 3600),
    cooldownSeconds: fc.constantFrom(0, 60, 1800),
    maxFailoversPer24h: fc.integer({ min: 1, max: 3 }),
    check: fc.boolean(),
  })
  .map((p): ServiceConfig => {
    const service = exampleService({
      probe: { failureThreshold: p.failureThreshold, recoveryThreshold: p.recoveryThreshold },
      trigger: p.trigger,
      failback: { mode: p.mode, holdDownSeconds: p.holdDownSeconds, ...(p.check ? { check: { functionName: 'ready-check' } } : {}) },
      guard: { cooldownSeconds: p.cooldownSeconds, maxFailoversPer24h: p.maxFailoversPer24h },
      detect: { quorum: Math.min(p.quorumPick, p.locationCount), locationCount: p.locationCount },
    });
    return service;
  });

const siteArb: fc.Arbitrary<SiteHealth> = fc
  .record({ status: fc.constantFrom('up', 'up', 'down', 'down', 'unknown' as const), consecutive: fc.integer({ min: 0, max: 8 }) })
  .map(({ status, consecutive }) => ({ status, consecutive: status === 'unknown' ? 0 : Math.max(1, consecutive), sinceEpochMs: T0 }));

/** Evidence for `count` locations; often every location sees the same thing (so quorums are reached). */
function evidenceArb(count: number): fc.Arbitrary<Evidence> {
  const locationArb = (primary: SiteHealth, secondary: SiteHealth, index: number) =>
    fc
      .record({ fresh: fc.constantFrom(true, true, true, false), independent: fc.boolean(), p: siteArb, s: siteArb })
      .map(({ fresh, independent, p, s }): LocationObservation => ({
        location: `loc-${index}`,
        fresh,
        observedAtEpochMs: T0,
        primary: independent ? p : primary,
        secondary: independent ? s : secondary,
      }));
  const everywhere = (primary: SiteHealth, secondary: SiteHealth): Evidence => ({
    alarmFiring: false,
    locations: Array.from({ length: count }, (_, i) => ({ location: `loc-${i}`, fresh: true, observedAtEpochMs: T0, primary, secondary })),
  });
  const up = { status: 'up' as const, consecutive: 8, sinceEpochMs: T0 };
  const down = { status: 'down' as const, consecutive: 8, sinceEpochMs: T0 };
  const random = fc
    .tuple(siteArb, siteArb, fc.boolean(), fc.boolean())
    .chain(([primary, secondary, correlated, alarmFiring]) =>
      fc
        .tuple(
          ...Array.from({ length: count }, (_, i) =>
            correlated ? locationArb(primary, secondary, i).map((l) => ({ ...l, primary, secondary })) : locationArb(primary, secondary, i),
          ),
        )
        .map((locations): Evidence => ({ locations, alarmFiring })),
    );
  return fc.oneof(
    { weight: 3, arbitrary: random },
    { weight: 4, arbitrary: fc.constant(everywhere(up, up)) },
    { weight: 1, arbitrary: fc.constant(everywhere(down, up)) },
  );
}

type Step =
  | { dtMs: number; kind: 'input'; input: DecisionInput; checkReady: boolean }
  | { dtMs: number; kind: 'finish'; outcome: 'succeeded' | 'failed' | 'aborted' | 'failedAfterSwitch' };

function stepArb(count: number): fc.Arbitrary<Step> {
  const dtMs = fc.constantFrom(SECOND, 10 * SECOND, MINUTE, 10 * MINUTE, HOUR, 6 * HOUR);
  const evidence = evidenceArb(count);
  const input: fc.Arbitrary<DecisionInput> = fc.oneof(
    { weight: 8, arbitrary: evidence.map((e): DecisionInput => ({ kind: 'observe', evidence: e })) },
    {
      weight: 2,
      arbitrary: fc
        .record({
          name: fc.constantFrom('web-5xx-high', 'web-latency'),
          alarmState: fc.constantFrom('ALARM', 'OK' as const),
          ageSeconds: fc.integer({ min: -5, max: 900 }),
          evidence,
        })
        .map((a): DecisionInput => ({
          kind: 'alarm',
          name: a.name,
          alarmState: a.alarmState,
          atEpochMs: -a.ageSeconds * SECOND,
          evidence: a.evidence,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ command: fc.constantFrom(...COMMANDS), by: fc.constantFrom('alice', 'bob') })
        .map((c): DecisionInput => ({ kind: 'command', ...c })),
    },
    {
      weight: 1,
      arbitrary: fc.record({ holdSeconds: fc.constantFrom(0, 60, 600), withEvidence: fc.boolean(), evidence }).map((d): DecisionInput => ({
        kind: 'drill',
        holdSeconds: d.holdSeconds,
        by: 'carol',
        ...(d.withEvidence ? { evidence: d.evidence } : {}),
      })),
    },
  );
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ dtMs, kind: fc.constant('input' as const), input, checkReady: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        dtMs,
        kind: fc.constant('finish' as const),
        outcome: fc.constantFrom('succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'aborted', 'failedAfterSwitch' as const),
      }),
    },
  );
}

const historyArb = policyArb.chain((service) =>
  fc.tuple(fc.constant(service), fc.array(stepArb(service.policy.detect.locationCount), { minLength: 1, maxLength: 100, size: 'max' })),
);

// ---------------------------------------------------------------------------------------------
// Facts computed from the inputs (independently of the state machine)

function fresh(evidence: Evidence): LocationObservation[] {
  return evidence.locations.filter((l) => l.fresh);
}
function secondaryHealthyIn(evidence: Evidence, quorum: number): boolean {
  return fresh(evidence).filter((l) => l.secondary.status === 'up' && l.secondary.consecutive >= 1).length >= quorum;
}
/** Every fresh location sees both sites down (the state machine may also call it a dead secondary: no failover either way). */
function cutOffIn(evidence: Evidence, failureThreshold: number): boolean {
  const f = fresh(evidence);
  return (
    f.length > 0 &&
    f.every((l) => l.primary.status === 'down' && l.primary.consecutive >= failureThreshold && l.secondary.status === 'down')
  );
}
/**
 * Fresh locations that vote: one seeing both sites down (every streak here starts at T0, so "together")
 * while another fresh location does not has most likely lost its own network, and does not vote.
 */
function voters(evidence: Evidence): LocationObservation[] {
  const bothDown = (l: LocationObservation) => l.primary.status === 'down' && l.secondary.status === 'down';
  const f = fresh(evidence);
  return f.every(bothDown) ? f : f.filter((l) => !bothDown(l));
}
function primaryFailingIn(evidence: Evidence): boolean {
  return voters(evidence).some((l) => l.primary.status === 'down');
}
function primaryRecoveredIn(evidence: Evidence, recoveryThreshold: number, quorum: number): boolean {
  return (
    !primaryFailingIn(evidence) &&
    voters(evidence).filter((l) => l.primary.status === 'up' && l.primary.consecutive >= recoveryThreshold).length >= quorum
  );
}

interface Tally {
  autoFailovers: number;
  autoFailbacks: number;
  drillFailbacks: number;
  manualRuns: number;
  blocked: number;
  capped: number;
  cutoffs: number;
}
const tally: Tally = { autoFailovers: 0, autoFailbacks: 0, drillFailbacks: 0, manualRuns: 0, blocked: 0, capped: 0, cutoffs: 0 };

/** Play a history and check every invariant along the way. */
function play(service: ServiceConfig, steps: Step[]): void {
  const policy = service.policy;
  let state: ServiceState = initialServiceState(service.name, T0);
  let now = T0;
  const automaticFailoverTimes: number[] = [];
  /** Since when every evidence input showed the primary recovered with no failure anywhere (reset when a run ends). */
  let healthyStreakSince: number | undefined;

  for (const step of steps) {
    now += step.dtMs;
    if (step.kind === 'finish') {
      if (!state.activeRun) continue;
      state = endRun(state, now, step.outcome).state;
      for (const at of state.failoverHistoryEpochMs) expect(now - at).toBeLessThanOrEqual(DAY);
      healthyStreakSince = undefined;
      continue;
    }
    const input: DecisionInput = step.input.kind === 'alarm' ? { ...step.input, atEpochMs: now + step.input.atEpochMs } : step.input;
    // The plan source the caller injects (the compiled config's in Lambda), noting what it was asked.
    const asked: { kind: RunKind; plan: PlanStep[] }[] = [];
    const planOf = (kind: RunKind) => {
      const plan = buildPlan(service, kind);
      asked.push({ kind, plan });
      return plan;
    };
    let decision: Decision = decide(state, input, context(service, now, { planOf }));
    if (decision.effects.some((effect) => effect.type === 'checkFailback')) {
      // Like the caller: ask the hook, then decide again from the same state with its answer.
      expect(decision.effects.some((effect) => effect.type === 'startRun')).toBe(false);
      decision = decide(
        state,
        input,
        context(service, now, { planOf, failbackCheck: { ready: step.checkReady, reason: step.checkReady ? 'ready' : 'replica lag' } }),
      );
      expect(decision.effects.some((effect) => effect.type === 'checkFailback')).toBe(false);
    }

    // Unchanged means the very same object; a change records its sentence.
    if (!decision.changed) expect(decision.state).toBe(state);
    else expect(decision.state.lastReason).toBe(decision.reason);
    expect(decision.reason.length).toBeGreaterThan(0);

    const isEvidenceInput = (input.kind === 'observe' || input.kind === 'alarm') && decision.accepted;
    if (isEvidenceInput) {
      const evidence = input.evidence;
      if (primaryFailingIn(evidence)) healthyStreakSince = undefined;
      else if (primaryRecoveredIn(evidence, policy.probe.recoveryThreshold, policy.detect.quorum)) healthyStreakSince ??= now;
    }

    const starts = decision.effects.filter((effect) => effect.type === 'startRun');
    expect(starts.length).toBeLessThanOrEqual(1);
    // The plan is asked for only when a run starts, once, for that run's kind, and the run carries it as given.
    expect(asked.map(({ kind }) => kind)).toEqual(starts.map((effect) => effect.type === 'startRun' && effect.run.kind));
    for (const [index, effect] of starts.entries()) if (effect.type === 'startRun') expect(effect.run.plan).toBe(asked[index].plan);
    for (const effect of starts) {
      if (effect.type !== 'startRun') continue;
      const run = effect.run;
      // Never two runs.
      expect(state.activeRun).toBeUndefined();
      expect(decision.state.activeRun).toBe(run);
      // Frozen: only an operator's command starts a run.
      if (state.frozen) expect(input.kind === 'command' && run.trigger === 'manual').toBe(true);
      if (input.kind === 'observe' || input.kind === 'alarm') {
        // Never act when the controller may be cut off.
        expect(cutOffIn(input.evidence, policy.probe.failureThreshold)).toBe(false);
        if (run.kind === 'failover') {
          // Never fail over to a secondary that is not healthy in the evidence.
          expect(secondaryHealthyIn(input.evidence, policy.detect.quorum)).toBe(true);
          expect(run.trigger).toBe('auto');
          automaticFailoverTimes.push(now);
          tally.autoFailovers++;
        } else if (run.trigger === 'auto') {
          // No automatic failback before the hold-down of continuous primary health.
          expect(healthyStreakSince).toBeDefined();
          expect(now - (healthyStreakSince as number)).toBeGreaterThanOrEqual(policy.failback.holdDownSeconds * 1000);
          tally.autoFailbacks++;
        } else {
          expect(run.trigger).toBe('drill');
          tally.drillFailbacks++;
        }
      }
      if (input.kind === 'drill') {
        expect(state.state).toBe('PRIMARY');
        expect(state.incident).toBeUndefined();
        if (input.evidence) expect(secondaryHealthyIn(input.evidence, policy.detect.quorum)).toBe(true);
      }
      if (input.kind === 'command') tally.manualRuns++;
    }

    // One-off alerts are sent once per incident.
    for (const effect of decision.effects) {
      if (effect.type !== 'notify') continue;
      expect(state.incident?.alertsSent ?? []).not.toContain(effect.key);
      if (effect.key === 'blocked') tally.blocked++;
      if (effect.key === 'cap') tally.capped++;
      if (effect.key === 'cutoff') tally.cutoffs++;
    }
    // Whenever the state is written, the cap history holds only the last 24 h.
    if (decision.changed) for (const at of decision.state.failoverHistoryEpochMs) expect(now - at).toBeLessThanOrEqual(DAY);

    state = decision.state;
  }

  // At most maxFailoversPer24h automatic failovers in any 24 h window (closed interval).
  for (const start of automaticFailoverTimes) {
    const inWindow = automaticFailoverTimes.filter((at) => at >= start && at <= start + DAY).length;
    expect(inWindow).toBeLessThanOrEqual(policy.guard.maxFailoversPer24h);
  }
}

describe('state machine properties', () => {
  it('hold over random histories', () => {
    fc.assert(
      fc.property(historyArb, ([service, steps]) => play(service, steps)),
      { numRuns: 400, seed: 20250601 },
    );
    // The generators must actually reach the interesting places, or the properties prove nothing.
    expect(tally.autoFailovers).toBeGreaterThan(50);
    expect(tally.autoFailbacks).toBeGreaterThan(5);
    expect(tally.drillFailbacks).toBeGreaterThan(0);
    expect(tally.manualRuns).toBeGreaterThan(20);
    expect(tally.blocked).toBeGreaterThan(5);
    expect(tally.capped).toBeGreaterThan(0);
    expect(tally.cutoffs).toBeGreaterThan(5);
  });

  it('a storm of automatic triggers never exceeds the cap in 24 h', () => {
    // Focused: the primary fails every few minutes, runs always succeed and fail back by hand, no cooldown.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.constantFrom(MINUTE, 5 * MINUTE, HOUR, 5 * HOUR), { minLength: 20, maxLength: 80 }),
        (cap, gaps) => {
          const service = exampleService({ guard: { cooldownSeconds: 0, maxFailoversPer24h: cap } });
          const down: Evidence = {
            alarmFiring: false,
            locations: [
              {
                location: 'a',
                fresh: true,
                observedAtEpochMs: T0,
                primary: { status: 'down', consecutive: 3, sinceEpochMs: T0 },
                secondary: { status: 'up', consecutive: 5, sinceEpochMs: T0 },
              },
            ],
          };
          let state = initialServiceState('web', T0);
          let now = T0;
          const times: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const decision = decide(state, { kind: 'observe', evidence: down }, context(service, now));
            state = decision.state;
            if (state.state === 'FAILING_OVER') {
              times.push(now);
              state = endRun(state, now + 1, 'succeeded').state;
              state = endRun(
                decide(state, { kind: 'command', command: 'failback', by: 'ops' }, context(service, now + 2)).state,
                now + 3,
                'succeeded',
              ).state;
            }
          }
          for (const start of times) expect(times.filter((at) => at >= start && at <= start + DAY).length).toBeLessThanOrEqual(cap);
          // And the cap is not over-enforced: with hourly failures for a day or more, it is reached.
          if (gaps.filter((g) => g <= HOUR).length >= 3 * cap && now - T0 <= DAY) expect(times.length).toBe(cap);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});
