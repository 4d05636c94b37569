/** Building blocks every handler shares: refusals, one-off alerts, starting a run, and plain-data helpers. */
import { StateMachineError } from '../errors';
import { alertMessage, type AlertKey } from '../messages';
import { newRun } from '../plan';
import { SERVICE_STATES, type Run, type RunKind, type RunTrigger, type ServiceState } from '../types';
import type { Outcome, Situation } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Failover start times within the last 24 h, inclusive at both ends (so any 24 h window holds at most the cap). */
export function withinLastDay(historyEpochMs: number[], nowEpochMs: number): number[] {
  return historyEpochMs.filter((at) => nowEpochMs - at <= DAY_MS);
}

export function refused(s: Situation, reason: string): Outcome {
  return { state: s.state, reason, accepted: false };
}

export function frozenNote(state: ServiceState): string {
  return `frozen by ${state.frozenBy ?? 'an operator'}: automation paused`;
}

/** The run of a FAILING_OVER / FAILING_BACK row (`decide` has already checked that it is there). */
export function activeRunOf(s: Situation): Run {
  const run = s.state.activeRun;
  if (!run)
    throw new StateMachineError(`${s.state.service} is ${s.state.state} without an active run`, { context: { service: s.state.service } });
  return run;
}

/** Send a one-off alert unless this incident already sent it (opening an incident if none is open). */
export function alertOnce(s: Situation, key: AlertKey, reason: string, detail: string): Outcome {
  const incident = s.state.incident ?? { openedAtEpochMs: s.ctx.nowEpochMs, alertsSent: [] };
  if (incident.alertsSent.includes(key)) return { state: s.state, reason };
  const text = alertMessage(s.ctx.service.name, key, detail);
  return {
    state: { ...s.state, incident: { ...incident, alertsSent: [...incident.alertsSent, key] } },
    reason,
    effects: [{ type: 'notify', key, text }],
  };
}

export function startRun(s: Situation, kind: RunKind, trigger: RunTrigger, why: string, drill?: { holdSeconds: number }): Outcome {
  const { ctx } = s;
  const run = newRun({
    id: ctx.newRunId,
    service: ctx.service,
    kind,
    trigger,
    reason: why,
    nowEpochMs: ctx.nowEpochMs,
    plan: ctx.planOf(kind),
    ...(drill ? { drill } : {}),
    ...(kind === 'failback' && s.state.failoverOutputs ? { failover: s.state.failoverOutputs } : {}),
  });
  const to = kind === 'failover' ? SERVICE_STATES.FAILING_OVER : SERVICE_STATES.FAILING_BACK;
  const reason = `${kind === 'failover' ? 'failing over' : 'failing back'}: ${why}`;
  const base = omit(s.state, 'drill', 'primaryHealthySinceEpochMs', 'failbackApproved');
  return {
    state: {
      ...base,
      state: to,
      sinceEpochMs: ctx.nowEpochMs,
      activeRun: run,
      lastTransition: { from: s.state.state, to, atEpochMs: ctx.nowEpochMs, reason, trigger },
      ...(trigger !== 'drill' && { cooldownSinceEpochMs: ctx.nowEpochMs }),
    },
    reason,
    effects: [{ type: 'startRun', run }],
  };
}

export function omit<K extends keyof ServiceState>(state: ServiceState, ...keys: K[]): ServiceState {
  if (!keys.some((key) => key in state)) return state;
  const copy = { ...state };
  for (const key of keys) delete copy[key];
  return copy;
}

/** Structural equality of plain data; a key holding `undefined` counts as absent. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameData(item, b[i]));
  const ra = new Map<string, unknown>(Object.entries(a));
  const rb = new Map<string, unknown>(Object.entries(b));
  const keys = new Set([...ra.keys(), ...rb.keys()]);
  for (const key of keys) if (!sameData(ra.get(key), rb.get(key))) return false;
  return true;
}
