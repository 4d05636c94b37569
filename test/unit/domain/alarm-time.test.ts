/**
 * Clocks: an alarm stamped more than ALARM_CLOCK_SKEW_SECONDS in the future is refused, and a
 * recorded alarm (whatever its stamp) never makes a later genuine transition look "older".
 */
import fc from 'fast-check';
import { decide } from '../../../shared/domain/state-machine';
import { ALARM_CLOCK_SKEW_SECONDS } from '../../../shared/domain/alarm-time';
import { initialServiceState, type ServiceState } from '../../../shared/domain/types';
import { context, exampleService, HOUR, SECOND, SEEN, T0 } from './fixtures';

const ALARM = 'web-5xx-high';
const service = exampleService({ trigger: 'alarm' });

function deliver(state: ServiceState, alarmState: 'ALARM' | 'OK', atEpochMs: number, nowEpochMs: number) {
  return decide(state, { kind: 'alarm', name: ALARM, alarmState, atEpochMs, evidence: SEEN.healthy }, context(service, nowEpochMs));
}

describe('alarm clocks', () => {
  test('an ALARM stamped hours ahead is refused with the reason; one within the skew is accepted', () => {
    const state = initialServiceState('web', T0);
    const future = deliver(state, 'ALARM', T0 + 2 * HOUR, T0);
    expect(future).toMatchObject({ changed: false, accepted: false });
    expect(future.reason).toBe(`alarm ${ALARM} ALARM is stamped 7200s in the future (max skew ${ALARM_CLOCK_SKEW_SECONDS}s): refused`);
    expect(deliver(state, 'ALARM', T0 + 50 * SECOND, T0).state.alarm?.state).toBe('ALARM');
  });

  test('a recorded alarm never blocks a later genuine transition', () => {
    fc.assert(
      fc.property(
        // Deliveries: state, stamp relative to when it is received (up to 3 h either way), gap to the next one.
        fc.array(
          fc.record({
            alarmState: fc.constantFrom('ALARM' as const, 'OK' as const),
            stampOffsetMs: fc.integer({ min: -3 * HOUR, max: 3 * HOUR }),
            gapMs: fc.integer({ min: 1, max: 10 * 60 * SECOND }),
          }),
          { maxLength: 8 },
        ),
        fc.constantFrom('ALARM' as const, 'OK' as const),
        fc.integer({ min: 1, max: 30 * SECOND }),
        (deliveries, finalState, finalGapMs) => {
          let state = initialServiceState('web', T0);
          let nowEpochMs = T0;
          for (const delivery of deliveries) {
            nowEpochMs += delivery.gapMs;
            const decision = deliver(state, delivery.alarmState, nowEpochMs + delivery.stampOffsetMs, nowEpochMs);
            state = decision.state;
          }
          // A genuine transition: stamped when it happened, after everything above was received, received right away.
          nowEpochMs += finalGapMs;
          const decision = deliver(state, finalState, nowEpochMs, nowEpochMs);
          expect(decision.reason).not.toMatch(/older than the recorded|refused|too late/);
          expect(decision.state.alarm).toMatchObject({ name: ALARM, state: finalState });
        },
      ),
    );
  });
});
