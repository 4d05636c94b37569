/**
 * The per-service state machine (pure, raft's `Ready` style): `decide(state, input, ctx)` returns the
 * next state, the effects the caller must carry out, and one sentence saying why. It never reads the
 * clock or does I/O. `diagnose` names the problem first; then TABLE maps (state × diagnosis or
 * command) to a handler, so the table reads like the diagram:
 *
 *   PRIMARY ──(primary down, guards pass)──▶ FAILING_OVER ──finishRun──▶ SECONDARY / FAILOVER_FAILED
 *   SECONDARY ──(primary healthy for the hold-down)──▶ FAILING_BACK ──finishRun──▶ PRIMARY / FAILBACK_FAILED
 *   DRILL_HOLD (SECONDARY with `state.drill`) ──(hold over, primary healthy)──▶ FAILING_BACK
 *
 * Decisions worth knowing (each also stated in the reason it produces):
 * - Trigger `probe`: a PrimaryDown diagnosis starts a failover. `alarm`: only an alarm in ALARM does
 *   (probes still record and open the incident, and must show a healthy secondary). `alarm-confirmed-
 *   by-probe`: an alarm in ALARM plus a quorum of fresh locations whose latest probe of the primary
 *   failed (one failure is enough), OR probes alone at the full failureThreshold.
 * - Alarms: `state.alarm` records the latest alarm; a delivery older than maxAlarmAgeSeconds, or older
 *   than what is recorded, is ignored. With trigger `probe`, alarms are recorded only.
 * - Guards, in order: frozen (no action, no alerts) → secondary not healthy (alert `blocked` once per
 *   incident) → cooldown since the last transition (alert `cooldown` once) → cap on automatic
 *   failovers in a sliding 24 h, inclusive (alert `cap` once; manual failovers and drills never count
 *   and are always allowed) → start.
 * - Failback: the hold-down clock (`primaryHealthySinceEpochMs`) starts at the first PrimaryRecovered
 *   on SECONDARY and restarts on ANY failed probe of the primary at any fresh location (or an alarm in
 *   ALARM with an alarm trigger). Cooldown does not apply to failback: the hold-down is its guard.
 *   `manual` mode additionally needs `approve` (approve permits the failback under the same rules; the
 *   `failback` command is the "now" button). `failback.check` is asked last (effect checkFailback).
 * - FAILOVER_FAILED / FAILBACK_FAILED take no automatic action; only the failover/failback commands leave.
 * - A running run absorbs every trigger; a run can be aborted. ControlCutOff alerts once, never acts.
 * - Drills start only on PRIMARY, not frozen, no open incident (and, if the input carries evidence,
 *   with both sites healthy). After the drill failover the service holds on SECONDARY until
 *   `state.drill.holdUntilEpochMs`, then fails back (trigger `drill`) ignoring the hold-down; a
 *   primary seen down during the hold pre-empts the drill: it becomes a real failover.
 * - Steady state: nothing changed ⇒ `changed: false` and the very same state object (the caller
 *   writes nothing). `lastReason` is only rewritten together with a real change.
 */
import { alarmTimeProblem, olderThanRecorded, recordedAlarmEpochMs } from './alarm-time';
import type { ServiceConfig, ServicePolicy } from '../config/types';
import { diagnose, type Diagnosis, type DiagnosisKind } from './diagnose';
import { StateMachineError } from './errors';
import { alertMessage, type AlertKey } from './messages';
import { newRun } from './plan';
import { SERVICE_STATES, type Evidence, type Run, type RunKind, type RunTrigger, type ServiceState, type ServiceStateName } from './types';

export const COMMANDS = ['freeze', 'unfreeze', 'failover', 'failback', 'approve', 'abort'] as const;
export type Command = (typeof COMMANDS)[number];

export type DecisionInput =
  | { kind: 'observe'; evidence: Evidence }
  | { kind: 'alarm'; name: string; alarmState: 'ALARM' | 'OK'; atEpochMs: number; evidence: Evidence }
  | { kind: 'command'; command: Command; by: string }
  /** `evidence` is optional: when given, a drill also requires both sites healthy right now. */
  | { kind: 'drill'; holdSeconds: number; by: string; evidence?: Evidence };

