/** What the EC2 step actions share: polling on the engine's clock and the wait for an instance state. */
import type { Ec2PermissionAction, PollOptions } from '../aws/ec2';
import { StepTimeoutError } from '../engine/errors';
import type { ActionContext } from './context';
import type { DryRunCheck, DryRunContext, GrantContext, RetryPolicy } from './define-action';
import { holdsStepRef, isStepRef, type Grant } from './grants';

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

/**
 * A drill check of one EC2 call, asked as the step will ask it. IAM is asked whether the
 * orchestrator's role may make the call (iam:SimulatePrincipalPolicy with the requests AWS will
 * authorize: a grant removed from that role is found by name). With every value known, EC2 also
 * answers a DryRun of the same request (for the drill's own role, which holds the step's grants from
 * the same generator; EC2's own answer counts what a simulation cannot, e.g. organization policies).
 * With a value known only at run time (`${steps.launch.instanceId}`) there is no DryRun: it would lack
 * the parameter (MissingParameter) or ask about another instance. An action using it declares
 * `dryRunSimulatesOrchestrator` (the drill's grant follows from it).
 */
export function ec2PermissionCheck(
  context: Pick<DryRunContext, 'region' | 'aws' | 'simulateOrchestrator'>,
  action: Ec2PermissionAction,
  sdkInput: object,
): DryRunCheck {
  const request = sdkInput as Record<string, unknown>;
  return {
    check: `permission ec2:${action}`,
    run: async () => {
      const simulated = await context.simulateOrchestrator('ec2', action, request);
      if (holdsStepRef(request)) return simulated;
      const dryRun = await context.aws.ec2().checkPermission(context.region, action, request);
      // What failed comes first: the text people get is cut to fit an SMS.
      const parts = [{ ok: dryRun.allowed, detail: dryRun.detail }, simulated].sort((a, b) => Number(a.ok) - Number(b.ok));
      return { ok: dryRun.allowed && simulated.ok, detail: parts.map((part) => part.detail).join('; ') };
    },
  };
}

/** The drill holds a step's grants only for the DryRun it sends; a simulated check needs none of them (serverless/iam.ts grants the simulation). */
export function dryRunGrantsUnlessSimulated<P>(grants: (params: P, context: GrantContext) => Grant[], request: (params: P) => unknown) {
  return (params: P, context: GrantContext): Grant[] => (holdsStepRef(request(params)) ? [] : grants(params, context));
}

/** The instance a step names in its config (none when it refers to an earlier step's output). */
export function namedInstance(params: { instanceId: string }): string[] {
  return isStepRef(params.instanceId) ? [] : [params.instanceId];
}

/**
 * How a step that acts on an instance (a named one, or one an earlier step launches) is granted and
 * checked: the drill holds the grants only for a DryRun it can send, and the check asks exactly what
 * the step's request will ask (see ec2PermissionCheck).
 */
export function instanceStepChecks<P extends { instanceId: string }>(
  action: Ec2PermissionAction,
  grants: (params: P, context: GrantContext) => Grant[],
  request: (params: P) => object,
) {
  return {
    grants,
    dryRunGrants: dryRunGrantsUnlessSimulated(grants, request),
    namedInstanceIds: namedInstance,
    dryRunSimulatesOrchestrator: true,
    dryRunCheck: (params: P, context: DryRunContext) => ec2PermissionCheck(context, action, request(params)),
  };
}
