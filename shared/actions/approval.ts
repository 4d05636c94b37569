/**
 * `approval`: text the on-call people a question ("promote west, losing up to 5s of writes?") and
 * wait for `switchback control approve` before the next step (e.g. a data-loss database failover).
 *
 * Durable: the request and the answer live on the run (`run.approvals[<step id>]`), so a run
 * handed on to the next orchestrator invocation or resumed after a crash keeps both. The wait ends
 * when the step's budget does (fixed when the step first started, never restarted by a resume). The
 * request is texted once per run (journalled after the publish: a crash in between texts it again,
 * never zero times). `control approve` only answers a step that is waiting (see the state machine's
 * `approveWaitingStep`); an `abort` while waiting ends the run `aborted`.
 *
 * `onTimeout: abort` fails the step (and so the run: a human must look, a manual failover still
 * works); `onTimeout: continue` goes on without the approval, and says so.
 */
import * as z from '../app/event-schema';
import { AbortRequestedError, StepTimeoutError } from '../engine/errors';
import type { ActionContext, ActionResult } from './context';
import { defineAction } from './define-action';
import { userMessage } from './notify';
import { positiveInt } from './params';

/** How often the waiting step reads the run for an answer (one DynamoDB read each). */
export const APPROVAL_POLL_MS = 5_000;

const params = z.strictObject({
  message: z.string().check(z.minLength(1), z.maxLength(100, 'must be at most 100 characters (SMS budget)')),
  timeoutSeconds: z._default(positiveInt(86400), 900),
  onTimeout: z._default(z.enum(['abort', 'continue'], { error: 'must be abort or continue' }), 'abort'),
});
type ApprovalParams = z.output<typeof params>;

function secondsBetween(fromEpochMs: number, toEpochMs: number): number {
  return Math.max(0, Math.round((toEpochMs - fromEpochMs) / 1000));
}

/** The request as texted: the question first, then how long and what happens without an answer. */
export function approvalRequestText(p: ApprovalParams, leftSeconds: number): string {
  return `approve? ${p.message} (control approve within ${leftSeconds}s, else ${p.onTimeout})`;
}

async function textOnce(ctx: ActionContext, p: ApprovalParams, startedAtEpochMs: number): Promise<void> {
  const run = await ctx.readRun();
  if (run.approvals?.[ctx.step.id]?.textedAtEpochMs !== undefined || run.approvals?.[ctx.step.id]?.approved) return;
  const left = secondsBetween(ctx.clock.now(), Math.max(ctx.deadlineEpochMs, startedAtEpochMs));
  await ctx.publish(userMessage(ctx.service.name, approvalRequestText(p, left), ctx.run.trigger === 'drill'));
  await ctx.updateRun((current) => ({
    ...current,
    approvals: { ...current.approvals, [ctx.step.id]: { ...current.approvals?.[ctx.step.id], textedAtEpochMs: ctx.clock.now() } },
  }));
}

export const approval = defineAction({
  name: 'approval',
  params,
  // The step waits on its own until its timeout; a retry only covers a failed read of the run.
  defaults: { timeoutSeconds: (p) => p.timeoutSeconds, retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 5_000 } },
  describe: (p) => `text on-call "${p.message}" and wait up to ${p.timeoutSeconds}s for control approve (then ${p.onTimeout})`,
  // The request is a text: every function that runs steps already publishes to notify.sms / notify.topicArn (serverless/iam.ts).
  grants: () => [],
  async execute(ctx, p): Promise<ActionResult> {
    const startedAtEpochMs = ctx.run.steps.find((record) => record.id === ctx.step.id)?.startedAtEpochMs ?? ctx.clock.now();
    await textOnce(ctx, p, startedAtEpochMs);
    for (;;) {
      const run = await ctx.readRun();
      const approved = run.approvals?.[ctx.step.id]?.approved;
      if (approved) {
        const sentence = `approved by ${approved.by} after ${secondsBetween(startedAtEpochMs, approved.atEpochMs)}s; the ${run.kind} continues`;
        await ctx.publish(userMessage(ctx.service.name, sentence, run.trigger === 'drill'));
        return { output: { approved: true, approvedBy: approved.by }, note: sentence };
      }
      if (run.abortRequested) throw new AbortRequestedError(run.abortRequested.by);
      const nowEpochMs = ctx.clock.now();
      if (nowEpochMs >= ctx.deadlineEpochMs) {
        const waited = `not approved within ${secondsBetween(startedAtEpochMs, ctx.deadlineEpochMs)}s`;
        if (p.onTimeout === 'abort') {
          throw new StepTimeoutError(`${waited} (onTimeout: abort)`, { context: { step: ctx.step.id } });
        }
        const sentence = `${waited}; the ${run.kind} continues without it (onTimeout: continue)`;
        await ctx.publish(userMessage(ctx.service.name, sentence, run.trigger === 'drill'));
        return { output: { approved: false }, note: sentence };
      }
      await ctx.sleep(Math.min(APPROVAL_POLL_MS, ctx.deadlineEpochMs - nowEpochMs));
    }
  },
});
