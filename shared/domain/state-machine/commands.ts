/** Handlers for operator commands and drills: one per table cell. */
import { diagnose } from '../diagnose';
import { activeRunOf, frozenNote, omit, refused, startRun } from './outcomes';
import type { CommandHandler, CommandSituation, DrillSituation, Outcome } from './types';

export function freeze(s: CommandSituation): Outcome {
  if (s.state.frozen) return { state: s.state, reason: `already frozen by ${s.state.frozenBy ?? 'an operator'}` };
  return { state: { ...s.state, frozen: true, frozenBy: s.by }, reason: `frozen by ${s.by}: automation paused, probes still recorded` };
}

export function unfreeze(s: CommandSituation): Outcome {
  if (!s.state.frozen) return { state: s.state, reason: 'not frozen: nothing to do' };
  return { state: { ...omit(s.state, 'frozenBy'), frozen: false }, reason: `unfrozen by ${s.by}: automation resumed` };
}

export function manualFailover(s: CommandSituation): Outcome {
  return startRun(s, 'failover', 'manual', `manual failover by ${s.by}`);
}

export function manualFailback(s: CommandSituation): Outcome {
  return startRun(s, 'failback', 'manual', `manual failback by ${s.by}`);
}

export function approve(s: CommandSituation): Outcome {
  if (s.policy.failback.mode !== 'manual' && s.policy.failback.approvalReason === undefined)
    return refused(s, 'approve refused: failback mode is auto, nothing to approve');
  if (s.state.failbackApproved) return { state: s.state, reason: `failback already approved by ${s.state.failbackApproved.by}` };
  return {
    state: { ...s.state, failbackApproved: { by: s.by, atEpochMs: s.ctx.nowEpochMs } },
    reason: `failback approved by ${s.by}: it starts once the primary has been healthy for ${s.policy.failback.holdDownSeconds}s`,
  };
}

/**
 * `approve` during a run answers the `approval` steps waiting right now (journalled as running): who
 * approved is kept on the run, where a step resumed after a crash or hand-off finds it. A step not yet
 * reached cannot be approved in advance (the refusal names it): approve answers the question asked.
 */
export function approveWaitingStep(s: CommandSituation): Outcome {
  const run = activeRunOf(s);
  const approvalSteps = run.plan.filter((step) => step.action === 'approval');
  if (approvalSteps.length === 0) return refuseApprove(s);
  const waiting = approvalSteps.filter((step) => run.steps.find((record) => record.id === step.id)?.status === 'running');
  if (waiting.length === 0) {
    const next = approvalSteps.find((step) => run.steps.find((record) => record.id === step.id)?.status === 'pending');
    const why = next ? ` (step ${next.id} asks when it is reached)` : '';
    return refused(s, `approve refused: ${run.kind} run ${run.id} is not waiting for an approval${why}`);
  }
  const unanswered = waiting.filter((step) => !run.approvals?.[step.id]?.approved);
  if (unanswered.length === 0) {
    const first = waiting[0];
    return { state: s.state, reason: `${first.id} already approved by ${run.approvals?.[first.id]?.approved?.by ?? 'an operator'}` };
  }
  const approved = { by: s.by, atEpochMs: s.ctx.nowEpochMs };
  const approvals = { ...run.approvals };
  for (const step of unanswered) approvals[step.id] = { ...approvals[step.id], approved };
  const what = unanswered.map((step) => `${step.id} (${String(step.params.message)})`).join(', ');
  return {
    state: { ...s.state, activeRun: { ...run, approvals } },
    reason: `approved by ${s.by}: ${what}; the ${run.kind} continues`,
  };
}

export function requestAbort(s: CommandSituation): Outcome {
  const run = activeRunOf(s);
  if (run.abortRequested) return { state: s.state, reason: `abort of run ${run.id} already requested by ${run.abortRequested.by}` };
  return {
    state: { ...s.state, activeRun: { ...run, abortRequested: { by: s.by, atEpochMs: s.ctx.nowEpochMs } } },
    reason: `abort of ${run.kind} run ${run.id} requested by ${s.by}: it stops at the next step boundary`,
    effects: [{ type: 'requestAbort' }],
  };
}

export function refuse(why: string): CommandHandler {
  return (s) => refused(s, `${s.command} refused: ${why}`);
}

export function refuseDuringRun(s: CommandSituation): Outcome {
  const run = activeRunOf(s);
  return refused(s, `${s.command} refused: ${run.kind} already in progress (run ${run.id}); abort it first`);
}

export function refuseApprove(s: CommandSituation): Outcome {
  return refused(s, `approve refused: only a failback from SECONDARY can be approved (service is ${s.state.state})`);
}

export function refuseAbort(s: CommandSituation): Outcome {
  return refused(s, 'abort refused: no run in progress');
}

// ---------------------------------------------------------------------------------------------
// Drills

export function startDrill(s: DrillSituation): Outcome {
  if (s.state.frozen) return refused(s, `drill refused: ${frozenNote(s.state)}`);
  if (s.state.incident) {
    const ago = Math.max(0, Math.round((s.ctx.nowEpochMs - s.state.incident.openedAtEpochMs) / 1000));
    return refused(s, `drill refused: a real incident is open (primary seen down ${ago}s ago)`);
  }
  if (s.evidence) {
    const d = diagnose(s.evidence, s.policy);
    if (d.kind !== 'PrimaryRecovered' && d.kind !== 'PrimaryHealthy')
      return refused(s, `drill refused: primary not healthy: ${d.sentence}`);
    if (!d.secondaryHealthy) return refused(s, `drill refused: ${d.secondaryClause}`);
  }
  const why = `drill by ${s.by}: fail over, hold ${s.holdSeconds}s on SECONDARY, fail back`;
  return startRun(s, 'failover', 'drill', why, { holdSeconds: s.holdSeconds });
}

export function refuseDrill(s: DrillSituation): Outcome {
  if (s.state.activeRun) return refused(s, `drill refused: ${s.state.activeRun.kind} already in progress (run ${s.state.activeRun.id})`);
  if (s.state.drill) return refused(s, `drill refused: drill run ${s.state.drill.runId} is still holding on SECONDARY`);
  return refused(s, `drill refused: service is ${s.state.state}, drills start from PRIMARY`);
}
