import { StateMachineError } from '../../../shared/domain/errors';
import { decide, finishRun } from '../../../shared/domain/state-machine';
import { initialServiceState, type Run, type ServiceState } from '../../../shared/domain/types';
import { command, context, endRun, exampleService, HOUR, MINUTE, observe, SEEN, T0 } from './fixtures';

const service = exampleService();

function failingOver(): ServiceState {
  return decide(initialServiceState('web', T0 - HOUR), observe(SEEN.down), context(service, T0)).state;
}
function failingBack(): ServiceState {
  const secondary = endRun(failingOver(), T0 + MINUTE, 'succeeded').state;
  return decide({ ...secondary, primaryHealthySinceEpochMs: T0 + MINUTE }, command('failback', 'alice'), context(service, T0 + 2 * MINUTE))
    .state;
}

describe('finishRun', () => {
  it.each([
    ['failover', 'succeeded', 'SECONDARY', 'failover succeeded in 60s: now on SECONDARY'],
    ['failover', 'failed', 'FAILOVER_FAILED', 'failover failed at ec2.start: InsufficientInstanceCapacity; DNS unchanged'],
    ['failover', 'aborted', 'FAILOVER_FAILED', 'failover aborted by an operator; DNS unchanged'],
    [
      'failover',
      'failedAfterSwitch',
      'SECONDARY',
      'failover failed at route53.waitInSync: Throttling after the DNS switch: traffic is on SECONDARY',
    ],
    ['failback', 'succeeded', 'PRIMARY', 'failback succeeded in 60s: back on PRIMARY'],
    ['failback', 'failed', 'FAILBACK_FAILED', 'failback failed at route53.switch: Throttling; traffic still on SECONDARY'],
    ['failback', 'aborted', 'FAILBACK_FAILED', 'failback aborted by an operator; traffic still on SECONDARY'],
    [
      'failback',
      'failedAfterSwitch',
      'PRIMARY',
      'failback failed at route53.waitInSync: Throttling after the DNS switch: traffic is on PRIMARY',
    ],
  ] as const)('%s %s → %s', (kind, outcome, to, reason) => {
    const before = kind === 'failover' ? failingOver() : failingBack();
    const startedAt = before.activeRun?.startedAtEpochMs as number;
    const result = endRun(before, startedAt + MINUTE, outcome);
    expect(result.reason).toBe(reason);
    expect(result.state).toMatchObject({ state: to, sinceEpochMs: startedAt + MINUTE, lastReason: reason });
    expect(result.state.lastTransition).toEqual({
      from: before.state,
      to,
      atEpochMs: startedAt + MINUTE,
      reason,
      trigger: before.activeRun?.trigger,
    });
    expect(result.state.activeRun).toBeUndefined();
    expect(result.state.primaryHealthySinceEpochMs).toBeUndefined();
    expect(result.state.failbackApproved).toBeUndefined();
    expect(result.state.drill).toBeUndefined();
  });

  it('names who aborted and says DNS_PENDING when the change was not in sync', () => {
    const before = failingOver();
    const run = before.activeRun as Run;
    const aborted = finishRun(
      before,
      { ...run, status: 'aborted', abortRequested: { by: 'dave', atEpochMs: T0 }, endedAtEpochMs: T0 + MINUTE },
      T0 + MINUTE,
    );
    expect(aborted.reason).toBe('failover aborted by dave; DNS unchanged');
    const pending = finishRun(before, { ...run, status: 'succeeded', dnsPending: true, endedAtEpochMs: T0 + 41_000 }, T0 + 41_000);
    expect(pending.reason).toBe('failover succeeded in 41s: now on SECONDARY; DNS_PENDING');
  });

  it('keeps only the first line of a long error', () => {
    const before = failingOver();
    const run = before.activeRun as Run;
    const steps = run.steps.map((step, i) => (i === 0 ? { ...step, status: 'failed' as const, error: `${'x'.repeat(200)}\nstack` } : step));
    const result = finishRun(before, { ...run, status: 'failed', steps }, T0 + MINUTE);
    expect(result.reason).toBe(`failover failed at ec2.start: ${'x'.repeat(117)}...; DNS unchanged`);
  });

  it('refuses a run that is not the active one, one still running, or a state that does not match', () => {
    const before = failingOver();
    const run = before.activeRun as Run;
    expect(() => finishRun(before, { ...run, id: 'other', status: 'succeeded' }, T0)).toThrow(StateMachineError);
    expect(() => finishRun(before, run, T0)).toThrow(/still running/);
    expect(() => finishRun({ ...before, state: 'FAILING_BACK' }, { ...run, status: 'succeeded' }, T0)).toThrow(
      /finished while web is FAILING_BACK/,
    );
    expect(() => finishRun(initialServiceState('web', T0), { ...run, status: 'succeeded' }, T0)).toThrow(/not the active run/);
  });
});
