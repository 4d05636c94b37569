/** `drill`: dry-run checks (also daily), live failover + failback labelled [DRILL], and the drill report. */
import { createEc2Adapter, ec2ClientFactory } from '../shared/aws/ec2';
import { createEventBridgeAdapter, eventBridgeClientFactory } from '../shared/aws/eventbridge';
import { createIamAdapter, iamClientFactory } from '../shared/aws/iam';
import { createRoute53Adapter, route53ClientFactory } from '../shared/aws/route53';
import { createStepAdapters, STEP_CLIENT_FACTORIES } from '../shared/aws/step-adapters';
import { runDrill } from '../shared/app/drill';
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { answerOperator } from '../shared/app/operator-input';
import { createProber } from '../shared/probes';
import { cloudWatchClientFactory, createCloudWatchAdapter } from '../shared/aws/cloudwatch';
import { createLambdaAdapter, lambdaClientFactory } from '../shared/aws/lambda';
import { createSnsAdapter, snsClientFactory } from '../shared/aws/sns';

export const drill: UseCase<unknown> = (deps, event, invocation) =>
  answerOperator(deps, () => runDrill(deps, event, { accountId: invocation.accountId }));

/** What `drill` carries (`FUNCTION_AWS_ADAPTERS.drill` and the prober). */
export const wiring: LambdaWiring = {
  sns: { factory: snsClientFactory, adapter: createSnsAdapter },
  cloudWatch: { factory: cloudWatchClientFactory, adapter: createCloudWatchAdapter },
  lambda: { factory: lambdaClientFactory, adapter: createLambdaAdapter },
  ec2: { factory: ec2ClientFactory, adapter: createEc2Adapter },
  route53: { factory: route53ClientFactory, adapter: createRoute53Adapter },
  eventBridge: { factory: eventBridgeClientFactory, adapter: createEventBridgeAdapter },
  steps: { factories: STEP_CLIENT_FACTORIES, adapters: createStepAdapters },
  prober: createProber,
  iam: { factory: iamClientFactory, adapter: createIamAdapter },
};

export const handler = lambdaHandler('drill', drill, wiring);
