/**
 * `route53.switch` (added by the plan, not configured): move the service's record to a site.
 * - record-swap: read the record; if it already points at the target, skip (a re-executed step
 *   or a record someone fixed by hand); else UPSERT it (never CREATE), keeping its routing fields
 *   (weight, failover role, health check), and output the change id for `route53.waitInSync`.
 * - health-check-flag: publish the flag metric in the control region (1 = traffic to the secondary,
 *   0 = back to the primary). The alarm on it flips the PRIMARY record's health check, so Route 53
 *   answers with the other record: no Route 53 API call at incident time.
 * Either way, with `dns.requireHealthyTarget` (the default) the site traffic moves to must pass its
 * probe right before the switch, whatever the runbook checked earlier (it may have died since the
 * decision, or no step looked): a dead target fails the step unretried, so the run fails with DNS
 * unchanged and the FAILED text says why.
 */
import * as z from '../app/event-schema';
import type { RecordKey, RecordTarget } from '../aws/route53';
import { recordMatches, toRecordType } from '../aws/route53-records';
import { DNS_STRATEGIES, DNS_TYPES } from '../config/enums';
import type { SiteRole } from '../config/types';
import { HealthGateError } from '../engine/errors';
import type { ActionContext, ActionResult } from './context';
import { defineAction } from './define-action';
import { siteRole } from './params';

export const ROUTE53_RETRY = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 5_000 };

const recordTarget = z.union([
  z.array(z.string()),
  z.string(),
  z.strictObject({ alias: z.strictObject({ dnsName: z.string(), hostedZoneId: z.string(), evaluateTargetHealth: z.boolean() }) }),
]);

function describeTarget(target: RecordTarget, aliasPrefix: string): string {
  if (Array.isArray(target)) return target.join(', ');
  if (typeof target === 'string') return target;
  return `${aliasPrefix}${target.alias.dnsName}`;
}

/** The health gate: how many looks the target gets right before the switch, and how far apart. */
export const HEALTH_GATE = { looks: 3, intervalMs: 2_000 } as const;

/** `dns.requireHealthyTarget`: the target must pass its probe now (one blip is forgiven: up to three looks, 2 s apart). */
async function requireHealthyTarget(ctx: ActionContext, role: SiteRole): Promise<void> {
  if (!ctx.service.dns.requireHealthyTarget) return;
  const spec = ctx.service[role].probe;
  let cause = 'probe failed';
  for (let look = 1; look <= HEALTH_GATE.looks; look += 1) {
    const result = await ctx.prober.probe(spec);
    if (result.ok) return;
    cause = result.cause ?? cause;
    if (look < HEALTH_GATE.looks) await ctx.sleep(HEALTH_GATE.intervalMs);
  }
  const where = spec.type === 'tcp' ? `tcp ${spec.host}:${spec.port}` : spec.url;
  throw new HealthGateError(
    `the ${role} failed its health check right before the DNS switch: ${cause} (${HEALTH_GATE.looks} looks at ${where})`,
    { context: { step: ctx.step.id, role, cause } },
  );
}

export const route53Switch = defineAction({
  name: 'route53.switch',
  params: z.strictObject({
    site: z.optional(siteRole),
    target: recordTarget,
    strategy: z.optional(z.enum(DNS_STRATEGIES)),
    hostedZoneId: z.string().check(z.minLength(1)),
    recordName: z.string().check(z.minLength(1)),
    type: z.optional(z.enum(DNS_TYPES)),
    ttl: z.optional(z.number()),
    setIdentifier: z.optional(z.string()),
  }),
  planOnly: true,
  defaults: { timeoutSeconds: 60, retry: ROUTE53_RETRY },
  describe(p, service) {
    const record = service.dns.recordName;
    if (p.strategy === 'health-check-flag') {
      return p.site === 'secondary'
        ? `flag the primary down (health-check metric) so Route 53 answers ${record} with the secondary`
        : `clear the primary-down flag so Route 53 answers ${record} with the primary`;
    }
    const type = service.dns.type === 'alias' ? 'alias' : service.dns.type;
    return `point ${record} ${type} at ${describeTarget(p.target, '')}`;
  },
  // Granted per service by serverless/iam.ts (recordSwapGrants, flagSwitchGrants): the record, its zone, the flag metric.
  grants: () => [],
  async execute(ctx, p): Promise<ActionResult> {
    const strategy = p.strategy ?? ctx.service.dns.strategy;
    const role = p.site ?? (ctx.run.kind === 'failover' ? 'secondary' : 'primary');
    if (strategy === 'health-check-flag') {
      await requireHealthyTarget(ctx, role);
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
      hostedZoneId: p.hostedZoneId,
      recordName: p.recordName,
      type: toRecordType(p.type ?? ctx.service.dns.type),
      ...(p.setIdentifier !== undefined && { setIdentifier: p.setIdentifier }),
    };
    const record = await ctx.aws.route53.getRecord(key);
    if (recordMatches(record, p.target)) {
      return {
        output: { changed: false, strategy },
        note: `${key.recordName} already pointed at the ${role} (${describeTarget(p.target, 'alias ')}); skipped`,
      };
    }
    await requireHealthyTarget(ctx, role);
    const { changeId } = await ctx.aws.route53.upsertRecord({
      ...key,
      ttl: p.ttl ?? ctx.service.dns.ttl,
      target: p.target,
      ...(record && { routing: record.routing }),
      comment: `switchback ${ctx.run.kind} ${ctx.run.id} (${ctx.service.name})`,
    });
    return {
      output: { changed: true, changeId, strategy },
      note: `UPSERT ${key.recordName} ${key.type} → ${describeTarget(p.target, 'alias ')} (change ${changeId})`,
    };
  },
});
