/**
 * The composition root for the Lambda functions: configuration and environment → `AppDeps` over the
 * real AWS SDK clients. Each handler calls it once per cold start and passes only the adapters it
 * carries (`FUNCTION_AWS_ADAPTERS`), so e.g. `alarm` bundles no EC2 (550 KB of JS), CloudWatch or SQS
 * client and `status` none but DynamoDB's.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, type AdapterKit, type AwsClientFactories, type AwsClients, type AwsServiceName } from '../aws/clients';
import type { CloudWatchAdapter } from '../aws/cloudwatch';
import type { Ec2Adapter } from '../aws/ec2';
import type { EventBridgeAdapter } from '../aws/eventbridge';
import type { IamAdapter } from '../aws/iam';
import type { LambdaAdapter } from '../aws/lambda';
import type { Route53Adapter } from '../aws/route53';
import type { SnsAdapter } from '../aws/sns';
import { systemClock } from '../clock';
import { COMPILED_CONFIG_FILE, compiledPlanSource, readCompiledConfig } from '../config/compiled';
import { PUBLISH_REQUEST_TIMEOUT_MS } from '../engine/notifications';
import type { StepAdapters } from '../engine/types';
import { SwitchbackError } from '../errors';
import type { Prober, ProberOptions } from '../probes';
import { createStore } from '../store';
import { createControlWatchStore } from '../store/control-watch';
import { createProbeChainStore } from '../store/probe-chain';
import type { createChainQueue } from '../aws/sqs';
import { countingEvents, type SelfMetrics } from '../self-metrics';
import {
  AWS_ADAPTER_NAMES,
  DEPLOY_ROLES,
  FUNCTION_AWS_ADAPTERS,
  type AppDeps,
  type AwsAdapterName,
  type AwsAdapters,
  type ProbeRole,
} from './deps';
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

/** How each adapter is called in the error a function built without it throws. */
const ADAPTER_LABELS: Record<AwsAdapterName, string> = {
  sns: 'SNS',
  cloudWatch: 'CloudWatch',
  lambda: 'Lambda',
  route53: 'Route 53',
  ec2: 'EC2',
  eventBridge: 'EventBridge',
  iam: 'IAM',
  steps: 'RDS, Auto Scaling and ECS',
};

function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? 'none') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The error a function built without an adapter throws when something asks for it: which functions carry it. */
export function missingAdapterError(name: AwsAdapterName): SwitchbackError {
  const carriers = Object.entries(FUNCTION_AWS_ADAPTERS)
    .filter(([, names]) => (names as readonly AwsAdapterName[]).includes(name))
    .map(([key]) => key);
  return new SwitchbackError(
    `this function was built without the ${ADAPTER_LABELS[name]} client; only ${listed(carriers)} ${carriers.length === 1 ? 'carries' : 'carry'} it (FUNCTION_AWS_ADAPTERS)`,
  );
}

/** Builders of the adapters a function carries; each is built on first use, once. */
export interface AdapterBuilders {
  sns?: () => SnsAdapter;
  cloudWatch?: () => CloudWatchAdapter;
  lambda?: () => LambdaAdapter;
  route53?: () => Route53Adapter;
  ec2?: () => Ec2Adapter;
  eventBridge?: () => EventBridgeAdapter;
  iam?: () => IamAdapter;
  steps?: StepAdapters;
}

/**
 * The adapters of one function: those it was built with (see `FUNCTION_AWS_ADAPTERS`), each built on
 * first use; asking for another throws `missingAdapterError`.
 */
