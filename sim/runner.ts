/**
 * `switchback simulate`: run a scenario on the embedded world with the REAL handlers — probe,
 * alarm, orchestrator, status, control, drill — over dynalite, the in-memory AWS models and HTTP
 * sites on 127.0.0.1. With the virtual clock idle time is skipped, so a two-hour outage plays in
 * seconds; everything the handlers do is real I/O against real (embedded) services.
 */
import type { AppDeps, ProbeRole } from '../shared/app/deps';
import { DEPLOY_ROLES, FUNCTION_AWS_ADAPTERS, silentLogger } from '../shared/app/deps';
import { createHandler, type UseCase } from '../shared/app/lambda-handler';
import { DEPLOYED_CLIENT_TIMEOUTS } from '../shared/app/runtime';
import { createAwsClients } from '../shared/aws/clients';
import { ALL_AWS_CLIENT_FACTORIES } from '../shared/aws/all-client-factories';
import { roundedSeconds, systemClock, type Clock } from '../shared/clock';
import type { ProbeSpec, ServiceConfig, SwitchbackConfig } from '../shared/config/types';
import { describeError } from '../shared/errors';
import type { ControllerEvent } from '../shared/events';
import { CrashError } from '../shared/engine';
import type { Run } from '../shared/domain/types';
import { buildPlan } from '../shared/domain/build-plan';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createProber, type Prober } from '../shared/probes';
import { createStore, type Store } from '../shared/store';
import { createControlWatchStore, type ControlWatchStore } from '../shared/store/control-watch';
import { countingEvents, recordingSelfMetrics, type SelfMetricName, type SelfMetrics } from '../shared/self-metrics';
import { alarm } from '../functions/alarm';
import { control } from '../functions/control';
import { drill } from '../functions/drill';
import { orchestrator } from '../functions/orchestrator';
import { probe } from '../functions/probe';
import { status } from '../functions/status';
import { connectEmbeddedDynamo, startEmbeddedDynamo } from './dynamo';
import { ioTurns, noTurns } from './io-turns';
import { deployProbeChains, probeChainDeps, probeChainUsage, type ProbeChainUsage } from './probe-chain';
import type { ProbeChainStore } from '../shared/store/probe-chain';
import { seededRandom } from './random';
import type { ApiFault, Scenario, ScenarioEvent } from './scenario';
import { startSite, type Site } from './sites';
import { VirtualClock } from './virtual-clock';
import {
  createSimAwsAdapters,
  createWorld,
  SIM_STAGE,
  type CallerIdentity,
  type CallLogEntry,
  type PublishedMessage,
  type World,
} from './world';
import { installSimulatedRoles, type SimulatedRole } from './iam-roles';
import { deployAlarmRouting, describeAlarmRoute } from './event-routing';
import { FUNCTION_KEYS, functionName, locationTableName, tableName, type FunctionKey } from '../serverless/naming';
import { ALARM_ASYNC_DELIVERY, FUNCTION_SETTINGS } from '../serverless/deployment';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { createFaultRegistry } from './world/faults';

/** The world's account (createWorld's default). */
const SIMULATED_ACCOUNT = '123456789012';
/** Scenarios start here (virtual clock), so timelines are reproducible. */
export const SIMULATION_START_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);
/** The stage the simulated deployment is (names of functions, table and roles follow it). */
/** The deployment stage the simulator plays (the world is seeded with its names). */
export const SIMULATION_STAGE = SIM_STAGE;
const TABLE_NAME = tableName(SIMULATION_STAGE);
const PROBE_PERIOD_MS = 60_000;
const DNS_POLL_MS = 1_000;
/** Keeps the scheduler's PRNG stream apart from the handlers' jitter stream of the same seed. */
const SCHEDULE_SEED_SALT = 0x5eed;
/** The seed of a scenario that names none. */
export const DEFAULT_SEED = 42;
const FUNCTION_TIMEOUT_MS: Record<string, number> = {
  probe: 70_000,
  orchestrator: 900_000,
  alarm: 30_000,
  status: 30_000,
  control: 30_000,
  drill: 300_000,
};
/** Lambda waits 1 minute before the first retry of an async event and 2 before the second. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

/** How often Lambda retries an async event of a deployed function (serverless/deployment.ts; AWS's default is 2). */
function asyncRetryAttempts(key: FunctionKey): number {
  if (key === 'alarm') return ALARM_ASYNC_DELIVERY.maximumRetryAttempts;
  return FUNCTION_SETTINGS[key].maximumRetryAttempts ?? 2;
}

/** A DynamoDB error as the SDK raises it (a modeled exception where there is one). */
function tableError(code: string): Error {
  const Modeled = (dynamodbSdk as unknown as Record<string, unknown>)[code];
  const $metadata = { httpStatusCode: code === 'InternalServerError' ? 500 : 400 };
  const message = `${code} (injected by the scenario)`;
  if (typeof Modeled === 'function' && Modeled.prototype instanceof dynamodbSdk.DynamoDBServiceException)
    return new (Modeled as new (options: { $metadata: object; message: string }) => Error)({ $metadata, message });
  return new dynamodbSdk.DynamoDBServiceException({ name: code, $fault: 'server', $metadata, message });
}

const USE_CASES: Record<FunctionKey, UseCase<unknown>> = { probe, alarm, orchestrator, status, control, drill };
/** `switchback-sim-orchestrator` → `orchestrator`: the names functions invoke each other by. */
const KEY_BY_FUNCTION_NAME = new Map<string, FunctionKey>(FUNCTION_KEYS.map((key) => [functionName(SIMULATION_STAGE, key), key]));

function isFunctionKey(name: string): name is FunctionKey {
  return (FUNCTION_KEYS as readonly string[]).includes(name);
}

