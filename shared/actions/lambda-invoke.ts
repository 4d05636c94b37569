/**
 * `lambda.invoke`: a user hook (promote a DB replica, flush a cache …). The function gets the run's
 * context merged with the configured payload, plus `switchback: { service, runId, step, attempt,
 * idempotencyKey }` (the key is the same for every attempt of the step in this run: a hook that may
 * see it twice does its work once). A function error fails the step with its message. Scalar fields
 * (and string lists) of an object result become step outputs for later steps (the journal keeps
 * about 4 KB of them).
 *
 * A synchronous Invoke stays open until the function returns, so the lease is held for the step's
 * budget and the call waits what is left of it (not the client's 5 s default). A call with no answer
 * in time may still be running: it is not invoked again (see ../aws/lambda). A run resumed after the
 * budget was spent does not invoke it again either. A function given by full ARN is called in the
 * ARN's region.
 */
import * as z from '../app/event-schema';
import { regionOfFunctionArn } from '../aws/lambda-arn';
import { StepTimeoutError } from '../engine/errors';
import type { ActionContext, StepOutput } from './context';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { hookArn } from './grants';
import { nonEmpty, region } from './params';

/** A Lambda hook: also the shape of `failback.check` in the config. */
export const lambdaHookSchema = z
  .strictObject({
    functionName: nonEmpty,
    payload: z.optional(z.record(z.string(), z.unknown())),
    region: z.optional(region),
  })
  .check(
    z.superRefine((hook, ctx) => {
      const arnRegion = regionOfFunctionArn(hook.functionName);
      if (arnRegion && hook.region && arnRegion !== hook.region)
        ctx.addIssue({ code: 'custom', path: ['region'], message: `must be the region of the function ARN (${arnRegion}) or left out` });
    }),
  );

/** Less than this left of the budget: the hook is not invoked (it could not answer in time). */
export const MIN_HOOK_TIMEOUT_MS = 1_000;

/** The `switchback` field of every hook payload: who calls, and the key that stays the same across attempts. */
export function hookContext(ctx: Pick<ActionContext, 'service' | 'run' | 'step' | 'attempt'>) {
  const journalled = ctx.run.steps.find((record) => record.id === ctx.step.id)?.attempts ?? 1;
  return {
    service: ctx.service.name,
    runId: ctx.run.id,
    step: ctx.step.id,
    // Attempts journalled before this execution plus this execution's retries.
    attempt: journalled - 1 + ctx.attempt,
    idempotencyKey: `${ctx.run.id}/${ctx.step.id}`,
  };
}

function toOutput(value: unknown): StepOutput {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return value === undefined ? {} : { result: typeof value === 'string' ? value : JSON.stringify(value) };
  const output: StepOutput = {};
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') output[key] = field;
    else if (Array.isArray(field) && field.every((item) => typeof item === 'string')) output[key] = field;
  }
  return output;
}

export const lambdaInvoke = defineAction({
  name: 'lambda.invoke',
  params: lambdaHookSchema,
  defaults: { timeoutSeconds: 60, retry: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4_000 } },
  holdsLeaseForTimeout: true,
  describe: (p) => `invoke Lambda ${p.functionName}${p.region ? ` in ${p.region}` : ''}`,
  // A hook without a region runs in its ARN's region, else the control region.
  grants: (p, { controlRegion }) => [
    {
      action: 'lambda:InvokeFunction',
      resource: hookArn(p.functionName, p.region ?? regionOfFunctionArn(p.functionName) ?? controlRegion),
    },
  ],
  async execute(ctx, p): Promise<ActionResult> {
    const switchback = hookContext(ctx);
    const timeoutMs = Math.min(ctx.deadlineEpochMs, ctx.invocationDeadlineEpochMs) - ctx.clock.now();
    if (timeoutMs < MIN_HOOK_TIMEOUT_MS) {
      const earlier = switchback.attempt > 1 ? '; an earlier attempt may have run it, so it is not invoked again' : '';
      throw new StepTimeoutError(
        `no time left to invoke ${p.functionName} (${Math.max(0, Math.floor(timeoutMs / 1000))}s of its budget left${earlier})`,
        {
          context: { step: ctx.step.id, timeoutMs },
        },
      );
    }
    const payload = {
      service: ctx.service.name,
      runId: ctx.run.id,
      kind: ctx.run.kind,
      trigger: ctx.run.trigger,
      stepId: ctx.step.id,
      ...p.payload,
      switchback,
    };
    const region = p.region ?? regionOfFunctionArn(p.functionName);
    const result = await ctx.aws.lambda.invokeFunction(p.functionName, payload, { ...(region && { region }), timeoutMs });
    return { output: toOutput(result), note: `${p.functionName} answered` };
  },
});
