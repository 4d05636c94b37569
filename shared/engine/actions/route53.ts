/**
 * DNS steps.
 *
 * `route53.switch`
 * - record-swap: read the record; if it already points at the target, skip (a re-executed step
 *   or a record someone fixed by hand); else UPSERT it (never CREATE), keeping its routing fields
 *   (weight, failover role, health check), and output the change id for `route53.waitInSync`.
 * - health-check-flag: publish the flag metric in the control region (1 = traffic to the secondary,
 *   0 = back to the primary). The alarm on it flips the PRIMARY record's health check, so Route 53
 *   answers with the other record: no Route 53 API call at incident time.
 *
 * `route53.waitInSync`: poll GetChange every 2 s until INSYNC. If the deadline passes first the
 * change still applies, but people are told DNS_PENDING instead of "done", and the step succeeds.
 * For health-check-flag there is no change to poll: the step watches the flag alarm (the thing
 * Route 53's health check follows) in the control region until it shows the new state — best
 * effort, still no Route 53 API call — and reports DNS_PENDING the same way if it does not.
 */
import { flagAlarmName } from '../../aws/flag';
import { DEFAULT_CHANGE_POLL_MS, recordMatches, toRecordType, type RecordKey, type RecordTarget } from '../../aws/route53';
import type { DnsType } from '../../config/types';
import { StepParamsError } from '../errors';
import { optionalString, requirePositiveNumber, requireString } from './params';
import type { ActionContext, ActionResult } from './types';

function describeTarget(target: RecordTarget): string {
  if (Array.isArray(target)) return target.join(', ');
  if (typeof target === 'string') return target;
  return `alias ${target.alias.dnsName}`;
}

function targetOf(ctx: ActionContext): RecordTarget {
  const target = ctx.params.target;
  if (Array.isArray(target) || typeof target === 'string') return target as RecordTarget;
  if (typeof target === 'object' && target !== null && 'alias' in target) return target as RecordTarget;
  throw new StepParamsError(`step ${ctx.step.id}: target must be addresses, a hostname or an alias, got ${JSON.stringify(target)}`);
}

function roleOf(ctx: ActionContext): 'primary' | 'secondary' {
  const site = ctx.params.site;
  if (site === 'primary' || site === 'secondary') return site;
  return ctx.run.kind === 'failover' ? 'secondary' : 'primary';
}

export async function switchDns(ctx: ActionContext): Promise<ActionResult> {
  const strategy = optionalString(ctx, 'strategy') ?? ctx.service.dns.strategy;
  const role = roleOf(ctx);
  if (strategy === 'health-check-flag') {
    const value = role === 'secondary' ? 1 : 0;
    await ctx.aws.cloudWatch.putFlagMetric({
      service: ctx.service.name,
      value,
      atEpochMs: ctx.clock.now(),
      region: ctx.config.controlRegion,
    });
    return { output: { flag: value, strategy }, note: `flag set to ${value}: switched via data plane (no Route 53 API call)` };
  }

  const key: RecordKey = {
    hostedZoneId: requireString(ctx, 'hostedZoneId'),
    recordName: requireString(ctx, 'recordName'),
    type: toRecordType((optionalString(ctx, 'type') ?? ctx.service.dns.type) as DnsType),
    ...(optionalString(ctx, 'setIdentifier') !== undefined && { setIdentifier: optionalString(ctx, 'setIdentifier') }),
  };
  const target = targetOf(ctx);
  const record = await ctx.aws.route53.getRecord(key);
  if (recordMatches(record, target)) {
    return {
      output: { changed: false, strategy },
      note: `${key.recordName} already pointed at the ${role} (${describeTarget(target)}); skipped`,
    };
  }
  const ttl = typeof ctx.params.ttl === 'number' ? ctx.params.ttl : ctx.service.dns.ttl;
  const { changeId } = await ctx.aws.route53.upsertRecord({
    ...key,
    ttl,
    target,
    ...(record && { routing: record.routing }),
    comment: `switchback ${ctx.run.kind} ${ctx.run.id} (${ctx.service.name})`,
  });
  return {
    output: { changed: true, changeId, strategy },
    note: `UPSERT ${key.recordName} ${key.type} → ${describeTarget(target)} (change ${changeId})`,
  };
}

export async function waitInSync(ctx: ActionContext): Promise<ActionResult> {
  const switchStepId = optionalString(ctx, 'switchStepId');
  const switched = [...ctx.run.steps]
    .reverse()
    .find((step) => (switchStepId ? step.id === switchStepId : step.action === 'route53.switch'));
  if (!switched || switched.status !== 'succeeded') {
    throw new StepParamsError(`step ${ctx.step.id}: the DNS switch step ${switchStepId ?? '(route53.switch)'} has not succeeded`);
  }
  const timeoutSeconds = requirePositiveNumber(ctx, 'inSyncTimeoutSeconds', ctx.service.dns.inSyncTimeoutSeconds);
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
}

/** When the wait began: its first attempt's start as journalled, so a hand-off or resume does not restart the clock. */
function firstStartOf(ctx: ActionContext): number {
  return ctx.run.steps.find((step) => step.id === ctx.step.id)?.startedAtEpochMs ?? ctx.clock.now();
}

/** health-check-flag: poll the flag alarm until it reflects the flag (ALARM = answer the secondary). */
async function waitForFlagAlarm(ctx: ActionContext, wanted: 'ALARM' | 'OK', timeoutSeconds: number): Promise<ActionResult> {
  const alarm = flagAlarmName(ctx.service.name);
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
      last = `unreadable (${error instanceof Error ? error.message : String(error)})`;
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
