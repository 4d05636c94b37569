/**
 * The application wired the way `sim/runner.ts` wires it — real use cases and handlers,
 * real SDK clients answered by the embedded world, a store on (embedded) DynamoDB — but with the
 * pieces exposed so a benchmark can swap the store, time individual AWS calls and read counters.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ignoreEvents, DEPLOY_ROLES, silentLogger, type AppDeps } from '../../shared/app/deps';
import { createHandler, type UseCase } from '../../shared/app/lambda-handler';
import { ALL_AWS_CLIENT_FACTORIES } from '../../shared/aws/all-client-factories';
import { createAwsClients, type AwsClients, type AwsServiceName } from '../../shared/aws/clients';
import type { Clock } from '../../shared/clock';
import type { SwitchbackConfig } from '../../shared/config/types';
import { buildPlan } from '../../shared/domain/build-plan';
import { createProber, type Prober } from '../../shared/probes';
import { createStore, type Store } from '../../shared/store';
import { createSimAwsAdapters, createWorld, type World } from '../../sim/world';
import { orchestrator } from '../../functions/orchestrator';
import { probe } from '../../functions/probe';
import { noSelfMetrics } from '../../shared/self-metrics';

/** Lambda timeouts of serverless/deployment.ts, for the deadlines the use cases see. */
const FUNCTION_TIMEOUT_MS = { probe: 70_000, orchestrator: 900_000 } as const;
const USE_CASES: Record<keyof typeof FUNCTION_TIMEOUT_MS, UseCase<unknown>> = { probe, orchestrator };
type FunctionName = keyof typeof USE_CASES;

export interface HarnessOptions {
  config: SwitchbackConfig;
  clock: Clock;
  dynamo: DynamoDBDocumentClient;
  tableName: string;
  /** How an async invoke (the orchestrator) runs: the caller decides (track the promise, spawn a virtual task). */
  runAsync(name: string, work: () => Promise<unknown>): void;
  world?: { route53ChangeDelayMs?: number; ec2TransitionDelayMs?: number; sleep?(ms: number): Promise<void> };
  /** Called when a command is handed to an SDK client, before the world answers it (performance.now()). */
  onSend?(service: AwsServiceName, command: string, atMs: number): void;
  prober?: Prober;
}

export interface Harness {
  deps: AppDeps;
  world: World;
  /** The SDK clients the adapters use (answered by the world). */
  clients: AwsClients;
  /** Run a function the way the simulator does (same handler, a Lambda-like deadline). */
  invoke(name: FunctionName, payload: unknown): Promise<unknown>;
  /** Point the application at another table (a fresh service state per iteration). */
  useTable(tableName: string): Store;
  close(): Promise<void>;
}

export const SCHEDULED_EVENT = { source: 'aws.events', 'detail-type': 'Scheduled Event' } as const;

export function createHarness(options: HarnessOptions): Harness {
  const { config, clock } = options;
  const world = createWorld({
    now: () => clock.now(),
    ...(options.world?.sleep ? { sleep: options.world.sleep } : {}),
    route53ChangeDelayMs: options.world?.route53ChangeDelayMs ?? 1_000,
    ec2TransitionDelayMs: options.world?.ec2TransitionDelayMs ?? 1_000,
    onAsyncInvoke: (name: string, payload: unknown) => options.runAsync(name, () => invoke(name as FunctionName, payload)),
  });
  world.seed(config);
  const clients = createAwsClients({
    defaultRegion: config.controlRegion,
    factories: ALL_AWS_CLIENT_FACTORIES,
    clientConfig: world.clientConfig,
    onClientCreated: (service, region, client) => {
      world.attach(service, region, client);
      if (options.onSend) timeSends(client, service, options.onSend);
    },
  });
  const prober = options.prober ?? createProber({ maxConcurrency: 256, now: () => clock.now() });
  let nextId = 0;
  const deps: AppDeps = {
    config,
    planOf: buildPlan,
    store: createStore({ client: options.dynamo, tableName: options.tableName, now: () => clock.now() }),
    clock,
    random: Math.random,
    newId: () => `r${String(++nextId).padStart(5, '0')}`,
    location: config.controlRegion,
    role: DEPLOY_ROLES.controller,
    prober,
    aws: createSimAwsAdapters(clients),
    functions: { orchestrator: 'orchestrator', probe: 'probe' },
    logger: silentLogger,
    emit: ignoreEvents,
    metrics: noSelfMetrics,
  };
  let invocations = 0;

  function invoke(name: FunctionName, payload: unknown): Promise<unknown> {
    const useCase = USE_CASES[name];
    if (!useCase) return Promise.reject(new Error(`the benchmark harness has no function ${name}`));
    const startedAt = clock.now();
    return createHandler(() => deps, useCase)(payload, {
      awsRequestId: `${name}-${++invocations}`,
      functionName: name,
      invokedFunctionArn: `arn:aws:lambda:${config.controlRegion}:${world.accountId}:function:${name}`,
      getRemainingTimeInMillis: () => startedAt + FUNCTION_TIMEOUT_MS[name] - clock.now(),
    });
  }
  for (const name of Object.keys(USE_CASES) as FunctionName[]) world.lambda.register(name, (payload) => invoke(name, payload));

  return {
    deps,
    world,
    clients,
    invoke,
    useTable(tableName) {
      deps.store = createStore({ client: options.dynamo, tableName, now: () => clock.now() });
      return deps.store;
    },
    close: () => prober.close(),
  };
}

/** Wrap `client.send` to learn when each command leaves the application (sub-millisecond). */
function timeSends(client: unknown, service: AwsServiceName, onSend: NonNullable<HarnessOptions['onSend']>): void {
  const target = client as { send: (command: { constructor: { name: string } }, ...rest: unknown[]) => Promise<unknown> };
  const send = target.send.bind(client);
  target.send = (command, ...rest) => {
    onSend(service, command.constructor.name.replace(/Command$/, ''), performance.now());
    return send(command, ...rest);
  };
}

/** A clock on wall time whose sleeps only yield: for measuring a path that has no sleeps in it. */
export const wallClockSkippingSleeps: Clock = {
  now: () => Date.now(),
  sleep: () => new Promise((resolve) => setImmediate(resolve)),
};
