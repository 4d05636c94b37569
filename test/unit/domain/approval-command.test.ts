/**
 * `control approve` during a run answers the `approval` step that is waiting right now: recorded on
 * the run (so a resumed step sees it), idempotent, never given in advance to a step not yet reached,
 * and the failback approval from SECONDARY is unchanged.
 */
import { decide } from '../../../shared/domain/state-machine';
import type { PlanStep, Run, ServiceState, StepRecord } from '../../../shared/domain/types';
import { command, context, exampleService, MINUTE, statesFor, T0 } from './fixtures';

const service = exampleService({ failback: { mode: 'manual' } });
const states = statesFor(service);

const approvalStep: PlanStep = {
  id: 'ok-to-lose-data',
  action: 'approval',
  params: { message: 'promote west, losing up to 5s of writes?', timeoutSeconds: 600, onTimeout: 'abort' },
  timeoutMs: 600_000,
  onFailure: 'abort',
  retry: { maxAttempts: 1, baseDelayMs: 1000, maxDelayMs: 1000 },
  description: 'wait up to 600s for approve',
};

/** The FAILING_OVER state with an approval step first in its run, in the given status. */
function failingOverWithApproval(status: StepRecord['status'], extra: Partial<Run> = {}): ServiceState {
  const state = structuredClone(states.FAILING_OVER);
  const run = state.activeRun as Run;
  const record: StepRecord = {
    id: approvalStep.id,
    action: 'approval',
    status,
    attempts: status === 'pending' ? 0 : 1,
    ...(status === 'running' && { startedAtEpochMs: T0, budgetEndsAtEpochMs: T0 + 600_000 }),
  };
  return { ...state, activeRun: { ...run, plan: [approvalStep, ...run.plan], steps: [record, ...run.steps], ...extra } };
}

test('approve while an approval step waits records who approved it on the run', () => {
  const state = failingOverWithApproval('running');
  const decision = decide(state, command('approve', 'carol'), context(service, T0 + MINUTE));
  expect(decision.accepted).toBe(true);
  expect(decision.reason).toBe(`approved by carol: ${approvalStep.id} (promote west, losing up to 5s of writes?); the failover continues`);
  expect(decision.state.activeRun?.approvals).toEqual({ [approvalStep.id]: { approved: { by: 'carol', atEpochMs: T0 + MINUTE } } });
  expect(decision.state.state).toBe('FAILING_OVER');
});

test('approving twice changes nothing and says who approved first', () => {
  const once = decide(failingOverWithApproval('running'), command('approve', 'carol'), context(service, T0 + MINUTE)).state;
  const twice = decide(once, command('approve', 'dave'), context(service, T0 + 2 * MINUTE));
  expect(twice.changed).toBe(false);
  expect(twice.accepted).toBe(true);
  expect(twice.reason).toBe(`${approvalStep.id} already approved by carol`);
});

test('an approve before the approval step is reached is refused: it never pre-approves a later step', () => {
  const decision = decide(failingOverWithApproval('pending'), command('approve', 'carol'), context(service, T0 + MINUTE));
  expect(decision.accepted).toBe(false);
  expect(decision.changed).toBe(false);
  expect(decision.reason).toBe(
    `approve refused: failover run ${states.FAILING_OVER.activeRun?.id} is not waiting for an approval (step ${approvalStep.id} asks when it is reached)`,
  );
});

test('approve during a run without approval steps is refused as before', () => {
  const decision = decide(states.FAILING_OVER, command('approve'), context(service, T0 + MINUTE));
  expect(decision.accepted).toBe(false);
  expect(decision.reason).toBe('approve refused: only a failback from SECONDARY can be approved (service is FAILING_OVER)');
});

test('the failback approval from SECONDARY is unchanged', () => {
  const decision = decide(states.SECONDARY, command('approve', 'carol'), context(service, T0 + MINUTE));
  expect(decision.accepted).toBe(true);
  expect(decision.state.failbackApproved).toEqual({ by: 'carol', atEpochMs: T0 + MINUTE });
});