export interface DecisionContext {
  nowEpochMs: number;
  service: ServiceConfig;
  /** The id a run started by this decision gets. */
  newRunId: string;
  /** The answer of `failback.check`, when the caller has asked it (after a checkFailback effect). */
  failbackCheck?: { ready: boolean; reason: string };
}

export type Effect =
  | { type: 'startRun'; run: Run }
  | { type: 'notify'; key: string; text: string }
  | { type: 'requestAbort' }
  | { type: 'probeNow' }
  | { type: 'checkFailback' };

export interface Decision {
  /** The next state (version not bumped: the store does that). The input object itself when nothing changed. */
  state: ServiceState;
  changed: boolean;
  /** False when a command or drill was refused, or an alarm delivery ignored. */
  accepted: boolean;
  effects: Effect[];
  reason: string;
  diagnosis?: Diagnosis;
}

const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// The table

/** SECONDARY while a live drill holds there behaves differently enough to get its own row. */
type Row = ServiceStateName | 'DRILL_HOLD';
type InputKey = DiagnosisKind | `command:${Command}` | 'drill';

interface Situation {
  /** The state after bookkeeping (alarm recorded, incident opened/closed, hold-down tracked). */
  state: ServiceState;
  input: DecisionInput;
  ctx: DecisionContext;
  policy: ServicePolicy;
  row: Row;
  /** Present for observe and alarm inputs. */
  diagnosis?: Diagnosis;
  /** An alarm in ALARM and a trigger that listens to alarms. */
  alarmSaysDown: boolean;
  alarmName?: string;
}

interface Outcome {
  state: ServiceState;
  reason: string;
  effects?: Effect[];
  accepted?: boolean;
}

type Handler = (s: Situation) => Outcome;

const commands = (handlers: Record<Command, Handler>) =>
  Object.fromEntries(COMMANDS.map((command) => [`command:${command}`, handlers[command]])) as Record<`command:${Command}`, Handler>;

/** Failing over or back: the run absorbs every trigger; an operator may only abort it. */
const RUN_IN_PROGRESS: Record<InputKey, Handler> = {
  PrimaryDown: absorb,
  PrimaryDegraded: absorb,
  PrimaryHealthy: absorb,
  PrimaryRecovered: absorb,
  ControlCutOff: absorb,
  NoEvidence: absorb,
  ...commands({ freeze, unfreeze, failover: refuseDuringRun, failback: refuseDuringRun, approve: refuseApprove, abort: requestAbort }),
  drill: refuseDrill,
};

/** A run failed: nothing automatic; only a manual failover or failback leaves this row. */
const A_HUMAN_MUST_LOOK: Record<InputKey, Handler> = {
  PrimaryDown: humanMustLook,
  PrimaryDegraded: humanMustLook,
  PrimaryHealthy: humanMustLook,
  PrimaryRecovered: humanMustLook,
  ControlCutOff: alertCutOff,
  NoEvidence: humanMustLook,
  ...commands({ freeze, unfreeze, failover: manualFailover, failback: manualFailback, approve: refuseApprove, abort: refuseAbort }),
  drill: refuseDrill,
};

/** Every row × every input; a pair missing at run time (corrupt state name) is a bug and throws. */
const TABLE: Record<Row, Record<InputKey, Handler>> = {
  PRIMARY: {
    PrimaryDown: considerFailover,
    PrimaryDegraded: considerFailover,
    PrimaryHealthy: considerFailover,
    PrimaryRecovered: considerFailover,
    ControlCutOff: alertCutOff,
    NoEvidence: awaitEvidence,
    ...commands({
      freeze,
      unfreeze,
      failover: manualFailover,
      failback: refuse('already on PRIMARY'),
      approve: refuseApprove,
      abort: refuseAbort,
    }),
    drill: startDrill,
  },
  FAILING_OVER: RUN_IN_PROGRESS,
  SECONDARY: {
    PrimaryDown: stayOnSecondary,
    PrimaryDegraded: stayOnSecondary,
    PrimaryHealthy: stayOnSecondary,
    PrimaryRecovered: considerFailback,
    ControlCutOff: alertCutOff,
    NoEvidence: awaitEvidence,
    ...commands({ freeze, unfreeze, failover: refuse('already on SECONDARY'), failback: manualFailback, approve, abort: refuseAbort }),
    drill: refuseDrill,
  },
  DRILL_HOLD: {
    PrimaryDown: preemptDrill,
    PrimaryDegraded: holdDrill,
    PrimaryHealthy: holdDrill,
    PrimaryRecovered: holdDrill,
    ControlCutOff: alertCutOff,
    NoEvidence: holdDrill,
    ...commands({
      freeze,
      unfreeze,
      failover: refuse('already on SECONDARY (drill)'),
      failback: manualFailback,
      approve,
      abort: refuseAbort,
    }),
    drill: refuseDrill,
  },
  FAILING_BACK: RUN_IN_PROGRESS,
  FAILOVER_FAILED: A_HUMAN_MUST_LOOK,
  FAILBACK_FAILED: A_HUMAN_MUST_LOOK,
};