export interface RunScenarioOptions {
  seed?: number;
  /**
   * Every function runs with the IAM policy `sls package` generates for it, and the world denies
   * what it does not allow (default true). Turn off only in a test about something else that needs
   * a config the generator cannot grant.
   */
  enforceIam?: boolean;
  /** Change the generated roles before the scenario starts (a test removing one grant). */
  adjustRoles?(roles: SimulatedRole[], world: World): void;
  /** Shape the world before the scenario starts (a test registering a user's hook function); `clock` is the scenario's. */
  prepareWorld?(world: World, clock: Clock): void;
  /** Watch (or, in tests, sabotage) the run: see SimulationHooks. */
  hooks?: SimulationHooks;
  /** Keep the world's call log and published messages in `result.trace`. */
  trace?: boolean;
}

export interface TimelineEntry {
  /** Seconds since the scenario started. */
  t: number;
  kind: 'probe' | 'alarm' | 'transition' | 'step' | 'sms' | 'dns' | 'invoke' | 'error' | 'decision' | 'site' | 'fault' | 'chain';
  service?: string;
  [key: string]: unknown;
}

export interface ServiceSummary {
  finalState: string;
  frozen: boolean;
  failovers: number;
  failbacks: number;
  dnsTarget: unknown;
  detectionSeconds?: number;
  failoverSeconds?: number;
  failbackSeconds?: number;
  reason?: string;
}

export interface SimulationResult {
  timeline: TimelineEntry[];
  summary: {
    durationSeconds: number;
    realSeconds: number;
    services: Record<string, ServiceSummary>;
    /**
     * Every text published (SNS accepted it). `notDelivered` counts the recipients it never reached
     * (an opted-out number, the monthly SMS spend limit), with the reasons.
     */
    /** `region`: the SNS region that took the text. */
    sms: Array<{ t: number; text: string; recipients: number; region: string; notDelivered?: number; notDeliveredReasons?: string[] }>;
    runs: Array<{
      service: string;
      kind: string;
      trigger: string;
      status: string;
      durationSeconds?: number;
      dnsPending?: boolean;
      error?: string;
      steps: Array<{ name: string; action: string; status: string; attempts: number }>;
      /** Stages whose SMS/topic publish failed (recorded on the run; never fails it). */
      notificationFailures: string[];
    }>;
    apiCalls: Record<string, number>;
    /** DynamoDB usage of the whole scenario (consumed units and requests). */
    dynamo: ReturnType<Store['stats']>;
    /**
     * Calls that changed something in the world the controller protects (DryRun calls excluded, and
     * the probe chain's SQS messages, which are switchback's own machinery like its DynamoDB writes).
     */
    mutatingApiCalls: number;
    /** The EC2 world at the end: every instance, volume attachment and address association. */
    ec2: {
      instances: Array<{ instanceId: string; state: string; clientToken?: string }>;
      attachments: Array<{ volumeId: string; instanceId: string; device: string }>;
      addresses: Array<{ allocationId: string; instanceId?: string }>;
    };
    invocations: Record<string, number>;
    /** The probe chains (absent with `world.probeChain: false`): lease writes and reads per location, SQS per queue. */
    probeChain?: ProbeChainUsage;
    /** switchback's own metrics per probe location (what the deployed functions publish as EMF), totals over the run. */
    metrics: Record<string, Partial<Record<SelfMetricName, number>>>;
    errors: string[];
    /** Calls the world's IAM denied (the function's generated policy does not allow them), in order. */
    accessDenied: Array<{ t: number; api: string; action: string; resource: string; role: string; dryRun: boolean }>;
  };
  /** Only with `{ trace: true }`. */
  trace?: SimulationTrace;
}

/** One DynamoDB Put as the embedded table answered it (STATE, RUN, EVT, DEDUP … items alike). */
export interface ItemWrite {
  atEpochMs: number;
  item: Record<string, unknown>;
  ok: boolean;
}

/** One invocation of a function by the scenario, the schedule, the world (Lambda Invoke) or a handler. */
export interface InvocationRecord {
  atEpochMs: number;
  name: string;
  how: string;
  payload: unknown;
  result?: unknown;
  error?: string;
}

/**
 * Ways to watch (and, in tests, to sabotage) a simulation from outside without changing what it
 * does: `switchback chaos` checks its invariants with these.
 */
export interface SimulationHooks {
  /** Every AppDeps the simulator builds (one per probe location) passes through here; tests swap in a faulty fake. */
  wrapDeps?(deps: AppDeps): AppDeps;
  onItemWrite?(write: ItemWrite): void;
  onInvocation?(invocation: InvocationRecord): void;
  /** Every probe result as the network gave it (before any handler, or a test's fake, saw it). */
  onProbe?(probe: ProbeRecord): void;
}

export interface ProbeRecord {
  atEpochMs: number;
  location: string;
  /** `<service>/<primary|secondary>`. */
  site: string;
  ok: boolean;
}

/** What the world saw, for checks that need more than the summary (`runScenario(…, { trace: true })`). */
export interface SimulationTrace {
  calls: CallLogEntry[];
  published: PublishedMessage[];
  startEpochMs: number;
  endEpochMs: number;
}

/** Task scheduling over the virtual clock (idle time skipped) or the wall clock. */
interface Scheduler extends Clock {
  /** `first`: at its instant it goes before the tasks and timers without it (see VirtualClock.sleep). */
  sleep(ms: number, options?: { first?: boolean }): Promise<void>;
  start(name: string, work: () => Promise<unknown>, options?: { first?: boolean }): void;
  runUntil(endEpochMs: number): Promise<void>;
  failures(): string[];
}

/** Serial: one task at a time, ties broken by a PRNG seeded from the scenario (see VirtualClock). */
function virtualScheduler(seed: number): Scheduler {
  const clock = new VirtualClock(SIMULATION_START_EPOCH_MS, {
    stuckAfterRealMs: 120_000,
    serial: { random: seededRandom(seed ^ SCHEDULE_SEED_SALT) },
  });
  return {
    now: () => clock.now(),
    sleep: (ms, options) => clock.sleep(ms, options),
    concurrently: (name, work) => clock.concurrently(name, work),
    start: (name, work, options) => clock.start(name, work, options),
    runUntil: (end) => clock.runUntil(end),
    failures: () => clock.failuresSoFar().map((failure) => `${failure.task}: ${describeError(failure.error)}`),
  };
}

