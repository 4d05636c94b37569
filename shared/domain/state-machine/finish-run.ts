/**
 * A run ended (the engine calls this): move to the state it leads to and say so. A failed or aborted
 * run whose DNS switch already succeeded lands where traffic is (SECONDARY after a failover, PRIMARY
 * after a failback), with a reason that says what failed.
 */
import { firstLine } from '../../errors';
import { StateMachineError } from '../errors';
import { SERVICE_STATES, type Run, type ServiceState, type ServiceStateName } from '../types';
import { failoverOutputsOf } from '../plan';
import { omit, withinLastDay } from './outcomes';
import { dataAgeNote } from '../data-age';

export function finishRun(state: ServiceState, run: Run, nowEpochMs: number): { state: ServiceState; reason: string } {
  if (!state.activeRun || state.activeRun.id !== run.id) {
    throw new StateMachineError(`run ${run.id} is not the active run of ${state.service} (active: ${state.activeRun?.id ?? 'none'})`, {
      context: { service: state.service, runId: run.id },
    });
  }
  if (run.status === 'running')
    throw new StateMachineError(`run ${run.id} is still running`, { context: { service: state.service, runId: run.id } });
  const expected = run.kind === 'failover' ? SERVICE_STATES.FAILING_OVER : SERVICE_STATES.FAILING_BACK;
  if (state.state !== expected) {
    throw new StateMachineError(`${run.kind} run ${run.id} finished while ${state.service} is ${state.state}`, {
      context: { service: state.service, runId: run.id },
    });
  }
  const tookSeconds = Math.round(((run.endedAtEpochMs ?? nowEpochMs) - run.startedAtEpochMs) / 1000);
  const switched = run.steps.some((step) => step.action === 'route53.switch' && step.status === 'succeeded');
  const failover = run.kind === 'failover';
  const drill = run.trigger === 'drill' && failover && run.status === 'succeeded' && run.drill;
  let to: ServiceStateName;
  let reason: string;
  if (run.status === 'succeeded') {
    to = failover ? SERVICE_STATES.SECONDARY : SERVICE_STATES.PRIMARY;
    const age = dataAgeNote(run);
    const pending = `${age ? `; ${age}` : ''}${run.dnsPending ? '; DNS_PENDING' : ''}`;
    if (drill && state.incident)
      reason = `drill failover succeeded in ${tookSeconds}s, but a real incident opened meanwhile: staying on SECONDARY as a real failover${pending}`;
    else if (drill)
      reason = `drill failover succeeded in ${tookSeconds}s: holding on SECONDARY for ${run.drill?.holdSeconds ?? 0}s${pending}`;
    else if (run.trigger === 'drill') reason = `drill complete: back on PRIMARY (failback took ${tookSeconds}s)${pending}`;
    else reason = `${run.kind} succeeded in ${tookSeconds}s: ${failover ? 'now on SECONDARY' : 'back on PRIMARY'}${pending}`;
  } else {
    const what = describeFailure(run);
    if (switched) {
      to = failover ? SERVICE_STATES.SECONDARY : SERVICE_STATES.PRIMARY;
      reason = `${run.kind} ${what} after the DNS switch: traffic is on ${to}`;
    } else {
      to = failover ? SERVICE_STATES.FAILOVER_FAILED : SERVICE_STATES.FAILBACK_FAILED;
      reason = `${run.kind} ${what}; ${failover ? 'DNS unchanged' : 'traffic still on SECONDARY'}`;
    }
  }
  const base = omit(state, 'activeRun', 'primaryHealthySinceEpochMs', 'failbackApproved', 'drill');
  // What the failover made (a launched standby …) stays known until the failback that undoes it.
  const carried = failoverOutputsOf(run);
  const next: ServiceState = {
    ...(failover ? omit(base, 'failoverOutputs') : base),
    ...(carried && { failoverOutputs: carried }),
    failoverHistoryEpochMs: withinLastDay(state.failoverHistoryEpochMs, nowEpochMs),
    state: to,
    sinceEpochMs: nowEpochMs,
    lastTransition: { from: state.state, to, atEpochMs: nowEpochMs, reason, trigger: run.trigger },
    ...(run.trigger !== 'drill' && { cooldownSinceEpochMs: nowEpochMs }),
    lastReason: reason,
    ...(drill && !state.incident
      ? {
          drill: {
            holdUntilEpochMs: nowEpochMs + (run.drill?.holdSeconds ?? 0) * 1000,
            runId: run.id,
            holdSeconds: run.drill?.holdSeconds ?? 0,
          },
        }
      : {}),
  };
  return { state: next, reason };
}

function describeFailure(run: Run): string {
  if (run.status === 'aborted') return `aborted by ${run.abortRequested?.by ?? 'an operator'}`;
  const failed = [...run.steps].reverse().find((step) => step.status === 'failed');
  const error = shorten(failed?.error ?? run.error ?? 'unknown error');
  return failed ? `failed at ${failed.action}: ${error}` : `failed: ${error}`;
}

function shorten(text: string): string {
  const line = firstLine(text);
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
