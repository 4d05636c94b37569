/**
 * Runbook plans built from config (pure). A failover runs the secondary's `prepare` steps, switches
 * DNS to the secondary and (record-swap) waits for INSYNC; a failback runs the primary's `prepare`,
 * switches DNS back, waits, then the secondary's `cleanup` (whose failures never fail the failback).
 */
import type { ServiceConfig, SiteConfig, SiteRole, SiteTarget, StepConfig } from '../config/types';
import { StepRefError } from './errors';
import type { PlanAction, PlanStep, Run, RunKind, RunTrigger, StepRecord } from './types';

type Retry = PlanStep['retry'];

const ROUTE53_RETRY: Retry = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 5_000 };
const EC2_RETRY: Retry = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 };

/** Default timeout and retry per action; `http.waitHealthy` and `route53.waitInSync` poll on their own. */
export const STEP_DEFAULTS: Record<Exclude<PlanAction, 'http.waitHealthy' | 'route53.waitInSync'>, { timeoutMs: number; retry: Retry }> & {
  'http.waitHealthy': { retry: Retry };
  'route53.waitInSync': { marginMs: number; retry: Retry };
} = {
  'ec2.start': { timeoutMs: 300_000, retry: EC2_RETRY },
  'ec2.stop': { timeoutMs: 300_000, retry: EC2_RETRY },
  'ec2.launchFromAmi': { timeoutMs: 600_000, retry: EC2_RETRY },
  'ec2.attachVolume': { timeoutMs: 120_000, retry: EC2_RETRY },
  'ec2.associateAddress': { timeoutMs: 120_000, retry: EC2_RETRY },
  'lambda.invoke': { timeoutMs: 60_000, retry: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4_000 } },
  notify: { timeoutMs: 30_000, retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 2_000 } },
  'route53.switch': { timeoutMs: 60_000, retry: ROUTE53_RETRY },
  'http.waitHealthy': { retry: { maxAttempts: 1, baseDelayMs: 1_000, maxDelayMs: 1_000 } },
  'route53.waitInSync': { marginMs: 30_000, retry: ROUTE53_RETRY },
};

const EC2_ACTIONS = new Set<string>(['ec2.start', 'ec2.stop', 'ec2.launchFromAmi', 'ec2.attachVolume', 'ec2.associateAddress']);
const REF = /\$\{steps\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}/g;

export function buildPlan(service: ServiceConfig, kind: RunKind): PlanStep[] {
  const builder = new PlanBuilder(service);
  if (kind === 'failover') {
    builder.addConfigured(service.secondary.prepare, 'secondary', 'prepare');
    builder.addDnsSwitch('secondary');
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
      const params = rewriteRefs(this.paramsFor(config, site, role), renamed);
      const defaults = STEP_DEFAULTS[config.action];
      const timeoutMs =
        config.timeoutSeconds !== undefined
          ? config.timeoutSeconds * 1000
          : config.action === 'http.waitHealthy'
            ? Number(params.timeoutSeconds) * 1000
            : (defaults as { timeoutMs: number }).timeoutMs;
      this.steps.push({
        id,
        action: config.action,
        params,
        timeoutMs,
        // Cleanup and notifications must never fail a run (DESIGN: notification failures never block it).
        onFailure: phase === 'cleanup' || config.action === 'notify' ? 'continue' : config.onFailure,
        retry: { ...defaults.retry, ...config.retry },
        description: describeStep(config.action, params, this.service),
      });
    }
  }

  addDnsSwitch(role: SiteRole): void {
    const { dns } = this.service;
    const target = this.service[role].target;
    const switchId = this.nextId('route53.switch');
    const params = {
      site: role,
      target,
      strategy: dns.strategy,
      hostedZoneId: dns.hostedZoneId,
      recordName: dns.recordName,
      type: dns.type,
      ttl: dns.ttl,
      ...(dns.setIdentifier ? { setIdentifier: dns.setIdentifier } : {}),
    };
    this.steps.push({
      id: switchId,
      action: 'route53.switch',
      params,
      timeoutMs: STEP_DEFAULTS['route53.switch'].timeoutMs,
      onFailure: 'abort',
      retry: { ...STEP_DEFAULTS['route53.switch'].retry },
      description: describeStep('route53.switch', params, this.service),
    });
    const waitParams = { switchStepId: switchId, inSyncTimeoutSeconds: dns.inSyncTimeoutSeconds };
    this.steps.push({
      id: this.nextId('route53.waitInSync'),
      action: 'route53.waitInSync',
      params: waitParams,
      timeoutMs: dns.inSyncTimeoutSeconds * 1000 + STEP_DEFAULTS['route53.waitInSync'].marginMs,
      // Not being INSYNC in time is reported as DNS_PENDING by the step itself; the change still goes through.
      onFailure: 'continue',
      retry: { ...STEP_DEFAULTS['route53.waitInSync'].retry },
      description: describeStep('route53.waitInSync', waitParams, this.service),
    });
  }

  private paramsFor(config: StepConfig, site: SiteConfig, role: SiteRole): Record<string, unknown> {
    const params: Record<string, unknown> = { ...config.params };
    if (EC2_ACTIONS.has(config.action) && params.region === undefined) params.region = site.region;
    if (config.action === 'http.waitHealthy') {
      params.site = role;
      params.timeoutSeconds ??= 300;
      params.intervalSeconds ??= 5;
    }
    return params;
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

function rewriteRefs(params: Record<string, unknown>, renamed: Map<string, string>): Record<string, unknown> {
  if (![...renamed].some(([from, to]) => from !== to)) return params;
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(REF, (whole, id: string, key: string) => (renamed.has(id) ? `\${steps.${renamed.get(id)}.${key}}` : whole));
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };
  return rewrite(params) as Record<string, unknown>;
}

