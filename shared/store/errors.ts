/**
 * Errors of the state store. Each names the service and, for lost races, who won: the embedded
 * DynamoDB (and ReturnValuesOnConditionCheckFailure-less code in general) learns the winner by
 * re-reading the item after a failed conditional write.
 */
import { SwitchbackError } from '../errors';

/** A conditional write found another version than the one the caller read: someone else wrote first. */
export class VersionConflictError extends SwitchbackError {
  override readonly name: string = 'VersionConflictError';
  constructor(
    readonly service: string,
    readonly expectedVersion: number,
    /** The version found on re-read (undefined when the item does not exist). */
    readonly actualVersion: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(
      `${service}: state changed underneath (expected version ${expectedVersion}, found ${actualVersion === undefined ? 'no item' : `version ${actualVersion}`})`,
      { cause: options.cause, context: { service, expectedVersion, actualVersion } },
    );
  }
}

/** A run was asked to start while another run of the same service is running. */
export class RunAlreadyActiveError extends SwitchbackError {
  override readonly name: string = 'RunAlreadyActiveError';
  constructor(
    readonly service: string,
    /** The run that holds the service. */
    readonly winnerRunId: string,
    /** The run that was refused. */
    readonly refusedRunId: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${service}: run ${winnerRunId} is already running; run ${refusedRunId} not started`, {
      cause: options.cause,
      context: { service, winnerRunId, refusedRunId },
    });
  }
}

/** The run's lease now belongs to someone else: the caller must stop making changes (fencing). */
export class LeaseLostError extends SwitchbackError {
  override readonly name: string = 'LeaseLostError';
  constructor(
    readonly service: string,
    readonly runId: string,
    readonly owner: string,
    /** Who holds the lease now, if anyone. */
    readonly holder: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(`${service}: run ${runId} lease lost by ${owner}${holder ? ` to ${holder}` : ''}`, {
      cause: options.cause,
      context: { service, runId, owner, holder },
    });
  }
}
