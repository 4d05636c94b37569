/**
 * `lambda.invoke`: a user hook (promote a DB replica, flush a cache …). The function gets the run's
 * context merged with the configured payload; a function error fails the step with its message.
 * Scalar fields (and string lists) of an object result become step outputs for later steps.
 * A synchronous Invoke stays open until the function returns, so the lease is held for the timeout.
 */
import { z } from 'zod';
import type { StepOutput } from './context';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { hookArn } from './grants';
import { nonEmpty, region } from './params';

/** A Lambda hook: also the shape of `failback.check` in the config. */
export const lambdaHookSchema = z.strictObject({
  functionName: nonEmpty,
  payload: z.record(z.string(), z.unknown()).optional(),
  region: region.optional(),
});

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
  // A hook without a region runs in the control region.
  grants: (p, { controlRegion }) => [{ action: 'lambda:InvokeFunction', resource: hookArn(p.functionName, p.region ?? controlRegion) }],
  async execute(ctx, p): Promise<ActionResult> {
    const payload = {
      service: ctx.service.name,
      runId: ctx.run.id,
      kind: ctx.run.kind,
      trigger: ctx.run.trigger,
      stepId: ctx.step.id,
      ...p.payload,
    };
    const result = await ctx.aws.lambda.invokeFunction(p.functionName, payload, p.region ? { region: p.region } : {});
    return { output: toOutput(result), note: `${p.functionName} answered` };
  },
});
