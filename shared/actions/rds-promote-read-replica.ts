/**
 * `rds.promoteReadReplica`: a cross-region read replica becomes a standalone DB instance
 * (PromoteReadReplica) and the step waits until it is `available`. One-way: the promoted instance
 * never replicates from the old primary again (a new replica must be created), so an automatic
 * failback after it needs `approve` unless `failback.reestablishReplication` names the step that
 * re-creates replication.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 *
 * Idempotent: an instance already standalone is success; one still `modifying` (a promotion under
 * way, e.g. requested before a crash) is waited for, never promoted twice.
 */
import * as z from '../app/event-schema';
import { refusal } from '../aws/errors';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import { waitUntil } from './fleet-support';
import { arn, literal } from './grants';
import { inSiteRegion, region, stepRegion } from './params';
import { RDS_RETRY, readReplicaLagSeconds } from './rds-support';

export const rdsPromoteReadReplica = defineAction({
  name: 'rds.promoteReadReplica',
  params: z.strictObject({
    dbInstanceIdentifier: z
      .string({ error: 'must be a string' })
      .check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'must be a DB instance identifier like app-replica (letters, digits, hyphens)')),
    region: z.optional(region),
  }),
  // "Promotion can take several minutes" (backups, a reboot).
  defaults: { timeoutSeconds: 1_800, retry: RDS_RETRY },
  oneWay: 'a promoted replica no longer replicates from the primary',
  place: inSiteRegion,
  describe: (p) => `promote read replica ${p.dbInstanceIdentifier}${p.region ? ` in ${p.region}` : ''} to a standalone database (one-way)`,
  grants: (p, { region: where }) => {
    const resource = arn('rds', where, `db:${literal(p.dbInstanceIdentifier)}`);
    return [
      { action: 'rds:PromoteReadReplica', resource },
      { action: 'rds:DescribeDBInstances', resource },
    ];
  },
  // The drill reads the replica and, with guard.maxDataAgeSeconds, its ReplicaLag (no resource type: "*").
  dryRunGrants: (p, { region: where }) => [
    { action: 'rds:DescribeDBInstances', resource: arn('rds', where, `db:${literal(p.dbInstanceIdentifier)}`) },
    { action: 'cloudwatch:GetMetricStatistics', resource: '*' },
  ],
  dryRunCheck: (p, context) => ({
    check: `read replica ${p.dbInstanceIdentifier}`,
    run: async () => {
      if (!context.aws.steps) return { ok: false, detail: 'this function was built without the RDS client' };
      const found = await context.aws.steps.rds().describeDbInstance(p.region ?? context.region, p.dbInstanceIdentifier);
      if (!found) return { ok: false, detail: `${p.dbInstanceIdentifier} not found in ${p.region ?? context.region}` };
      if (!found.readReplicaSourceDbInstanceIdentifier)
        return { ok: false, detail: `${p.dbInstanceIdentifier} is not a read replica (promoted already?)` };
      const state = `${p.dbInstanceIdentifier} ${found.status}, replica of ${found.readReplicaSourceDbInstanceIdentifier}`;
      if (found.status !== 'available') return { ok: false, detail: state };
      // With an RPO, how much a promotion now would lose (the replica's lag) is judged too.
      const maxDataAgeSeconds = context.service.policy.guard.maxDataAgeSeconds;
      if (maxDataAgeSeconds === undefined) return { ok: true, detail: state };
      const where = { region: p.region ?? context.region, identifier: p.dbInstanceIdentifier };
      const lagSeconds = await readReplicaLagSeconds(context.aws, where, context.nowEpochMs);
      if (lagSeconds === undefined)
        return { ok: false, detail: `${p.dbInstanceIdentifier} reports no ReplicaLag in the last 10 minutes (is replication running?)` };
      if (lagSeconds < 0) return { ok: false, detail: `${p.dbInstanceIdentifier} reports ReplicaLag -1: replication is not active` };
      if (lagSeconds > maxDataAgeSeconds)
        return {
          ok: false,
          detail: `${p.dbInstanceIdentifier} lags ${lagSeconds}s, more than guard.maxDataAgeSeconds ${maxDataAgeSeconds}s: promoting it now would lose more data than allowed`,
        };
      return { ok: true, detail: `${state}; lag ${lagSeconds}s (ReplicaLag)` };
    },
  }),
  async execute(ctx, p): Promise<ActionResult> {
    const where = stepRegion(p, ctx);
    const rds = ctx.aws.rds();
    const describe = () => rds.describeDbInstance(where, p.dbInstanceIdentifier);
    let found = await describe();
    if (!found)
      throw refusal(
        'rds:DescribeDBInstances',
        `${p.dbInstanceIdentifier} in ${where}`,
        'DBInstanceNotFoundFault',
        `no DB instance ${p.dbInstanceIdentifier} in ${where}`,
      );
    const source = found.readReplicaSourceDbInstanceIdentifier;
    let promotedNow = false;
    if (found.status !== 'available') {
      // A promotion (ours, from before a crash) or maintenance under way: wait, then look again.
      found = (
        await waitUntil(
          ctx,
          async () => {
            const now = await describe();
            return { done: now?.status === 'available', value: now, seen: now?.status ?? 'not found' };
          },
          `${p.dbInstanceIdentifier} available`,
        )
      ).value;
    }
    if (found?.readReplicaSourceDbInstanceIdentifier) {
      await rds.promoteReadReplica(where, p.dbInstanceIdentifier);
      promotedNow = true;
      await waitUntil(
        ctx,
        async () => {
          const now = await describe();
          const done = now?.status === 'available' && !now.readReplicaSourceDbInstanceIdentifier;
          return { done, value: now, seen: now?.status ?? 'not found' };
        },
        `${p.dbInstanceIdentifier} promoted and available`,
      );
    }
    return {
      output: { dbInstanceIdentifier: p.dbInstanceIdentifier, oneWay: true },
      note: promotedNow
        ? `${p.dbInstanceIdentifier} is a standalone database now (one-way: it no longer replicates from ${source ?? 'its source'})`
        : `${p.dbInstanceIdentifier} was already standalone`,
    };
  },
});
