/**
 * Injected faults: "the next 2 route53.ChangeResourceRecordSets calls fail with Throttling",
 * "ec2.StartInstances answers after 3 s", "this Route 53 change never reaches INSYNC".
 * A fault matches calls by API name and counts every matching call from when it was added: calls
 * 1..`after` are not its business, the next `times` calls get it (Infinity: every call from then
 * on). When several faults are due for one call, the one added first applies.
 */
import { SwitchbackError } from '../../shared/errors';

export interface FaultSpec {
  /** `<service>.<Operation>`: `route53.ChangeResourceRecordSets`, `ec2.StartInstances`, `sns.Publish` … */
  api: string;
  /** The AWS error code to throw (`Throttling`, `InsufficientInstanceCapacity`, `ECONNRESET`, `TimeoutError` …). */
  error?: string;
  /** Replaces the default message of `error`. */
  message?: string;
  /** How many calls the fault applies to (default 1; `Infinity` for all). */
  times?: number;
  /** Let this many matching calls through untouched first (default 0). */
  after?: number;
  /** Delay before the call is answered (or fails), through `options.sleep` when the world has one. */
  latencyMs?: number;
  /**
   * The call succeeds but what it started never finishes: a Route 53 change stays PENDING
   * (on `route53.ChangeResourceRecordSets` or `route53.GetChange`), an instance stays `pending`
   * / `stopping`, a volume stays `attaching` / `detaching`.
   */
  stuck?: boolean;
  /** `sqs.SendMessage` only: the message is accepted and never delivered (a lost chain link). */
  lost?: boolean;
  /** `sqs.SendMessage` only: the message is delivered twice (SQS standard queues deliver at least once). */
  duplicate?: boolean;
}

export interface FaultEffect {
  error?: string;
  message?: string;
  latencyMs?: number;
  stuck: boolean;
  lost?: boolean;
  duplicate?: boolean;
}

export const STUCK_APIS: ReadonlySet<string> = new Set([
  'route53.ChangeResourceRecordSets',
  'route53.GetChange',
  'ec2.StartInstances',
  'ec2.StopInstances',
  'ec2.RunInstances',
  'ec2.AttachVolume',
  'ec2.DetachVolume',
  'autoScaling.UpdateAutoScalingGroup',
  'ecs.UpdateService',
  'rds.FailoverGlobalCluster',
  'rds.SwitchoverGlobalCluster',
]);

/** `dynamodb` faults are not the world's: the simulator applies them to the controller's table (sim/runner.ts). */
const API_PATTERN = /^(route53|ec2|sns|cloudWatch|lambda|eventBridge|rds|autoScaling|ecs|sqs|dynamodb)\.[A-Z][A-Za-z0-9]+$/;

export class InvalidFaultError extends SwitchbackError {
  override readonly name: string = 'InvalidFaultError';
}

interface ActiveFault {
  spec: Required<Pick<FaultSpec, 'api' | 'times' | 'after'>> & FaultSpec;
  seen: number;
  fired: number;
}

export interface FaultRegistry {
  add(spec: FaultSpec): void;
  clear(): void;
  /** The faults and how often each has fired. */
  list(): Array<FaultSpec & { fired: number }>;
  /** Called once per API call: the effect to apply, if a fault fires. */
  take(api: string): FaultEffect | undefined;
}

function validate(spec: FaultSpec): string[] {
  const problems: string[] = [];
  if (typeof spec.api !== 'string' || !API_PATTERN.test(spec.api)) {
    problems.push(
      `api: "${String(spec.api)}" must look like route53.ChangeResourceRecordSets (service one of route53, ec2, sns, cloudWatch, lambda, eventBridge, rds, autoScaling, ecs, sqs, dynamodb)`,
    );
  }
  const times = spec.times ?? 1;
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times >= 1)))
    problems.push('times: must be a whole number ≥ 1 or Infinity');
  const after = spec.after ?? 0;
  if (!(Number.isInteger(after) && after >= 0)) problems.push('after: must be a whole number ≥ 0');
  if (spec.latencyMs !== undefined && !(Number.isFinite(spec.latencyMs) && spec.latencyMs >= 0)) problems.push('latencyMs: must be ≥ 0');
  if (spec.error !== undefined && (typeof spec.error !== 'string' || spec.error.length === 0))
    problems.push('error: must be an AWS error code');
  if (spec.stuck && spec.error) problems.push('stuck and error exclude each other: a stuck call succeeds, an error fails it');
  if (spec.stuck && !STUCK_APIS.has(spec.api)) problems.push(`stuck: only meaningful on ${[...STUCK_APIS].join(', ')}`);
  if ((spec.lost || spec.duplicate) && spec.api !== 'sqs.SendMessage')
    problems.push('lost and duplicate: only meaningful on sqs.SendMessage');
  if ((spec.lost || spec.duplicate) && spec.error) problems.push('lost and duplicate exclude error: the send succeeds');
  if (!spec.error && !spec.stuck && !spec.lost && !spec.duplicate && spec.latencyMs === undefined)
    problems.push('give at least one of error, latencyMs, stuck, lost or duplicate');
  return problems;
}

export function createFaultRegistry(): FaultRegistry {
  let faults: ActiveFault[] = [];

  return {
    add(spec) {
      const problems = validate(spec);
      if (problems.length > 0)
        throw new InvalidFaultError(`invalid fault for ${String(spec.api)}: ${problems.join('; ')}`, { context: { spec } });
      faults.push({ spec: { ...spec, times: spec.times ?? 1, after: spec.after ?? 0 }, seen: 0, fired: 0 });
    },
    clear() {
      faults = [];
    },
    list() {
      return faults.map((fault) => ({ ...fault.spec, fired: fault.fired }));
    },
    take(api) {
      // Every live fault counts every matching call (so `after` means "the Nth call of this API",
      // whatever other faults did to the calls before it); the first one due fires.
      let due: ActiveFault | undefined;
      for (const fault of faults) {
        if (fault.spec.api !== api || fault.fired >= fault.spec.times) continue;
        fault.seen += 1;
        if (!due && fault.seen > fault.spec.after) due = fault;
      }
      if (due) {
        const fault = due;
        fault.fired += 1;
        return {
          ...(fault.spec.error !== undefined && { error: fault.spec.error }),
          ...(fault.spec.message !== undefined && { message: fault.spec.message }),
          ...(fault.spec.latencyMs !== undefined && { latencyMs: fault.spec.latencyMs }),
          stuck: fault.spec.stuck === true,
          ...(fault.spec.lost && { lost: true }),
          ...(fault.spec.duplicate && { duplicate: true }),
        };
      }
      return undefined;
    },
  };
}
