/**
 * `notify`: a message of the user's own, texted at this point of the runbook. It is delivered at
 * least once per run: the step's start (journalled before the publish) is the intent and its end the
 * confirmation, so a run resumed after a crash in between sends it again (a crash right after the
 * publish can make it arrive twice; never zero times). A failed send is reported on the step, which
 * never fails the run (`neverFailsRun`).
 */
import * as z from '../app/event-schema';
import { gsm7Length, SMS_MAX_CHARS, toGsm7 } from '../domain/messages';
import { SwitchbackError } from '../errors';
import type { ActionResult } from './context';
import { defineAction } from './define-action';

/** `[switchback] <service>: <message>` (drills: `[DRILL] …`), folded to GSM-7 and cut to one SMS. */
export function userMessage(service: string, message: string, drill: boolean): string {
  const text = toGsm7(`${drill ? '[DRILL] ' : ''}[switchback] ${service}: ${message}`);
  if (gsm7Length(text) <= SMS_MAX_CHARS) return text;
  let out = '';
  for (const char of text) {
    if (gsm7Length(out + char) > SMS_MAX_CHARS - 3) break;
    out += char;
  }
  return `${out.trimEnd()}...`;
}

export const notify = defineAction({
  name: 'notify',
  params: z.strictObject({ message: z.string().check(z.minLength(1), z.maxLength(120, 'must be at most 120 characters (SMS budget)')) }),
  defaults: { timeoutSeconds: 30, retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 2_000 } },
  neverFailsRun: true,
  describe: (p) => `text on-call: "${p.message}"`,
  // Every function that decides already publishes to notify.sms / notify.topicArn (serverless/iam.ts).
  grants: () => [],
  async execute(ctx, p): Promise<ActionResult> {
    const text = userMessage(ctx.service.name, p.message, ctx.run.trigger === 'drill');
    const outcome = await ctx.publish(text);
    if (outcome.delivered === 0) {
      throw new SwitchbackError(`notify: nobody could be texted: ${outcome.error ?? 'no recipients'}`, { context: { step: ctx.step.id } });
    }
    return { output: { sent: true, delivered: outcome.delivered }, ...(outcome.error && { note: `partly failed: ${outcome.error}` }) };
  },
});
