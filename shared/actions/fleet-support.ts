/** What the fleet steps (Auto Scaling groups, ECS services) share: retries, polling, a wait with a clear timeout. */
import { StepTimeoutError } from '../engine/errors';
import type { ActionContext } from './context';
import type { RetryPolicy } from './define-action';

/** ResourceContention / ScalingActivityInProgress / throttling are retried; validation is not (classification in shared/aws/errors). */
export const FLEET_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000 };
/** How often a fleet step re-reads the group or service while it converges. */
export const FLEET_POLL_MS = 10_000;

/**
 * Poll `look` until it says done, sleeping on the engine's clock (which renews the lease and hands
 * the run on near the invocation's deadline); at the step's deadline fail with the last state seen.
 */
export async function waitUntil<T>(
  ctx: ActionContext,
  look: () => Promise<{ done: boolean; value: T; seen: string }>,
  what: string,
): Promise<{ value: T; waitedMs: number }> {
  const startedAt = ctx.clock.now();
  for (;;) {
    const state = await look();
    if (state.done) return { value: state.value, waitedMs: ctx.clock.now() - startedAt };
    if (ctx.clock.now() + FLEET_POLL_MS > ctx.deadlineEpochMs)
      throw new StepTimeoutError(
        `${ctx.step.action}: ${what} not reached within ${Math.round(ctx.step.timeoutMs / 1000)}s (${state.seen})`,
        {
          context: { step: ctx.step.id, seen: state.seen },
        },
      );
    await ctx.sleep(FLEET_POLL_MS);
  }
}