function realScheduler(): Scheduler {
  const failures: string[] = [];
  return {
    ...systemClock,
    start: (name, work) => {
      work().catch((error) => failures.push(`${name}: ${describeError(error)}`));
    },
    runUntil: async (end) => {
      const waitMs = end - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    },
    failures: () => failures,
  };
}

/** Point each site's probe at its loopback server: host and port replaced, path and query kept. */
export function pointProbesAtSites(config: SwitchbackConfig, sites: Map<string, Site>): SwitchbackConfig {
  const rewrite = (spec: ProbeSpec, site: Site): ProbeSpec => {
    if (spec.type === 'tcp') return { ...spec, host: '127.0.0.1', port: site.port };
    const url = new URL(spec.url);
    return { ...spec, type: 'http', url: `http://127.0.0.1:${site.port}${url.pathname}${url.search}`, sni: undefined, tlsInsecure: false };
  };
  return {
    ...config,
    services: config.services.map((service) => ({
      ...service,
      primary: { ...service.primary, probe: rewrite(service.primary.probe, sites.get(`${service.name}/primary`) as Site) },
      secondary: { ...service.secondary, probe: rewrite(service.secondary.probe, sites.get(`${service.name}/secondary`) as Site) },
    })),
  };
}

/**
 * A prober whose location can be cut off from the world, or from some sites only (scenario
 * `location: …, reachable: false[, sites: [...]]`). `observe` sees every result as the network gave it.
 */
function partitionableProber(
  inner: Prober,
  isReachable: (spec: ProbeSpec) => boolean,
  now: () => number,
  observe: (spec: ProbeSpec, ok: boolean, startedAtEpochMs: number) => void = () => undefined,
): Prober {
  const unreachable = () => ({ ok: false, latencyMs: 0, cause: 'EHOSTUNREACH', checkedAtEpochMs: now() });
  return {
    probe: async (spec) => {
      const startedAtEpochMs = now();
      const outcome = isReachable(spec) ? await inner.probe(spec) : unreachable();
      observe(spec, outcome.ok, startedAtEpochMs);
      return outcome;
    },
    probeAll: async (specs) => {
      const startedAtEpochMs = now();
      const reachable = specs.filter(isReachable);
      const results = reachable.length > 0 ? await inner.probeAll(reachable) : [];
      let next = 0;
      const outcomes = specs.map((spec) => (isReachable(spec) ? results[next++] : unreachable()));
      specs.forEach((spec, index) => observe(spec, outcomes[index].ok, startedAtEpochMs));
      return outcomes;
    },
    close: () => inner.close(),
  };
}

/** Which site (`<service>/<primary|secondary>`) each rewritten probe spec belongs to. */
function siteOfSpec(config: SwitchbackConfig): Map<ProbeSpec, string> {
  const sites = new Map<ProbeSpec, string>();
  for (const service of config.services) {
    sites.set(service.primary.probe, `${service.name}/primary`);
    sites.set(service.secondary.probe, `${service.name}/secondary`);
  }
  return sites;
}