// ---------------------------------------------------------------------------------------------
// decide

export function decide(state: ServiceState, input: DecisionInput, ctx: DecisionContext): Decision {
  assertConsistent(state);
  const policy = ctx.service.policy;
  const row: Row = state.state === SERVICE_STATES.SECONDARY && state.drill ? 'DRILL_HOLD' : state.state;
  const handlers = TABLE[row];
  if (!handlers) throw new StateMachineError(`no table row for state ${String(state.state)}`, { context: { service: state.service } });

  if (input.kind === 'command' || input.kind === 'drill') {
    const key: InputKey = input.kind === 'drill' ? 'drill' : `command:${input.command}`;
    const handler = handlers[key];
    if (!handler) throw new StateMachineError(`no handler for ${row} × ${key}`, { context: { service: state.service } });
    return finish(state, handler({ state, input, ctx, policy, row, alarmSaysDown: false }), [], ctx.nowEpochMs);
  }

  // Evidence inputs (observe, alarm): record the alarm, diagnose, keep the books, then the table.
  let working = state;
  let alarmNews: 'new' | 'none' = 'none';
  if (input.kind === 'alarm') {
    const recorded = recordAlarm(state, input, ctx);
    if (recorded.ignored) return { state, changed: false, accepted: false, effects: [], reason: recorded.reason };
    working = recorded.state;
    alarmNews = recorded.newAlarm ? 'new' : 'none';
  }
  const diagnosis = diagnose(input.evidence, policy, ctx.nowEpochMs);
  const alarm = working.alarm;
  const alarmFiring = alarm ? alarm.state === 'ALARM' : input.evidence.alarmFiring;
  const alarmSaysDown = policy.trigger !== 'probe' && alarmFiring;
  const alarmName = alarm?.name ?? input.evidence.alarmName ?? '(unnamed)';
  const books = keepBooks(working, row, diagnosis, alarmSaysDown, ctx.nowEpochMs);
  const key: InputKey = diagnosis.kind;
  const handler = handlers[key];
  if (!handler) throw new StateMachineError(`no handler for ${row} × ${key}`, { context: { service: state.service } });
  const outcome = handler({ state: books.state, input, ctx, policy, row, diagnosis, alarmSaysDown, alarmName });
  // alarm trigger policies: a new ALARM asks for a probe round now (confirmation, or evidence for the secondary).
  const effects = outcome.effects ?? [];
  if (alarmNews === 'new' && policy.trigger !== 'probe' && !effects.some((effect) => effect.type === 'startRun')) {
    outcome.effects = [...effects, { type: 'probeNow' }];
  }
  return { ...finish(state, outcome, books.notes, ctx.nowEpochMs), diagnosis };
}

function assertConsistent(state: ServiceState): void {
  const running = state.state === SERVICE_STATES.FAILING_OVER || state.state === SERVICE_STATES.FAILING_BACK;
  if (running && !state.activeRun) {
    throw new StateMachineError(`${state.service} is ${state.state} without an active run`, { context: { service: state.service } });
  }
  if (!running && state.activeRun) {
    throw new StateMachineError(`${state.service} is ${state.state} but has active run ${state.activeRun.id}`, {
      context: { service: state.service, runId: state.activeRun.id },
    });
  }
}

