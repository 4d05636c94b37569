/**
 * `route53.waitInSync` (added by the plan after `route53.switch`): poll GetChange every 2 s until
 * INSYNC. If the deadline passes first the change still applies, but people are told DNS_PENDING
 * instead of "done", and the step succeeds. For health-check-flag there is no change to poll: the
 * step watches the flag alarm (the thing Route 53's health check follows) in the control region
 * until it shows the new state — best effort, still no Route 53 API call — and reports DNS_PENDING
 * the same way if it does not.
 */
import * as z from '../app/event-schema';
import { DEFAULT_CHANGE_POLL_MS } from '../aws/route53-records';
import { StepParamsError } from '../engine/errors';
import type { ActionContext, ActionResult } from './context';
import { defineAction } from './define-action';
import { ROUTE53_RETRY } from './route53-switch';
import { describeError } from '../errors';

/** The step's budget is the INSYNC wait plus this margin for the calls around it. */
const MARGIN_SECONDS = 30;

export const route53WaitInSync = defineAction({
  name: 'route53.waitInSync',
  params: z.strictObject({
    switchStepId: z.optional(z.string().check(z.minLength(1))),
    inSyncTimeoutSeconds: z.number().check(z.positive()),
  }),
  planOnly: true,
  defaults: { timeoutSeconds: (p) => p.inSyncTimeoutSeconds + MARGIN_SECONDS, retry: ROUTE53_RETRY },
  // Not being INSYNC in time is reported as DNS_PENDING by the step itself; the change still goes through.
  neverFailsRun: true,
  describe: (p) => `wait up to ${p.inSyncTimeoutSeconds}s for the DNS change to be INSYNC`,
  // Granted per service by serverless/iam.ts (route53:GetChange, or the flag alarm and health check).
  grants: () => [],
  async execute(ctx, p): Promise<ActionResult> {
    const switched = [...ctx.run.steps]
      .reverse()
      .find((step) => (p.switchStepId ? step.id === p.switchStepId : step.action === 'route53.switch'));
    if (!switched || switched.status !== 'succeeded') {
      throw new StepParamsError(`step ${ctx.step.id}: the DNS switch step ${p.switchStepId ?? '(route53.switch)'} has not succeeded`);
    }
    const timeoutSeconds = p.inSyncTimeoutSeconds;
    if (switched.output?.strategy === 'health-check-flag')
      return waitForFlagAlarm(ctx, switched.output.flag === 1 ? 'ALARM' : 'OK', timeoutSeconds);
    const changeId = switched.output?.changeId;
    if (typeof changeId !== 'string' || changeId.length === 0) {
      return { output: { inSync: true }, note: 'the record already pointed at the target; no change to wait for' };
    }
    const startedAtEpochMs = firstStartOf(ctx);
    const deadlineEpochMs = Math.min(ctx.deadlineEpochMs, startedAtEpochMs + timeoutSeconds * 1000);
    const waited = await ctx.aws.route53.waitInSync(changeId, {
      pollMs: DEFAULT_CHANGE_POLL_MS,
      deadlineEpochMs,
      sleep: (ms) => ctx.sleep(ms),
      now: () => ctx.clock.now(),
    });
    const seconds = Math.round((ctx.clock.now() - startedAtEpochMs) / 1000);
    if (waited.inSync) return { output: { inSync: true, polls: waited.polls }, note: `change ${changeId} INSYNC after ${seconds}s` };
    await ctx.reportDnsPending(seconds);
    return {
      output: { inSync: false, polls: waited.polls },
      note: `change ${changeId} still PENDING after ${seconds}s: DNS_PENDING (the change will still apply)`,
    };
  },
});

/** When the wait began: its first attempt's start as journalled, so a hand-off or resume does not restart the clock. */
function firstStartOf(ctx: ActionContext): number {
  return ctx.run.steps.find((step) => step.id === ctx.step.id)?.startedAtEpochMs ?? ctx.clock.now();
}

/** health-check-flag: poll the flag alarm until it reflects the flag (ALARM = answer the secondary). */
async function waitForFlagAlarm(ctx: ActionContext, wanted: 'ALARM' | 'OK', timeoutSeconds: number): Promise<ActionResult> {
  const alarm = ctx.aws.cloudWatch.flagAlarmName(ctx.service.name);
  const startedAtEpochMs = firstStartOf(ctx);
  const deadlineEpochMs = Math.min(ctx.deadlineEpochMs, startedAtEpochMs + timeoutSeconds * 1000);
  let polls = 0;
  let last = 'unknown';
  for (;;) {
    polls++;
    try {
      const [state] = await ctx.aws.cloudWatch.describeAlarmStates([alarm], ctx.config.controlRegion);
      last = state?.state ?? 'NOT_FOUND';
    } catch (error) {
      // Best effort: the switch itself is already published; a failed look is retried until the deadline.
      last = `unreadable (${describeError(error)})`;
    }
    const seconds = Math.round((ctx.clock.now() - startedAtEpochMs) / 1000);
    if (last === wanted) {
      return {
        output: { inSync: true, polls },
        note: `switched via data plane: alarm ${alarm} ${wanted} after ${seconds}s; Route 53's health check follows it`,
      };
    }
    if (ctx.clock.now() + DEFAULT_CHANGE_POLL_MS > deadlineEpochMs) {
      await ctx.reportDnsPending(seconds);
      return { output: { inSync: false, polls }, note: `alarm ${alarm} still ${last} after ${seconds}s (want ${wanted}): DNS_PENDING` };
    }
    await ctx.sleep(DEFAULT_CHANGE_POLL_MS);
  }
}