/** A document client that reports every Put (what DynamoDB stored, or refused) to `onItemWrite`. */
function observedDynamoClient(inner: DynamoDBDocumentClient, now: () => number, onItemWrite: (write: ItemWrite) => void) {
  const observed = Object.create(inner) as DynamoDBDocumentClient;
  const send = async (command: { input: unknown }) => {
    const item = command instanceof PutCommand ? (command.input.Item as Record<string, unknown>) : undefined;
    const atEpochMs = now();
    try {
      const output = await (inner.send as (command: unknown) => Promise<unknown>)(command);
      if (item) onItemWrite({ atEpochMs, item, ok: true });
      return output;
    } catch (error) {
      if (item) onItemWrite({ atEpochMs, item, ok: false });
      throw error;
    }
  };
  Object.defineProperty(observed, 'send', { value: send });
  return observed;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<SimulationResult> {
  const hooks = options.hooks ?? {};
  const realStartedAt = Date.now();
  const seed = options.seed ?? scenario.seed ?? DEFAULT_SEED;
  const scheduler = scenario.clock === 'real' ? realScheduler() : virtualScheduler(seed);
  const startEpochMs = scheduler.now();
  const t = (epochMs: number) => roundedSeconds(epochMs - startEpochMs);
  const timeline: TimelineEntry[] = [];
  const record = (entry: Omit<TimelineEntry, 't'> & { atEpochMs?: number }) => {
    const { atEpochMs, ...rest } = entry;
    timeline.push({ t: t(atEpochMs ?? scheduler.now()), ...rest } as TimelineEntry);
  };

  const sites = new Map<string, Site>();
  const dynamo = await startEmbeddedDynamo();
  const inTurn = scenario.clock === 'real' ? noTurns : ioTurns();
  const probers: Prober[] = [];
  /** The chains' leases get their own connection: `dynamodb.*` faults are the controller's table's, not the chains'. */
  let chainTable: ReturnType<typeof connectEmbeddedDynamo> | undefined;
  try {
    for (const service of scenario.config.services) {
      for (const role of ['primary', 'secondary'] as const)
        sites.set(`${service.name}/${role}`, await startSite({ name: `${service.name}/${role}`, now: () => scheduler.now() }));
    }
    const config = pointProbesAtSites(scenario.config, sites);
    await dynamo.createTable(TABLE_NAME);
    if (scenario.world.probeChain !== false) chainTable = connectEmbeddedDynamo(dynamo.endpoint);
    const chainLeases = new Map<string, ProbeChainStore>();
    // `dynamodb.<Operation>` faults: the table is dynalite, not a world model, so they fire in a
    // middleware of its client (before the request is sent: a throttled or failed write changes nothing).
    const tableFaults = createFaultRegistry();
    dynamo.rawClient.middlewareStack.add(
      (next, context) => async (args) => {
        const fault = tableFaults.take(`dynamodb.${String(context.commandName).replace(/Command$/, '')}`);
        if (fault?.latencyMs) await scheduler.sleep(fault.latencyMs);
        if (fault?.error) throw tableError(fault.error);
        return next(args);
      },
      { step: 'initialize', name: 'simulatedTableFaults' },
    );
    // On the virtual clock the table's requests take turns with the world's real I/O (see ./io-turns).
    // The turn is taken after the faults' virtual sleeps (`finalizeRequest`), never across them.
    for (const raw of [dynamo.rawClient, chainTable?.rawClient])
      raw?.middlewareStack.add((next) => (args) => inTurn(() => next(args)), { step: 'finalizeRequest', name: 'ioTurns' });
    const onItemWrite = hooks.onItemWrite;
    const client = onItemWrite ? observedDynamoClient(dynamo.client, () => scheduler.now(), onItemWrite) : dynamo.client;
    const store: Store = createStore({ client, tableName: TABLE_NAME, now: () => scheduler.now() });
    /** Regions in an outage (scenario `{ region, dark: true }`): their table, endpoints and functions do not answer. */
    const darkRegions = new Set<string>();
    /** The control region's table as the functions reach it: it fails to connect while that region is dark. */
    const reachableStore = regionBoundStore(store, () => darkRegions.has(scenario.config.controlRegion), scenario.config.controlRegion);
    // Each probe-only location's own table (its watch on the control region), in its own region.
    const controlWatches = new Map<string, ControlWatchStore>();
    for (const location of scenario.config.probeLocations.filter((candidate) => candidate !== scenario.config.controlRegion)) {
      const name = `${locationTableName(SIMULATION_STAGE)}-${location}`;
      await dynamo.createTable(name);
      controlWatches.set(
        location,
        createControlWatchStore({ client: dynamo.client, tableName: name, controlRegion: scenario.config.controlRegion }),
      );
    }

    const world: World = createWorld({
      now: () => scheduler.now(),
      sleep: (ms: number) => scheduler.sleep(ms),
      inTurn,
      route53ChangeDelayMs: scenario.world.route53ChangeSeconds * 1000,
      route53HealthCheckerIntervalMs: scenario.world.route53HealthCheckerSeconds * 1000,
      sms: {
        ...(scenario.world.smsMonthlySpendLimitUsd !== undefined && { monthlySpendLimitUsd: scenario.world.smsMonthlySpendLimitUsd }),
        ...(scenario.world.smsSpentUsd !== undefined && { spentUsd: scenario.world.smsSpentUsd }),
        ...(scenario.world.smsSandbox !== undefined && { inSandbox: scenario.world.smsSandbox }),
      },
      ec2TransitionDelayMs: scenario.world.ec2TransitionSeconds * 1000,
      rds: {
        ...(scenario.world.rdsFailoverSeconds !== undefined && { failoverMs: scenario.world.rdsFailoverSeconds * 1000 }),
        ...(scenario.world.rdsSwitchoverSeconds !== undefined && { switchoverMs: scenario.world.rdsSwitchoverSeconds * 1000 }),
      },
      onAsyncInvoke: (name: string, payload: unknown) => scheduler.start(`async ${name}`, () => invokeAsync(name, payload, 'async')),
      spawn: (name: string, work: () => Promise<unknown>) => scheduler.start(name, work),
    });
    world.seed(scenario.config);
    if (scenario.world.rdsReplicationLagSeconds !== undefined)
      for (const global of world.rds.globalClusters())
        for (const member of global.members)
          if (!member.isWriter) world.rds.setReplicationLagMs(member.dbClusterArn, scenario.world.rdsReplicationLagSeconds * 1000);
    const enforceIam = options.enforceIam ?? true;
    const roles = enforceIam ? installSimulatedRoles(scenario.config, world, { stage: SIMULATION_STAGE, accountId: world.accountId }) : [];
    options.adjustRoles?.(roles, world);
    // The alarm function's rules in the control region and the forwarder stacks of the other alarm regions.
    const missingForwarders = scenario.world.missingAlarmForwarders ?? [];
    deployAlarmRouting(scenario.config, world, {
      stage: SIMULATION_STAGE,
      accountId: world.accountId,
      missingForwarderRegions: missingForwarders,
    });
    options.prepareWorld?.(world, scheduler);
    const callerOf = (location: string, key: FunctionKey): CallerIdentity | undefined =>
      roles.find((role) => role.location === location && role.key === key) ??
      (enforceIam
        ? // A function this location does not deploy: a role with nothing attached.
          { roleArn: `arn:aws:iam::${world.accountId}:role/${functionName(SIMULATION_STAGE, key)}-${location}`, sessionName: key }
        : undefined);

    const reachable = new Map(config.probeLocations.map((location) => [location, true]));
    /** Sites a location cannot reach (a partial partition); a fully partitioned location is `reachable: false`. */
    const cutSites = new Map<string, Set<string>>();
    const specSites = siteOfSpec(config);
    const crashes = scenario.faults.flatMap((fault) => ('crash' in fault ? [{ ...fault.crash, remaining: fault.crash.times }] : []));
    /**
     * `crash: { afterApi }`: the orchestrator dies right after the named AWS call succeeded (its
     * effect happened in the world), before it could journal anything about it.
     */
    function crashAfterApi(service: string, client: unknown): void {
      const stack = (client as { middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void } }).middlewareStack;
      stack.add(
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          const answer = await next(args);
          const api = `${service}.${(context.commandName ?? '').replace(/Command$/, '')}`;
          const crash = crashes.find((candidate) => candidate.afterApi === api && candidate.remaining > 0);
          if (crash) {
            crash.remaining -= 1;
            record({ kind: 'fault', fault: 'crash', api, message: `orchestrator crashed right after ${api} succeeded` });
            throw new CrashError(`simulated crash after ${api} succeeded`);
          }
          return answer;
        },
        { step: 'initialize', priority: 'high', name: 'switchbackCrashAfterApi' },
      );
    }
    const random = seededRandom(seed);
    let nextId = 0;
    // The controller's events become timeline entries (in Lambda they are log lines).
    const emit = (event: ControllerEvent) => {
      const { atEpochMs, ...rest } = event;
      timeline.push({ t: t(atEpochMs), ...rest });
    };

    const proberByLocation = new Map<string, Prober>();
    for (const location of new Set([config.controlRegion, ...config.probeLocations])) {
      const prober = createProber({ maxConcurrency: 256, now: () => scheduler.now() });
      probers.push(prober);
      proberByLocation.set(location, prober);
    }
    // Every function of a location counts into that location's metrics (in AWS: one dimension set per region).
    const metricsByLocation: SimulationResult['summary']['metrics'] = {};
    const selfMetricsByLocation = new Map<string, SelfMetrics>();
    const selfMetricsOf = (location: string): SelfMetrics => {
      let metrics = selfMetricsByLocation.get(location);
      if (!metrics) {
        const recording = recordingSelfMetrics();
        metricsByLocation[location] = recording.totals;
        metrics = recording;
        selfMetricsByLocation.set(location, metrics);
      }
      return metrics;
    };
    // One set of clients per function and location: each runs with its own role.
    const depsByFunction = new Map<string, AppDeps>();
    function depsFor(location: string, key: FunctionKey): AppDeps {
      const cached = depsByFunction.get(`${location}|${key}`);
      if (cached) return cached;
      const worldOptions = world.awsOptions(callerOf(location, key));
      const clients = createAwsClients({
        defaultRegion: config.controlRegion,
        factories: ALL_AWS_CLIENT_FACTORIES,
        // As deployed: the world cuts a slow answer at the client's request timeout.
        ...DEPLOYED_CLIENT_TIMEOUTS,
        ...worldOptions,
        onClientCreated(service, region, client) {
          // Added first, so it wraps the world's answer: it sees the call succeed, then "kills" the orchestrator.
          if (key === 'orchestrator') crashAfterApi(service, client);
          worldOptions.onClientCreated(service, region, client);
        },
      });
      const prober = proberByLocation.get(location) as Prober;
      const role: ProbeRole = location === config.controlRegion ? DEPLOY_ROLES.controller : DEPLOY_ROLES.probeOnly;
      const controlWatch = controlWatches.get(location);
      const deps: AppDeps = {
        config,
        planOf: buildPlan,
        store: reachableStore,
        ...(controlWatch && { controlWatch }),
        clock: scheduler,
        random,
        newId: () => `r${String(++nextId).padStart(4, '0')}`,
        location,
        role,
        prober: partitionableProber(
          prober,
          (spec) => reachable.get(location) !== false && !cutSites.get(location)?.has(specSites.get(spec) ?? ''),
          () => scheduler.now(),
          (spec, ok, atEpochMs) => {
            const site = hooks.onProbe ? specSites.get(spec) : undefined;
            if (site) hooks.onProbe?.({ atEpochMs, location, site, ok });
          },
        ),
        // Exactly the adapters the deployed function carries.
        aws: createSimAwsAdapters(clients, FUNCTION_AWS_ADAPTERS[key]),
        ...(chainTable &&
          key === 'probe' && {
            chain: probeChainDeps({
              clients,
              client: chainTable.client,
              tableName: location === config.controlRegion ? TABLE_NAME : `${locationTableName(SIMULATION_STAGE)}-${location}`,
              location,
              stage: SIMULATION_STAGE,
              onLease: (where, lease) => chainLeases.set(where, lease),
            }),
          }),
        functions: { orchestrator: functionName(SIMULATION_STAGE, 'orchestrator'), probe: functionName(SIMULATION_STAGE, 'probe') },
        logger: silentLogger,
        emit: countingEvents(emit, selfMetricsOf(location)),
        metrics: selfMetricsOf(location),
        faults: {
          afterStepStart(step) {
            const crash = crashes.find(
              (candidate) =>
                candidate.step !== undefined && (candidate.step === step.action || candidate.step === step.id) && candidate.remaining > 0,
            );
            if (!crash) return;
            crash.remaining -= 1;
            record({ kind: 'fault', fault: 'crash', step: step.id, message: `orchestrator crashed right after starting ${step.id}` });
            throw new CrashError(`simulated crash after starting ${step.id}`);
          },
        },
      };
      const wrapped = hooks.wrapDeps ? hooks.wrapDeps(deps) : deps;
      depsByFunction.set(`${location}|${key}`, wrapped);
      return wrapped;
    }
    const invocations: Record<string, number> = {};
    const timeoutMs = (name: string) => {
      const configured = scenario.timeouts[name as keyof typeof scenario.timeouts];
      return configured !== undefined ? configured * 1000 : (FUNCTION_TIMEOUT_MS[name] ?? 30_000);
    };

    /** Run a function by its key (`orchestrator`) or deployed name (`switchback-sim-orchestrator`). */
    async function invoke(nameOrKey: string, payload: unknown, how: string, location = config.controlRegion): Promise<unknown> {
      const name = isFunctionKey(nameOrKey) ? nameOrKey : KEY_BY_FUNCTION_NAME.get(nameOrKey);
      if (!name) throw new Error(`no function named ${nameOrKey}`);
      const useCase = USE_CASES[name];
      invocations[name] = (invocations[name] ?? 0) + 1;
      const deps = depsFor(location, name);
      const startedAt = scheduler.now();
      const handler = createHandler(() => deps, useCase);
      return handler(payload, {
        awsRequestId: `${name}-${invocations[name]}`,
        functionName: functionName(SIMULATION_STAGE, name),
        invokedFunctionArn: `arn:aws:lambda:${location}:${SIMULATED_ACCOUNT}:function:${functionName(SIMULATION_STAGE, name)}`,
        getRemainingTimeInMillis: () => startedAt + timeoutMs(name) - scheduler.now(),
      }).then(
        (result: unknown) => {
          hooks.onInvocation?.({ atEpochMs: startedAt, name, how, payload, result });
          return result;
        },
        (error: unknown) => {
          record({ kind: 'error', message: `${name} (${how}) failed: ${describeError(error)}` });
          hooks.onInvocation?.({ atEpochMs: startedAt, name, how, payload, error: describeError(error) });
          throw error;
        },
      );
    }
    /**
     * Lambda's asynchronous invocation (EventBridge, SNS, `InvocationType: Event`): a function error
     * runs the event again, 1 minute and then 2 minutes later, as often as the function's deployed
     * MaximumRetryAttempts allows; then it goes to the on-failure destination
     * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
     */
    async function invokeAsync(nameOrKey: string, payload: unknown, how: string): Promise<unknown> {
      const key = isFunctionKey(nameOrKey) ? nameOrKey : KEY_BY_FUNCTION_NAME.get(nameOrKey);
      const retries = key ? asyncRetryAttempts(key) : 0;
      for (let attempt = 0; ; attempt++) {
        try {
          return await invoke(nameOrKey, structuredClone(payload), attempt === 0 ? how : `${how}, Lambda retry ${attempt}`);
        } catch {
          if (attempt >= retries) {
            record({
              kind: 'error',
              message: `${key ?? nameOrKey}: the event failed ${attempt + 1} time(s); Lambda gives up on it (on-failure destination)`,
            });
            return undefined;
          }
          await scheduler.sleep(ASYNC_RETRY_DELAYS_MS[attempt] ?? ASYNC_RETRY_DELAYS_MS[ASYNC_RETRY_DELAYS_MS.length - 1]);
        }
      }
    }

    for (const key of FUNCTION_KEYS)
      world.lambda.register(functionName(SIMULATION_STAGE, key), (payload: unknown) => invoke(key, payload, 'sync'), {
        timeoutSeconds: timeoutMs(key) / 1000,
      });

    // The probe chain (default, as deployed): each location's queue runs one round per message; the
    // schedule below seeds a chain whose next link is overdue. `world.probeChain: false` keeps the
    // schedule's minute of rounds in one invocation (the deployment before the chain).
    if (chainTable)
      deployProbeChains(world, config, {
        stage: SIMULATION_STAGE,
        probeTimeoutSeconds: timeoutMs('probe') / 1000,
        invokeProbe: (location, event) =>
          darkRegions.has(location)
            ? Promise.reject(new Error(`region ${location} is dark: the event source mapping cannot invoke probe`))
            : invoke('probe', event, 'sqs', location),
      });
    // The schedule: every probe location runs its probe function once a minute.
    const endEpochMs = startEpochMs + scenario.duration;
    for (const location of config.probeLocations) {
      scheduler.start(`schedule probe ${location}`, async () => {
        for (let at = startEpochMs; at < endEpochMs; at += PROBE_PERIOD_MS) {
          const waitMs = at - scheduler.now();
          if (waitMs > 0) await scheduler.sleep(waitMs);
          // A dark region runs nothing (its schedule does not fire).
          if (darkRegions.has(location)) continue;
          scheduler.start(`probe ${location} @${t(at)}`, () =>
            invoke('probe', { source: 'aws.events', 'detail-type': 'Scheduled Event' }, 'schedule', location),
          );
        }
      });
    }

    // What resolvers are told, sampled every second: one line per change.
    scheduler.start('dns watch', async () => {
      const last = new Map<string, string>();
      for (;;) {
        for (const service of config.services) {
          const answer = JSON.stringify(
            world.route53.resolve(service.dns.recordName, service.dns.type === 'alias' ? 'A' : service.dns.type) ?? null,
          );
          if (last.has(service.name) && last.get(service.name) !== answer)
            record({ kind: 'dns', service: service.name, name: service.dns.recordName, answer: JSON.parse(answer) });
          last.set(service.name, answer);
        }
        if (scheduler.now() + DNS_POLL_MS >= endEpochMs) return;
        await scheduler.sleep(DNS_POLL_MS);
      }
    });

    /** A scenario fault: DynamoDB faults hit the controller's table, the others the world's models. */
    function addFault(fault: ApiFault): void {
      const spec = {
        api: fault.api,
        ...(fault.error ? { error: fault.error } : {}),
        times: fault.times === 'always' ? Number.POSITIVE_INFINITY : fault.times,
        after: fault.after,
        ...(fault.latencyMs !== undefined ? { latencyMs: fault.latencyMs } : {}),
        ...(fault.stuck ? { stuck: true } : {}),
        ...(fault.lost ? { lost: true } : {}),
        ...(fault.duplicate ? { duplicate: true } : {}),
      };
      if (fault.api.startsWith('dynamodb.')) tableFaults.add(spec);
      else world.faults.add(spec);
    }
    for (const fault of scenario.faults) if ('api' in fault) addFault(fault);

    // A scenario's events go before the probe rounds and other work due at the same instant
    // (`first`): an event at 13 m is what the probe round of 13 m sees, whatever the seed.
    scenario.events.forEach((event, index) => {
      scheduler.start(
        `event ${index}`,
        async () => {
          const waitMs = startEpochMs + event.at - scheduler.now();
          if (waitMs > 0) await scheduler.sleep(waitMs, { first: true });
          await applyEvent(event);
        },
        { first: true },
      );
    });

    async function applyEvent(event: ScenarioEvent): Promise<void> {
      const repeat = event.repeat ?? 1;
      if ('site' in event) {
        const site = sites.get(event.site) as Site;
        const [service, role] = event.site.split('/');
        const mode =
          event.health === 'slow'
            ? { mode: 'slow' as const, latencyMs: event.latencyMs as number }
            : event.health === 'flap'
              ? { mode: 'flap' as const, periodSeconds: event.periodSeconds as number }
              : event.health === 'status'
                ? { mode: 'status' as const, status: event.status as number }
                : { mode: event.health };
        await site.setHealth(mode);
        record({
          kind: 'site',
          service,
          site: role,
          health: event.health,
          ...('latencyMs' in mode ? { latencyMs: mode.latencyMs } : {}),
          ...('periodSeconds' in mode ? { periodSeconds: mode.periodSeconds } : {}),
          ...('status' in mode ? { status: mode.status } : {}),
        });
      } else if ('alarm' in event) {
        const payload = alarmEventFor(
          config,
          event.alarm.name,
          event.alarm.state,
          scheduler.now() + (event.alarm.timestampOffsetSeconds ?? 0) * 1000,
          event.alarm.delivery,
          { region: event.alarm.region, account: event.alarm.account },
        );
        if (event.alarm.delivery === 'sns') {
          record({ kind: 'alarm', alarm: event.alarm.name, state: event.alarm.state, deliveries: repeat });
          await Promise.all(Array.from({ length: repeat }, () => invokeAsync('alarm', structuredClone(payload), 'event')));
        } else {
          // CloudWatch puts the state change on the default bus of the alarm's own region; rules take it from there.
          const routes = await Promise.all(
            Array.from({ length: repeat }, async () =>
              describeAlarmRoute(
                await world.eventBridge.putServiceEvent(structuredClone(payload) as Record<string, unknown>),
                world.accountId,
              ),
            ),
          );
          const { route, delivered, reason } = routes[0];
          const region = (payload as { region: string }).region;
          const hint = missingForwarders.includes(region)
            ? ` (the alarm forwarder stack of ${region} is not deployed: sls deploy --region ${region} --param role=alarm-forwarder)`
            : '';
          record({
            kind: 'alarm',
            alarm: event.alarm.name,
            state: event.alarm.state,
            deliveries: repeat,
            region,
            route,
            ...(delivered ? {} : { lost: true, reason: `never reaches the controller: ${reason}${hint}` }),
          });
        }
      } else if ('alarmEvent' in event) {
        for (let i = 0; i < repeat; i++) await invokeAsync('alarm', event.alarmEvent, 'event');
      } else if ('region' in event) {
        if (event.dark) darkRegions.add(event.region);
        else darkRegions.delete(event.region);
        world.faults.setRegionDark(event.region, event.dark);
        record({
          kind: 'site',
          region: event.region,
          dark: event.dark,
          message: `region ${event.region} ${event.dark ? 'dark: nothing there answers' : 'back'}`,
        });
      } else if ('location' in event && event.sites) {
        const cut = cutSites.get(event.location) ?? new Set<string>();
        for (const site of event.sites) {
          if (event.reachable) cut.delete(site);
          else cut.add(site);
        }
        cutSites.set(event.location, cut);
        record({
          kind: 'site',
          location: event.location,
          reachable: event.reachable,
          sites: event.sites,
          message: `probe location ${event.location} ${event.reachable ? 'reaches' : 'cannot reach'} ${event.sites.join(', ')}`,
        });
      } else if ('rds' in event) {
        const { region, available, cluster, replicationLagSeconds } = event.rds;
        const parts: string[] = [];
        if (region !== undefined && available !== undefined) {
          world.rds.setRegionAvailable(region, available);
          parts.push(`RDS in ${region} ${available ? 'is back' : 'is down'}`);
        }
        if (cluster !== undefined && replicationLagSeconds !== undefined) {
          world.rds.setReplicationLagMs(cluster, replicationLagSeconds * 1000);
          parts.push(`${cluster.replace(/^.*:cluster:/, '')} replication lag ${replicationLagSeconds}s`);
        }
        record({ kind: 'site', rds: event.rds, message: parts.join('; ') });
      } else if ('fault' in event) {
        addFault(event.fault);
        record({
          kind: 'fault',
          api: event.fault.api,
          message: `fault from now on: ${event.fault.api} ${event.fault.error ?? (event.fault.stuck ? 'stuck' : `+${event.fault.latencyMs}ms`)} ×${event.fault.times}`,
        });
      } else if ('location' in event) {
        reachable.set(event.location, event.reachable);
        record({
          kind: 'site',
          location: event.location,
          reachable: event.reachable,
          message: `probe location ${event.location} ${event.reachable ? 'reconnected' : 'partitioned'}`,
        });
      } else {
        for (let i = 0; i < repeat; i++) {
          const result = await invoke(event.invoke.function, event.invoke.payload ?? {}, 'operator').catch((error: unknown) => ({
            error: describeError(error),
          }));
          record({ kind: 'invoke', function: event.invoke.function, payload: event.invoke.payload ?? {}, result });
        }
      }
    }

    await scheduler.runUntil(endEpochMs);
    // Let in-flight work (a run mid-step) settle into the store before reading the outcome.
    const result = await summarize(config, scenario, store, world, timeline, startEpochMs, endEpochMs, t);
    result.summary.invocations = invocations;
    if (chainTable) result.summary.probeChain = probeChainUsage(world, chainLeases);
    result.summary.metrics = metricsByLocation;
    result.summary.errors.push(...scheduler.failures());
    result.summary.realSeconds = roundedSeconds(Date.now() - realStartedAt);
    if (options.trace) result.trace = { calls: world.callLog(), published: world.sns.published(), startEpochMs, endEpochMs };
    return result;
  } finally {
    await Promise.all([...sites.values()].map((site) => site.close()));
    await Promise.all(probers.map((prober) => prober.close()));
    chainTable?.close();
    await dynamo.close();
  }
}

