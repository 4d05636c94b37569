/**
 * The composition root for the Lambda functions: configuration and environment → `AppDeps` over the
 * real AWS SDK clients. Each handler calls it once per cold start and passes only the client
 * factories it needs, so `probe` and `alarm` never load the EC2 client (1.5 MB, ~200 ms).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, type AwsClientFactories, type AwsClients } from '../aws/clients';
import { cloudWatchClientFactory, createCloudWatchAdapter } from '../aws/cloudwatch';
import type { Ec2Adapter } from '../aws/ec2';
import type { EventBridgeAdapter } from '../aws/eventbridge';
import type { IamAdapter } from '../aws/iam';
import { createLambdaAdapter, lambdaClientFactory } from '../aws/lambda';
import type { Route53Adapter } from '../aws/route53';
import { createSnsAdapter, snsClientFactory } from '../aws/sns';
import { systemClock } from '../clock';
import { COMPILED_CONFIG_FILE, compiledPlanSource, readCompiledConfig } from '../config/compiled';
import { PUBLISH_REQUEST_TIMEOUT_MS } from '../engine/notifications';
import type { StepAdapters } from '../engine/types';
import { SwitchbackError } from '../errors';
import type { Prober, ProberOptions } from '../probes';
import { createStore } from '../store';
import { createControlWatchStore } from '../store/control-watch';
import { createProbeChainStore } from '../store/probe-chain';
import { createChainQueue } from '../aws/sqs';
import { countingEvents, type SelfMetrics } from '../self-metrics';
import { DEPLOY_ROLES, type AppDeps, type AwsAdapters, type ProbeRole } from './deps';
import { logEvents } from './event-log';

/** Environment the functions get from serverless.yml (fixed names, no CloudFormation references). */
export const ENV = {
  table: 'SWITCHBACK_TABLE',
  tableRegion: 'SWITCHBACK_TABLE_REGION',
  stage: 'SWITCHBACK_STAGE',
  role: 'SWITCHBACK_ROLE',
  location: 'SWITCHBACK_LOCATION',
  orchestrator: 'SWITCHBACK_ORCHESTRATOR_FUNCTION',
  probe: 'SWITCHBACK_PROBE_FUNCTION',
  configPath: 'SWITCHBACK_CONFIG_PATH',
  /** A probe-only location's own table (its watch on the control region), in its own region. */
  locationTable: 'SWITCHBACK_LOCATION_TABLE',
  /** This location's probe-chain queue (a name: the URL is built from the invoked function's account). */
  probeChainQueue: 'SWITCHBACK_PROBE_CHAIN_QUEUE',
} as const;

/**
 * DynamoDB request budget: a control region that does not answer must fail a call in seconds, not
 * hang a probe invocation (or its watch on the control region) until Lambda kills it.
 */
const DYNAMO_REQUEST_HANDLER = {
  connectionTimeout: 2_000,
  requestTimeout: 5_000,
  // Without this the SDK only logs a warning when requestTimeout passes (and keeps waiting).
  throwOnRequestTimeout: true,
} as const;

function requireEnv(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (!value) throw new SwitchbackError(`environment variable ${name} is not set (serverless.yml sets it)`);
  return value;
}

/**
 * The configuration `sls package` compiled from switchback.yml into each function's bundle
 * (../config/compiled.ts), with every service's runbook plans: no YAML parser, no schema and no step
 * action module at cold start, and a file edited after packaging is refused (the first invocation
 * fails naming the file and both hashes).
 */
