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
 *
 * The handlers live in evidence.ts (probe rounds and alarms) and commands.ts (operator commands and
 * drills); a finished run goes through finish-run.ts.
 */
import { diagnose } from '../diagnose';
import { StateMachineError } from '../errors';
import { SERVICE_STATES, type ServiceState } from '../types';
import { keepBooks, recordAlarm } from './bookkeeping';
import {
  approve,
  approveWaitingStep,
  freeze,
  manualFailback,
  manualFailover,
  refuse,
  refuseAbort,
  refuseApprove,
  refuseDrill,
  refuseDuringRun,
  requestAbort,
  startDrill,
  unfreeze,
} from './commands';
import {
  absorb,
  alertCutOff,
  awaitEvidence,
  considerFailback,
  considerFailover,
  holdDrill,
  humanMustLook,
  preemptDrill,
  stayOnSecondary,
} from './evidence';
import { sameData, withinLastDay } from './outcomes';
import type { Decision, DecisionContext, DecisionInput, Outcome, Row, RowHandlers, Situation } from './types';

// ---------------------------------------------------------------------------------------------
// The table

/** Failing over or back: the run absorbs every trigger; an operator may only abort it. */
const RUN_IN_PROGRESS: RowHandlers = {
  evidence: {
    PrimaryDown: absorb,
    PrimaryDegraded: absorb,
    PrimaryHealthy: absorb,
    PrimaryRecovered: absorb,
    ControlCutOff: absorb,
    NoEvidence: absorb,
  },
  commands: { freeze, unfreeze, failover: refuseDuringRun, failback: refuseDuringRun, approve: approveWaitingStep, abort: requestAbort },
  drill: refuseDrill,
};

/** A run failed: nothing automatic; only a manual failover or failback leaves this row. */
const A_HUMAN_MUST_LOOK: RowHandlers = {
  evidence: {
    PrimaryDown: humanMustLook,
    PrimaryDegraded: humanMustLook,
    PrimaryHealthy: humanMustLook,
    PrimaryRecovered: humanMustLook,
    ControlCutOff: alertCutOff,
    NoEvidence: humanMustLook,
  },
  commands: { freeze, unfreeze, failover: manualFailover, failback: manualFailback, approve: refuseApprove, abort: refuseAbort },
  drill: refuseDrill,
};

/** Every row × every input; a pair missing at run time (corrupt state name) is a bug and throws. */
const TABLE: Record<Row, RowHandlers> = {
  PRIMARY: {
    evidence: {
      PrimaryDown: considerFailover,
      PrimaryDegraded: considerFailover,
      PrimaryHealthy: considerFailover,
      PrimaryRecovered: considerFailover,
      ControlCutOff: alertCutOff,
      NoEvidence: awaitEvidence,
    },
    commands: {
      freeze,
      unfreeze,
      failover: manualFailover,
      failback: refuse('already on PRIMARY'),
      approve: refuseApprove,
      abort: refuseAbort,
    },
    drill: startDrill,
  },
  FAILING_OVER: RUN_IN_PROGRESS,
  SECONDARY: {
    evidence: {
      PrimaryDown: stayOnSecondary,
      PrimaryDegraded: stayOnSecondary,
      PrimaryHealthy: stayOnSecondary,
      PrimaryRecovered: considerFailback,
      ControlCutOff: alertCutOff,
      NoEvidence: awaitEvidence,
    },
    commands: { freeze, unfreeze, failover: refuse('already on SECONDARY'), failback: manualFailback, approve, abort: refuseAbort },
    drill: refuseDrill,
  },
  DRILL_HOLD: {
    evidence: {
      PrimaryDown: preemptDrill,
      PrimaryDegraded: holdDrill,
      PrimaryHealthy: holdDrill,
      PrimaryRecovered: holdDrill,
      ControlCutOff: alertCutOff,
      NoEvidence: holdDrill,
    },
    commands: {
      freeze,
      unfreeze,
      failover: refuse('already on SECONDARY (drill)'),
      failback: manualFailback,
      approve,
      abort: refuseAbort,
    },
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
  const row: Row = state.state === SERVICE_STATES.SECONDARY && state.drill ? 'DRILL_HOLD' : state.state;
  // Typed as always present, but a corrupt stored state name can still reach here.
  const handlers: RowHandlers | undefined = TABLE[row];
  if (!handlers) throw new StateMachineError(`no table row for state ${String(state.state)}`, { context: { service: state.service } });
  const situation: Situation = { state, ctx, policy: ctx.service.policy, row };
  const missing = (key: string) => new StateMachineError(`no handler for ${row} × ${key}`, { context: { service: state.service } });

  switch (input.kind) {
    case 'command': {
      const handler = handlers.commands[input.command];
      if (!handler) throw missing(`command:${input.command}`);
      return finish(state, handler({ ...situation, command: input.command, by: input.by }), [], ctx.nowEpochMs);
    }
    case 'drill': {
      const drill = { holdSeconds: input.holdSeconds, by: input.by, ...(input.evidence ? { evidence: input.evidence } : {}) };
      return finish(state, handlers.drill({ ...situation, ...drill }), [], ctx.nowEpochMs);
    }
    case 'observe':
    case 'alarm':
      return decideOnEvidence(situation, handlers, input, missing);
  }
}

/** Evidence inputs (observe, alarm): record the alarm, diagnose, keep the books, then the table. */
function decideOnEvidence(
  situation: Situation,
  handlers: RowHandlers,
  input: Extract<DecisionInput, { kind: 'observe' | 'alarm' }>,
  missing: (key: string) => StateMachineError,
): Decision {
  const { state, ctx, policy, row } = situation;
  let working = state;
  let alarmNews: 'new' | 'none' = 'none';
  if (input.kind === 'alarm') {
    const recorded = recordAlarm(state, input, ctx);
    if (recorded.ignored) return { state, changed: false, accepted: false, effects: [], reason: recorded.reason };
    working = recorded.state;
    alarmNews = recorded.newAlarm ? 'new' : 'none';
  }
  const diagnosis = diagnose(input.evidence, policy);
  const alarm = working.alarm;
  const alarmFiring = alarm ? alarm.state === 'ALARM' : input.evidence.alarmFiring;
  const alarmSaysDown = policy.trigger !== 'probe' && alarmFiring;
  const alarmName = alarm?.name ?? input.evidence.alarmName ?? '(unnamed)';
  const books = keepBooks(working, row, diagnosis, alarmSaysDown, ctx.nowEpochMs);
  const handler = handlers.evidence[diagnosis.kind];
  if (!handler) throw missing(diagnosis.kind);
  const outcome = handler({ ...situation, state: books.state, diagnosis, alarmSaysDown, alarmName });
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
  const failoverHistoryEpochMs = withinLastDay(outcome.state.failoverHistoryEpochMs, nowEpochMs);
  return { state: { ...outcome.state, failoverHistoryEpochMs, lastReason: reason }, changed: true, accepted, effects, reason };
}