function finish(previous: ServiceState, outcome: Outcome, notes: string[], nowEpochMs: number): Decision {
  const effects = outcome.effects ?? [];
  // A started run's sentence is texted as is: bookkeeping notes would only blur it.
  const reason = effects.some((effect) => effect.type === 'startRun') ? outcome.reason : [outcome.reason, ...notes].join('; ');
  const accepted = outcome.accepted ?? true;
  if (sameData(previous, outcome.state)) return { state: previous, changed: false, accepted, effects, reason };
  // Written anyway: drop cap history older than 24 h (never a reason to write on its own).
  const failoverHistoryEpochMs = outcome.state.failoverHistoryEpochMs.filter((at) => nowEpochMs - at <= DAY_MS);
  return { state: { ...outcome.state, failoverHistoryEpochMs, lastReason: reason }, changed: true, accepted, effects, reason };
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping shared by every evidence input

function recordAlarm(
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
function keepBooks(
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
    const primaryFailing = diagnosis.primaryFailingVotes > 0 || alarmSaysDown;
    if (primaryFailing && next.primaryHealthySinceEpochMs !== undefined) {
      next = omit(next, 'primaryHealthySinceEpochMs');
      notes.push('primary failed again: hold-down restarts');
    } else if (!primaryFailing && diagnosis.kind === 'PrimaryRecovered' && next.primaryHealthySinceEpochMs === undefined) {
      next = { ...next, primaryHealthySinceEpochMs: nowEpochMs };
    }
  }
  return { state: next, notes };
}

// ---------------------------------------------------------------------------------------------
// Handlers: PRIMARY

function failoverWanted(s: Situation): { go: boolean; why: string } {
  const d = s.diagnosis as Diagnosis;
  switch (s.policy.trigger) {
    case 'probe':
      return { go: d.kind === 'PrimaryDown', why: d.sentence };
    case 'alarm':
      if (s.alarmSaysDown) return { go: true, why: `alarm ${s.alarmName} in ALARM; ${secondaryPart(d)}` };
      return { go: false, why: d.kind === 'PrimaryDown' ? `${d.sentence}; trigger is alarm: waiting for an alarm` : d.sentence };
    case 'alarm-confirmed-by-probe':
      if (d.kind === 'PrimaryDown') return { go: true, why: d.sentence };
      if (s.alarmSaysDown && d.primaryFailingVotes >= d.quorum) {
        return {
          go: true,
          why: `alarm ${s.alarmName} confirmed: primary failed probes from ${d.primaryFailingVotes}/${d.freshLocations} locations; ${secondaryPart(d)}`,
        };
      }
      if (s.alarmSaysDown) return { go: false, why: `alarm ${s.alarmName} in ALARM, not confirmed by probes yet; ${d.sentence}` };
      return { go: false, why: d.sentence };
  }
}

function secondaryPart(d: Diagnosis): string {
  const parts = d.sentence.split('; ');
  return parts[parts.length - 1];
}

function considerFailover(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  const { go, why } = failoverWanted(s);
  if (!go) return { state: s.state, reason: why };
  if (s.state.frozen) return { state: s.state, reason: `${why}; ${frozenNote(s.state)}` };
  if (!d.secondaryHealthy) return alertOnce(s, 'blocked', `failover blocked: ${why}`, why);
  const cooldownLeftSeconds = cooldownLeft(s.state, s.policy, s.ctx.nowEpochMs);
  if (cooldownLeftSeconds > 0) {
    return alertOnce(
      s,
      'cooldown',
      `${why}; failover waits for cooldown: ${cooldownLeftSeconds}s left`,
      `${cooldownLeftSeconds}s left; ${why}`,
    );
  }
  const recent = recentFailovers(s.state, s.ctx.nowEpochMs);
  const cap = s.policy.guard.maxFailoversPer24h;
  if (recent.length >= cap) {
    const count = `${recent.length} automatic failovers in 24h (cap ${cap})`;
    return alertOnce(s, 'cap', `${why}; ${count}: manual only`, `${count}; ${why}`);
  }
  const started = startRun(s, 'failover', 'auto', why);
  return { ...started, state: { ...started.state, failoverHistoryEpochMs: [...recent, s.ctx.nowEpochMs] } };
}

function cooldownLeft(state: ServiceState, policy: ServicePolicy, nowEpochMs: number): number {
  if (!state.lastTransition) return 0;
  const endsAt = state.lastTransition.atEpochMs + policy.guard.cooldownSeconds * 1000;
  return endsAt > nowEpochMs ? Math.ceil((endsAt - nowEpochMs) / 1000) : 0;
}

/** Automatic failovers within the last 24 h, inclusive at both ends (so any 24 h window holds at most the cap). */
function recentFailovers(state: ServiceState, nowEpochMs: number): number[] {
  return state.failoverHistoryEpochMs.filter((at) => nowEpochMs - at <= DAY_MS);
}

function alertCutOff(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  if (s.state.frozen) return { state: s.state, reason: `${d.sentence}; ${frozenNote(s.state)}` };
  return alertOnce(s, 'cutoff', `${d.sentence}; no action taken`, d.sentence);
}

function awaitEvidence(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  if (s.alarmSaysDown && s.row === SERVICE_STATES.PRIMARY) {
    return { state: s.state, reason: `alarm ${s.alarmName} in ALARM; ${d.sentence}: waiting for probe results` };
  }
  return { state: s.state, reason: d.sentence };
}

function startDrill(s: Situation): Outcome {
  const input = s.input as Extract<DecisionInput, { kind: 'drill' }>;
  if (s.state.frozen) return refused(s, `drill refused: ${frozenNote(s.state)}`);
  if (s.state.incident) {
    const ago = Math.max(0, Math.round((s.ctx.nowEpochMs - s.state.incident.openedAtEpochMs) / 1000));
    return refused(s, `drill refused: a real incident is open (primary seen down ${ago}s ago)`);
  }
  if (input.evidence) {
    const d = diagnose(input.evidence, s.policy, s.ctx.nowEpochMs);
    if (d.kind !== 'PrimaryRecovered' && d.kind !== 'PrimaryHealthy')
      return refused(s, `drill refused: primary not healthy: ${d.sentence}`);
    if (!d.secondaryHealthy) return refused(s, `drill refused: ${secondaryPart(d)}`);
  }
  const why = `drill by ${input.by}: fail over, hold ${input.holdSeconds}s on SECONDARY, fail back`;
  return startRun(s, 'failover', 'drill', why, { holdSeconds: input.holdSeconds });
}

// ---------------------------------------------------------------------------------------------
// Handlers: SECONDARY and the drill hold

function stayOnSecondary(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  if (d.kind === 'PrimaryDown') return { state: s.state, reason: `staying on SECONDARY: ${d.sentence}` };
  return { state: s.state, reason: `waiting for the primary to recover: ${d.sentence}` };
}

function considerFailback(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  const { policy, state } = s;
  if (state.frozen) return { state, reason: `${d.sentence}; ${frozenNote(state)}` };
  if (s.alarmSaysDown) return { state, reason: `staying on SECONDARY: alarm ${s.alarmName} still in ALARM` };
  const since = state.primaryHealthySinceEpochMs ?? s.ctx.nowEpochMs;
  const healthySeconds = Math.floor((s.ctx.nowEpochMs - since) / 1000);
  const holdDownSeconds = policy.failback.holdDownSeconds;
  if (s.ctx.nowEpochMs - since < holdDownSeconds * 1000) {
    const left = Math.ceil((since + holdDownSeconds * 1000 - s.ctx.nowEpochMs) / 1000);
    const approvedNote = state.failbackApproved ? `approved by ${state.failbackApproved.by}; ` : '';
    return {
      state,
      reason: `${approvedNote}primary healthy for ${healthySeconds}s of ${holdDownSeconds}s hold-down: failback in ${left}s`,
    };
  }
  if (policy.failback.mode === 'manual' && !state.failbackApproved) {
    // Text once per incident: nobody would otherwise know the failback is waiting on them.
    return alertOnce(
      s,
      'approveNeeded',
      `primary healthy for ${healthySeconds}s (hold-down passed); failback mode manual: waiting for approve`,
      `control action approve, service ${s.ctx.service.name}`,
    );
  }
  const why = `primary healthy for ${healthySeconds}s (hold-down ${holdDownSeconds}s)${state.failbackApproved ? `, approved by ${state.failbackApproved.by}` : ''}`;
  return checkThenFailBack(s, why, 'auto');
}

/** `failback.check` (e.g. replication caught up) is asked last, through the caller. */
function checkThenFailBack(s: Situation, why: string, trigger: RunTrigger): Outcome {
  const check = s.policy.failback.check;
  if (check && !s.ctx.failbackCheck) {
    return { state: s.state, reason: `${why}; asking failback check ${check.functionName}`, effects: [{ type: 'checkFailback' }] };
  }
  if (check && s.ctx.failbackCheck && !s.ctx.failbackCheck.ready) {
    return { state: s.state, reason: `failback waits: ${s.ctx.failbackCheck.reason}` };
  }
  return startRun(s, 'failback', trigger, why);
}

function holdDrill(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  const drill = s.state.drill as NonNullable<ServiceState['drill']>;
  if (s.alarmSaysDown) return preemptDrill(s);
  const leftMs = drill.holdUntilEpochMs - s.ctx.nowEpochMs;
  if (leftMs > 0) return { state: s.state, reason: `drill: holding on SECONDARY for ${Math.ceil(leftMs / 1000)}s more; ${d.sentence}` };
  if (s.state.frozen) return { state: s.state, reason: `drill hold over; ${frozenNote(s.state)}` };
  if (d.kind !== 'PrimaryRecovered' && d.kind !== 'PrimaryHealthy') {
    return { state: s.state, reason: `drill hold over; failback waits for a healthy primary: ${d.sentence}` };
  }
  return checkThenFailBack(s, `drill hold of ${drill.holdSeconds}s over; ${d.sentence}`, 'drill');
}

function preemptDrill(s: Situation): Outcome {
  const d = s.diagnosis as Diagnosis;
  const why = s.alarmSaysDown && d.kind !== 'PrimaryDown' ? `alarm ${s.alarmName} in ALARM` : d.sentence;
  const reason = `real incident during the drill: ${why}; staying on SECONDARY as a real failover`;
  return alertOnce({ ...s, state: omit(s.state, 'drill') }, 'drillPreempted', reason, `staying on SECONDARY: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Handlers: runs in progress and failed runs

function absorb(s: Situation): Outcome {
  const run = s.state.activeRun as Run;
  const d = s.diagnosis as Diagnosis;
  return { state: s.state, reason: `${run.kind} already in progress (run ${run.id}); ${d.sentence}` };
}

function humanMustLook(s: Situation): Outcome {
  const what = s.state.lastTransition?.reason ?? `${s.state.state} since ${s.state.sinceEpochMs}`;
  return { state: s.state, reason: `a human must look: ${what}` };
}

// ---------------------------------------------------------------------------------------------
// Commands

function freeze(s: Situation): Outcome {
  const { by } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  if (s.state.frozen) return { state: s.state, reason: `already frozen by ${s.state.frozenBy ?? 'an operator'}` };
  return { state: { ...s.state, frozen: true, frozenBy: by }, reason: `frozen by ${by}: automation paused, probes still recorded` };
}

function unfreeze(s: Situation): Outcome {
  const { by } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  if (!s.state.frozen) return { state: s.state, reason: 'not frozen: nothing to do' };
  return { state: { ...omit(s.state, 'frozenBy'), frozen: false }, reason: `unfrozen by ${by}: automation resumed` };
}

function manualFailover(s: Situation): Outcome {
  const { by } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  return startRun(s, 'failover', 'manual', `manual failover by ${by}`);
}

function manualFailback(s: Situation): Outcome {
  const { by } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  return startRun(s, 'failback', 'manual', `manual failback by ${by}`);
}

function approve(s: Situation): Outcome {
  const { by } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  if (s.policy.failback.mode !== 'manual') return refused(s, 'approve refused: failback mode is auto, nothing to approve');
  if (s.state.failbackApproved) return { state: s.state, reason: `failback already approved by ${s.state.failbackApproved.by}` };
  return {
    state: { ...s.state, failbackApproved: { by, atEpochMs: s.ctx.nowEpochMs } },
    reason: `failback approved by ${by}: it starts once the primary has been healthy for ${s.policy.failback.holdDownSeconds}s`,
  };
}

function requestAbort(s: Situation): Outcome {
  const { by } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  const run = s.state.activeRun as Run;
  if (run.abortRequested) return { state: s.state, reason: `abort of run ${run.id} already requested by ${run.abortRequested.by}` };
  return {
    state: { ...s.state, activeRun: { ...run, abortRequested: { by, atEpochMs: s.ctx.nowEpochMs } } },
    reason: `abort of ${run.kind} run ${run.id} requested by ${by}: it stops at the next step boundary`,
    effects: [{ type: 'requestAbort' }],
  };
}

function refuse(why: string): Handler {
  return (s) => {
    const { command } = s.input as Extract<DecisionInput, { kind: 'command' }>;
    return refused(s, `${command} refused: ${why}`);
  };
}

function refuseDuringRun(s: Situation): Outcome {
  const { command } = s.input as Extract<DecisionInput, { kind: 'command' }>;
  const run = s.state.activeRun as Run;
  return refused(s, `${command} refused: ${run.kind} already in progress (run ${run.id}); abort it first`);
}

function refuseApprove(s: Situation): Outcome {
  return refused(s, `approve refused: only a failback from SECONDARY can be approved (service is ${s.state.state})`);
}

function refuseAbort(s: Situation): Outcome {
  return refused(s, 'abort refused: no run in progress');
}

function refuseDrill(s: Situation): Outcome {
  if (s.state.activeRun) return refused(s, `drill refused: ${s.state.activeRun.kind} already in progress (run ${s.state.activeRun.id})`);
  if (s.state.drill) return refused(s, `drill refused: drill run ${s.state.drill.runId} is still holding on SECONDARY`);
  return refused(s, `drill refused: service is ${s.state.state}, drills start from PRIMARY`);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function refused(s: Situation, reason: string): Outcome {
  return { state: s.state, reason, accepted: false };
}

function frozenNote(state: ServiceState): string {
  return `frozen by ${state.frozenBy ?? 'an operator'}: automation paused`;
}

/** Send a one-off alert unless this incident already sent it (opening an incident if none is open). */
function alertOnce(s: Situation, key: AlertKey, reason: string, detail: string): Outcome {
  const incident = s.state.incident ?? { openedAtEpochMs: s.ctx.nowEpochMs, alertsSent: [] };
  if (incident.alertsSent.includes(key)) return { state: s.state, reason };
  const text = alertMessage(s.ctx.service.name, key, detail);
  return {
    state: { ...s.state, incident: { ...incident, alertsSent: [...incident.alertsSent, key] } },
    reason,
    effects: [{ type: 'notify', key, text }],
  };
}

function startRun(s: Situation, kind: RunKind, trigger: RunTrigger, why: string, drill?: { holdSeconds: number }): Outcome {
  const { ctx } = s;
  const run = newRun({
    id: ctx.newRunId,
    service: ctx.service,
    kind,
    trigger,
    reason: why,
    nowEpochMs: ctx.nowEpochMs,
    ...(drill ? { drill } : {}),
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
      lastTransition: { from: s.state.state, to, atEpochMs: ctx.nowEpochMs, reason },
    },
    reason,
    effects: [{ type: 'startRun', run }],
  };
}

function omit<K extends keyof ServiceState>(state: ServiceState, ...keys: K[]): ServiceState {
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
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) if (!sameData(ra[key], rb[key])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// finishRun

/**
 * A run ended (the engine calls this): move to the state it leads to and say so. A failed or aborted
 * run whose DNS switch already succeeded lands where traffic is (SECONDARY after a failover, PRIMARY
 * after a failback), with a reason that says what failed.
 */
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
    const pending = run.dnsPending ? '; DNS_PENDING' : '';
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
  const next: ServiceState = {
    ...base,
    failoverHistoryEpochMs: state.failoverHistoryEpochMs.filter((at) => nowEpochMs - at <= DAY_MS),
    state: to,
    sinceEpochMs: nowEpochMs,
    lastTransition: { from: state.state, to, atEpochMs: nowEpochMs, reason },
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
  const line = text.split('\n')[0];
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