function describeTarget(target: SiteTarget): string {
  if (Array.isArray(target)) return target.join(', ');
  if (typeof target === 'string') return target;
  return target.alias.dnsName;
}

function list(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function describeStep(action: PlanAction, params: Record<string, unknown>, service: ServiceConfig): string {
  const where = params.region ? ` in ${String(params.region)}` : '';
  switch (action) {
    case 'ec2.start':
      return `start ${list(params.instanceIds)}${where}`;
    case 'ec2.stop':
      return `stop ${list(params.instanceIds)}${where}`;
    case 'ec2.launchFromAmi':
      return `launch a ${String(params.instanceType)} from ${String(params.imageId)}${where}`;
    case 'ec2.attachVolume':
      return `attach ${String(params.volumeId)} to ${String(params.instanceId)} as ${String(params.device)}${where}`;
    case 'ec2.associateAddress':
      return `associate ${String(params.allocationId)} with ${String(params.instanceId)}${where}`;
    case 'http.waitHealthy': {
      const site = params.site === 'primary' ? service.primary : service.secondary;
      const probe = site.probe.type === 'tcp' ? `tcp ${site.probe.host}:${site.probe.port}` : site.probe.url;
      return `wait up to ${String(params.timeoutSeconds)}s for the ${String(params.site)} to pass its probe (${probe})`;
    }
    case 'lambda.invoke':
      return `invoke Lambda ${String(params.functionName)}${params.region ? ` in ${String(params.region)}` : ''}`;
    case 'notify':
      return `text on-call: "${String(params.message)}"`;
    case 'route53.switch': {
      const record = `${service.dns.recordName}`;
      if (params.strategy === 'health-check-flag') {
        return params.site === 'secondary'
          ? `flag the primary down (health-check metric) so Route 53 answers ${record} with the secondary`
          : `clear the primary-down flag so Route 53 answers ${record} with the primary`;
      }
      const type = service.dns.type === 'alias' ? 'alias' : service.dns.type;
      return `point ${record} ${type} at ${describeTarget(params.target as SiteTarget)}`;
    }
    case 'route53.waitInSync':
      return `wait up to ${String(params.inSyncTimeoutSeconds)}s for the DNS change to be INSYNC`;
  }
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
  const width = String(steps.length).length;
  const lines = steps.map((step, index) => {
    const details = [step.id, `timeout ${seconds(step.timeoutMs)}`];
    if (step.retry.maxAttempts > 1) details.push(`up to ${step.retry.maxAttempts} attempts`);
    if (step.onFailure === 'continue') details.push('on failure continue');
    return `${String(index + 1).padStart(width + 2)}. ${step.description}  [${details.join('; ')}]`;
  });
  if (lines.length === 0) lines.push('  (no steps)');
  return [...header, ...lines].join('\n');
}

/**
 * Replace `${steps.<id>.<key>}` in step params with outputs of earlier steps. A string that is exactly
 * one reference takes the output's own type (e.g. a list of instance ids); otherwise it is interpolated.
 */
export function resolveStepRefs<T>(params: T, steps: StepRecord[]): T {
  const lookup = (id: string, key: string, ref: string) => {
    const step = steps.find((candidate) => candidate.id === id);
    if (!step) throw new StepRefError(ref, `no step "${id}" in this run`);
    const value = step.output?.[key];
    if (value === undefined) throw new StepRefError(ref, `step "${id}" (${step.status}) has no output "${key}"`);
    return value;
  };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const whole = /^\$\{steps\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}$/.exec(value);
      if (whole) return lookup(whole[1], whole[2], value);
      return value.replace(REF, (ref, id: string, key: string) => {
        const found = lookup(id, key, ref);
        return Array.isArray(found) ? found.join(',') : String(found);
      });
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(params) as T;
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
  };
}
