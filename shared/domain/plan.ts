/**
 * Runbook plans built from config (pure). A failover runs the secondary's `prepare` steps, switches
 * DNS to the secondary, waits for INSYNC, then the primary's `cleanup`; a failback runs the primary's
 * `prepare`, switches DNS back, waits, then the secondary's `cleanup`. Cleanup runs after traffic
 * has left a site, and its failures never fail the run.
 *
 * References: `${steps.<id>.<key>}` is an output of an earlier step of the same run;
 * `${failover.<id>.<key>}` (failback runs only) an output of the failover run it undoes, e.g. the
 * standby that failover launched, for the secondary's cleanup to stop.
 */
import { findAction } from '../actions';
import type { StepAction } from '../actions/define-action';
import type { ServiceConfig, SiteRole, StepConfig } from '../config/types';
import { StepRefError } from './errors';
import type { FailoverOutputs, PlanAction, PlanStep, Run, RunKind, RunTrigger, StepRecord } from './types';

const REF = /\$\{steps\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}/g;
/** Both kinds of reference: group 1 `steps` or `failover`, 2 the step id, 3 the output key. */
const ANY_REF = /\$\{(steps|failover)\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}/g;
const WHOLE_REF = /^\$\{(steps|failover)\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}$/;

function actionOf(name: PlanAction): StepAction {
  const action = findAction(name);
  if (!action) throw new Error(`no step action module named ${name}`);
  return action;
}

export function buildPlan(service: ServiceConfig, kind: RunKind): PlanStep[] {
  const builder = new PlanBuilder(service);
  if (kind === 'failover') {
    builder.addConfigured(service.secondary.prepare, 'secondary', 'prepare');
    builder.addDnsSwitch('secondary');
    builder.addConfigured(service.primary.cleanup, 'primary', 'cleanup');
  } else {
    builder.addConfigured(service.primary.prepare, 'primary', 'prepare');
    builder.addDnsSwitch('primary');
    builder.addConfigured(service.secondary.cleanup, 'secondary', 'cleanup');
  }
  return builder.steps;
}

class PlanBuilder {
  readonly steps: PlanStep[] = [];
  private readonly perAction = new Map<string, number>();

  constructor(private readonly service: ServiceConfig) {}

  /** User steps of one list; user ids are kept (renamed `<id>#2` if the other side used it) and refs rewritten. */
  addConfigured(list: StepConfig[], role: SiteRole, phase: 'prepare' | 'cleanup'): void {
    const site = this.service[role];
    const renamed = new Map<string, string>();
    for (const config of list) {
      const id = config.id ? this.uniqueUserId(config.id) : this.nextId(config.action);
      if (config.id) renamed.set(config.id, id);
      const action = actionOf(config.action);
      const planned = action.planStep({
        params: config.params,
        service: this.service,
        placement: { role, region: site.region },
        rewriteRefs: (params) => rewriteRefs(params, renamed),
      });
      this.steps.push({
        id,
        action: config.action,
        params: planned.params,
        timeoutMs: (config.timeoutSeconds ?? planned.timeoutSeconds) * 1000,
        // Cleanup and notifications must never fail a run (DESIGN: notification failures never block it).
        onFailure: phase === 'cleanup' || action.neverFailsRun ? 'continue' : config.onFailure,
        retry: { ...action.defaults.retry, ...config.retry },
        description: planned.description,
        ...(config.parallel !== undefined && { parallel: config.parallel }),
      });
    }
  }

  addDnsSwitch(role: SiteRole): void {
    const { dns } = this.service;
    const switchId = this.nextId('route53.switch');
    this.addPlanned(switchId, 'route53.switch', {
      site: role,
      target: this.service[role].target,
      strategy: dns.strategy,
      hostedZoneId: dns.hostedZoneId,
      recordName: dns.recordName,
      type: dns.type,
      ttl: dns.ttl,
      ...(dns.setIdentifier ? { setIdentifier: dns.setIdentifier } : {}),
    });
    this.addPlanned(this.nextId('route53.waitInSync'), 'route53.waitInSync', {
      switchStepId: switchId,
      inSyncTimeoutSeconds: dns.inSyncTimeoutSeconds,
    });
  }

  /** A step the plan adds itself (the DNS switch and its wait): the action's defaults, nothing configured. */
  private addPlanned(id: string, name: PlanAction, params: Record<string, unknown>): void {
    const action = actionOf(name);
    const planned = action.planStep({ params, service: this.service });
    this.steps.push({
      id,
      action: name,
      params: planned.params,
      timeoutMs: planned.timeoutSeconds * 1000,
      onFailure: action.neverFailsRun ? 'continue' : 'abort',
      retry: { ...action.defaults.retry },
      description: planned.description,
    });
  }

  private nextId(action: string): string {
    let id: string;
    do {
      const n = (this.perAction.get(action) ?? 0) + 1;
      this.perAction.set(action, n);
      id = `${action}#${n}`;
    } while (this.steps.some((step) => step.id === id));
    return id;
  }

  private uniqueUserId(id: string): string {
    let candidate = id;
    for (let n = 2; this.steps.some((step) => step.id === candidate); n++) candidate = `${id}#${n}`;
    return candidate;
  }
}

function rewriteRefs<T>(params: T, renamed: Map<string, string>): T {
  if (![...renamed].some(([from, to]) => from !== to)) return params;
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(REF, (whole, id: string, key: string) => (renamed.has(id) ? `\${steps.${renamed.get(id)}.${key}}` : whole));
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };
  return rewrite(params) as T;
}

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
  /** A failback: the outputs of the failover it undoes. */
  failover?: FailoverOutputs;
}): Run {
  const plan = buildPlan(args.service, args.kind);
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
