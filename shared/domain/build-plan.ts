/**
 * Runbook plans built from config: a failover runs the secondary's `prepare` steps, switches DNS to
 * the secondary, waits for INSYNC, then the primary's `cleanup`; a failback runs the primary's
 * `prepare`, switches DNS back, waits, then the secondary's `cleanup`. Cleanup runs after traffic
 * has left a site, and its failures never fail the run.
 *
 * Each step is planned by its action module (shared/actions: params schema, defaults, description),
 * so this module loads every action and their zod schemas. It runs where a config is compiled or
 * loaded whole: at `sls package` (shared/config/compile.ts puts every service's plans into the
 * compiled config), in the CLI, the simulator and tests. The Lambda functions read the plans from the
 * compiled config instead (AppDeps `planOf`), so probe, alarm, control and status load no action module.
 *
 * A user step's `${steps.<id>.<key>}` references are rewritten when the other side used its id
 * (`<id>#2`); ./plan.ts resolves them at run time.
 */
import { findAction } from '../actions';
import type { StepAction } from '../actions/define-action';
import type { ServiceConfig, SiteRole, StepConfig } from '../config/types';
import type { PlanAction, PlanStep, RunKind } from './types';

const REF = /\$\{steps\.([A-Za-z0-9_#.-]+?)\.([A-Za-z]+)\}/g;

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
