/**
 * The watchdog (run by every probe round in the control region): a run whose owner died (lease
 * expired) or that nobody picked up is handed to a new orchestrator, which takes the lease and
 * resumes at the first unfinished step.
 */
import type { ServiceState } from '../domain/types';
import { startOrchestrator } from './apply-decision';
import type { AppDeps } from './deps';

/** A run nobody has taken this long after it started (no lease yet) is resumed. */
export const WATCHDOG_UNCLAIMED_MS = 60_000;
/** Do not kick the same stalled run again within this window (the orchestrator needs time to take the lease). */
const WATCHDOG_REKICK_MS = 60_000;

/** One watchdog per probe invocation: it remembers which runs it kicked and when. */
export interface Watchdog {
  /** Hand the service's active run to a new orchestrator if it has stalled. */
  resumeIfStalled(state: ServiceState): Promise<void>;
}

export function createWatchdog(deps: AppDeps): Watchdog {
  const kicked = new Map<string, number>();
  return {
    async resumeIfStalled(state) {
      const run = state.activeRun;
      if (!run || run.status !== 'running') return;
      const nowEpochMs = deps.clock.now();
      const stalled = run.lease ? run.lease.expiresAtEpochMs <= nowEpochMs : nowEpochMs - run.startedAtEpochMs >= WATCHDOG_UNCLAIMED_MS;
      if (!stalled) return;
      const lastKick = kicked.get(run.id);
      if (lastKick !== undefined && nowEpochMs - lastKick < WATCHDOG_REKICK_MS) return;
      kicked.set(run.id, nowEpochMs);
      deps.logger.warn('resuming a stalled run', { service: state.service, runId: run.id, lease: run.lease });
      await startOrchestrator(deps, state.service, run.id);
    },
  };
}
