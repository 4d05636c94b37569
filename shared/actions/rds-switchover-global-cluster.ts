/**
 * `rds.switchoverGlobalCluster`: a planned move of the writer with no data loss (failback, live
 * drills). Aurora synchronizes every secondary first, so it needs the current writer up and every
 * secondary connected (a former writer still resynchronizing after a global failover is refused
 * until it has caught up). It waits until the target is the writer.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 */
import * as z from 'zod';
import type { ActionResult } from './context';
import { defineAction } from './define-action';
import {
  RDS_RETRY,
  dbClusterArn,
  globalClusterDryRun,
  globalClusterGrants,
  globalClusterReadGrants,
  globalClusterIdentifier,
  moveGlobalWriter,
  targetOf,
} from './rds-support';

export const rdsSwitchoverGlobalCluster = defineAction({
  name: 'rds.switchoverGlobalCluster',
  params: z.strictObject({ globalClusterIdentifier, targetDbClusterArn: dbClusterArn }),
  defaults: { timeoutSeconds: 900, retry: RDS_RETRY },
  describe: (p) =>
    `switch over global database ${p.globalClusterIdentifier} to ${targetOf(p).identifier} in ${targetOf(p).region} (no data loss)`,
  grants: (p) => globalClusterGrants(p, 'SwitchoverGlobalCluster'),
  dryRunGrants: (p) => globalClusterReadGrants(p),
  dryRunCheck: (p, context) => globalClusterDryRun(p, context),
  execute: (ctx, p): Promise<ActionResult> => moveGlobalWriter(ctx, p, 'switchover', false),
});
