/**
 * `probe`: one round per message of this location's probe chain (an SQS event source mapping); the
 * one-minute schedule seeds the chain when a link is overdue; the `alarm` function asks for
 * confirming rounds. Deployed without a chain, the schedule's invocation runs a minute of rounds.
 */
import { lambdaHandler, type LambdaWiring, type UseCase } from '../shared/app/lambda-handler';
import { parseProbeRequest, runProbeInvocation, type ProbeRequest } from '../shared/app/probe';
import { isSqsEvent, parseChainLink, runChainLink, tendChain } from '../shared/app/probe-chain';
import { createChainQueue, sqsClientFactory } from '../shared/aws/sqs';
import { describeError } from '../shared/errors';
import { createProber } from '../shared/probes';
import { cloudWatchKit } from '../shared/aws/cloudwatch';
import { lambdaKit } from '../shared/aws/lambda';
import { snsKit } from '../shared/aws/sns';

/** The schedule's period: one invocation covers one minute of rounds. */
const WINDOW_MS = 60_000;

export interface ProbeAnswer {
  ok: boolean;
  rounds: number;
  primaryDown: string[];
  scheduled: boolean;
  /** Only a scheduled invocation or a chain link counts for the heartbeat alarm (ProbeRoundsCompleted). */
  heartbeat: boolean;
  /** What the chain did: the schedule's look at it, or each link's claim. */
  chain?: string[];
  error?: string;
}

export const probe: UseCase<ProbeAnswer> = async (deps, event, invocation) => {
  if (isSqsEvent(event)) {
    // Batch size 1; a bigger batch (a hand-made mapping) runs its links one after the other.
    const outcomes = [];
    for (const record of event.Records) outcomes.push(await runChainLink(deps, parseChainLink(record.body), invocation));
    const rounds = outcomes.flatMap((outcome) => outcome.rounds);
    const errors = outcomes.flatMap((outcome) => (outcome.error ? [outcome.error] : []));
    return {
      ok: errors.length === 0,
      rounds: rounds.length,
      primaryDown: [...new Set(rounds.flatMap((round) => round.primaryDown))],
      scheduled: false,
      heartbeat: outcomes.some((outcome) => outcome.ran),
      chain: outcomes.map((outcome) => outcome.reason),
      ...(errors.length > 0 && { error: errors.join('; ') }),
    };
  }
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
  if (scheduled && deps.chain) {
    const tended = await tendChain(deps, invocation);
    return { ok: true, rounds: 0, primaryDown: [], scheduled, heartbeat: false, chain: [tended.reason] };
  }
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

/** What `probe` carries (`FUNCTION_AWS_ADAPTERS.probe`, the prober and the chain's queue). */
export const wiring: LambdaWiring = {
  sns: snsKit,
  cloudWatch: cloudWatchKit,
  lambda: lambdaKit,
  prober: createProber,
  probeChain: { factory: sqsClientFactory, queue: createChainQueue },
};

export const handler = lambdaHandler('probe', probe, wiring);
