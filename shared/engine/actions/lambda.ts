/**
 * `lambda.invoke`: a user hook (promote a DB replica, flush a cache …). The function gets the run's
 * context merged with the configured payload; a function error fails the step with its message.
 * Scalar fields (and string lists) of an object result become step outputs for later steps.
 */
import { optionalString, requireString } from './params';
import type { ActionContext, ActionResult, StepOutput } from './types';

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

export async function invokeHook(ctx: ActionContext): Promise<ActionResult> {
  const functionName = requireString(ctx, 'functionName');
  const region = optionalString(ctx, 'region');
  const configured = ctx.params.payload;
  const payload = {
    service: ctx.service.name,
    runId: ctx.run.id,
    kind: ctx.run.kind,
    trigger: ctx.run.trigger,
    stepId: ctx.step.id,
    ...(typeof configured === 'object' && configured !== null && !Array.isArray(configured) ? configured : {}),
  };
  const result = await ctx.aws.lambda.invokeFunction(functionName, payload, region ? { region } : {});
  return { output: toOutput(result), note: `${functionName} answered` };
}
