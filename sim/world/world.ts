/**
 * The embedded AWS world: in-memory Route 53, EC2, SNS, CloudWatch and Lambda plugged into the
 * REAL SDK v3 clients, so the adapters in shared/aws run unchanged.
 *
 * `attach()` adds one middleware at the very start of a client's stack (step `initialize`,
 * priority high). It reads the command name and its input, answers from the models and returns
 * `{ output, response }` the way the deserializer would have: nothing is serialized, signed or
 * sent. `clientConfig()` gives dummy credentials and an unroutable endpoint, so a client that was
 * built with it but never attached fails loudly instead of reaching AWS.
 *
 * Every call is counted and logged (`apiCalls`, `callLog`) — including calls failed by injected
 * faults and DryRun calls (which are never `mutating`).
 */
import type { AwsServiceName } from '../../shared/aws/clients';
import { AWS_SERVICES } from '../../shared/aws/clients';
import { getAwsErrorCode } from '../../shared/aws/errors';
import type { SwitchbackConfig } from '../../shared/config/types';
import { SwitchbackError } from '../../shared/errors';
import { defaultMessageFor } from './aws-error';
import { type AuthorizationLookup, authorizationRequests } from './authorization';
import { type CloudWatchWorld, createCloudWatchModel } from './cloudwatch';
import { createWorldContext } from './context';
import { createEc2Model, type Ec2World } from './ec2';
import { createEventBridgeModel, type EventBridgeWorld } from './eventbridge';
import { createFaultRegistry, type FaultSpec } from './faults';
import { assumedRoleArn, createIamModel, createIamServiceModel, deniedErrorCode, deniedMessage, type IamWorld } from './iam';
import { createLambdaModel, type LambdaWorld } from './lambda';
import { requestTimedOut, type ServiceModel } from './model';
import { createAutoScalingModel, DEFAULT_AUTO_SCALING_TIMINGS, type AutoScalingTimings, type AutoScalingWorld } from './autoscaling';
import { createEcsModel, DEFAULT_ECS_TIMINGS, type EcsTimings, type EcsWorld } from './ecs';
import { createRdsModel, DEFAULT_RDS_TIMINGS, type RdsTimings, type RdsWorld } from './rds';
import { createRoute53Model, type Route53World } from './route53';
import { seedWorld } from './seed';
import { noTurns, type InTurn } from '../io-turns';
import { DEFAULT_SMS_SPEND, createSnsModel, type SmsSpendOptions, type SnsWorld } from './sns';
import { createSqsModel, type SqsWorld } from './sqs';

export interface WorldOptions {
  /** Epoch ms; the only clock the world reads. */
  now(): number;
  /** Used for fault latency (e.g. the virtual clock's sleep); default: a real timer. */
  sleep?(ms: number): Promise<void>;
  /**
   * Runs the real I/O of a call (the IAM evaluator reads its policy data from disk) in turn with the
   * simulator's other I/O, so concurrent calls finish in the order made (see sim/io-turns); default: at once.
   */
  inTurn?: InTurn;
  /** PENDING → INSYNC (default 60 000: "generally within 60 seconds"). */
  route53ChangeDelayMs?: number;
  /** How often Route 53 health checkers re-read a CLOUDWATCH_METRIC health check's alarm (default 30 000). */
  route53HealthCheckerIntervalMs?: number;
  /** pending → running, stopping → stopped, shutting-down → terminated (default 15 000). */
  ec2TransitionDelayMs?: number;
  /** attaching → attached, detaching → detached (default 2 000). */
  ec2VolumeDelayMs?: number;
  /** A launched instance is "not found" by id this long after RunInstances (default 5 000: eventual consistency). */
  ec2NotFoundAfterLaunchMs?: number;
  /** The SMS monthly spend limit, price and spend so far (default 1 USD, 0.00645 USD per SMS, 0 spent). */
  sms?: Partial<SmsSpendOptions>;
  /** Default 123456789012. */
  accountId?: string;
  /** Aurora global database timings (pending, failover, switchover, resync); see ./rds.ts. */
  rds?: Partial<RdsTimings>;
  /** Auto Scaling: launch → InService, stagger between launches, terminate; see ./autoscaling.ts. */
  autoScaling?: Partial<AutoScalingTimings>;
  /** ECS: task start, stagger, stop; see ./ecs.ts. */
  ecs?: Partial<EcsTimings>;
  /** Lambda Event invocations go here (the simulator spawns a task); otherwise the handler runs un-awaited. */
  onAsyncInvoke?(name: string, payload: unknown): unknown;
  /** Work the world starts on its own (SQS deliveries to an event source mapping): the simulator's scheduler; default un-awaited. */
  spawn?(name: string, work: () => Promise<unknown>): void;
}

