/**
 * The `status` function's use case (and `switchback status`): per service its state and the reason
 * sentence the state machine logged, what each probe location last saw, the active run and the last runs.
 */
import * as z from './event-schema';
import { roundedSeconds } from '../clock';
import { waitingForApproval } from '../domain/messages';
import type { Run, ServiceState } from '../domain/types';
import type { AppDeps } from './deps';
import { findService, parseInput } from './operator-input';

const RECENT_RUNS = 5;

const statusInputSchema = z._default(z.strictObject({ service: z.optional(z.string().check(z.minLength(1))) }), {});

export interface RunSummary {
  id: string;
  kind: Run['kind'];
  trigger: Run['trigger'];
  status: Run['status'];
  reason: string;
  startedAt: string;
  durationSeconds?: number;
  currentStep?: string;
  /** `waiting for approval: <message> (NNs left)` while an approval step waits for `control approve`. */
  waiting?: string;
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

export function summarizeRun(run: Run, nowEpochMs?: number): RunSummary {
  const waiting = nowEpochMs === undefined || run.status !== 'running' ? undefined : waitingForApproval(run, nowEpochMs);
  // The branches of a parallel group run at once: all of them.
  const running = run.steps.filter((step) => step.status === 'running');
  const current = running.length > 0 ? running : run.steps.filter((step) => step.status === 'pending').slice(0, 1);
  return {
    id: run.id,
    kind: run.kind,
    trigger: run.trigger,
    status: run.status,
    reason: run.reason,
    startedAt: new Date(run.startedAtEpochMs).toISOString(),
    ...(run.endedAtEpochMs !== undefined ? { durationSeconds: roundedSeconds(run.endedAtEpochMs - run.startedAtEpochMs) } : {}),
    ...(run.status === 'running' && current.length > 0
      ? { currentStep: current.map((step) => `${step.id} (${step.action})`).join(', ') }
      : {}),
    ...(waiting && { waiting }),
    stepsDone: run.steps.filter((step) => step.status !== 'running' && step.status !== 'pending').length,
    stepsTotal: run.steps.length,
    ...(run.dnsPending ? { dnsPending: true } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
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
      ...(state.activeRun ? { activeRun: summarizeRun(state.activeRun, deps.clock.now()) } : {}),
      recentRuns: runs.map(summarizeRun),
    });
  }
  return { services: result };
}
