/**
 * The orchestrator's use case: run the service's active run with the durable engine, and when the
 * engine stops early to stay clear of the Lambda deadline, hand the run to a fresh invocation.
 */
import { executeRun } from '../engine';
import { UnknownServiceError } from '../errors';
import type { AppDeps } from './deps';
import type { InvocationContext } from './lambda-handler';

export async function continueRun(deps: AppDeps, request: { service: string; runId?: string }, invocation: InvocationContext) {
  if (!deps.config.services.some((service) => service.name === request.service)) {
    // Answer, do not throw: Lambda retries a failed async invoke, and no retry can make this service exist.
    const reason = new UnknownServiceError(
      request.service,
      deps.config.services.map((service) => service.name),
    ).message;
    deps.logger.error(`orchestrator: ${reason}`, { service: request.service });
    return { status: 'rejected' as const, reason };
  }
  const outcome = await executeRun(request.service, deps, {
    owner: `${invocation.functionName}:${invocation.requestId}`,
    deadlineEpochMs: invocation.deadlineEpochMs,
  });
  deps.logger.info(`orchestrator: ${outcome.reason}`, { service: request.service, status: outcome.status, runId: outcome.run?.id });
  if (outcome.status === 'handoff') {
    deps.emit({
      kind: 'invoke',
      atEpochMs: deps.clock.now(),
      service: request.service,
      function: invocation.functionName,
      reason: 'handoff before the deadline',
    });
    await deps.aws.lambda.invokeAsync(invocation.functionName, {
      service: request.service,
      ...(outcome.run ? { runId: outcome.run.id } : {}),
    });
  }
  return {
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.run ? { runId: outcome.run.id, runStatus: outcome.run.status } : {}),
  };
}
