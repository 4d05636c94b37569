/**
 * The watchdog (run by every probe round in the control region): a run whose owner died (lease
 * expired) or that nobody picked up is handed to a new orchestrator, which takes the lease and
 * resumes at the first unfinished step. Every resume is journalled on the run and counted
 * (`RunResumes`); the `CRASH_LOOP_RESUMES`-th texts people once that the run keeps crashing: the
 * orchestrator dying over and over would otherwise be resumed every minute forever, silently.
 */
import { alertMessage } from '../domain/messages';
import type { ServiceState } from '../domain/types';
import { VersionConflictError } from '../store/errors';
import { startOrchestrator } from './apply-decision';
import type { AppDeps } from './deps';
import { notifyOnCall } from './notify';

/** A run nobody has taken this long after it started (no lease yet) is resumed. */
export const WATCHDOG_UNCLAIMED_MS = 60_000;
/** Do not kick the same stalled run again within this window (the orchestrator needs time to take the lease). */
const WATCHDOG_REKICK_MS = 60_000;
/** A run the watchdog had to resume this many times is crash-looping: people are texted once. */
export const CRASH_LOOP_RESUMES = 3;

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
      const lastKick = kicked.get(run.id) ?? run.watchdog?.lastAtEpochMs;
      if (lastKick !== undefined && nowEpochMs - lastKick < WATCHDOG_REKICK_MS) return;
      kicked.set(run.id, nowEpochMs);
      const previous = run.watchdog;
      const resumes = (previous?.resumes ?? 0) + 1;
      const crashLoop = resumes >= CRASH_LOOP_RESUMES && !previous?.alerted;
      const watchdog = { resumes, lastAtEpochMs: nowEpochMs, ...(previous?.alerted || crashLoop ? { alerted: true } : {}) };
      try {
        // Journalled before the text and the kick: a crash of this invocation never texts twice.
        await deps.store.saveState({ ...state, activeRun: { ...run, watchdog } }, state.version);
      } catch (error) {
        // Someone wrote first (the run's owner, an operator): the next round looks again.
        if (error instanceof VersionConflictError) return;
        throw error;
      }
      deps.metrics.count('RunResumes');
      deps.logger.warn('resuming a stalled run', { service: state.service, runId: run.id, lease: run.lease, resumes });
      if (crashLoop) {
        const at = run.steps.find((step) => step.status === 'running' || step.status === 'pending');
        const detail = `${run.kind} run ${run.id} resumed ${resumes} times by the watchdog${at ? `, at ${at.action}` : ''}`;
        await notifyOnCall(deps, state.service, alertMessage(state.service, 'crashLoop', detail), { key: 'crashLoop' });
      }
      await startOrchestrator(deps, state.service, run.id);
    },
  };
}
