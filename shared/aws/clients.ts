/**
 * AWS SDK v3 clients, injected (never module-scope) and built lazily, one per service and region.
 *
 * Cold start: this module imports client *types* only (erased at compile time), so loading it
 * pulls in no SDK code. The constructors come in as `factories`, and each factory lives next to
 * its adapter (`ec2ClientFactory` in `./ec2`, …). A handler therefore bundles exactly the SDK
 * packages of the adapters it imports: `probe` and `alarm` never import `./ec2`, so esbuild never
 * sees `@aws-sdk/client-ec2` (1.5 MB) from them. Asking for a client whose factory was not passed
 * is a wiring error and throws at once, naming the factory to add.
 *
 * Retries happen in ONE layer (`./retry`): clients are built with `maxAttempts: 1` by default.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SwitchbackError } from '../errors';

export interface AwsClients {
  /** Route 53 is a global service (control plane in us-east-1): one client. */
  route53(): Route53Client;
  ec2(region: string): EC2Client;
  sns(region?: string): SNSClient;
  cloudWatch(region?: string): CloudWatchClient;
  lambda(region?: string): LambdaClient;
  /** EventBridge is regional: rules live on the default bus of each region. */
  eventBridge(region: string): EventBridgeClient;
  rds(region: string): RDSClient;
  autoScaling(region: string): AutoScalingClient;
  ecs(region: string): ECSClient;
  /** IAM is a global service (endpoint and signing region us-east-1): one client; only the drill loads it. */
  iam(): IAMClient;
  /** SQS is regional: each probe location sends its chain links to its own region's queue. */
  sqs(region: string): SQSClient;
}

export const AWS_SERVICES = [
  'route53',
  'ec2',
  'sns',
  'cloudWatch',
  'lambda',
  'eventBridge',
  'rds',
  'autoScaling',
  'ecs',
  'iam',
  'sqs',
] as const;
export type AwsServiceName = (typeof AWS_SERVICES)[number];

/** The region Route 53's API is signed for in the `aws` partition. */
export const ROUTE53_SIGNING_REGION = 'us-east-1';
/** The region IAM's API is signed for in the `aws` partition (https://docs.aws.amazon.com/general/latest/gr/iam-service.html). */
export const IAM_SIGNING_REGION = 'us-east-1';

/** The configuration every client is built with; extra keys come from `clientConfig`. */
export interface AwsClientConfig {
  region: string;
  maxAttempts: number;
  /** NodeHttpHandler options (the SDK accepts them in place of a handler instance) or a handler. */
  requestHandler?: unknown;
  [key: string]: unknown;
}

export type AwsClientFactory<Client> = (config: AwsClientConfig) => Client;

/**
 * The factory for one SDK client class. Every SDK v3 client constructor accepts the keys of
 * `AwsClientConfig` (region, maxAttempts, requestHandler, and the extra keys from `clientConfig`);
 * the one cast is here so no adapter repeats it.
 */
export function sdkClientFactory<Client>(ClientClass: new (config: never) => Client): AwsClientFactory<Client> {
  return (config) => new ClientClass(config as never);
}

export interface AwsClientFactories {
  route53?: AwsClientFactory<Route53Client>;
  ec2?: AwsClientFactory<EC2Client>;
  sns?: AwsClientFactory<SNSClient>;
  cloudWatch?: AwsClientFactory<CloudWatchClient>;
  lambda?: AwsClientFactory<LambdaClient>;
  eventBridge?: AwsClientFactory<EventBridgeClient>;
  rds?: AwsClientFactory<RDSClient>;
  autoScaling?: AwsClientFactory<AutoScalingClient>;
  ecs?: AwsClientFactory<ECSClient>;
  iam?: AwsClientFactory<IAMClient>;
  sqs?: AwsClientFactory<SQSClient>;
}

/**
 * An SDK client factory and the adapter over its clients: what a function passes for each adapter it
 * carries (`snsKit` from `./sns`, …; see FUNCTION_AWS_ADAPTERS in ../app/deps).
 */
export interface AdapterKit<Name extends AwsServiceName, Adapter> {
  factory: NonNullable<AwsClientFactories[Name]>;
  adapter: (clients: AwsClients, deployment: { stage: string }) => Adapter;
}

