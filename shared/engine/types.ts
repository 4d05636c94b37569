/**
 * What the runbook engine needs (`EngineDeps`) and what it reports (`EngineOutcome`; its steps,
 * texts and transitions go out as `ControllerEvent`s through `emit`).
 */
import type { CloudWatchAdapter } from '../aws/cloudwatch';
import type { Ec2Adapter } from '../aws/ec2';
import type { LambdaAdapter } from '../aws/lambda';
import type { Route53Adapter } from '../aws/route53';
import type { RdsAdapter } from '../aws/rds';
import type { AutoScalingAdapter } from '../aws/autoscaling';
import type { EcsAdapter } from '../aws/ecs';
import type { SnsAdapter } from '../aws/sns';
import type { Clock } from '../clock';
import type { SwitchbackConfig } from '../config/types';
import type { EventSink } from '../events';
import type { PlanStep, Run } from '../domain/types';
import type { Prober } from '../probes/types';
import type { Store } from '../store';

export interface EngineLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/**
 * Adapters of the services only runbook steps call (RDS, Auto Scaling, ECS): getters, so a function
 * loads an SDK client only when a step asks for it, and functions that never run steps (`probe`,
 * `alarm`) are built without them.
 */
export interface StepAdapters {
  rds(): RdsAdapter;
  autoScaling(): AutoScalingAdapter;
  ecs(): EcsAdapter;
}

export interface EngineAws {
  route53: Route53Adapter;
  /** The adapter, or a getter so functions that never run EC2 steps never load the EC2 client. */
  ec2: Ec2Adapter | (() => Ec2Adapter);
  sns: SnsAdapter;
  cloudWatch: CloudWatchAdapter;
  lambda: LambdaAdapter;
  steps?: StepAdapters;
}

export interface EngineFaults {
  /** Called right after a step is journalled as running; throwing a CrashError simulates the Lambda dying there. */
  afterStepStart?(step: PlanStep, run: Run): void;
}

export interface EngineDeps {
  config: SwitchbackConfig;
  store: Store;
  clock: Clock;
  /** Uniform in [0, 1): backoff jitter. */
  random(): number;
  aws: EngineAws;
  prober: Pick<Prober, 'probe'>;
  logger: EngineLogger;
  /** Steps, texts and the closing transition, each emitted once (logged in Lambda, a timeline entry in the simulator). */
  emit: EventSink;
  faults?: EngineFaults;
  /** How long a lease lasts without renewal (default 60 000). */
  leaseTtlMs?: number;
  /** Hand the run on when less than this is left before the deadline (default 20 000). */
  handoffMarginMs?: number;
}

export interface ExecuteRunOptions {
  /** Who runs it, e.g. `orchestrator:<request id>`: the lease owner. */
  owner: string;
  /** When this invocation is killed (epoch ms); the engine hands the run on before that. */
  deadlineEpochMs: number;
}

export const ENGINE_OUTCOMES = {
  /** The run ended (succeeded, failed or aborted) and the service state moved on. */
  finished: 'finished',
  /** Stopped before the deadline; the lease is released for the next invocation. */
  handoff: 'handoff',
  /** Someone else holds (or took) the lease: this invocation stopped without touching anything. */
  notOwner: 'not-owner',
  /** The service has no active run. */
  noRun: 'no-run',
  /** A simulated crash (CrashError): stopped at once, the lease left to expire. */
  crashed: 'crashed',
} as const;
export type EngineOutcomeStatus = (typeof ENGINE_OUTCOMES)[keyof typeof ENGINE_OUTCOMES];

export interface EngineOutcome {
  status: EngineOutcomeStatus;
  run?: Run;
  reason: string;
}
