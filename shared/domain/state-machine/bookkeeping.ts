/**
 * Bookkeeping shared by every evidence input, done before the table is consulted: record the alarm
 * (or ignore a stale delivery), open and close the incident, run the failback hold-down clock.
 */
import { alarmTimeProblem, olderThanRecorded, recordedAlarmEpochMs } from '../alarm-time';
import type { Diagnosis } from '../diagnose';
import { SERVICE_STATES, type ServiceState } from '../types';
import { omit } from './outcomes';
import type { DecisionContext, DecisionInput, Row } from './types';

export function recordAlarm(
  state: ServiceState,
  input: Extract<DecisionInput, { kind: 'alarm' }>,
  ctx: DecisionContext,
): { ignored: true; reason: string } | { ignored: false; state: ServiceState; newAlarm: boolean } {
  const timeProblem = alarmTimeProblem(
    { name: input.name, state: input.alarmState, atEpochMs: input.atEpochMs },
    ctx.nowEpochMs,
    ctx.service.policy.detect.maxAlarmAgeSeconds,
  );
  if (timeProblem) return { ignored: true, reason: timeProblem };
  const recorded = state.alarm;
  if (recorded && recorded.name === input.name && olderThanRecorded(input.atEpochMs, recorded.atEpochMs, ctx.nowEpochMs)) {
    return { ignored: true, reason: `alarm ${input.name} ${input.alarmState} is older than the recorded ${recorded.state}: ignored` };
  }
  // Recorded no later than now: a stamp a little ahead (within the skew) must not make the next genuine transition "older".
  const atEpochMs = recordedAlarmEpochMs(input.atEpochMs, ctx.nowEpochMs);
  if (input.alarmState === 'ALARM') {
    if (recorded?.state === 'ALARM') return { ignored: false, state, newAlarm: false };
    return { ignored: false, state: { ...state, alarm: { name: input.name, state: 'ALARM', atEpochMs } }, newAlarm: true };
  }
  // OK clears the alarm it names (kept as state OK so a late ALARM delivery can be told apart).
  if (recorded && recorded.name !== input.name && recorded.state === 'ALARM') return { ignored: false, state, newAlarm: false };
  if (recorded?.state === 'OK' && recorded.name === input.name) return { ignored: false, state, newAlarm: false };
  return { ignored: false, state: { ...state, alarm: { name: input.name, state: 'OK', atEpochMs } }, newAlarm: false };
}

/** Incident open/close and the failback hold-down clock. Returns notes appended to the reason. */
export function keepBooks(
  state: ServiceState,
  row: Row,
  diagnosis: Diagnosis,
  alarmSaysDown: boolean,
  nowEpochMs: number,
): { state: ServiceState; notes: string[] } {
  let next = state;
  const notes: string[] = [];
  const primarySeenDown = diagnosis.kind === 'PrimaryDown' || diagnosis.kind === 'ControlCutOff' || alarmSaysDown;
  if (primarySeenDown && !next.incident) next = { ...next, incident: { openedAtEpochMs: nowEpochMs, alertsSent: [] } };
  if (row === SERVICE_STATES.PRIMARY && next.incident && diagnosis.kind === 'PrimaryRecovered' && !alarmSaysDown) {
    next = omit(next, 'incident');
    notes.push('incident closed');
  }
  if (row === SERVICE_STATES.SECONDARY) {
    const primaryFailing = diagnosis.holdsFailback || alarmSaysDown;
    if (primaryFailing && next.primaryHealthySinceEpochMs !== undefined) {
      next = omit(next, 'primaryHealthySinceEpochMs');
      notes.push('primary failed again: hold-down restarts');
    } else if (!primaryFailing && diagnosis.kind === 'PrimaryRecovered' && next.primaryHealthySinceEpochMs === undefined) {
      next = { ...next, primaryHealthySinceEpochMs: nowEpochMs };
    }
  }
  return { state: next, notes };
}
