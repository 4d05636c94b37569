/**
 * RDS adapter: Aurora global databases (who is the writer, is a failover or switchover under way,
 * start one) and the replication lag a secondary cluster reports.
 *
 * - FailoverGlobalCluster / SwitchoverGlobalCluster take the target as an ARN "so that Aurora can
 *   locate the cluster in its Amazon Web Services Region"; a global cluster has no region, so the
 *   calls go to the target's region (the one that is up in an outage):
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - `FailoverState` is present while an operation is pending or running (pending, failing-over,
 *   switching-over, cancelling) and says whether data loss was allowed:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 * - The lag is CloudWatch's `AuroraGlobalDBReplicationLag` (milliseconds, per secondary cluster);
 *   read through the CloudWatch adapter, not here.
 *
 * Importing this module loads @aws-sdk/client-rds: only functions that run database steps
 * (orchestrator, drill) import it — never `probe` or `alarm`.
 */
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { sdkClientFactory, type AwsClients } from './clients';
import { callAws } from './errors';

export const rdsClientFactory = sdkClientFactory(RDSClient);

export interface GlobalClusterMemberView {
  dbClusterArn: string;
  isWriter: boolean;
  /** `connected` or `pending-resync` (a former writer that has not caught up yet). */
  synchronizationStatus?: string;
}

export interface GlobalClusterView {
  globalClusterIdentifier: string;
  /** `available`, `failing-over`, `switching-over` … */
  status: string;
  members: GlobalClusterMemberView[];
  /** Present while a failover or switchover is pending or under way. */
  failoverState?: {
    status: string;
    fromDbClusterArn?: string;
    toDbClusterArn?: string;
    isDataLossAllowed: boolean;
  };
}

export interface DbClusterView {
  dbClusterArn: string;
  status: string;
}

export interface DbInstanceView {
  dbInstanceIdentifier: string;
  /** `available`, `modifying`, `rebooting` … */
  status: string;
  /** Present while the instance is a read replica. */
  readReplicaSourceDbInstanceIdentifier?: string;
}

export interface RdsAdapter {
  /** `undefined` when no such instance exists in the region. */
  describeDbInstance(region: string, dbInstanceIdentifier: string): Promise<DbInstanceView | undefined>;
  /** A read replica becomes a standalone instance (one-way). */
  promoteReadReplica(region: string, dbInstanceIdentifier: string): Promise<void>;
  /** `undefined` when no such global cluster exists. */
  describeGlobalCluster(region: string, globalClusterIdentifier: string): Promise<GlobalClusterView | undefined>;
  describeDbCluster(region: string, dbClusterArn: string): Promise<DbClusterView | undefined>;
  failoverGlobalCluster(
    region: string,
    input: { globalClusterIdentifier: string; targetDbClusterArn: string; allowDataLoss: boolean },
  ): Promise<void>;
  switchoverGlobalCluster(region: string, input: { globalClusterIdentifier: string; targetDbClusterArn: string }): Promise<void>;
}

function isNotFound(error: unknown, code: string): boolean {
  return (error as { code?: string } | undefined)?.code === code;
}

export function createRdsAdapter(clients: Pick<AwsClients, 'rds'>): RdsAdapter {
  return {
    async describeDbInstance(region, dbInstanceIdentifier) {
      try {
        const response = await callAws('rds:DescribeDBInstances', `${dbInstanceIdentifier} in ${region}`, () =>
          clients.rds(region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbInstanceIdentifier })),
        );
        const found = response.DBInstances?.[0];
        if (!found) return undefined;
        return {
          dbInstanceIdentifier: found.DBInstanceIdentifier ?? dbInstanceIdentifier,
          status: found.DBInstanceStatus ?? 'unknown',
          ...(found.ReadReplicaSourceDBInstanceIdentifier && {
            readReplicaSourceDbInstanceIdentifier: found.ReadReplicaSourceDBInstanceIdentifier,
          }),
        };
      } catch (error) {
        if (isNotFound(error, 'DBInstanceNotFoundFault')) return undefined;
        throw error;
      }
    },

    async promoteReadReplica(region, dbInstanceIdentifier) {
      await callAws('rds:PromoteReadReplica', `${dbInstanceIdentifier} in ${region}`, () =>
        clients.rds(region).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: dbInstanceIdentifier })),
      );
    },

    async describeGlobalCluster(region, globalClusterIdentifier) {
      try {
        const response = await callAws('rds:DescribeGlobalClusters', globalClusterIdentifier, () =>
          clients.rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterIdentifier })),
        );
        const found = response.GlobalClusters?.[0];
        if (!found) return undefined;
        const state = found.FailoverState;
        return {
          globalClusterIdentifier: found.GlobalClusterIdentifier ?? globalClusterIdentifier,
          status: found.Status ?? 'unknown',
          members: (found.GlobalClusterMembers ?? []).map((member) => ({
            dbClusterArn: member.DBClusterArn ?? '',
            isWriter: member.IsWriter === true,
            ...(member.SynchronizationStatus !== undefined && { synchronizationStatus: member.SynchronizationStatus }),
          })),
          ...(state?.Status !== undefined && {
            failoverState: {
              status: state.Status,
              ...(state.FromDbClusterArn !== undefined && { fromDbClusterArn: state.FromDbClusterArn }),
              ...(state.ToDbClusterArn !== undefined && { toDbClusterArn: state.ToDbClusterArn }),
              isDataLossAllowed: state.IsDataLossAllowed === true,
            },
          }),
        };
      } catch (error) {
        if (isNotFound(error, 'GlobalClusterNotFoundFault')) return undefined;
        throw error;
      }
    },

    async describeDbCluster(region, dbClusterArn) {
      try {
        const response = await callAws('rds:DescribeDBClusters', dbClusterArn, () =>
          clients.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: dbClusterArn })),
        );
        const found = response.DBClusters?.[0];
        return found ? { dbClusterArn: found.DBClusterArn ?? dbClusterArn, status: found.Status ?? 'unknown' } : undefined;
      } catch (error) {
        if (isNotFound(error, 'DBClusterNotFoundFault')) return undefined;
        throw error;
      }
    },

    async failoverGlobalCluster(region, input) {
      await callAws('rds:FailoverGlobalCluster', input.globalClusterIdentifier, () =>
        clients.rds(region).send(
          new FailoverGlobalClusterCommand({
            ...writerMove(input),
            // "Failing over - Specify the AllowDataLoss parameter and don't specify the Switchover
            // parameter. Switching over - Specify the Switchover parameter or omit it, but don't
            // specify the AllowDataLoss parameter."
            ...(input.allowDataLoss ? { AllowDataLoss: true } : { Switchover: true }),
          }),
        ),
      );
    },

    async switchoverGlobalCluster(region, input) {
      await callAws('rds:SwitchoverGlobalCluster', input.globalClusterIdentifier, () =>
        clients.rds(region).send(new SwitchoverGlobalClusterCommand(writerMove(input))),
      );
    },
  };
}

/** Which global database moves its writer where (FailoverGlobalCluster and SwitchoverGlobalCluster alike). */
function writerMove(input: { globalClusterIdentifier: string; targetDbClusterArn: string }) {
  return { GlobalClusterIdentifier: input.globalClusterIdentifier, TargetDbClusterIdentifier: input.targetDbClusterArn };
}
