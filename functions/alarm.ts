/** `alarm`: CloudWatch alarm state changes (EventBridge, or SNS-wrapped from other regions/accounts). */
import { handleAlarmEvent } from '../shared/app/alarm';
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { lambdaKit } from '../shared/aws/lambda';
import { snsKit } from '../shared/aws/sns';

// Never throws on bad input: a malformed event is logged and answered, so Lambda does not retry it forever.
// A failure to apply a decision is thrown: Lambda retries the event (bounded), then sends it to the dead-letter queue.
export const alarm: UseCase<unknown> = (deps, event, invocation) =>
  handleAlarmEvent(deps, event, { deadlineEpochMs: invocation.deadlineEpochMs, accountId: invocation.accountId });

/** What `alarm` carries (`FUNCTION_AWS_ADAPTERS.alarm`). */
export const wiring: LambdaWiring = {
  sns: snsKit,
  lambda: lambdaKit,
};

export const handler = lambdaHandler('alarm', alarm, wiring);
