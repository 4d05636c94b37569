/**
 * Failback liveness: a minority of probe locations seeing the primary fail holds the failback
 * (`detect.failbackQuorum: any`, the default) and people are told once, naming where and why, when
 * that outlasts the hold-down; with `majority` the minority is outvoted.
 */
import { decide, type Decision } from '../../../shared/domain/state-machine';
import type { LocationObservation, ServiceState } from '../../../shared/domain/types';
import { context, evidence, exampleService, MINUTE, observe, statesFor, T0 } from './fixtures';

const HOLD_DOWN_MS = 15 * MINUTE; // the example's 900 s

const effectsOf = (decision: Decision) => decision.effects.map((effect) => effect.type + ('key' in effect ? `:${effect.key}` : ''));

/** Two locations see the primary up since `upSince`, eu-west-1 sees it failing (timeout) since T0. */
function minorityFailing(upSince: number): ReturnType<typeof evidence> {
  const up = (name: string): LocationObservation => ({
    location: name,
    fresh: true,
    observedAtEpochMs: T0,
    primary: { status: 'up', consecutive: 5, sinceEpochMs: upSince },
    secondary: { status: 'up', consecutive: 5, sinceEpochMs: T0 },
  });
  const failing: LocationObservation = {
    location: 'eu-west-1',
    fresh: true,
    observedAtEpochMs: T0,
    primary: { status: 'down', consecutive: 3, sinceEpochMs: T0, lastCause: 'timeout' },
    secondary: { status: 'up', consecutive: 5, sinceEpochMs: T0 },
  };
  return evidence(up('us-west-2'), failing, up('ap-southeast-2'));
}

function onSecondary(failbackQuorum: 'any' | 'majority') {
  const service = exampleService({ detect: { quorum: 2, locationCount: 3, failbackQuorum } });
  // Reached with the one-location example (its evidence fails over at quorum 1); the state is the same.
  return { service, state: statesFor(exampleService()).SECONDARY };
}

describe('failbackQuorum any (default): a minority holds the failback', () => {
  it('is the default', () => {
    expect(exampleService().policy.detect.failbackQuorum).toBe('any');
  });

  it('waits quietly during the hold-down, then texts once naming the location and the cause', () => {
    const { service, state } = onSecondary('any');
    const early = decide(state, observe(minorityFailing(T0)), context(service, T0 + HOLD_DOWN_MS - 1000));
    expect(early.effects).toEqual([]);
    expect(early.state.state).toBe('SECONDARY');

    const held = decide(early.state, observe(minorityFailing(T0)), context(service, T0 + HOLD_DOWN_MS));
    expect(effectsOf(held)).toEqual(['notify:failbackHeld']);
    expect(held.reason).toBe(
      'failback held by a minority: eu-west-1 sees the primary failing (timeout); 2/3 see it healthy for 900s; detect.failbackQuorum any',
    );
    expect(held.effects[0]).toMatchObject({
      text: '[switchback] web: failback held by a minority: eu-west-1 sees the primary failing (timeout); 2/3 see it healthy for 900s',
    });

    let later: ServiceState = held.state;
    for (let minute = 1; minute <= 30; minute++) {
      const decision = decide(later, observe(minorityFailing(T0)), context(service, T0 + HOLD_DOWN_MS + minute * MINUTE));
      expect(decision.effects).toEqual([]);
      expect(decision.state.state).toBe('SECONDARY');
      later = decision.state;
    }
  });

  it('says nothing while frozen', () => {
    const { service, state } = onSecondary('any');
    const frozen = { ...state, frozen: true, frozenBy: 'alice' };
    expect(decide(frozen, observe(minorityFailing(T0)), context(service, T0 + 2 * HOLD_DOWN_MS)).effects).toEqual([]);
  });
});

describe('failbackQuorum majority: the minority is outvoted', () => {
  it('runs the hold-down and fails back, naming the outvoted location', () => {
    const { service, state } = onSecondary('majority');
    const start = decide(state, observe(minorityFailing(T0)), context(service, T0 + MINUTE));
    expect(start.state.primaryHealthySinceEpochMs).toBe(T0 + MINUTE);
    expect(start.reason).toContain('failback in');
    const go = decide(start.state, observe(minorityFailing(T0)), context(service, T0 + MINUTE + HOLD_DOWN_MS));
    expect(effectsOf(go)).toEqual(['startRun']);
    expect(go.state.state).toBe('FAILING_BACK');
    expect(go.diagnosis?.sentence).toBe('primary up 5/5 probes from 2/3 locations, outvoting eu-west-1 (timeout); secondary healthy');
  });

  it('still restarts the hold-down when a quorum sees the primary fail', () => {
    const { service, state } = onSecondary('majority');
    const start = decide(state, observe(minorityFailing(T0)), context(service, T0 + MINUTE));
    const quorumFailing = minorityFailing(T0);
    quorumFailing.locations[0] = { ...quorumFailing.locations[1], location: 'us-west-2' };
    const restarted = decide(start.state, observe(quorumFailing), context(service, T0 + 2 * MINUTE));
    expect(restarted.state.primaryHealthySinceEpochMs).toBeUndefined();
  });
});