export function loadDeployedConfig(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof readCompiledConfig> {
  return readCompiledConfig(env[ENV.configPath] ?? join(env.LAMBDA_TASK_ROOT ?? process.cwd(), COMPILED_CONFIG_FILE));
}

/**
 * Adapters for a function. Route 53 and EC2 come in as builders because only the functions that
 * run runbook steps or drills load their SDK clients (see `LambdaDepsOptions`).
 */
export function createAwsAdapters(
  clients: AwsClients,
  ec2: (() => Ec2Adapter) | undefined,
  route53: (() => Route53Adapter) | undefined,
  deployment: { stage: string },
  eventBridge?: () => EventBridgeAdapter,
  steps?: StepAdapters,
  iam?: () => IamAdapter,
): AwsAdapters {
  let ec2Adapter: Ec2Adapter | undefined;
  let iamAdapter: IamAdapter | undefined;
  let route53Adapter: Route53Adapter | undefined;
  let eventBridgeAdapter: EventBridgeAdapter | undefined;
  return {
    get route53() {
      if (!route53) throw new SwitchbackError('this function was built without the Route 53 client; DNS steps run in the orchestrator');
      route53Adapter ??= route53();
      return route53Adapter;
    },
    sns: createSnsAdapter(clients),
    cloudWatch: createCloudWatchAdapter(clients, { stage: deployment.stage }),
    lambda: createLambdaAdapter(clients),
    ...(steps && { steps }),
    ec2: () => {
      if (!ec2) throw new SwitchbackError('this function was built without the EC2 client; EC2 steps run in the orchestrator');
      ec2Adapter ??= ec2();
      return ec2Adapter;
    },
    eventBridge: () => {
      if (!eventBridge)
        throw new SwitchbackError('this function was built without the EventBridge client; the drill checks alarm forwarders');
      eventBridgeAdapter ??= eventBridge();
      return eventBridgeAdapter;
    },
    iam: () => {
      if (!iam) throw new SwitchbackError('this function was built without the IAM client; the drill simulates the orchestrator role');
      iamAdapter ??= iam();
      return iamAdapter;
    },
  };
}

/**
 * How long the deployed SDK clients wait for AWS: 5 s per request (a synchronous Lambda hook passes
 * its own, from the step's remaining budget), 3 s per SMS try (a text must never hold anything up),
 * 2 s to connect. The embedded world runs its functions with the same values.
 */
export const DEPLOYED_CLIENT_TIMEOUTS = {
  requestTimeoutMs: 5_000,
  requestTimeoutMsByService: { sns: PUBLISH_REQUEST_TIMEOUT_MS },
  connectionTimeoutMs: 2_000,
} as const;

export const BASE_CLIENT_FACTORIES: AwsClientFactories = {
  sns: snsClientFactory,
  cloudWatch: cloudWatchClientFactory,
  lambda: lambdaClientFactory,
};

/** What a function built without a prober has instead: a clear error if anything tries to probe. */
const withoutProber = () =>
  Promise.reject(new SwitchbackError('this function was built without the prober; sites are probed by probe, orchestrator and drill'));
const NO_PROBER: Prober = { probe: withoutProber, probeAll: withoutProber, close: () => Promise.resolve() };

export interface LambdaDepsOptions {
  /** For functions that run EC2 steps: `{ factory: ec2ClientFactory, adapter: createEc2Adapter }`. */
  ec2?: { factory: NonNullable<AwsClientFactories['ec2']>; adapter: (clients: AwsClients) => Ec2Adapter };
  /** For functions that switch or check DNS: `{ factory: route53ClientFactory, adapter: createRoute53Adapter }`. */
  route53?: { factory: NonNullable<AwsClientFactories['route53']>; adapter: (clients: AwsClients) => Route53Adapter };
  /** For the drill (alarm forwarder check): `{ factory: eventBridgeClientFactory, adapter: createEventBridgeAdapter }`. */
  eventBridge?: {
    factory: NonNullable<AwsClientFactories['eventBridge']>;
    adapter: (clients: AwsClients, options: { stage: string }) => EventBridgeAdapter;
  };
  /**
   * For functions that run database and fleet steps: `{ factories: STEP_CLIENT_FACTORIES, adapters:
   * createStepAdapters }` from `shared/aws/step-adapters` (RDS, Auto Scaling, ECS clients).
   */
  steps?: { factories: AwsClientFactories; adapters: (clients: AwsClients) => StepAdapters };
  /**
   * For functions that probe sites (probe, orchestrator, drill): `createProber` from `shared/probes`
   * (node:http/https and node:tls only; the others leave the prober out of their bundles).
   */
  prober?: (options: ProberOptions) => Prober;
  /** For the drill (SimulatePrincipalPolicy on the orchestrator role): `{ factory: iamClientFactory, adapter: createIamAdapter }`. */
  iam?: { factory: NonNullable<AwsClientFactories['iam']>; adapter: (clients: AwsClients) => IamAdapter };
  /** For `probe`: `{ factory: sqsClientFactory }` (the chain's queue; the lease lives in the location's own table). */
  probeChain?: { factory: NonNullable<AwsClientFactories['sqs']> };
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** The function's Powertools metrics (./lambda-handler flushes them after every invocation). */
  metrics: SelfMetrics;
}

export function buildLambdaDeps(options: LambdaDepsOptions): AppDeps {
  const env = options.env ?? process.env;
  const { config, sha256, source, plans } = loadDeployedConfig(env);
  // The same hash `switchback validate` and `sls package` print: which configuration runs here.
  options.logger.info(`config compiled from ${source}: ${sha256}`, { configSha256: sha256 });
  const clients = createAwsClients({
    defaultRegion: config.controlRegion,
    factories: {
      ...BASE_CLIENT_FACTORIES,
      ...(options.ec2 ? { ec2: options.ec2.factory } : {}),
      ...(options.route53 ? { route53: options.route53.factory } : {}),
      ...(options.eventBridge ? { eventBridge: options.eventBridge.factory } : {}),
      ...(options.iam ? { iam: options.iam.factory } : {}),
      ...options.steps?.factories,
      ...(options.probeChain ? { sqs: options.probeChain.factory } : {}),
    },
    ...DEPLOYED_CLIENT_TIMEOUTS,
  });
  const { ec2, route53, eventBridge, iam } = options;
  const stage = requireEnv(ENV.stage, env);
  const documentClient = (region: string) =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ region, maxAttempts: 3, requestHandler: DYNAMO_REQUEST_HANDLER }), {
      marshallOptions: { removeUndefinedValues: true },
    });
  const dynamo = documentClient(env[ENV.tableRegion] ?? config.controlRegion);
  const role = (env[ENV.role] ?? DEPLOY_ROLES.controller) as ProbeRole;
  if (role !== DEPLOY_ROLES.controller && role !== DEPLOY_ROLES.probeOnly)
    throw new SwitchbackError(`${ENV.role} must be controller or probe-only, not "${role}"`);
  const logger: AppDeps['logger'] = {
    debug: (message, extra) => options.logger.debug(message, extra ?? {}),
    info: (message, extra) => options.logger.info(message, extra ?? {}),
    warn: (message, extra) => options.logger.warn(message, extra ?? {}),
    error: (message, extra) => options.logger.error(message, extra ?? {}),
  };
  const location = env[ENV.location] ?? env.AWS_REGION ?? config.controlRegion;
  const chainQueue = env[ENV.probeChainQueue];
  // The chain's lease lives in the table of the location's own region: the controller's, or a probe-only location's own.
  const chain =
    options.probeChain && chainQueue
      ? {
          store:
            role === DEPLOY_ROLES.probeOnly
              ? createProbeChainStore({ client: documentClient(env.AWS_REGION ?? location), tableName: requireEnv(ENV.locationTable, env) })
              : createProbeChainStore({ client: dynamo, tableName: requireEnv(ENV.table, env) }),
          queue: createChainQueue(clients, { region: env.AWS_REGION ?? location, queueName: chainQueue }),
        }
      : undefined;
  return {
    config,
    planOf: compiledPlanSource(plans),
    store: createStore({ client: dynamo, tableName: requireEnv(ENV.table, env) }),
    ...(role === DEPLOY_ROLES.probeOnly && {
      controlWatch: createControlWatchStore({
        client: documentClient(env.AWS_REGION ?? location),
        tableName: requireEnv(ENV.locationTable, env),
        controlRegion: config.controlRegion,
      }),
    }),
    ...(chain && { chain }),
    clock: systemClock,
    random: Math.random,
    newId: () => randomUUID().slice(0, 8),
    location,
    role,
    prober: options.prober ? options.prober({ maxConcurrency: 256 }) : NO_PROBER,
    aws: createAwsAdapters(
      clients,
      ec2 ? () => ec2.adapter(clients) : undefined,
      route53 ? () => route53.adapter(clients) : undefined,
      { stage },
      eventBridge ? () => eventBridge.adapter(clients, { stage }) : undefined,
      options.steps?.adapters(clients),
      iam ? () => iam.adapter(clients) : undefined,
    ),
    functions: { orchestrator: requireEnv(ENV.orchestrator, env), probe: env[ENV.probe] ?? 'probe' },
    logger,
    emit: countingEvents(logEvents(logger, config), options.metrics),
    metrics: options.metrics,
  };
}
