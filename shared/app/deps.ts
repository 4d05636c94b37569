/**
 * What the use cases need, passed in once per cold start (or per simulated world). Nothing here
 * reaches a module-scope client: handlers build `AppDeps` in their composition root, the simulator
 * builds it over the embedded world, tests build it by hand.
 */
import type { CloudWatchAdapter } from '../aws/cloudwatch';
import type { Ec2Adapter } from '../aws/ec2';
import type { EventBridgeAdapter } from '../aws/eventbridge';
import type { IamAdapter } from '../aws/iam';
import type { LambdaAdapter } from '../aws/lambda';
import type { Route53Adapter } from '../aws/route53';
import type { StepAdapters } from '../engine/types';
import type { SnsAdapter } from '../aws/sns';
import type { Clock } from '../clock';
import type { SwitchbackConfig } from '../config/types';
import type { PlanSource } from '../domain/plan';
import type { Prober } from '../probes';
import type { EngineFaults, EngineLogger } from '../engine/types';
import type { EventSink } from '../events';
import type { SelfMetrics } from '../self-metrics';
import type { Store } from '../store';
import type { ControlWatchStore } from '../store/control-watch';
import type { ProbeChainStore } from '../store/probe-chain';
import type { ChainQueue } from '../aws/sqs';

/** The engine's logger serves every use case. */
export type Logger = EngineLogger;

/**
 * The AWS adapters a deployed function may carry. Each function carries only those it uses
 * (`FUNCTION_AWS_ADAPTERS`), so its bundle holds only their SDK clients: a cold start is mostly V8
 * compiling the bundle, in proportion to its size.
 */
export const AWS_ADAPTER_NAMES = ['sns', 'cloudWatch', 'lambda', 'route53', 'ec2', 'eventBridge', 'iam', 'steps'] as const;
export type AwsAdapterName = (typeof AWS_ADAPTER_NAMES)[number];

/**
 * Which adapters each deployed function carries (its `functions/<name>.ts` passes exactly these). The
 * simulator gives each function the same ones, so a scenario in which a function reaches for another
 * adapter fails there the way the deployed function would, with the same message.
 */
export const FUNCTION_AWS_ADAPTERS = {
  // Texts (SNS), the orchestrator invoke (Lambda), the health-check-flag metrics (CloudWatch).
  probe: ['sns', 'cloudWatch', 'lambda'],
  // Texts and invokes (the orchestrator; probe for a confirming round; a failback check hook).
  alarm: ['sns', 'lambda'],
  orchestrator: ['sns', 'cloudWatch', 'lambda', 'route53', 'ec2', 'steps'],
  drill: ['sns', 'cloudWatch', 'lambda', 'route53', 'ec2', 'eventBridge', 'iam', 'steps'],
  // Reads DynamoDB only.
  status: [],
  control: ['sns', 'lambda'],
} as const satisfies Record<string, readonly AwsAdapterName[]>;

/** Adapters over the AWS SDK; each throws a clear error in a function built without it (`FUNCTION_AWS_ADAPTERS`). */
export interface AwsAdapters {
  route53: Route53Adapter;
  ec2(): Ec2Adapter;
  sns: SnsAdapter;
  cloudWatch: CloudWatchAdapter;
  lambda: LambdaAdapter;
  /** Only the drill reads EventBridge (alarm forwarders); other functions never load its client. */
  eventBridge(): EventBridgeAdapter;
  /** Only the drill asks IAM (SimulatePrincipalPolicy on the orchestrator's role); other functions never load its client. */
  iam(): IamAdapter;
  /** Database and fleet adapters, only in functions that run steps (see `StepAdapters`). */
  steps?: StepAdapters;
}

/** For each adapter to replace: the replacement, made from the original when first asked for. */
export type AdapterOverrides = { [Name in keyof AwsAdapters]?: (original: AwsAdapters[Name]) => AwsAdapters[Name] };

/**
 * `aws` with some adapters replaced and the others left unread. Not `{ ...aws, sns }`: spreading
 * calls every adapter's getter, and one a function was built without throws (`FUNCTION_AWS_ADAPTERS`).
 * A replacement is made when first asked for, so replacing an adapter a function does not carry
 * fails only if it is used.
 */
export function withAdapters(aws: AwsAdapters, overrides: AdapterOverrides): AwsAdapters {
  const layered = Object.create(aws) as AwsAdapters;
  for (const [name, override] of Object.entries(overrides) as Array<[keyof AwsAdapters, (original: unknown) => unknown]>) {
    let made: { value: unknown } | undefined;
    Object.defineProperty(layered, name, {
      enumerable: true,
      get: () => (made ??= { value: override(aws[name]) }).value,
    });
  }
  return layered;
}

/**
 * What one `sls deploy` puts in its region: the controller (controlRegion), a probe location
 * (probe-only; it also holds the alarm forwarder when its region needs one), or only the alarm
 * forwarder (a region that holds configured alarms and is not a probe location).
 */
export const DEPLOY_ROLES = { controller: 'controller', probeOnly: 'probe-only', alarmForwarder: 'alarm-forwarder' } as const;
export type DeployRole = (typeof DEPLOY_ROLES)[keyof typeof DEPLOY_ROLES];
/** The roles a probe function runs in (an alarm-forwarder stack has none). */
export type ProbeRole = Exclude<DeployRole, typeof DEPLOY_ROLES.alarmForwarder>;

export interface FunctionNames {
  orchestrator: string;
  probe: string;
}

export interface AppDeps {
  config: SwitchbackConfig;
  /**
   * A service's runbook plan for a run (what `buildPlan` returns): read from the compiled config in
   * Lambda (so probe, alarm, control and status load no step action module), built by `buildPlan` in
   * the simulator, the CLI and tests.
   */
  planOf: PlanSource;
  store: Store;
  clock: Clock;
  /** Uniform in [0, 1): backoff jitter. */
  random(): number;
  newId(): string;
  /** The region this process probes from (a probe location). */
  location: string;
  role: ProbeRole;
  prober: Prober;
  aws: AwsAdapters;
  functions: FunctionNames;
  /** Diagnostics that are not controller events (a rejected input, a retried write). */
  logger: Logger;
  /**
   * The one channel for controller events (rounds, decisions, transitions, steps, texts, invocations,
   * alarms, errors): a structured log line in Lambda (./event-log), a timeline entry in the simulator.
   */
  emit: EventSink;
  /**
   * switchback's own health metrics (../self-metrics): Powertools EMF in Lambda, in memory in the
   * simulator. Counts that follow from an event (a failed text, a failed hook) are made where the
   * composition root wires `emit` (`countingEvents`), not here.
   */
  metrics: SelfMetrics;
  /**
   * A probe-only location's watch on the control region, kept in a table in the location's own
   * region (../store/control-watch); absent in the control region.
   */
  controlWatch?: ControlWatchStore;
  /**
   * The probe chain of this location (./probe-chain): its lease, in the table of the location's own
   * region, and its queue. Only the `probe` function has it; without it the schedule's invocation
   * runs a minute of rounds itself (sleeping between them, which Lambda bills).
   */
  chain?: { store: ProbeChainStore; queue: ChainQueue };
  /** Test and simulator hooks into the runbook engine (e.g. a crash right after a step starts). */
  faults?: EngineFaults;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** For callers that do not watch the controller's events (benchmarks, some tests). */
export const ignoreEvents: EventSink = () => {};
