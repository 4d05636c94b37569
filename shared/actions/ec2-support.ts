/** What the EC2 step actions share: polling on the engine's clock and the wait for an instance state. */
import type { PollOptions } from '../aws/ec2';
import { StepTimeoutError } from '../engine/errors';
import type { ActionContext } from './context';
import type { RetryPolicy } from './define-action';

export const EC2_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 };

export function pollOptions(ctx: ActionContext): PollOptions {
  return { deadlineEpochMs: ctx.deadlineEpochMs, sleep: (ms) => ctx.sleep(ms), now: () => ctx.clock.now() };
}

/** Wait until every instance is `target`, or fail the step at its deadline naming the states seen. */
export async function waitForInstances(
  ctx: ActionContext,
  region: string,
  instanceIds: string[],
  target: 'running' | 'stopped',
): Promise<void> {
  const waited = await ctx.aws.ec2().waitForState(region, instanceIds, target, pollOptions(ctx));
  if (!waited.reached) {
    const seen = Object.entries(waited.states)
      .map(([id, state]) => `${id} ${state}`)
      .join(', ');
    throw new StepTimeoutError(
      `${ctx.step.action}: ${instanceIds.join(', ')} not ${target} within ${Math.round(ctx.step.timeoutMs / 1000)}s (${seen})`,
      {
        context: { step: ctx.step.id, states: waited.states },
      },
    );
  }
}

/** A drill check that DryRuns one EC2 call as the real step would send it. */
export function ec2PermissionCheck(
  context: { region: string; aws: Pick<ActionContext['aws'], 'ec2'> },
  action: Parameters<ReturnType<ActionContext['aws']['ec2']>['checkPermission']>[1],
  request: Record<string, unknown>,
) {
  return {
    check: `permission ec2:${action}`,
    run: async () => {
      const result = await context.aws.ec2().checkPermission(context.region, action, request);
      return { ok: result.allowed, detail: result.detail };
    },
  };
}

/** For a DryRun: a literal instance id as is; a step reference becomes a standby instance known now. */
export function knownInstance(id: string, knownInstanceId: string | undefined): string | undefined {
  return /^\$\{(?:steps|failover)\./.test(id) ? knownInstanceId : id;
}
