/**
 * The one place a decision becomes I/O (raft's `Ready`): save the next state with a conditional
 * write, record the reason, then carry out the effects. Every use case (probe round, alarm,
 * operator command, drill) goes through here, so the same sentence reaches logs, SMS and status.
 */
import { decide, type Decision, type DecisionInput } from '../domain/state-machine';
import type { RunKind, ServiceState } from '../domain/types';
import type { ServiceConfig } from '../config/types';
import { describeError } from '../errors';
import { boundText } from '../engine/bounded';
import { VersionConflictError } from '../store/errors';
import type { AppDeps } from './deps';
import { notifyOnCall } from './notify';

const MAX_CONFLICT_RETRIES = 3;

export interface AppliedDecision {
  decision: Decision;
  /** The state as stored after this decision (the input state when nothing changed). */
  state: ServiceState;
  /** An effect asked for an immediate probe round (alarm-confirmed-by-probe). */
  probeNow: boolean;
}

export async function decideAndApply(
  deps: AppDeps,
  service: ServiceConfig,
  input: DecisionInput,
  options: { state?: ServiceState } = {},
): Promise<AppliedDecision> {
  let state = options.state ?? (await deps.store.ensureState(service.name, deps.clock.now()));
  let failbackCheck: { ready: boolean; reason: string } | undefined;
  for (let attempt = 1; ; attempt++) {
    const nowEpochMs = deps.clock.now();
    const planOf = (kind: RunKind) => deps.planOf(service, kind);
    const decision = decide(state, input, { nowEpochMs, service, newRunId: deps.newId(), planOf, failbackCheck });
    if (!failbackCheck && decision.effects.some((effect) => effect.type === 'checkFailback')) {
      failbackCheck = await runFailbackCheck(deps, service);
      continue;
    }
    if (!decision.changed) return { decision, state, probeNow: hasProbeNow(decision) };
    try {
      const saved = await deps.store.saveState(decision.state, state.version);
      // The saved state is the decision; the audit line only tells of it (its failure is logged and
      // never stops a failover), so the effects (the orchestrator invoke) do not wait for it.
      await Promise.all([recordDecision(deps, service, state, saved, decision), carryOutEffects(deps, service, decision)]);
      return { decision, state: saved, probeNow: hasProbeNow(decision) };
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      // Someone else (the orchestrator, another location, an operator) wrote first: decide again on what they wrote.
      deps.logger.debug('state changed underneath a decision; deciding again', { service: service.name, attempt });
      state = await deps.store.ensureState(service.name, deps.clock.now());
    }
  }
}

function hasProbeNow(decision: Decision): boolean {
  return decision.effects.some((effect) => effect.type === 'probeNow');
}

async function recordDecision(
  deps: AppDeps,
  service: ServiceConfig,
  before: ServiceState,
  after: ServiceState,
  decision: Decision,
): Promise<void> {
  const atEpochMs = deps.clock.now();
  const moved = before.state !== after.state;
  if (moved)
    deps.emit({ kind: 'transition', atEpochMs, service: service.name, from: before.state, to: after.state, reason: decision.reason });
  else deps.emit({ kind: 'decision', atEpochMs, service: service.name, state: after.state, reason: decision.reason });
  try {
    await deps.store.appendEvent(service.name, {
      atEpochMs,
      type: moved ? 'transition' : 'decision',
      reason: decision.reason,
      data: { from: before.state, to: after.state, ...(after.activeRun ? { runId: after.activeRun.id } : {}) },
    });
  } catch (error) {
    // The audit trail must never stop a failover; the decision itself is already saved.
    deps.logger.warn('could not append the audit event', { service: service.name, error: String(error) });
  }
}

async function carryOutEffects(deps: AppDeps, service: ServiceConfig, decision: Decision): Promise<void> {
  for (const effect of decision.effects) {
    switch (effect.type) {
      case 'startRun':
        await startOrchestrator(deps, service.name, effect.run.id);
        break;
      case 'notify':
        await notifyOnCall(deps, service.name, effect.text, { key: effect.key });
        break;
      case 'requestAbort':
      case 'probeNow':
      case 'checkFailback':
        break;
    }
  }
}

/** Hand a run to the orchestrator (async invoke). If the invoke fails, the probe watchdog picks the run up. */
export async function startOrchestrator(deps: AppDeps, service: string, runId: string): Promise<void> {
  deps.emit({ kind: 'invoke', atEpochMs: deps.clock.now(), service, function: deps.functions.orchestrator, runId });
  try {
    await deps.aws.lambda.invokeAsync(deps.functions.orchestrator, { service, runId });
  } catch (error) {
    deps.logger.error('could not start the orchestrator; the watchdog will resume the run', { service, runId, error: String(error) });
  }
}

/**
 * How long a failback check may take to answer. The deployed clients give up after 5 s, so a 7 s
 * check could never answer ready; a check with no answer in time may still be running, and is not
 * retried within the round (the next round asks again: a check must only read).
 */
export const FAILBACK_CHECK_TIMEOUT_MS = 15_000;

/** `failback.check`: a user Lambda that must answer `{ "ready": true }` before failing back. */
async function runFailbackCheck(deps: AppDeps, service: ServiceConfig): Promise<{ ready: boolean; reason: string }> {
  const check = service.policy.failback.check;
  if (!check) return { ready: true, reason: 'no failback check configured' };
  try {
    const askedAtEpochMs = deps.clock.now();
    const payload = {
      ...(check.payload ?? { service: service.name }),
      // No run exists yet: the key names this one question.
      switchback: {
        service: service.name,
        runId: null,
        step: 'failback.check',
        attempt: 1,
        idempotencyKey: `${service.name}/failback.check/${askedAtEpochMs}`,
      },
    };
    const answer = (await deps.aws.lambda.invokeFunction(check.functionName, payload, {
      ...(check.region && { region: check.region }),
      timeoutMs: FAILBACK_CHECK_TIMEOUT_MS,
    })) as { ready?: unknown; reason?: unknown } | undefined;
    if (answer && answer.ready === true) return { ready: true, reason: `failback check ${check.functionName} says ready` };
    const why = answer && typeof answer.reason === 'string' ? `: ${boundText(answer.reason, 200)}` : '';
    return { ready: false, reason: `failback check ${check.functionName} says not ready${why}` };
  } catch (error) {
    // A hook that cannot answer holds the failback (safe) but must not stay unnoticed: HookFailures alarm.
    deps.metrics.count('HookFailures');
    return {
      ready: false,
      reason: `failback check ${check.functionName} failed: ${boundText(describeError(error), 400)}`,
    };
  }
}