/** One AWS call, logged when it finished (a Lambda Invoke is logged after the calls its handler made). */
export interface CallLogEntry {
  /** `<service>.<Operation>`, e.g. `ec2.StartInstances`. */
  api: string;
  region: string;
  /** When the call started. */
  atEpochMs: number;
  /** The call asks to change something (not Describe/Get/List, not a DryRun). Counted whether or not it succeeded. */
  mutating: boolean;
  ok: boolean;
  /** The AWS error code when it failed (`DryRunOperation` for an allowed dry run). */
  error?: string;
  dryRun?: boolean;
  /** An injected fault decided the outcome or added latency. */
  injected?: boolean;
}

export interface WorldFaults {
  add(spec: FaultSpec): void;
  clear(): void;
  list(): Array<FaultSpec & { fired: number }>;
  /**
   * A whole region goes dark (a regional outage): every call to an endpoint in it fails to connect,
   * whoever makes it, until it is lit again. Route 53 is global (its API signs for us-east-1).
   */
  setRegionDark(region: string, dark: boolean): void;
}

/**
 * Who makes the calls of a client: the role a simulated function runs with. The world evaluates
 * every call of such a client against the role's policies (`world.iam.putRolePolicy`); a client
 * attached without a principal is the operator's and is not checked.
 */
export interface CallerIdentity {
  /** `arn:aws:iam::<account>:role/<name>` */
  roleArn: string;
  /** The session name in error messages (a Lambda function's name). */
  sessionName: string;
}

export interface AwsWorldOptions {
  clientConfig: (service: AwsServiceName, region: string) => Record<string, unknown>;
  onClientCreated: (service: AwsServiceName, region: string, client: unknown) => void;
}

export interface World {
  /** The account every ARN in the world belongs to. */
  accountId: string;
  /** Dummy credentials + unroutable endpoint: pass as createAwsClients' `clientConfig`. */
  clientConfig(service: AwsServiceName, region: string): Record<string, unknown>;
  /**
   * Plug the models into a real SDK client (createAwsClients' `onClientCreated`). Idempotent per
   * client. With a caller, every call is authorized against the caller's IAM policies first.
   */
  attach(service: AwsServiceName, region: string, client: unknown, caller?: CallerIdentity): void;
  /** `createAwsClients({ defaultRegion, factories, ...world.awsOptions(caller) })`. */
  awsOptions(caller?: CallerIdentity): AwsWorldOptions;
  /**
   * Create what a config refers to (zone, records, health check, alarms, instances, volumes, EIPs,
   * topic) as deployment stage `stage` would (default `sim`, the simulator's). Idempotent.
   */
  seed(config: SwitchbackConfig, stage?: string): void;
  route53: Route53World;
  ec2: Ec2World;
  sns: SnsWorld;
  cloudWatch: CloudWatchWorld;
  lambda: LambdaWorld;
  /** Default event buses per region, rules and targets; AWS service events enter through putServiceEvent. */
  eventBridge: EventBridgeWorld;
  rds: RdsWorld;
  autoScaling: AutoScalingWorld;
  ecs: EcsWorld;
  /** Standard queues and the event source mappings that drain them (the probe chain). */
  sqs: SqsWorld;
  iam: IamWorld;
  faults: WorldFaults;
  /** Calls per `<service>.<Operation>`. */
  apiCalls(): Record<string, number>;
  callLog(): CallLogEntry[];
}

/** Route 53 changes "generally propagate to all Route 53 name servers within 60 seconds" (see ./route53.ts). */
export const DEFAULT_ROUTE53_CHANGE_DELAY_MS = 60_000;
/** EC2 eventual consistency: "a few seconds" before a new instance id is known to every call (see ./ec2.ts). */
export const DEFAULT_NOT_FOUND_AFTER_LAUNCH_MS = 5_000;
/** Route 53 health checkers re-read an alarm health check this often (see ./route53.ts). */
export const DEFAULT_HEALTH_CHECKER_INTERVAL_MS = 30_000;

/** Where an un-attached world client would send requests: `.invalid` never resolves (RFC 2606). */
export const WORLD_ENDPOINT = 'http://world.invalid';
export const WORLD_CREDENTIALS = { accessKeyId: 'AKIASWITCHBACKWORLD0', secretAccessKey: 'switchback-embedded-world' } as const;
const MIDDLEWARE_NAME = 'switchbackWorld';
const READ_ONLY_OPERATION = /^(Describe|Get|List|Simulate)/;

