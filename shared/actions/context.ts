/** What a step action's `execute` gets besides its params (the adapters, the run, the clock), and what it returns. */
import type { CloudWatchAdapter } from '../aws/cloudwatch';
import type { Ec2Adapter } from '../aws/ec2';
import type { LambdaAdapter } from '../aws/lambda';
import type { Route53Adapter } from '../aws/route53';
import type { RdsAdapter } from '../aws/rds';
import type { AutoScalingAdapter } from '../aws/autoscaling';
import type { EcsAdapter } from '../aws/ecs';
import { SwitchbackError } from '../errors';
import type { Clock } from '../clock';
import type { ServiceConfig, SwitchbackConfig } from '../config/types';
import type { PlanStep, Run, StepRecord } from '../domain/types';
import type { Prober } from '../probes/types';
import type { PublishOutcome } from '../engine/notifications';
import type { EngineLogger, StepAdapters } from '../engine/types';

export type StepOutput = NonNullable<StepRecord['output']>;

export interface ActionResult {
  output?: StepOutput;
  note?: string;
}

export interface ActionContext {
  config: SwitchbackConfig;
  service: ServiceConfig;
  /** The run as journalled when the step started (read-only: change it through the callbacks below). */
  run: Run;
  step: PlanStep;
  /** When the step's time budget ends (epoch ms): polls stop here. */
  deadlineEpochMs: number;
  /**
   * When this invocation must be done with the step (the Lambda deadline less the hand-off margin):
   * one blocking call (a synchronous hook) must return by then, whatever its budget says.
   */
  invocationDeadlineEpochMs: number;
  /** Which attempt of the step's retry policy this is (1-based). */
  attempt: number;
  aws: {
    route53: Route53Adapter;
    ec2(): Ec2Adapter;
    cloudWatch: CloudWatchAdapter;
    lambda: LambdaAdapter;
    rds(): RdsAdapter;
    autoScaling(): AutoScalingAdapter;
    ecs(): EcsAdapter;
  };
  prober: Pick<Prober, 'probe'>;
  clock: Clock;
  /** Sleep on the engine's clock; renews the lease on the way and hands the run on near the invocation deadline. */
  sleep(ms: number): Promise<void>;
  logger: EngineLogger;
  /** Text the on-call people (each number + topic; failures are reported, never thrown). */
  publish(text: string): Promise<PublishOutcome>;
  /** The run as stored now: an operator may have approved (`run.approvals`) or asked for an abort since the step started. */
  readRun(): Promise<Run>;
  /** Change the run in the journal (a conditional write that renews the lease): marks a step keeps across resumes. */
  updateRun(change: (run: Run) => Run): Promise<Run>;
  /** DNS did not reach INSYNC in time: mark the run DNS_PENDING and tell people (once per run). */
  reportDnsPending(waitedSeconds: number): Promise<void>;
}

/** The database and fleet adapters a step may ask for; a function built without them says so when a step does. */
export function stepAdapters(steps: StepAdapters | undefined): StepAdapters {
  const missing = (service: string) => () => {
    throw new SwitchbackError(`this function was built without the ${service} client; database and fleet steps run in the orchestrator`);
  };
  return steps ?? { rds: missing('RDS'), autoScaling: missing('Auto Scaling'), ecs: missing('ECS') };
}
