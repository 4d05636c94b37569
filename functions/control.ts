/** `control`: freeze, unfreeze, manual failover/failback, approve a manual failback, abort a run. */
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { runControl } from '../shared/app/control';
import { answerOperator } from '../shared/app/operator-input';
import { lambdaKit } from '../shared/aws/lambda';
import { snsKit } from '../shared/aws/sns';

export const control: UseCase<unknown> = (deps, event) => answerOperator(deps, () => runControl(deps, event));

/** What `control` carries (`FUNCTION_AWS_ADAPTERS.control`). */
export const wiring: LambdaWiring = {
  sns: snsKit,
  lambda: lambdaKit,
};

export const handler = lambdaHandler('control', control, wiring);
