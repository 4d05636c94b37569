/**
 * The shape every `functions/*.ts` handler shares: build `AppDeps` once per cold start (lazily, so a
 * bad switchback.yml is reported by the first invocation with every problem listed), wrap the use
 * case in middy with the Powertools logger context and metrics (switchback's own health metrics,
 * ../self-metrics, flushed as one EMF line after every invocation), and give the use case the Lambda
 * deadline.
 * The simulator and tests call `createHandler` with their own deps, so the handlers they run are
 * the deployed ones.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { SELF_METRICS_NAMESPACE, SELF_METRICS_SERVICE, selfMetricDimensions, type SelfMetrics } from '../self-metrics';
import type { AppDeps } from './deps';
import { buildLambdaDeps, ENV, type LambdaDepsOptions } from './runtime';

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

type MetricsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * switchback's own metrics through Powertools Metrics: namespace `switchback`, service `switchback`
 * and the default dimensions `Stage` and `Location` (from the environment serverless.yml sets) — the
 * set the alarms in the template watch. Powertools writes one EMF line per flush on stdout; CloudWatch
 * Logs extracts the metrics in the function's region (an alarm there watches them).
 */
export function createPowertoolsSelfMetrics(
  logger: MetricsLogger,
  env: NodeJS.ProcessEnv = process.env,
): { metrics: Metrics; selfMetrics: SelfMetrics } {
  const stage = env[ENV.stage] ?? 'dev';
  const location = env[ENV.location] ?? env.AWS_REGION ?? 'unknown';
  const { service: _service, ...defaultDimensions } = selfMetricDimensions(stage, location);
  const metrics = new Metrics({
    namespace: SELF_METRICS_NAMESPACE,
    serviceName: SELF_METRICS_SERVICE,
    defaultDimensions,
    logger: {
      trace: (...args: unknown[]) => logger.debug(String(args[0])),
      debug: (...args: unknown[]) => logger.debug(String(args[0])),
      info: (...args: unknown[]) => logger.info(String(args[0])),
      // An invocation with nothing to count (status, control) is normal, not a warning.
      warn: (...args: unknown[]) =>
        String(args[0]).startsWith('No application metrics') ? logger.debug(String(args[0])) : logger.warn(String(args[0])),
      error: (...args: unknown[]) => logger.error(String(args[0])),
    },
  });
  return { metrics, selfMetrics: { count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value) } };
}

/** What a `functions/<name>.ts` builds its deps with: the adapter kits it carries, its prober, its chain. */
export type LambdaWiring = Omit<LambdaDepsOptions, 'logger' | 'metrics'>;

/** The deployed handler: deps from the environment, built on the first invocation and reused. */
export function lambdaHandler<Result>(serviceName: string, useCase: UseCase<Result>, options: LambdaWiring = {}) {
  const logger = new Logger({ serviceName: `switchback-${serviceName}` });
  const { metrics, selfMetrics } = createPowertoolsSelfMetrics(logger, options.env);
  let deps: AppDeps | undefined;
  const getDeps = () => (deps ??= buildLambdaDeps({ ...options, logger, metrics: selfMetrics }));
  const core = createHandler(getDeps, useCase);
  // logMetrics flushes after every invocation, also after one that threw (its onError).
  return middy(async (event: unknown, context: Context) => core(event, context))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
