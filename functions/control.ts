/** `control`: freeze, unfreeze, manual failover/failback, approve a manual failback, abort a run. */
import { lambdaHandler, type UseCase } from '../shared/app/lambda-handler';
import { runControl } from '../shared/app/control';
import { answerOperator } from '../shared/app/operator-input';

export const control: UseCase<unknown> = (deps, event) => answerOperator(deps, () => runControl(deps, event));

export const handler = lambdaHandler('control', control);
