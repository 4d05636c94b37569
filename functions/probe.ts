/** `probe`: scheduled every minute; rounds every intervalSeconds for that minute; watchdog for stalled runs. */
import { lambdaHandler, type UseCase } from '../shared/app/lambda-handler';
import { parseProbeRequest, runProbeInvocation, type ProbeRequest } from '../shared/app/probe';
import { describeError } from '../shared/errors';
import { createProber } from '../shared/probes';

/** The schedule's period: one invocation covers one minute of rounds. */
const WINDOW_MS = 60_000;

export interface ProbeAnswer {
  ok: boolean;
  rounds: number;
  primaryDown: string[];
  scheduled: boolean;
  /** Only a scheduled invocation counts for the heartbeat alarm (ProbeRoundsCompleted). */
  heartbeat: boolean;
  error?: string;
}

export const probe: UseCase<ProbeAnswer> = async (deps, event, invocation) => {
  let request: ProbeRequest;
  try {
    request = parseProbeRequest(
      event,
      deps.config.services.map((service) => service.name),
    );
  } catch (error) {
    const message = describeError(error);
    deps.logger.error(`refused probe request: ${message}`);
    return { ok: false, rounds: 0, primaryDown: [], scheduled: false, heartbeat: false, error: message };
  }
  const scheduled = request.kind === 'scheduled';
  const result = await runProbeInvocation(deps, {
    windowMs: scheduled ? WINDOW_MS : 0,
    deadlineEpochMs: invocation.deadlineEpochMs,
    // The heartbeat (ProbeRoundsCompleted) counts the schedule's rounds only: a confirming round is extra.
    heartbeat: scheduled,
    ...(request.kind === 'confirm' ? { services: request.services, maxRounds: request.rounds } : {}),
  });
  return {
    ok: true,
    rounds: result.rounds.length,
    primaryDown: [...new Set(result.rounds.flatMap((round) => round.primaryDown))],
    scheduled,
    heartbeat: scheduled,
  };
};

export const handler = lambdaHandler('probe', probe, { prober: createProber });