/** The event CloudWatch would send for an alarm of this config (EventBridge, or SNS-wrapped). */
export function alarmEventFor(
  config: SwitchbackConfig,
  name: string,
  state: string,
  atEpochMs: number,
  delivery: 'eventbridge' | 'sns',
  options: { region?: string; account?: string } = {},
): unknown {
  const configured = config.services.flatMap((candidate) => candidate.primary.alarms).find((alarm) => alarm.name === name);
  const region = options.region ?? configured?.region ?? config.controlRegion;
  const account = options.account ?? configured?.account ?? SIMULATED_ACCOUNT;
  const arn = `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
  const time = new Date(atEpochMs).toISOString();
  if (delivery === 'sns') {
    const message = {
      AlarmName: name,
      AlarmArn: arn,
      NewStateValue: state,
      NewStateReason: 'Threshold Crossed (simulated)',
      StateChangeTime: time,
      Region: region,
      OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
    };
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          Sns: {
            Type: 'Notification',
            MessageId: `sim-${atEpochMs}`,
            TopicArn: `arn:aws:sns:${config.controlRegion}:123456789012:switchback-alarms`,
            Message: JSON.stringify(message),
            Timestamp: time,
          },
        },
      ],
    };
  }
  return {
    version: '0',
    id: `sim-${atEpochMs}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account,
    time,
    region,
    resources: [arn],
    detail: {
      alarmName: name,
      state: { value: state, reason: 'Threshold Crossed (simulated)', timestamp: time },
      previousState: { value: state === 'OK' ? 'ALARM' : 'OK', timestamp: time },
    },
  };
}

