/**
 * The shape every `functions/*.ts` handler shares: build `AppDeps` once per cold start (lazily, so a
 * bad switchback.yml is reported by the first invocation with every problem listed), wrap the use
 * case in middy with the Powertools logger context, and give the use case the Lambda deadline.
 * The simulator and tests call `createHandler` with their own deps, so the handlers they run are
 * the deployed ones.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { AppDeps } from './deps';
import { buildLambdaDeps, type LambdaDepsOptions } from './runtime';

/** What a use case needs from the Lambda context. */
export interface InvocationContext {
  requestId: string;
  functionName: string;
  /** Epoch ms at which Lambda kills the invocation. */
  deadlineEpochMs: number;
  /** The account the function runs in (from its ARN), when known. */
  accountId?: string;
}

export type UseCase<Result> = (deps: AppDeps, event: unknown, invocation: InvocationContext) => Promise<Result>;

/** A minimal Lambda-like context for the simulator and `switchback` CLI (same fields the handlers read). */
export interface HandlerContext {
  awsRequestId: string;
  functionName: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>` (Lambda always gives it). */
  invokedFunctionArn?: string;
  getRemainingTimeInMillis(): number;
}

function accountOf(functionArn: string | undefined): string | undefined {
  return functionArn ? /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:(\d{12}):function:/.exec(functionArn)?.[1] : undefined;
}

export function createHandler<Result>(getDeps: () => AppDeps, useCase: UseCase<Result>) {
  return async (event: unknown, context: HandlerContext): Promise<Result> => {
    const deps = getDeps();
    return useCase(deps, event, {
      requestId: context.awsRequestId,
      functionName: context.functionName,
      deadlineEpochMs: deps.clock.now() + context.getRemainingTimeInMillis(),
      ...(accountOf(context.invokedFunctionArn) && { accountId: accountOf(context.invokedFunctionArn) }),
    });
  };
}

/** The deployed handler: deps from the environment, built on the first invocation and reused. */
export function lambdaHandler<Result>(serviceName: string, useCase: UseCase<Result>, options: Omit<LambdaDepsOptions, 'logger'> = {}) {
  const logger = new Logger({ serviceName: `switchback-${serviceName}` });
  let deps: AppDeps | undefined;
  const getDeps = () => (deps ??= buildLambdaDeps({ ...options, logger }));
  const core = createHandler(getDeps, useCase);
  return middy(async (event: unknown, context: Context) => core(event, context)).use(injectLambdaContext(logger));
}
