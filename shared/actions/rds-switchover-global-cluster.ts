/**
 * `rds.switchoverGlobalCluster`: a planned move of the writer with no data loss (failback, live
 * drills). Aurora synchronizes every secondary first, so it needs the current writer up and every
 * secondary connected (a former writer still resynchronizing after a global failover is refused
 * until it has caught up). It waits until the target is the writer.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 */
import * as z from '../app/event-schema';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import * as rds from './rds-support';

export const rdsSwitchoverGlobalCluster = defineAction({
  name: 'rds.switchoverGlobalCluster',
  params: z.strictObject({ globalClusterIdentifier: rds.globalClusterIdentifier, targetDbClusterArn: rds.dbClusterArn }),
  defaults: { timeoutSeconds: 900, retry: rds.RDS_RETRY },
  describe: (p) =>
    `switch over global database ${p.globalClusterIdentifier} to ${rds.targetOf(p).identifier} in ${rds.targetOf(p).region} (no data loss)`,
  grants: (p) => rds.globalClusterGrants(p, 'SwitchoverGlobalCluster'),
  dryRunGrants: (p) => rds.globalClusterReadGrants(p),
  dryRunCheck: (p, context) => rds.globalClusterDryRun(p, context),
  execute: (ctx, p): Promise<ActionResult> => rds.moveGlobalWriter(ctx, p, 'switchover', false),
});
