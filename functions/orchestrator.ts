/** `orchestrator`: executes a service's active run; hands it on (async self-invoke) before its own deadline. */
import * as z from '../shared/app/event-schema';
import { createEc2Adapter, ec2ClientFactory } from '../shared/aws/ec2';
import { createRoute53Adapter, route53ClientFactory } from '../shared/aws/route53';
import { createStepAdapters, STEP_CLIENT_FACTORIES } from '../shared/aws/step-adapters';
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { continueRun } from '../shared/app/orchestrator';
import { createProber } from '../shared/probes';
import { cloudWatchClientFactory, createCloudWatchAdapter } from '../shared/aws/cloudwatch';
import { createLambdaAdapter, lambdaClientFactory } from '../shared/aws/lambda';
import { createSnsAdapter, snsClientFactory } from '../shared/aws/sns';

const runRequestSchema = z.object({ service: z.string().check(z.minLength(1)), runId: z.optional(z.string().check(z.minLength(1))) });

export const orchestrator: UseCase<unknown> = async (deps, event, invocation) => {
  const request = runRequestSchema.safeParse(event);
  if (!request.success) {
    // Async invokes of a bad payload must not be retried: answer, do not throw.
    deps.logger.error('orchestrator: expected { service, runId? }', {
      issues: request.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
    return { status: 'rejected', reason: 'expected { service, runId? }' };
  }
  return continueRun(deps, request.data, invocation);
};

/** What `orchestrator` carries (`FUNCTION_AWS_ADAPTERS.orchestrator` and the prober). */
export const wiring: LambdaWiring = {
  sns: { factory: snsClientFactory, adapter: createSnsAdapter },
  cloudWatch: { factory: cloudWatchClientFactory, adapter: createCloudWatchAdapter },
  lambda: { factory: lambdaClientFactory, adapter: createLambdaAdapter },
  ec2: { factory: ec2ClientFactory, adapter: createEc2Adapter },
  route53: { factory: route53ClientFactory, adapter: createRoute53Adapter },
  steps: { factories: STEP_CLIENT_FACTORIES, adapters: createStepAdapters },
  prober: createProber,
};

export const handler = lambdaHandler('orchestrator', orchestrator, wiring);
