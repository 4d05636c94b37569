/** Errors of the runbook engine. */
import { SwitchbackError } from '../errors';

/** Thrown by test and simulator hooks to make the engine stop dead (defined with the shared errors: adapters let it through). */
export { CrashError } from '../errors';

/** A step ran out of its time budget (the secondary never became healthy, the instance never ran …). */
export class StepTimeoutError extends SwitchbackError {
  override readonly name: string = 'StepTimeoutError';
}

/** The site traffic was about to move to failed its probe right before the DNS switch (`dns.requireHealthyTarget`). */
export class HealthGateError extends SwitchbackError {
  override readonly name: string = 'HealthGateError';
}

/** A step's parameters are not what its action needs (a bug in the plan or a bad reference). */
export class StepParamsError extends SwitchbackError {
  override readonly name: string = 'StepParamsError';
}

/**
 * Internal: the invocation's deadline is near, stop the step where it is and hand the run on.
 * Never a step failure: the step stays `running` and the next invocation re-executes it.
 */
export class HandoffSignal extends SwitchbackError {
  override readonly name: string = 'HandoffSignal';
}

/**
 * An operator asked for an abort while a step was waiting (an `approval`): the step stops where it
 * is and the run ends `aborted`, as an abort between steps does.
 */
export class AbortRequestedError extends SwitchbackError {
  override readonly name: string = 'AbortRequestedError';
  constructor(readonly by: string) {
    super(`aborted by ${by}`);
  }
}
