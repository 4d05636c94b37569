/** `status`: per service state, probe results per location, the active run and the last runs. */
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { getStatus } from '../shared/app/status';
import { answerOperator } from '../shared/app/operator-input';

export const status: UseCase<unknown> = (deps, event) => answerOperator(deps, () => getStatus(deps, event));

/** What `status` carries (`FUNCTION_AWS_ADAPTERS.status`). */
export const wiring: LambdaWiring = {};

export const handler = lambdaHandler('status', status, wiring);