async function summarize(
  config: SwitchbackConfig,
  scenario: Scenario,
  store: Store,
  world: World,
  timeline: TimelineEntry[],
  startEpochMs: number,
  endEpochMs: number,
  t: (epochMs: number) => number,
): Promise<SimulationResult> {
  timeline.sort((a, b) => a.t - b.t);
  const services: Record<string, ServiceSummary> = {};
  const runs: SimulationResult['summary']['runs'] = [];
  for (const service of config.services) {
    const state = await store.getState(service.name);
    const archived = (await store.listRuns(service.name, 1000)).reverse();
    const all: Run[] = [...archived, ...(state?.activeRun ? [state.activeRun] : [])];
    for (const run of all) {
      runs.push({
        service: service.name,
        kind: run.kind,
        trigger: run.trigger,
        status: run.status,
        ...(run.endedAtEpochMs !== undefined ? { durationSeconds: roundedSeconds(run.endedAtEpochMs - run.startedAtEpochMs) } : {}),
        ...(run.dnsPending ? { dnsPending: true } : {}),
        ...(run.error ? { error: run.error } : {}),
        steps: run.steps.map((step) => ({ name: step.id, action: step.action, status: step.status, attempts: step.attempts })),
        notificationFailures: Object.entries(run.notifications ?? {})
          .filter(([, marker]) => marker && marker.ok === false)
          .map(([stage]) => stage),
      });
    }
    services[service.name] = {
      finalState: state?.state ?? 'PRIMARY',
      frozen: state?.frozen ?? false,
      failovers: all.filter((run) => run.kind === 'failover' && run.status === 'succeeded').length,
      failbacks: all.filter((run) => run.kind === 'failback' && run.status === 'succeeded').length,
      dnsTarget: world.route53.resolve(service.dns.recordName, service.dns.type === 'alias' ? 'A' : service.dns.type) ?? null,
      ...measure(service, scenario, all, startEpochMs),
      ...(state?.lastReason ? { reason: state.lastReason } : {}),
    };
  }
  // One entry per message: the same text sent to every number (and the topic) at once counts once.
  const sms: SimulationResult['summary']['sms'] = [];
  for (const message of world.sns.published()) {
    const entry = { t: t(message.atEpochMs), text: message.message, region: message.region };
    let same = sms.find((candidate) => candidate.t === entry.t && candidate.text === entry.text && candidate.region === entry.region);
    if (same) same.recipients += 1;
    else sms.push((same = { ...entry, recipients: 1 }));
    if (!message.delivered) {
      same.notDelivered = (same.notDelivered ?? 0) + 1;
      const reason = message.notDeliveredReason ?? 'not delivered';
      same.notDeliveredReasons = [...new Set([...(same.notDeliveredReasons ?? []), reason])];
    }
  }
  return {
    timeline,
    summary: {
      durationSeconds: Math.round((endEpochMs - startEpochMs) / 1000),
      realSeconds: 0,
      services,
      sms,
      runs,
      apiCalls: world.apiCalls(),
      dynamo: store.stats(),
      mutatingApiCalls: world.callLog().filter((call) => call.mutating && !call.api.startsWith('sqs.')).length,
      ec2: {
        instances: world.ec2.instances().map((instance) => ({
          instanceId: instance.instanceId,
          state: instance.state,
          ...(instance.clientToken ? { clientToken: instance.clientToken } : {}),
        })),
        attachments: world.ec2.volumes().flatMap((volume) =>
          volume.attachments.map((attachment) => ({
            volumeId: volume.volumeId,
            instanceId: attachment.instanceId,
            device: attachment.device,
          })),
        ),
        addresses: world.ec2
          .addresses()
          .map((address) => ({ allocationId: address.allocationId, ...(address.instanceId ? { instanceId: address.instanceId } : {}) })),
      },
      invocations: {},
      metrics: {},
      errors: timeline.filter((entry) => entry.kind === 'error').map((entry) => `${entry.t}s ${String(entry.message)}`),
      accessDenied: world.iam.denials().map((denial) => ({
        t: t(denial.atEpochMs),
        api: denial.api,
        action: denial.action,
        resource: denial.resource,
        role: denial.principal.replace(/^.*:role\//, ''),
        dryRun: denial.dryRun,
      })),
    },
  };
}

/** Detection = first primary outage event → start of the first automatic failover; failover/failback = run durations. */
function measure(service: ServiceConfig, scenario: Scenario, runs: Run[], startEpochMs: number): Partial<ServiceSummary> {
  const outage = scenario.events.find((event) => 'site' in event && event.site === `${service.name}/primary` && event.health !== 'up');
  const automatic = runs.find((run) => run.kind === 'failover' && run.trigger === 'auto');
  const failover = runs.find((run) => run.kind === 'failover' && run.status === 'succeeded' && run.endedAtEpochMs !== undefined);
  const failback = runs.find((run) => run.kind === 'failback' && run.status === 'succeeded' && run.endedAtEpochMs !== undefined);
  const detectedAfterMs = outage && automatic ? automatic.startedAtEpochMs - startEpochMs - outage.at : undefined;
  return {
    ...(detectedAfterMs !== undefined && detectedAfterMs >= 0 ? { detectionSeconds: roundedSeconds(detectedAfterMs) } : {}),
    ...(failover ? { failoverSeconds: roundedSeconds((failover.endedAtEpochMs as number) - failover.startedAtEpochMs) } : {}),
    ...(failback ? { failbackSeconds: roundedSeconds((failback.endedAtEpochMs as number) - failback.startedAtEpochMs) } : {}),
  };
}

/**
 * The store as the functions reach it over the network: while its region is dark every call fails to
 * connect (in AWS: the SDK's connect error or timeout), as the world's endpoints in that region do.
 */
function regionBoundStore(store: Store, isDark: () => boolean, region: string): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (isDark())
          return Promise.reject(
            Object.assign(new Error(`connect ECONNREFUSED dynamodb.${region}.amazonaws.com:443 (region dark)`), {
              code: 'ECONNREFUSED',
              syscall: 'connect',
            }),
          );
        return (value as (...callArgs: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
