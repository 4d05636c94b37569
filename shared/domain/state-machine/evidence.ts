/** Handlers for evidence (a probe round or an alarm, named by `diagnose`): one per table cell. */
import type { ServicePolicy } from '../../config/types';
import { StateMachineError } from '../errors';
import { SERVICE_STATES, type RunTrigger, type ServiceState } from '../types';
import { activeRunOf, alertOnce, frozenNote, omit, startRun, withinLastDay } from './outcomes';
import type { EvidenceSituation, Outcome } from './types';

// ---------------------------------------------------------------------------------------------
// PRIMARY

function failoverWanted(s: EvidenceSituation): { go: boolean; why: string } {
  const d = s.diagnosis;
  switch (s.policy.trigger) {
    case 'probe':
      return { go: d.kind === 'PrimaryDown', why: d.sentence };
    case 'alarm':
      if (s.alarmSaysDown) return { go: true, why: `alarm ${s.alarmName} in ALARM; ${d.secondaryClause}` };
      return { go: false, why: d.kind === 'PrimaryDown' ? `${d.sentence}; trigger is alarm: waiting for an alarm` : d.sentence };
    case 'alarm-confirmed-by-probe':
      if (d.kind === 'PrimaryDown') return { go: true, why: d.sentence };
      if (s.alarmSaysDown && d.primaryFailingVotes >= d.quorum) {
        return {
          go: true,
          why: `alarm ${s.alarmName} confirmed: primary failed probes from ${d.primaryFailingVotes}/${d.freshLocations} locations; ${d.secondaryClause}`,
        };
      }
      if (s.alarmSaysDown) return { go: false, why: `alarm ${s.alarmName} in ALARM, not confirmed by probes yet; ${d.sentence}` };
      return { go: false, why: d.sentence };
  }
}

export function considerFailover(s: EvidenceSituation): Outcome {
  const { go, why } = failoverWanted(s);
  if (!go) return { state: s.state, reason: why };
  if (s.state.frozen) return { state: s.state, reason: `${why}; ${frozenNote(s.state)}` };
  if (!s.diagnosis.secondaryHealthy) return alertOnce(s, 'blocked', `failover blocked: ${why}`, why);
  const cooldownLeftSeconds = cooldownLeft(s.state, s.policy, s.ctx.nowEpochMs);
  if (cooldownLeftSeconds > 0) {
    return alertOnce(
      s,
      'cooldown',
      `${why}; failover waits for cooldown: ${cooldownLeftSeconds}s left`,
      `${cooldownLeftSeconds}s left; ${why}`,
    );
  }
  const recent = withinLastDay(s.state.failoverHistoryEpochMs, s.ctx.nowEpochMs);
  const cap = s.policy.guard.maxFailoversPer24h;
  if (recent.length >= cap) {
    const count = `${recent.length} automatic failovers in 24h (cap ${cap})`;
    return alertOnce(s, 'cap', `${why}; ${count}: manual only`, `${count}; ${why}`);
  }
  const started = startRun(s, 'failover', 'auto', why);
  return { ...started, state: { ...started.state, failoverHistoryEpochMs: [...recent, s.ctx.nowEpochMs] } };
}

/** Seconds of cooldown left after the last real transition (drills never start one). */
function cooldownLeft(state: ServiceState, policy: ServicePolicy, nowEpochMs: number): number {
  const last = state.lastTransition;
  const since = state.cooldownSinceEpochMs ?? (last && last.trigger !== 'drill' ? last.atEpochMs : undefined);
  if (since === undefined) return 0;
  const endsAt = since + policy.guard.cooldownSeconds * 1000;
  return endsAt > nowEpochMs ? Math.ceil((endsAt - nowEpochMs) / 1000) : 0;
}

export function alertCutOff(s: EvidenceSituation): Outcome {
  const d = s.diagnosis;
  if (s.state.frozen) return { state: s.state, reason: `${d.sentence}; ${frozenNote(s.state)}` };
  return alertOnce(s, 'cutoff', `${d.sentence}; no action taken`, d.sentence);
}

export function awaitEvidence(s: EvidenceSituation): Outcome {
  const d = s.diagnosis;
  if (s.alarmSaysDown && s.row === SERVICE_STATES.PRIMARY) {
    return { state: s.state, reason: `alarm ${s.alarmName} in ALARM; ${d.sentence}: waiting for probe results` };
  }
  return { state: s.state, reason: d.sentence };
}

// ---------------------------------------------------------------------------------------------
// SECONDARY and the drill hold

export function stayOnSecondary(s: EvidenceSituation): Outcome {
  const d = s.diagnosis;
  if (d.kind === 'PrimaryDown') return { state: s.state, reason: `staying on SECONDARY: ${d.sentence}` };
  const veto = minorityVeto(s);
  if (veto) return alertOnce(s, 'failbackHeld', `failback held by a minority: ${veto}; detect.failbackQuorum any`, veto);
  return { state: s.state, reason: `waiting for the primary to recover: ${d.sentence}` };
}