export interface CreateAwsClientsOptions {
  /** The control region: used when a service method is called without a region. */
  defaultRegion: string;
  /** Client-level attempts; keep 1 so the only retries are ours. */
  maxAttempts?: number;
  /** Per-request timeout; a request over it fails with TimeoutError (classified transient). */
  requestTimeoutMs?: number;
  /** Per-service request timeouts that replace `requestTimeoutMs` (e.g. a short one for SMS). */
  requestTimeoutMsByService?: Partial<Record<AwsServiceName, number>>;
  /** TCP connect timeout. */
  connectionTimeoutMs?: number;
  /** Constructors for the services this process uses (import them from the adapter modules). */
  factories: AwsClientFactories;
  /**
   * Extra client configuration (endpoint, credentials, requestHandler …), e.g. the embedded world
   * plugging its in-memory models into the real clients. Wins over the defaults above.
   */
  clientConfig?: (service: AwsServiceName, region: string) => Record<string, unknown>;
  /**
   * Called once per client right after it is built: the embedded world adds a middleware here
   * that answers commands from its in-memory models (the client itself is the real SDK client).
   */
  onClientCreated?: (service: AwsServiceName, region: string, client: unknown) => void;
}

const FACTORY_MODULE: Record<AwsServiceName, string> = {
  route53: "route53ClientFactory from 'shared/aws/route53'",
  ec2: "ec2ClientFactory from 'shared/aws/ec2'",
  sns: "snsClientFactory from 'shared/aws/sns'",
  cloudWatch: "cloudWatchClientFactory from 'shared/aws/cloudwatch'",
  lambda: "lambdaClientFactory from 'shared/aws/lambda'",
  eventBridge: "eventBridgeClientFactory from 'shared/aws/eventbridge'",
  rds: "rdsClientFactory from 'shared/aws/rds'",
  autoScaling: "autoScalingClientFactory from 'shared/aws/autoscaling'",
  ecs: "ecsClientFactory from 'shared/aws/ecs'",
  iam: "iamClientFactory from 'shared/aws/iam'",
  sqs: "sqsClientFactory from 'shared/aws/sqs'",
};

export class MissingAwsClientError extends SwitchbackError {
  override readonly name: string = 'MissingAwsClientError';
  constructor(readonly service: AwsServiceName) {
    super(
      `no ${service} client factory was given to createAwsClients in this function; pass factories.${service} (${FACTORY_MODULE[service]})`,
      { context: { service } },
    );
  }
}

/** Build clients on first use and cache them per service and region. */
export function createAwsClients(options: CreateAwsClientsOptions): AwsClients {
  if (!options.defaultRegion) throw new SwitchbackError('createAwsClients: defaultRegion is required');
  const maxAttempts = options.maxAttempts ?? 1;
  const cache = new Map<string, unknown>();

  function buildConfig(service: AwsServiceName, region: string): AwsClientConfig {
    const config: AwsClientConfig = { region, maxAttempts };
    const requestTimeoutMs = options.requestTimeoutMsByService?.[service] ?? options.requestTimeoutMs;
    if (requestTimeoutMs !== undefined || options.connectionTimeoutMs !== undefined) {
      config.requestHandler = {
        requestTimeout: requestTimeoutMs,
        connectionTimeout: options.connectionTimeoutMs,
        // Without this the SDK only logs a warning when requestTimeout passes.
        throwOnRequestTimeout: true,
      };
    }
    return { ...config, ...options.clientConfig?.(service, region) };
  }

  function get<Client>(service: AwsServiceName, region: string): Client {
    const key = `${service}:${region}`;
    const cached = cache.get(key);
    if (cached) return cached as Client;
    const factory = options.factories[service] as AwsClientFactory<Client> | undefined;
    if (!factory) throw new MissingAwsClientError(service);
    const client = factory(buildConfig(service, region));
    options.onClientCreated?.(service, region, client);
    cache.set(key, client);
    return client;
  }

  return {
    route53: () => get<Route53Client>('route53', ROUTE53_SIGNING_REGION),
    ec2: (region) => get<EC2Client>('ec2', requireRegion(region, 'ec2')),
    sns: (region) => get<SNSClient>('sns', region ?? options.defaultRegion),
    cloudWatch: (region) => get<CloudWatchClient>('cloudWatch', region ?? options.defaultRegion),
    lambda: (region) => get<LambdaClient>('lambda', region ?? options.defaultRegion),
    eventBridge: (region) => get<EventBridgeClient>('eventBridge', requireRegion(region, 'eventBridge')),
    rds: (region) => get<RDSClient>('rds', requireRegion(region, 'rds')),
    autoScaling: (region) => get<AutoScalingClient>('autoScaling', requireRegion(region, 'autoScaling')),
    ecs: (region) => get<ECSClient>('ecs', requireRegion(region, 'ecs')),
    iam: () => get<IAMClient>('iam', IAM_SIGNING_REGION),
    sqs: (region) => get<SQSClient>('sqs', requireRegion(region, 'sqs')),
  };
}

function requireRegion(region: string, service: AwsServiceName): string {
  if (!region) throw new SwitchbackError(`${service} needs an explicit region`, { context: { service } });
  return region;
}
