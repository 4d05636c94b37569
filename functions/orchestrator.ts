/** `orchestrator`: executes a service's active run; hands it on (async self-invoke) before its own deadline. */
import * as z from '../shared/app/event-schema';
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { continueRun } from '../shared/app/orchestrator';
import { STEP_RUNNER_WIRING } from '../shared/app/step-runner-wiring';

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
export const wiring: LambdaWiring = STEP_RUNNER_WIRING;

export const handler = lambdaHandler('orchestrator', orchestrator, wiring);