export function createAwsAdapters(builders: AdapterBuilders): AwsAdapters {
  const built = new Map<AwsAdapterName, unknown>();
  const get = <Adapter>(name: Exclude<AwsAdapterName, 'steps'>): Adapter => {
    if (!built.has(name)) {
      const build = builders[name] as (() => Adapter) | undefined;
      if (!build) throw missingAdapterError(name);
      built.set(name, build());
    }
    return built.get(name) as Adapter;
  };
  return {
    get sns() {
      return get<SnsAdapter>('sns');
    },
    get cloudWatch() {
      return get<CloudWatchAdapter>('cloudWatch');
    },
    get lambda() {
      return get<LambdaAdapter>('lambda');
    },
    get route53() {
      return get<Route53Adapter>('route53');
    },
    ec2: () => get<Ec2Adapter>('ec2'),
    eventBridge: () => get<EventBridgeAdapter>('eventBridge'),
    iam: () => get<IamAdapter>('iam'),
    ...(builders.steps && { steps: builders.steps }),
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

/** What a function built without a prober has instead: a clear error if anything tries to probe. */
const withoutProber = () =>
  Promise.reject(new SwitchbackError('this function was built without the prober; sites are probed by probe, orchestrator and drill'));
const NO_PROBER: Prober = { probe: withoutProber, probeAll: withoutProber, close: () => Promise.resolve() };

/** The adapters built from one SDK client each (all but `steps`): a function passes the kits of `FUNCTION_AWS_ADAPTERS[<function>]`. */
type ClientAdapterName = Exclude<AwsAdapterName, 'steps'>;
const CLIENT_ADAPTERS = AWS_ADAPTER_NAMES.filter((name): name is ClientAdapterName => name !== 'steps');

/** The kits' adapters, each built from `clients` on first use (shared by the Lambda runtime and the simulator). */
export function kitBuilders(
  clients: AwsClients,
  kits: Pick<LambdaDepsOptions, ClientAdapterName>,
  deployment: { stage: string },
): AdapterBuilders {
  const builders: AdapterBuilders = {};
  for (const name of CLIENT_ADAPTERS) {
    const kit = kits[name] as AdapterKit<AwsServiceName, unknown> | undefined;
    if (kit) (builders as Record<string, unknown>)[name] = () => kit.adapter(clients, deployment);
  }
  return builders;
}

/**
 * What a function is built with: the kits of the adapters it carries (`FUNCTION_AWS_ADAPTERS`, e.g.
 * `sns: snsKit` from `shared/aws/sns`), so its bundle holds only those SDK clients.
 */
export interface LambdaDepsOptions {
  sns?: AdapterKit<'sns', SnsAdapter>;
  cloudWatch?: AdapterKit<'cloudWatch', CloudWatchAdapter>;
  lambda?: AdapterKit<'lambda', LambdaAdapter>;
  route53?: AdapterKit<'route53', Route53Adapter>;
  ec2?: AdapterKit<'ec2', Ec2Adapter>;
  /** The drill (alarm forwarder check). */
  eventBridge?: AdapterKit<'eventBridge', EventBridgeAdapter>;
  /** The drill (SimulatePrincipalPolicy on the orchestrator role). */
  iam?: AdapterKit<'iam', IamAdapter>;
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
  /** For `probe`: `{ factory: sqsClientFactory, queue: createChainQueue }` from `shared/aws/sqs` (the lease lives in the location's own table). */
  probeChain?: { factory: NonNullable<AwsClientFactories['sqs']>; queue: typeof createChainQueue };
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
  const factories: AwsClientFactories = { ...options.steps?.factories };
  for (const name of CLIENT_ADAPTERS) {
    const kit = options[name];
    if (kit) (factories as Record<string, unknown>)[name] = kit.factory;
  }
  if (options.probeChain) factories.sqs = options.probeChain.factory;
  const clients = createAwsClients({ defaultRegion: config.controlRegion, factories, ...DEPLOYED_CLIENT_TIMEOUTS });
  const stage = requireEnv(ENV.stage, env);
  const builders: AdapterBuilders = {
    ...kitBuilders(clients, options, { stage }),
    ...(options.steps && { steps: options.steps.adapters(clients) }),
  };
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
          queue: options.probeChain.queue(clients, { region: env.AWS_REGION ?? location, queueName: chainQueue }),
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
    aws: createAwsAdapters(builders),
    functions: { orchestrator: requireEnv(ENV.orchestrator, env), probe: env[ENV.probe] ?? 'probe' },
    logger,
    emit: countingEvents(logEvents(logger, config), options.metrics),
    metrics: options.metrics,
  };
}