interface MiddlewareStackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'now',
  'sleep',
  'inTurn',
  'route53ChangeDelayMs',
  'route53HealthCheckerIntervalMs',
  'ec2TransitionDelayMs',
  'ec2VolumeDelayMs',
  'ec2NotFoundAfterLaunchMs',
  'sms',
  'accountId',
  'onAsyncInvoke',
  'rds',
  'autoScaling',
  'ecs',
  'spawn',
]);

function validateOptions(options: WorldOptions): void {
  const problems: string[] = [];
  for (const key of Object.keys(options ?? {}))
    if (!OPTION_KEYS.has(key)) problems.push(`unknown option "${key}" (known: ${[...OPTION_KEYS].join(', ')})`);
  if (typeof options?.now !== 'function') problems.push('now must be a function returning epoch ms');
  const interval = options?.route53HealthCheckerIntervalMs;
  if (interval !== undefined && !(Number.isFinite(interval) && interval >= 1000))
    problems.push('route53HealthCheckerIntervalMs must be ≥ 1000');
  for (const key of ['route53ChangeDelayMs', 'ec2TransitionDelayMs', 'ec2VolumeDelayMs', 'ec2NotFoundAfterLaunchMs'] as const) {
    const value = options?.[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) problems.push(`${key} must be ≥ 0`);
  }
  if (options?.accountId !== undefined && !/^\d{12}$/.test(options.accountId)) problems.push('accountId must be 12 digits');
  if (problems.length > 0) throw new SwitchbackError(`createWorld: ${problems.join('; ')}`);
}

