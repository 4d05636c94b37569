/**
 * The fixed shape of a step action (middy's spirit: small modules, validated options, defaults).
 * One module per action in this folder; `index.ts` lists them. Everything that needs to know about
 * actions (config schema, typo hints, plan, engine, IAM generator, drill, README table) iterates over
 * that list instead of switching on names.
 *
 * This folder loads no AWS SDK: `execute` reaches AWS only through the adapters in its context, so the
 * pure plan (and the probe and alarm bundles) can import the registry.
 */
import type * as z from '../app/event-schema';
import type { ServiceConfig, SiteRole } from '../config/types';
import { StepParamsError } from '../engine/errors';
import type { ActionContext, ActionResult } from './context';
import type { Grant } from './grants';
import type { StepAdapters } from '../engine/types';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Params of a step as a zod schema (zod's mini build: see ./params) whose output is an object. The
 * classic config schema wraps these in its own containers; both are zod core schemas.
 */
export type ParamsSchema = z.ZodMiniType<Record<string, unknown>>;

export interface ActionDefaults<P> {
  /** The step's time budget unless the config sets `timeoutSeconds` (a number, or computed from the params). */
  timeoutSeconds: number | ((params: P) => number);
  retry: RetryPolicy;
}

/** Where a configured step runs: the site whose `prepare`/`cleanup` list holds it. */
export interface StepPlacement {
  role: SiteRole;
  region: string;
}

/** What `grants` may know besides the params: where the step acts and the control region. */
export interface GrantContext {
  /** The step's own `region` param if it has one, else its site's region. */
  region: string;
  controlRegion: string;
}

/** What a drill dry-run may use to check a step without acting. */
export interface DryRunContext {
  service: ServiceConfig;
  /** The step's region (its own `region` param, else its site's). */
  region: string;
  aws: Pick<ActionContext['aws'], 'ec2' | 'cloudWatch'> & { steps?: StepAdapters };
  /** The drill's clock (metric windows end here). */
  nowEpochMs: number;
  /** The step's id in the failover plan (a launched instance's Name tag carries it). */
  stepId: string;
  /**
   * Ask IAM whether the orchestrator's role may make this call (`iam:SimulatePrincipalPolicy`), for a
   * call whose input holds a `${steps.…}` reference (a value known only at run time): the same
   * authorization requests AWS evaluates for the real call, the referenced instance described as the
   * step that creates it will make it.
   */
  simulateOrchestrator(service: 'ec2', operation: string, input: Record<string, unknown>): Promise<{ ok: boolean; detail: string }>;
}

/** What a step that creates an instance knows about it before the run: what IAM will see when later steps act on it. */
export interface LaunchedInstance {
  tags: Record<string, string>;
  instanceType?: string;
}

export interface DryRunCheck {
  /** The check's name in the drill report, e.g. `permission ec2:StartInstances`. */
  check: string;
  run(): Promise<{ ok: boolean; detail: string }>;
}

export interface ActionSpec<Name extends string, S extends ParamsSchema> {
  name: Name;
  /** The params as the engine runs them (after the plan placed the step and `${steps.…}` were resolved). */
  params: S;
  /** What `switchback.yml` accepts, when it differs from `params` (fields the plan fills in are left out). */
  config?: ParamsSchema;
  /** Added by the plan itself (the DNS steps): a `prepare`/`cleanup` list cannot name it. */
  planOnly?: boolean;
  defaults: ActionDefaults<z.output<S>>;
  /** A failure of this action never fails the run (the plan makes it `onFailure: continue`). */
  neverFailsRun?: boolean;
  /**
   * The action cannot be undone by the opposite run (a promoted replica): why, in a few words. An
   * automatic failback after it needs `approve` unless the config names a step that re-establishes it.
   */
  oneWay?: string;
  /** One synchronous call that cannot renew the lease while it waits: the lease is held for the whole timeout. */
  holdsLeaseForTimeout?: boolean;
  /** Complete the params for the site the step runs at (e.g. the site's region). Pure. */
  place?(params: z.output<S>, placement: StepPlacement): z.output<S>;
  /** The plan line, e.g. `attach vol-… to i-… as /dev/sdf in us-west-2`. Pure. */
  describe(params: z.output<S>, service: ServiceConfig): string;
  /** IAM grants scoped to the resources the params name (a `${steps.…}` reference may widen one with a condition). */
  grants(params: z.output<S>, context: GrantContext): Grant[];
  /**
   * What the drill needs for `dryRunCheck` when it only reads (Describe*): without it the drill holds
   * the step's own `grants` (an EC2 DryRun answers for the caller's own permissions).
   */
  dryRunGrants?(params: z.output<S>, context: GrantContext): Grant[];
  /** Identifiers of existing instances the step acts on, for the drill's "standby instances" check. */
  namedInstanceIds?(params: z.output<S>): string[];
  /** The instance the step creates (`${steps.<id>.instanceId}` of a later step), as the drill simulates it. */
  launchedInstance?(params: z.output<S>, context: { serviceName: string; stepId: string }): LaunchedInstance;
  /**
   * The dry-run check asks IAM about the orchestrator's role (`DryRunContext.simulateOrchestrator`):
   * the drill is granted iam:SimulatePrincipalPolicy on that role.
   */
  dryRunSimulatesOrchestrator?: boolean;
  /** Ask exactly what the real call will ask, without acting (EC2 DryRun), and what else the step needs to work (the AMI exists). */
  dryRunCheck?(params: z.output<S>, context: DryRunContext): DryRunCheck | DryRunCheck[];
  /** Perform the step. Idempotent: a re-executed step must find its own earlier work and succeed. */
  execute(ctx: ActionContext, params: z.output<S>): Promise<ActionResult>;
}

/**
 * A step action as code that holds a list of mixed actions sees it (the plan, the engine, the IAM
 * generator, the drill): entry points that take params as stored (unknown) and validate them with
 * the action's own schema, so no caller needs a cast.
 */
export interface StepAction {
  name: string;
  /** The params as the engine runs them. */
  params: ParamsSchema;
  /** The schema `switchback.yml` accepts for this action (`config`, else `params`). */
  configSchema: ParamsSchema;
  defaults: { retry: RetryPolicy };
  planOnly?: boolean;
  neverFailsRun?: boolean;
  oneWay?: string;
  holdsLeaseForTimeout?: boolean;
  /** The drill can check this action without acting (`dryRunCheck`). */
  hasDryRunCheck: boolean;
  /** Its dry-run check asks IAM about the orchestrator's role. */
  dryRunSimulatesOrchestrator?: boolean;
  /** Validate stored params; throws StepParamsError naming the step, the field and the problem. */
  parseParams(params: unknown, stepLabel?: string): unknown;
  /**
   * Lay a step out for the plan: validate, place at its site, rewrite `${steps.…}` ids (`rewriteRefs`),
   * describe, and work out the time budget from the defaults.
   */
  planStep(input: { params: unknown; service: ServiceConfig; placement?: StepPlacement; rewriteRefs?: <T>(value: T) => T }): {
    params: Record<string, unknown>;
    description: string;
    timeoutSeconds: number;
  };
  grantsFor(params: unknown, context: GrantContext): Grant[];
  /** The drill's grants for this step's dry-run check (`dryRunGrants`, else `grants`). */
  dryRunGrantsFor(params: unknown, context: GrantContext): Grant[];
  namedInstanceIdsFor(params: unknown): string[];
  launchedInstanceFor(params: unknown, context: { serviceName: string; stepId: string }): LaunchedInstance | undefined;
  dryRunCheckFor(params: unknown, context: DryRunContext): DryRunCheck[];
  /** Validate the (resolved) params and execute. */
  run(ctx: ActionContext, params: unknown): Promise<ActionResult>;
}

/** What `defineAction` returns: the typed spec (for the action's own tests) and the erased entry points. */
export type DefinedAction<Name extends string, S extends ParamsSchema> = {
  name: Name;
  parseParams(params: unknown, stepLabel?: string): z.output<S>;
} & ActionSpec<Name, S> &
  StepAction;

function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`).join('; ');
}

export function defineAction<const Name extends string, S extends ParamsSchema>(spec: ActionSpec<Name, S>): DefinedAction<Name, S> {
  const parseParams = (params: unknown, stepLabel: string = spec.name): z.output<S> => {
    const parsed = spec.params.safeParse(params);
    if (parsed.success) return parsed.data;
    throw new StepParamsError(`step ${stepLabel}: ${describeIssues(parsed.error)}`, {
      context: { step: stepLabel, action: spec.name, issues: parsed.error.issues },
    });
  };
  return {
    ...spec,
    configSchema: spec.config ?? spec.params,
    hasDryRunCheck: spec.dryRunCheck !== undefined,
    parseParams,
    planStep: ({ params, service, placement, rewriteRefs }) => {
      const typed = parseParams(params);
      const placed = placement && spec.place ? spec.place(typed, placement) : typed;
      const rewritten = rewriteRefs ? rewriteRefs(placed) : placed;
      const timeout = spec.defaults.timeoutSeconds;
      return {
        params: rewritten,
        description: spec.describe(rewritten, service),
        timeoutSeconds: typeof timeout === 'number' ? timeout : timeout(rewritten),
      };
    },
    grantsFor: (params, context) => spec.grants(parseParams(params), context),
    dryRunGrantsFor: (params, context) => (spec.dryRunGrants ?? spec.grants)(parseParams(params), context),
    namedInstanceIdsFor: (params) => spec.namedInstanceIds?.(parseParams(params)) ?? [],
    launchedInstanceFor: (params, context) => spec.launchedInstance?.(parseParams(params), context),
    dryRunCheckFor: (params, context) => [spec.dryRunCheck?.(parseParams(params), context) ?? []].flat(),
    run: (ctx, params) => spec.execute(ctx, parseParams(params, `${ctx.step.id} (${spec.name})`)),
  };
}
