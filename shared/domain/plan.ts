/**
 * Runbook plans at run time (pure, no action module): a new run from its plan, references between
 * steps, the order steps run in, and the plan as lines for people. Plans are built from config by
 * ./build-plan.ts (which loads every step action); the state machine gets them through its context.
 *
 * References: `${steps.<id>.<key>}` is an output of an earlier step of the same run;
 * `${failover.<id>.<key>}` (failback runs only) an output of the failover run it undoes, e.g. the
 * standby that failover launched, for the secondary's cleanup to stop.
 */
import type { ServiceConfig } from '../config/types';
import { StepRefError } from './errors';
import type { FailoverOutputs, PlanStep, Run, RunKind, RunTrigger, StepRecord } from './types';

/** Both kinds of reference: group 1 `steps` or `failover`, 2 the step id, 3 the output key. */
const ANY_REF = /\$\{(steps|failover)\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}/g;
const WHOLE_REF = /^\$\{(steps|failover)\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}$/;

/**
 * Where a service's plan for a run comes from (AppDeps `planOf`): the compiled config in the Lambda
 * functions (../config/compiled.ts `compiledPlanSource`), `buildPlan` (./build-plan.ts) everywhere
 * else. Either way it is what `buildPlan(service, kind)` returns.
 */
export type PlanSource = (service: ServiceConfig, kind: RunKind) => PlanStep[];

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The plan as numbered lines for people (`switchback plan`, drill dry-run). With `service` and `kind`
 * a header line names the service and record; `formatPlan(steps)` prints the steps only.
 */
export function formatPlan(steps: PlanStep[]): string;
export function formatPlan(service: ServiceConfig, kind: RunKind, steps: PlanStep[]): string;
export function formatPlan(...args: [PlanStep[]] | [ServiceConfig, RunKind, PlanStep[]]): string {
  const steps = args.length === 1 ? args[0] : args[2];
  const header = args.length === 3 ? [`${args[1]} plan for ${args[0].name} (${args[0].dns.recordName}):`] : [];
  const units = planUnits(steps);
  const width = String(units.length).length;
  const line = (step: PlanStep, label: string, indent: number) => {
    const details = [step.id, `timeout ${seconds(step.timeoutMs)}`];
    if (step.retry.maxAttempts > 1) details.push(`up to ${step.retry.maxAttempts} attempts`);
    if (step.onFailure === 'continue') details.push('on failure continue');
    return `${label.padStart(indent)}. ${step.description}  [${details.join('; ')}]`;
  };
  const lines = units.flatMap((unit, index) => {
    const number = String(index + 1);
    if (unit.length === 1 && unit[0].parallel === undefined) return [line(unit[0], number, width + 2)];
    const head = `${number.padStart(width + 2)}. in parallel (${String(unit[0].parallel)}), each branch its own step:`;
    return [head, ...unit.map((step, b) => line(step, `${number}${String.fromCharCode(97 + (b % 26))}`, width + 6))];
  });
  if (lines.length === 0) lines.push('  (no steps)');
  return [...header, ...lines].join('\n');
}

/**
 * The plan in the order it runs: a step of its own, or the consecutive branches of one parallel group
 * (same `parallel` label), which run at once. Indices into `steps`, grouped.
 */
export function planUnitIndices(steps: PlanStep[]): number[][] {
  const units: number[][] = [];
  steps.forEach((step, index) => {
    const last = units.at(-1);
    if (step.parallel !== undefined && last && steps[last[0]].parallel === step.parallel) last.push(index);
    else units.push([index]);
  });
  return units;
}

function planUnits(steps: PlanStep[]): PlanStep[][] {
  return planUnitIndices(steps).map((unit) => unit.map((index) => steps[index]));
}

/**
 * Replace `${steps.<id>.<key>}` in step params with outputs of earlier steps. A string that is exactly
 * one reference takes the output's own type (e.g. a list of instance ids); otherwise it is interpolated.
 */
export function resolveStepRefs<T>(params: T, steps: StepRecord[], failover?: FailoverOutputs): T {
  const lookup = (source: string, id: string, key: string, ref: string) => {
    if (source === 'failover') {
      if (!failover) throw new StepRefError(ref, 'this run does not undo a failover run (only a failback can use its outputs)');
      const output = failover.steps[id];
      if (!output) throw new StepRefError(ref, `the failover run ${failover.runId} has no output of a step "${id}"`);
      const carried = output[key];
      if (carried === undefined) throw new StepRefError(ref, `step "${id}" of the failover run ${failover.runId} has no output "${key}"`);
      return carried;
    }
    const step = steps.find((candidate) => candidate.id === id);
    if (!step) throw new StepRefError(ref, `no step "${id}" in this run`);
    const value = step.output?.[key];
    if (value === undefined) throw new StepRefError(ref, `step "${id}" (${step.status}) has no output "${key}"`);
    return value;
  };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const whole = WHOLE_REF.exec(value);
      if (whole) return lookup(whole[1], whole[2], whole[3], value);
      return value.replace(ANY_REF, (ref, source: string, id: string, key: string) => {
        const found = lookup(source, id, key, ref);
        return Array.isArray(found) ? found.join(',') : String(found);
      });
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(params) as T;
}

/** The outputs of a failover run's steps, to carry into the failback that undoes it (undefined if none). */
export function failoverOutputsOf(run: Run): FailoverOutputs | undefined {
  if (run.kind !== 'failover') return undefined;
  const steps: FailoverOutputs['steps'] = {};
  for (const record of run.steps) if (record.output && Object.keys(record.output).length > 0) steps[record.id] = record.output;
  return Object.keys(steps).length > 0 ? { runId: run.id, steps } : undefined;
}

/** A new run in status `running` with every planned step pending. */
export function newRun(args: {
  id: string;
  service: ServiceConfig;
  kind: RunKind;
  trigger: RunTrigger;
  reason: string;
  nowEpochMs: number;
  drill?: { holdSeconds: number };
  /** What `buildPlan(service, kind)` returns (the state machine gets it from its context's `planOf`). */
  plan: PlanStep[];
  /** A failback: the outputs of the failover it undoes. */
  failover?: FailoverOutputs;
}): Run {
  const { plan } = args;
  return {
    id: args.id,
    service: args.service.name,
    kind: args.kind,
    trigger: args.trigger,
    reason: args.reason,
    status: 'running',
    startedAtEpochMs: args.nowEpochMs,
    plan,
    steps: plan.map((step) => ({ id: step.id, action: step.action, status: 'pending', attempts: 0 })),
    notifications: {},
    ...(args.drill ? { drill: { holdSeconds: args.drill.holdSeconds } } : {}),
    ...(args.kind === 'failback' && args.failover ? { failover: args.failover } : {}),
  };
}
