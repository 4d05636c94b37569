/** `alarm`: CloudWatch alarm state changes (EventBridge, or SNS-wrapped from other regions/accounts). */
import { handleAlarmEvent } from '../shared/app/alarm';
import { lambdaHandler, type UseCase } from '../shared/app/lambda-handler';

// Never throws on bad input: a malformed event is logged and answered, so Lambda does not retry it forever.
export const alarm: UseCase<unknown> = (deps, event) => handleAlarmEvent(deps, event);

export const handler = lambdaHandler('alarm', alarm);