export function createWorld(options: WorldOptions): World {
  validateOptions(options);
  const ctx = createWorldContext({ now: () => options.now(), accountId: options.accountId ?? '123456789012' });
  // AWS/SNS SMSMonthToDateSpentUSD comes from the SNS model (one spend for the account; AWS keeps one per region).
  const cloudWatch = createCloudWatchModel(ctx, (_region, namespace, metricName) =>
    namespace === 'AWS/SNS' && metricName === 'SMSMonthToDateSpentUSD'
      ? sns.world.spendHistory().map((entry) => ({ atEpochMs: entry.atEpochMs, value: entry.spentUsd }))
      : [],
  );
  const route53 = createRoute53Model(ctx, {
    changeDelayMs: options.route53ChangeDelayMs ?? DEFAULT_ROUTE53_CHANGE_DELAY_MS,
    healthCheckerIntervalMs: options.route53HealthCheckerIntervalMs ?? DEFAULT_HEALTH_CHECKER_INTERVAL_MS,
    alarmData: cloudWatch.alarmData,
  });
  const ec2 = createEc2Model(ctx, {
    transitionDelayMs: options.ec2TransitionDelayMs ?? 15_000,
    volumeDelayMs: options.ec2VolumeDelayMs ?? 2_000,
    notFoundAfterLaunchMs: options.ec2NotFoundAfterLaunchMs ?? DEFAULT_NOT_FOUND_AFTER_LAUNCH_MS,
  });
  const sns = createSnsModel(ctx, { ...DEFAULT_SMS_SPEND, ...options.sms });
  const lambda = createLambdaModel(ctx, { onAsyncInvoke: options.onAsyncInvoke });
  const rds = createRdsModel(ctx, { ...DEFAULT_RDS_TIMINGS, ...options.rds });
  cloudWatch.addMetricSource(rds.metricSource);
  const autoScaling = createAutoScalingModel(ctx, { ...DEFAULT_AUTO_SCALING_TIMINGS, ...options.autoScaling });
  const ecs = createEcsModel(ctx, { ...DEFAULT_ECS_TIMINGS, ...options.ecs });
  const sqs = createSqsModel(ctx, {
    sleep: (ms) => (options.sleep ? options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))),
    ...(options.spawn && { spawn: options.spawn }),
  });
  const faults = createFaultRegistry();
  const inTurn = options.inTurn ?? noTurns;
  /** Regions in an outage (`faults.setRegionDark`): every call to them fails to connect. */
  const darkRegions = new Set<string>();
  const iam = createIamModel({ accountId: ctx.accountId });
  const eventBridge = createEventBridgeModel(ctx, {
    invokeAsync: async (region, functionArn, payload) => {
      await lambda.model.handle(
        'Invoke',
        { FunctionName: functionArn, InvocationType: 'Event', Payload: JSON.stringify(payload) },
        { region, stuck: false },
      );
    },
    roleAllows: async (roleArn, action, resource) => (await iam.evaluate(roleArn, { action, resource, context: {} })).result === 'allowed',
  });
  const lookup: AuthorizationLookup = {
    accountId: ctx.accountId,
    instance(region, instanceId) {
      const found = ec2.world.instance(instanceId);
      return found && found.region === region ? found : undefined;
    },
    volume(region, volumeId) {
      const found = ec2.world.volumes(region).find((volume) => volume.volumeId === volumeId);
      return found && { availabilityZone: found.availabilityZone, attachedTo: found.attachments.map((a) => a.instanceId) };
    },
    instanceProfileRole: (nameOrArn) => iam.world.instanceProfileRole(nameOrArn),
    // The world names an instance's primary interface eni-<id without "i-"> (see ./ec2.ts DescribeAddresses).
    networkInterfaceOf: (_region, instanceId) => `eni-${instanceId.slice(2)}`,
    autoScalingGroupArn: (region, name) => autoScaling.world.group(region, name)?.arn,
  };
  const models: Record<AwsServiceName, ServiceModel> = {
    route53: route53.model,
    ec2: ec2.model,
    sns: sns.model,
    cloudWatch: cloudWatch.model,
    lambda: lambda.model,
    eventBridge: eventBridge.model,
    rds: rds.model,
    autoScaling: autoScaling.model,
    ecs: ecs.model,
    iam: createIamServiceModel(ctx, iam),
    sqs: sqs.model,
  };
  const counts: Record<string, number> = {};
  const log: CallLogEntry[] = [];
  const attached = new WeakSet<object>();

  const sleep = (ms: number): Promise<void> =>
    options.sleep ? options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  /** IAM before the service acts: every request of the call must be allowed (a DryRun too: denied is UnauthorizedOperation). */
  async function authorize(
    service: AwsServiceName,
    region: string,
    operation: string,
    input: Record<string, unknown>,
    caller: CallerIdentity,
  ) {
    const requests = authorizationRequests(service, operation, input, region, lookup);
    if (!requests) return; // malformed before IAM is consulted: the model answers (MissingParameter …)
    for (const request of requests) {
      const decision = await iam.evaluate(caller.roleArn, request);
      if (decision.result === 'allowed') continue;
      iam.recordDenial({
        atEpochMs: ctx.now(),
        principal: caller.roleArn,
        action: request.action,
        resource: request.resource,
        api: `${service}.${operation}`,
        dryRun: input.DryRun === true,
      });
      const code = deniedErrorCode(service);
      throw ctx.error(service, code, deniedMessage(service, assumedRoleArn(caller.roleArn, caller.sessionName), decision));
    }
  }

  async function dispatch(
    service: AwsServiceName,
    region: string,
    operation: string,
    input: Record<string, unknown>,
    caller: CallerIdentity | undefined,
    requestTimeoutMs: number | undefined,
  ): Promise<Record<string, unknown>> {
    const api = `${service}.${operation}`;
    const atEpochMs = ctx.now();
    const dryRun = input.DryRun === true || (service === 'lambda' && input.InvocationType === 'DryRun');
    const entry: CallLogEntry = {
      api,
      region,
      atEpochMs,
      mutating: !dryRun && !READ_ONLY_OPERATION.test(operation),
      ok: false,
      ...(dryRun && { dryRun: true }),
    };
    counts[api] = (counts[api] ?? 0) + 1;
    try {
      if (darkRegions.has(region))
        throw ctx.error(service, 'ECONNREFUSED', `connect ECONNREFUSED ${service}.${region}.amazonaws.com:443 (region dark)`);
      const fault = faults.take(api);
      if (fault) entry.injected = true;
      if (fault?.latencyMs) {
        // The client stops waiting at its request timeout, as the SDK's HTTP handler does; the slow
        // request is taken as lost on the way (not processed).
        if (requestTimeoutMs !== undefined && fault.latencyMs > requestTimeoutMs) {
          await sleep(requestTimeoutMs);
          throw requestTimedOut(requestTimeoutMs);
        }
        await sleep(fault.latencyMs);
      }
      if (fault?.error) throw ctx.error(service, fault.error, fault.message ?? defaultMessageFor(fault.error));
      if (caller) await inTurn(() => authorize(service, region, operation, input, caller));
      const output = (await models[service].handle(operation, input, {
        region,
        stuck: fault?.stuck ?? false,
        ...(fault?.lost && { lost: true }),
        ...(fault?.duplicate && { duplicate: true }),
        ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
      })) as Record<string, unknown>;
      entry.ok = true;
      return output ?? {};
    } catch (error) {
      entry.error = getAwsErrorCode(error);
      throw error;
    } finally {
      log.push(entry);
    }
  }

  function attach(service: AwsServiceName, region: string, client: unknown, caller?: CallerIdentity): void {
    if (!(AWS_SERVICES as readonly string[]).includes(service))
      throw new SwitchbackError(`world.attach: unknown service "${service}" (one of ${AWS_SERVICES.join(', ')})`);
    const stack = (client as { middlewareStack?: MiddlewareStackLike } | undefined)?.middlewareStack;
    if (!client || typeof client !== 'object' || !stack || typeof stack.add !== 'function') {
      throw new SwitchbackError(`world.attach: the ${service} client is not an AWS SDK v3 client (no middlewareStack)`);
    }
    if (attached.has(client)) return;
    attached.add(client);
    const timeouts = watchRequestTimeouts(client);
    const middleware =
      (_next: unknown, context: { commandName?: string }) =>
      async (args: { input?: unknown }): Promise<{ output: Record<string, unknown>; response: Record<string, never> }> => {
        const commandName = context.commandName;
        if (!commandName) throw new SwitchbackError(`world: a ${service} command arrived without a command name`);
        const operation = commandName.replace(/Command$/, '');
        const input = (args.input ?? {}) as Record<string, unknown>;
        const output = await dispatch(service, region, operation, input, caller, await timeouts.of(input));
        const status = typeof output.StatusCode === 'number' ? output.StatusCode : 200;
        return {
          output: {
            $metadata: {
              httpStatusCode: status,
              requestId: `world-${service}-${counts[`${service}.${operation}`]}`,
              attempts: 1,
              totalRetryDelay: 0,
            },
            ...output,
          },
          response: {},
        };
      };
    stack.add(middleware, { step: 'initialize', priority: 'high', name: MIDDLEWARE_NAME, tags: ['SWITCHBACK_WORLD'] });
  }

  /**
   * The request timeout the SDK would enforce on a call: `send(command, { requestTimeout })` or the
   * client's `requestHandler` config, only when `throwOnRequestTimeout` is set (without it the
   * handler only logs a warning). The send options never reach the middleware stack, so `send` is
   * wrapped to note them per command input (the middleware sees the same input object).
   */
  function watchRequestTimeouts(client: unknown): { of(input: object): Promise<number | undefined> } {
    const perCall = new WeakMap<object, number>();
    const sdk = client as {
      send: (command: { input?: unknown }, ...rest: unknown[]) => Promise<unknown>;
      config?: { requestHandler?: { configProvider?: Promise<{ requestTimeout?: number; throwOnRequestTimeout?: boolean }> } };
    };
    const send = sdk.send.bind(client);
    sdk.send = (command, ...rest) => {
      const options = rest[0] as { requestTimeout?: unknown } | undefined;
      if (command?.input && typeof command.input === 'object' && typeof options?.requestTimeout === 'number')
        perCall.set(command.input, options.requestTimeout);
      return send(command, ...rest);
    };
    return {
      async of(input) {
        const handlerConfig = await sdk.config?.requestHandler?.configProvider;
        if (!handlerConfig?.throwOnRequestTimeout) return undefined;
        const timeoutMs = perCall.get(input) ?? handlerConfig.requestTimeout;
        return timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : undefined;
      },
    };
  }

  function clientConfig(_service: AwsServiceName, region: string): Record<string, unknown> {
    return { region, credentials: { ...WORLD_CREDENTIALS }, endpoint: WORLD_ENDPOINT };
  }

  return {
    accountId: ctx.accountId,
    clientConfig,
    attach,
    awsOptions: (caller) => ({
      clientConfig,
      onClientCreated: (service, region, client) => attach(service, region, client, caller),
    }),
    seed: (config, stage) =>
      seedWorld(
        {
          route53: route53.world,
          ec2: ec2.world,
          sns: sns.world,
          cloudWatch: cloudWatch.world,
          rds: rds.world,
          autoScaling: autoScaling.world,
          ecs: ecs.world,
        },
        config,
        stage,
      ),
    route53: route53.world,
    ec2: ec2.world,
    sns: sns.world,
    cloudWatch: cloudWatch.world,
    lambda: lambda.world,
    eventBridge: eventBridge.world,
    rds: rds.world,
    autoScaling: autoScaling.world,
    ecs: ecs.world,
    sqs: sqs.world,
    iam: iam.world,
    faults: {
      add: (spec) => faults.add(spec),
      clear: () => faults.clear(),
      list: () => faults.list(),
      setRegionDark: (region, dark) => (dark ? darkRegions.add(region) : darkRegions.delete(region)),
    },
    apiCalls: () => ({ ...counts }),
    callLog: () => log.map((entry) => ({ ...entry })),
  };
}
