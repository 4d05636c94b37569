import fc from 'fast-check';
import { flagToHold } from '../../../shared/domain/flag';
import { plannedRun } from '../../support/planned-run';
import { SERVICE_STATES, initialServiceState, type Run, type ServiceState, type ServiceStateName } from '../../../shared/domain/types';
import { T0, exampleService } from './fixtures';

const service = exampleService();
service.dns = { ...service.dns, strategy: 'health-check-flag' };

function runSwitched(kind: 'failover' | 'failback', flag?: 0 | 1): Run {
  const run = plannedRun({ id: 'run-1', service, kind, trigger: 'auto', reason: 'test', nowEpochMs: T0 });
  if (flag === undefined) return run;
  return {
    ...run,
    steps: run.steps.map((step) =>
      step.action === 'route53.switch' ? { ...step, status: 'succeeded', output: { flag, strategy: 'health-check-flag' } } : step,
    ),
  };
}

function stateOf(state: ServiceStateName, extra: Partial<ServiceState> = {}): ServiceState {
  return { ...initialServiceState('web', T0), state, ...extra };
}

describe('flagToHold', () => {
  it('holds 1 on the secondary and while a failback from it has not switched yet', () => {
    expect(flagToHold(stateOf(SERVICE_STATES.SECONDARY))).toEqual({ value: 1, reason: 'on the secondary' });
    const failingBack = stateOf(SERVICE_STATES.FAILING_BACK, {
      activeRun: runSwitched('failback'),
      lastTransition: { from: SERVICE_STATES.SECONDARY, to: SERVICE_STATES.FAILING_BACK, atEpochMs: T0, reason: 'primary healthy' },
    });
    expect(flagToHold(failingBack)).toEqual({ value: 1, reason: 'failing back, DNS not switched yet: still on the secondary' });
  });

  it('holds what a run switched to, from the moment it switched', () => {
    expect(flagToHold(stateOf(SERVICE_STATES.FAILING_OVER, { activeRun: runSwitched('failover', 1) })).value).toBe(1);
    expect(flagToHold(stateOf(SERVICE_STATES.FAILING_BACK, { activeRun: runSwitched('failback', 0) }))).toEqual({
      value: 0,
      reason: 'the failback run switched the flag to 0',
    });
  });

  it('asserts nothing on the primary, before a failover switches, or when a human must look', () => {
    for (const state of [
      stateOf(SERVICE_STATES.PRIMARY),
      stateOf(SERVICE_STATES.FAILING_OVER, { activeRun: runSwitched('failover') }),
      stateOf(SERVICE_STATES.FAILOVER_FAILED),
      stateOf(SERVICE_STATES.FAILBACK_FAILED),
      // An operator's failback out of a failed failover: where traffic is was never decided by a flag.
      stateOf(SERVICE_STATES.FAILING_BACK, {
        activeRun: runSwitched('failback'),
        lastTransition: { from: SERVICE_STATES.FAILOVER_FAILED, to: SERVICE_STATES.FAILING_BACK, atEpochMs: T0, reason: 'operator' },
      }),
    ])
      expect(flagToHold(state).value).toBeUndefined();
  });

  it('never holds a value other than the one the last switch of the active run published', () => {
    const states = fc.constantFrom(...Object.values(SERVICE_STATES));
    fc.assert(
      fc.property(
        states,
        fc.constantFrom('failover' as const, 'failback' as const),
        fc.constantFrom(0 as const, 1 as const),
        (state, kind, flag) => {
          expect(flagToHold(stateOf(state, { activeRun: runSwitched(kind, flag) })).value).toBe(flag);
        },
      ),
    );
  });
});
