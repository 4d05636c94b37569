/** `drill`: dry-run checks (also daily), live failover + failback labelled [DRILL], and the drill report. */
import { eventBridgeKit } from '../shared/aws/eventbridge';
import { iamKit } from '../shared/aws/iam';
import { runDrill } from '../shared/app/drill';
import { STEP_RUNNER_WIRING } from '../shared/app/step-runner-wiring';
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { answerOperator } from '../shared/app/operator-input';

export const drill: UseCase<unknown> = (deps, event, invocation) =>
  answerOperator(deps, () => runDrill(deps, event, { accountId: invocation.accountId }));

/** What `drill` carries (`FUNCTION_AWS_ADAPTERS.drill` and the prober): the step runner's, IAM and EventBridge. */
export const wiring: LambdaWiring = { ...STEP_RUNNER_WIRING, eventBridge: eventBridgeKit, iam: iamKit };

export const handler = lambdaHandler('drill', drill, wiring);
