/**
 * Operator use cases behind the `status` and `control` functions (and `switchback status|control`
 * locally). Every input is validated; an unknown service names the known ones; every answer carries
 * the same reason sentence the state machine logged.
 */
import { z } from 'zod';
import type { ServiceConfig } from '../config/types';
import { InputError, UnknownServiceError } from '../errors';
import type { Run, ServiceState } from '../domain/types';
import { decideAndApply } from './apply-decision';
import type { AppDeps } from './deps';

export const CONTROL_ACTIONS = ['freeze', 'unfreeze', 'failover', 'failback', 'approve', 'abort'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const RECENT_RUNS = 5;

export function findService(deps: Pick<AppDeps, 'config'>, name: unknown): ServiceConfig {
  if (typeof name !== 'string' || name.length === 0)
    throw new InputError(`service: is required; known services: ${knownServices(deps).join(', ')}`);
  const service = deps.config.services.find((candidate) => candidate.name === name);
  if (!service) throw new UnknownServiceError(name, knownServices(deps));
  return service;
}

function knownServices(deps: Pick<AppDeps, 'config'>): string[] {
  return deps.config.services.map((service) => service.name);
}

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(typeof input === 'string' ? safeJson(input) : input);
  if (!parsed.success) throw new InputError(`${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('input is not JSON');
  }
}

// ---------------------------------------------------------------------------------------------
// status

const statusInputSchema = z.strictObject({ service: z.string().min(1).optional() }).default({});

export interface RunSummary {
  id: string;
  kind: Run['kind'];
  trigger: Run['trigger'];
  status: Run['status'];
  reason: string;
  startedAt: string;
  durationSeconds?: number;
  currentStep?: string;
  /** Steps finished (succeeded, failed or skipped) of `stepsTotal`: the run's progress. */
  stepsDone: number;
  stepsTotal: number;
  dnsPending?: boolean;
  error?: string;
}

export interface ServiceStatus {
  service: string;
  state: ServiceState['state'];
  since: string;
  frozen: boolean;
  frozenBy?: string;
  reason?: string;
  locations: Array<{ location: string; primary: string; secondary: string; observedAt: string }>;
  activeRun?: RunSummary;
  recentRuns: RunSummary[];
}

export function summarizeRun(run: Run): RunSummary {
  const current = run.steps.find((step) => step.status === 'running') ?? run.steps.find((step) => step.status === 'pending');
  return {
    id: run.id,
    kind: run.kind,
    trigger: run.trigger,
    status: run.status,
    reason: run.reason,
    startedAt: new Date(run.startedAtEpochMs).toISOString(),
    ...(run.endedAtEpochMs !== undefined ? { durationSeconds: round1((run.endedAtEpochMs - run.startedAtEpochMs) / 1000) } : {}),
    ...(run.status === 'running' && current ? { currentStep: `${current.id} (${current.action})` } : {}),
    stepsDone: run.steps.filter((step) => step.status !== 'running' && step.status !== 'pending').length,
    stepsTotal: run.steps.length,
    ...(run.dnsPending ? { dnsPending: true } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function describeSite(site: { status: string; consecutive: number; lastCause?: string }): string {
  return `${site.status} ×${site.consecutive}${site.lastCause && site.status === 'down' ? ` (${site.lastCause})` : ''}`;
}

export async function getStatus(deps: AppDeps, input: unknown): Promise<{ services: ServiceStatus[] }> {
  const { service: name } = parseInput(statusInputSchema, input ?? {}, 'status');
  const services = name ? [findService(deps, name)] : deps.config.services;
  const [states, observations] = await Promise.all([deps.store.getStates(services.map((s) => s.name)), deps.store.listObservations()]);
  const result: ServiceStatus[] = [];
  for (const service of services) {
    const state = states.get(service.name) ?? (await deps.store.ensureState(service.name, deps.clock.now()));
    const runs = await deps.store.listRuns(service.name, RECENT_RUNS);
    result.push({
      service: service.name,
      state: state.state,
      since: new Date(state.sinceEpochMs).toISOString(),
      frozen: state.frozen,
      ...(state.frozenBy ? { frozenBy: state.frozenBy } : {}),
      ...(state.lastReason ? { reason: state.lastReason } : {}),
      locations: (observations.get(service.name) ?? []).map((observation) => ({
        location: observation.location,
        primary: describeSite(observation.primary),
        secondary: describeSite(observation.secondary),
        observedAt: new Date(observation.observedAtEpochMs).toISOString(),
      })),
      ...(state.activeRun ? { activeRun: summarizeRun(state.activeRun) } : {}),
      recentRuns: runs.map(summarizeRun),
    });
  }
  return { services: result };
}

// ---------------------------------------------------------------------------------------------
// control

const controlInputSchema = z.strictObject({
  action: z.enum(CONTROL_ACTIONS, { error: `must be one of ${CONTROL_ACTIONS.join(', ')}` }),
  service: z.string({ error: 'is required' }).min(1),
  by: z.string().min(1).max(64).optional(),
});

export interface ControlOutcome {
  service: string;
  action: ControlAction;
  accepted: boolean;
  state: ServiceState['state'];
  frozen: boolean;
  reason: string;
  runId?: string;
}

export async function runControl(deps: AppDeps, input: unknown): Promise<ControlOutcome> {
  const command = parseInput(controlInputSchema, input, 'control');
  const service = findService(deps, command.service);
  const applied = await decideAndApply(deps, service, { kind: 'command', command: command.action, by: command.by ?? 'operator' });
  const started = applied.decision.effects.find((effect) => effect.type === 'startRun');
  return {
    service: service.name,
    action: command.action,
    accepted: applied.decision.accepted,
    state: applied.state.state,
    frozen: applied.state.frozen,
    reason: applied.decision.reason,
    ...(started && started.type === 'startRun' ? { runId: started.run.id } : {}),
  };
}
