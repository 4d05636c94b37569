/** `probe`: scheduled every minute; rounds every intervalSeconds for that minute; watchdog for stalled runs. */
import { z } from 'zod';
import { lambdaHandler, type UseCase } from '../shared/app/lambda-handler';
import { runProbeInvocation } from '../shared/app/probe';

/** The schedule's period: one invocation covers one minute of rounds. */
const WINDOW_MS = 60_000;

/** A scheduled event, or the alarm function asking for an immediate confirming round. */
const confirmRequestSchema = z.object({
  source: z.literal('switchback.alarm'),
  services: z.array(z.string()).min(1),
  rounds: z.number().int().min(1).max(6),
});

export const probe: UseCase<{ rounds: number; primaryDown: string[]; scheduled: boolean }> = async (deps, event, invocation) => {
  const confirm = confirmRequestSchema.safeParse(event);
  const result = await runProbeInvocation(deps, {
    windowMs: confirm.success ? 0 : WINDOW_MS,
    deadlineEpochMs: invocation.deadlineEpochMs,
    ...(confirm.success ? { services: confirm.data.services, maxRounds: confirm.data.rounds } : {}),
  });
  return {
    rounds: result.rounds.length,
    primaryDown: [...new Set(result.rounds.flatMap((round) => round.primaryDown))],
    scheduled: !confirm.success,
  };
};

/** CloudWatch embedded metric: the heartbeat alarm fires when no probe round completes for 3 minutes. */
export function heartbeatMetricLine(location: string, rounds: number, atEpochMs: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: atEpochMs,
      CloudWatchMetrics: [
        { Namespace: 'switchback', Dimensions: [['Location']], Metrics: [{ Name: 'ProbeRoundsCompleted', Unit: 'Count' }] },
      ],
    },
    Location: location,
    ProbeRoundsCompleted: rounds,
  });
}

export const handler = lambdaHandler('probe', async (deps, event, invocation) => {
  const result = await probe(deps, event, invocation);
  if (result.scheduled) console.log(heartbeatMetricLine(deps.location, result.rounds, deps.clock.now()));
  return result;
});
