/**
 * `rds.failoverGlobalCluster`: make the secondary Aurora cluster the writer of its global database.
 * While the current writer answers, this is a switchover (FailoverGlobalCluster with `Switchover`:
 * no data loss); when it does not (its region is down), only a global failover is possible
 * (`AllowDataLoss`), and the step does it only with `allowDataLoss: true` — otherwise it fails and
 * says how much data would be lost. It waits until the target is the writer.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 */
import * as z from '../app/event-schema';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import * as rds from './rds-support';

export const rdsFailoverGlobalCluster = defineAction({
  name: 'rds.failoverGlobalCluster',
  params: z.strictObject({
    globalClusterIdentifier: rds.globalClusterIdentifier,
    targetDbClusterArn: rds.dbClusterArn,
    allowDataLoss: z._default(z.boolean(), false),
  }),
  // A global failover typically takes a minute or two; a switchover first synchronizes the secondaries.
  defaults: { timeoutSeconds: 600, retry: rds.RDS_RETRY },
  describe: (p) =>
    `make ${rds.targetOf(p).identifier} the writer of global database ${p.globalClusterIdentifier} in ${rds.targetOf(p).region} (${
      p.allowDataLoss ? 'switchover, or a global failover with data loss if the writer is down' : 'switchover only: no data loss'
    })`,
  grants: (p) => rds.globalClusterGrants(p, 'FailoverGlobalCluster'),
  dryRunGrants: (p) => rds.globalClusterReadGrants(p),
  dryRunCheck: (p, context) => rds.globalClusterDryRun(p, context, context.service.policy.guard.maxDataAgeSeconds),
  execute: (ctx, p): Promise<ActionResult> => rds.moveGlobalWriter(ctx, p, 'failover', p.allowDataLoss),
});