/**
 * Failback liveness (`failbackQuorum: any`): a quorum has seen the primary up for the whole hold-down,
 * and only a minority seeing it fail holds the failback. Says who and why, or undefined.
 */
function minorityVeto(s: EvidenceSituation): string | undefined {
  const d = s.diagnosis;
  const upSince = d.primaryUpAtQuorumSinceEpochMs;
  if (s.state.frozen || s.alarmSaysDown || d.primaryFailingAt.length === 0 || d.primaryFailingAt.length >= d.quorum) return undefined;
  if (upSince === undefined || s.ctx.nowEpochMs - upSince < s.policy.failback.holdDownSeconds * 1000) return undefined;
  const where = d.primaryFailingAt.map((at) => at.location).join(', ');
  const causes = [...new Set(d.primaryFailingAt.flatMap((at) => (at.cause ? [at.cause] : [])))];
  const upSeconds = Math.floor((s.ctx.nowEpochMs - upSince) / 1000);
  const verb = d.primaryFailingAt.length === 1 ? 'sees' : 'see';
  const why = causes.length > 0 ? ` (${causes.join(', ')})` : '';
  return `${where} ${verb} the primary failing${why}; ${d.primaryUpVotes}/${d.freshLocations} see it healthy for ${upSeconds}s`;
}

export function considerFailback(s: EvidenceSituation): Outcome {
  const d = s.diagnosis;
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
  if ((policy.failback.mode === 'manual' || policy.failback.approvalReason !== undefined) && !state.failbackApproved) {
    // Text once per incident: nobody would otherwise know the failback is waiting on them.
    const why =
      policy.failback.mode === 'manual'
        ? `primary healthy for ${healthySeconds}s (hold-down passed); failback mode manual: waiting for approve`
        : `primary healthy for ${healthySeconds}s; ${policy.failback.approvalReason}`;
    // The text says why: the mode, or the one-way step (an operator must know what approving means).
    const detail =
      policy.failback.mode === 'manual' ? `control action approve, service ${s.ctx.service.name}` : `${policy.failback.approvalReason}`;
    return alertOnce(s, 'approveNeeded', why, detail);
  }
  const why = `primary healthy for ${healthySeconds}s (hold-down ${holdDownSeconds}s)${state.failbackApproved ? `, approved by ${state.failbackApproved.by}` : ''}`;
  return checkThenFailBack(s, why, 'auto');
}

/** `failback.check` (e.g. replication caught up) is asked last, through the caller. */
function checkThenFailBack(s: EvidenceSituation, why: string, trigger: RunTrigger): Outcome {
  const check = s.policy.failback.check;
  if (check && !s.ctx.failbackCheck) {
    return { state: s.state, reason: `${why}; asking failback check ${check.functionName}`, effects: [{ type: 'checkFailback' }] };
  }
  if (check && s.ctx.failbackCheck && !s.ctx.failbackCheck.ready) {
    return { state: s.state, reason: `failback waits: ${s.ctx.failbackCheck.reason}` };
  }
  return startRun(s, 'failback', trigger, why);
}

export function holdDrill(s: EvidenceSituation): Outcome {
  const d = s.diagnosis;
  const drill = s.state.drill;
  if (!drill)
    throw new StateMachineError(`${s.state.service} is in the drill hold without a drill`, { context: { service: s.state.service } });
  if (s.alarmSaysDown) return preemptDrill(s);
  const leftMs = drill.holdUntilEpochMs - s.ctx.nowEpochMs;
  if (leftMs > 0) return { state: s.state, reason: `drill: holding on SECONDARY for ${Math.ceil(leftMs / 1000)}s more; ${d.sentence}` };
  if (s.state.frozen) return { state: s.state, reason: `drill hold over; ${frozenNote(s.state)}` };
  if (d.kind !== 'PrimaryRecovered' && d.kind !== 'PrimaryHealthy') {
    return { state: s.state, reason: `drill hold over; failback waits for a healthy primary: ${d.sentence}` };
  }
  return checkThenFailBack(s, `drill hold of ${drill.holdSeconds}s over; ${d.sentence}`, 'drill');
}

export function preemptDrill(s: EvidenceSituation): Outcome {
  const d = s.diagnosis;
  const why = s.alarmSaysDown && d.kind !== 'PrimaryDown' ? `alarm ${s.alarmName} in ALARM` : d.sentence;
  const reason = `real incident during the drill: ${why}; staying on SECONDARY as a real failover`;
  return alertOnce({ ...s, state: omit(s.state, 'drill') }, 'drillPreempted', reason, `staying on SECONDARY: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Runs in progress and failed runs

export function absorb(s: EvidenceSituation): Outcome {
  const run = activeRunOf(s);
  return { state: s.state, reason: `${run.kind} already in progress (run ${run.id}); ${s.diagnosis.sentence}` };
}

export function humanMustLook(s: EvidenceSituation): Outcome {
  const what = s.state.lastTransition?.reason ?? `${s.state.state} since ${s.state.sinceEpochMs}`;
  return { state: s.state, reason: `a human must look: ${what}` };
}
