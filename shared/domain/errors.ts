/** Errors raised by the pure domain. They are bugs or bad references, never "the primary is down". */
import { SwitchbackError } from '../errors';

/** A `${steps.<id>.<key>}` reference names a step or an output that does not exist (yet). */
export class StepRefError extends SwitchbackError {
  override readonly name: string = 'StepRefError';
  constructor(
    readonly ref: string,
    detail: string,
  ) {
    super(`step reference ${ref}: ${detail}`, { context: { ref } });
  }
}

/**
 * The state machine met a (state, input) pair its table does not cover, or a state that breaks its
 * invariants (a run without a FAILING_* state, a finishing run that is not the active one). Always a bug.
 */
export class StateMachineError extends SwitchbackError {
  override readonly name: string = 'StateMachineError';
}
