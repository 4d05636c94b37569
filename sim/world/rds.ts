/**
 * RDS in memory: Aurora global databases (one writer cluster, secondary clusters in other regions)
 * with a replication lag per secondary, regional outages, and the two ways to move the writer.
 *
 * - FailoverGlobalCluster with `AllowDataLoss` (a global failover) works while the writer's region
 *   is down and loses what had not reached the target; with `Switchover` (or neither) it is a
 *   switchover: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - SwitchoverGlobalCluster: "All secondary clusters are synchronized with the primary at the
 *   beginning of the process so the new primary continues operations … without losing any data":
 *   the writer's region must be up and every secondary connected, else InvalidGlobalClusterStateFault.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - While an operation runs, `FailoverState` says `pending` (clusters being verified), then
 *   `failing-over` / `switching-over`; the global cluster's Status says the same; a second request
 *   meanwhile is InvalidGlobalClusterStateFault:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 * - After a global failover the old writer is demoted to a secondary that must resynchronize
 *   (`SynchronizationStatus: pending-resync`) once its region is back; a switchover back is refused
 *   until it is `connected`.
 * - The lag is CloudWatch's `AWS/RDS AuroraGlobalDBReplicationLag` (milliseconds, dimension
 *   `DBClusterIdentifier`, in the secondary's region), one datapoint a minute while replication
 *   flows; none while the writer's region is down (the metric stops: missing data).
 *
 * - Cross-region read replicas: PromoteReadReplica makes one standalone; the instance is
 *   `modifying` for a few minutes (then `available`, no longer a replica), works while the source's
 *   region is down, and cannot be undone (a new replica must be created to replicate again). A
 *   promote of an instance that is not a replica, or not `available`, is InvalidDBInstanceState:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 *
 * - A read replica's lag is CloudWatch's `AWS/RDS ReplicaLag` (seconds, dimension
 *   `DBInstanceIdentifier`, in the replica's region), one datapoint a minute while it is a replica;
 *   -1 means replication is not active
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MariaDB.Replication.ReadReplicas.Monitor.html,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html). Not
 *   modelled: the lag growing by itself while the source's region is down (set it with setReplicaLagSeconds).
 *
 * A `stuck` fault on FailoverGlobalCluster / SwitchoverGlobalCluster: the operation never finishes.
 *
 * Calls sent to a region that is down fail as an unreachable endpoint does (ETIMEDOUT). Global
 * clusters are an account-level resource: any reachable region answers DescribeGlobalClusters.
 */
import type {
  DescribeDBClustersMessage,
  DescribeDBInstancesMessage,
  PromoteReadReplicaMessage,
  DescribeGlobalClustersMessage,
  FailoverGlobalClusterMessage,
  SwitchoverGlobalClusterMessage,
} from '@aws-sdk/client-rds';
import { SwitchbackError } from '../../shared/errors';
import type { MetricSource } from './cloudwatch';
import type { WorldContext } from './context';
import { type ServiceModel, unsupportedOperation } from './model';

export interface RdsTimings {
  /** `pending` (both clusters verified) before the operation runs. */
  pendingMs: number;
  /** From the request until the target is the writer, for a global failover. */
  failoverMs: number;
  /** The same for a switchover (it first synchronizes every secondary). */
  switchoverMs: number;
  /** A demoted writer's resynchronization once its region is reachable. */
  resyncMs: number;
  /** PromoteReadReplica: `modifying` until the replica is a standalone instance. */
  promoteMs: number;
}

export const DEFAULT_RDS_TIMINGS: RdsTimings = {
  pendingMs: 10_000,
  failoverMs: 90_000,
  switchoverMs: 120_000,
  resyncMs: 300_000,
  promoteMs: 180_000,
};

export interface DbInstanceWorldView {
  region: string;
  dbInstanceIdentifier: string;
  status: string;
  /** The source while it is a read replica. */
  replicaOf?: string;
  promotedAtEpochMs?: number;
}

export interface AddGlobalClusterInput {
  globalClusterIdentifier: string;
  /** The writer first. */
  writerArn: string;
  secondaryArns: string[];
  /** Replication lag of every secondary (default 1 000 ms). */
  replicationLagMs?: number;
}

export interface GlobalClusterOperation {
  kind: 'failover' | 'switchover';
  fromArn: string;
  toArn: string;
  requestedAtEpochMs: number;
  doneAtEpochMs: number;
  /** What the target had not received when it took over (0 for a switchover). */
  lostMs: number;
}

export interface GlobalClusterWorldView {
  globalClusterIdentifier: string;
  writerArn: string;
  status: string;
  members: Array<{ dbClusterArn: string; isWriter: boolean; synchronizationStatus: string; replicationLagMs: number }>;
  operations: GlobalClusterOperation[];
}

export interface RdsWorld {
  addGlobalCluster(input: AddGlobalClusterInput): void;
  globalCluster(globalClusterIdentifier: string): GlobalClusterWorldView | undefined;
  globalClusters(): GlobalClusterWorldView[];
  setReplicationLagMs(dbClusterArn: string, lagMs: number): void;
  /**
   * A DB instance (`replicaOf`: a cross-region read replica of that source instance, replicating since
   * `replicaSinceEpochMs`, default now, lagging `replicaLagSeconds`, default 1).
   */
  addDbInstance(input: {
    region: string;
    dbInstanceIdentifier: string;
    replicaOf?: string;
    replicaSinceEpochMs?: number;
    replicaLagSeconds?: number;
  }): void;
  /** A read replica's lag from now on (ReplicaLag; -1: replication not active). */
  setReplicaLagSeconds(region: string, dbInstanceIdentifier: string, seconds: number): void;
  dbInstance(region: string, dbInstanceIdentifier: string): DbInstanceWorldView | undefined;
  /** A regional outage of RDS: calls to the region fail, replication from a writer there stops. */
  setRegionAvailable(region: string, available: boolean): void;
}

const CLUSTER_ARN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):cluster:([A-Za-z][A-Za-z0-9-]{0,62})$/;
const LAG_METRIC = { namespace: 'AWS/RDS', metricName: 'AuroraGlobalDBReplicationLag' } as const;
const REPLICA_LAG_METRIC = { namespace: 'AWS/RDS', metricName: 'ReplicaLag' } as const;
const MINUTE_MS = 60_000;

interface Member {
  arn: string;
  region: string;
  identifier: string;
  lagMs: number;
  /** A demoted writer that must resynchronize before it is `connected`. */
  resyncFromEpochMs?: number;
}

interface GlobalCluster {
  id: string;
  writerArn: string;
  members: Map<string, Member>;
  running?: GlobalClusterOperation;
  operations: GlobalClusterOperation[];
  /** Lag datapoints per secondary identifier, sampled once a minute up to `sampledThroughEpochMs`. */
  samples: Map<string, Array<{ atEpochMs: number; value: number }>>;
  sampledThroughEpochMs: number;
}

export function createRdsModel(
  ctx: WorldContext,
  timings: RdsTimings = DEFAULT_RDS_TIMINGS,
): { model: ServiceModel; world: RdsWorld; metricSource: MetricSource } {
  const clusters = new Map<string, GlobalCluster>();
  const instances = new Map<
    string,
    {
      region: string;
      id: string;
      replicaOf?: string;
      promoteDoneAtEpochMs?: number;
      /** ReplicaLag in seconds from each instant on (a replica's first entry: when it started replicating). */
      lag: Array<{ fromEpochMs: number; seconds: number }>;
    }
  >();
  const instanceKey = (region: string, id: string) => `${region}|${id.toLowerCase()}`;
  function instanceState(instance: { replicaOf?: string; promoteDoneAtEpochMs?: number }): { status: string; replicaOf?: string } {
    if (instance.promoteDoneAtEpochMs === undefined)
      return { status: 'available', ...(instance.replicaOf && { replicaOf: instance.replicaOf }) };
    if (ctx.now() < instance.promoteDoneAtEpochMs)
      return { status: 'modifying', ...(instance.replicaOf && { replicaOf: instance.replicaOf }) };
    return { status: 'available' };
  }
  const downRegions = new Set<string>();
  const fail = (code: string, message: string) => ctx.error('rds', code, message);

  function memberArns(): Map<string, { cluster: GlobalCluster; member: Member }> {
    const all = new Map<string, { cluster: GlobalCluster; member: Member }>();
    for (const cluster of clusters.values()) for (const member of cluster.members.values()) all.set(member.arn, { cluster, member });
    return all;
  }

  function synchronization(cluster: GlobalCluster, member: Member, now: number): string {
    if (member.arn === cluster.writerArn) return 'connected';
    if (member.resyncFromEpochMs === undefined) return 'connected';
    if (downRegions.has(member.region)) return 'pending-resync';
    return now >= member.resyncFromEpochMs + timings.resyncMs ? 'connected' : 'pending-resync';
  }

  /** Record lag datapoints for the minutes up to now with the state as it has been since the last sample. */
  function sample(cluster: GlobalCluster): void {
    const now = ctx.now();
    const writer = cluster.members.get(cluster.writerArn);
    let minute = Math.floor(cluster.sampledThroughEpochMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    for (; minute <= now; minute += MINUTE_MS) {
      if (!writer || downRegions.has(writer.region) || cluster.running) continue;
      for (const member of cluster.members.values()) {
        if (member.arn === cluster.writerArn || downRegions.has(member.region)) continue;
        if (synchronization(cluster, member, minute) !== 'connected') continue;
        const points = cluster.samples.get(member.identifier) ?? [];
        points.push({ atEpochMs: minute, value: member.lagMs });
        cluster.samples.set(member.identifier, points);
      }
    }
    cluster.sampledThroughEpochMs = Math.max(cluster.sampledThroughEpochMs, now);
  }

  /** Finish an operation whose time has come (lazily, when someone looks). */
  function advance(cluster: GlobalCluster): void {
    sample(cluster);
    const running = cluster.running;
    if (!running || ctx.now() < running.doneAtEpochMs) return;
    const from = cluster.members.get(running.fromArn);
    cluster.writerArn = running.toArn;
    cluster.running = undefined;
    if (from && running.kind === 'failover') from.resyncFromEpochMs = running.doneAtEpochMs;
    const to = cluster.members.get(running.toArn);
    if (to) to.resyncFromEpochMs = undefined;
  }

  function beforeChange(): void {
    for (const cluster of clusters.values()) advance(cluster);
  }

  function requireRegionUp(region: string): void {
    if (downRegions.has(region)) throw fail('ETIMEDOUT', `connect ETIMEDOUT rds.${region}.amazonaws.com:443`);
  }

  function findGlobal(identifier: unknown): GlobalCluster {
    const cluster = typeof identifier === 'string' ? clusters.get(identifier.toLowerCase()) : undefined;
    if (!cluster) throw fail('GlobalClusterNotFoundFault', `Global cluster ${String(identifier)} not found.`);
    advance(cluster);
    return cluster;
  }

  function describeGlobal(cluster: GlobalCluster) {
    const now = ctx.now();
    const running = cluster.running;
    const runningStatus = running
      ? now < running.requestedAtEpochMs + timings.pendingMs
        ? 'pending'
        : running.kind === 'failover'
          ? 'failing-over'
          : 'switching-over'
      : undefined;
    return {
      GlobalClusterIdentifier: cluster.id,
      GlobalClusterArn: `arn:aws:rds::${ctx.accountId}:global-cluster:${cluster.id}`,
      Status: running && runningStatus !== 'pending' ? runningStatus : 'available',
      Engine: 'aurora-postgresql',
      GlobalClusterMembers: [...cluster.members.values()].map((member) => ({
        DBClusterArn: member.arn,
        IsWriter: member.arn === cluster.writerArn,
        Readers: [...cluster.members.values()]
          .filter((other) => other.arn !== member.arn && member.arn === cluster.writerArn)
          .map((other) => other.arn),
        SynchronizationStatus: synchronization(cluster, member, now),
      })),
      ...(running && {
        FailoverState: {
          Status: runningStatus,
          FromDbClusterArn: running.fromArn,
          ToDbClusterArn: running.toArn,
          IsDataLossAllowed: running.kind === 'failover',
        },
      }),
    };
  }

  function describeGlobalClusters(input: DescribeGlobalClustersMessage, region: string) {
    requireRegionUp(region);
    if (input.GlobalClusterIdentifier !== undefined) return { GlobalClusters: [describeGlobal(findGlobal(input.GlobalClusterIdentifier))] };
    beforeChange();
    return { GlobalClusters: [...clusters.values()].map(describeGlobal) };
  }

  function describeDbClusters(input: DescribeDBClustersMessage, region: string) {
    requireRegionUp(region);
    beforeChange();
    const wanted = input.DBClusterIdentifier;
    const found = [...memberArns().values()].filter(
      ({ member }) => member.region === region && (wanted === undefined || wanted === member.arn || wanted === member.identifier),
    );
    if (wanted !== undefined && found.length === 0) throw fail('DBClusterNotFoundFault', `DBCluster ${wanted} not found.`);
    return {
      DBClusters: found.map(({ cluster, member }) => ({
        DBClusterIdentifier: member.identifier,
        DBClusterArn: member.arn,
        Engine: 'aurora-postgresql',
        GlobalClusterIdentifier: cluster.id,
        Status:
          cluster.running && (cluster.running.fromArn === member.arn || cluster.running.toArn === member.arn)
            ? cluster.running.kind === 'failover'
              ? 'failing-over'
              : 'switching-over'
            : 'available',
      })),
    };
  }

  function start(kind: GlobalClusterOperation['kind'], identifier: unknown, target: unknown, region: string, stuck = false) {
    requireRegionUp(region);
    const cluster = findGlobal(identifier);
    if (typeof target !== 'string' || target.length === 0)
      throw fail('InvalidParameterValue', 'The parameter TargetDbClusterIdentifier must be provided.');
    const member = [...cluster.members.values()].find((candidate) => candidate.arn === target || candidate.identifier === target);
    if (!member) throw fail('DBClusterNotFoundFault', `DBCluster ${target} is not a member of global cluster ${cluster.id}.`);
    if (cluster.running)
      throw fail(
        'InvalidGlobalClusterStateFault',
        `Global cluster ${cluster.id} is already ${cluster.running.kind === 'failover' ? 'failing over' : 'switching over'}.`,
      );
    if (member.arn === cluster.writerArn)
      throw fail(
        'InvalidGlobalClusterStateFault',
        `DBCluster ${member.arn} is already the primary cluster of global cluster ${cluster.id}.`,
      );
    if (downRegions.has(member.region)) throw fail('InvalidDBClusterStateFault', `DBCluster ${member.arn} is not available.`);
    const writer = cluster.members.get(cluster.writerArn) as Member;
    const now = ctx.now();
    if (kind === 'switchover') {
      if (downRegions.has(writer.region))
        throw fail(
          'InvalidGlobalClusterStateFault',
          `Global cluster ${cluster.id} cannot switch over: the primary cluster ${writer.arn} is not available. Use a global failover (AllowDataLoss).`,
        );
      const behind = [...cluster.members.values()].filter((candidate) => synchronization(cluster, candidate, now) !== 'connected');
      if (behind.length > 0)
        throw fail(
          'InvalidGlobalClusterStateFault',
          `Global cluster ${cluster.id} cannot switch over: ${behind.map((candidate) => candidate.arn).join(', ')} not synchronized (pending-resync).`,
        );
    }
    const operation: GlobalClusterOperation = {
      kind,
      fromArn: writer.arn,
      toArn: member.arn,
      requestedAtEpochMs: now,
      // A stuck operation never finishes (the world's `stuck` fault): the caller's wait must time out.
      doneAtEpochMs: stuck ? Number.POSITIVE_INFINITY : now + (kind === 'failover' ? timings.failoverMs : timings.switchoverMs),
      lostMs: kind === 'failover' && downRegions.has(writer.region) ? member.lagMs : 0,
    };
    cluster.running = operation;
    cluster.operations.push(operation);
    return { GlobalCluster: describeGlobal(cluster) };
  }

  const world: RdsWorld = {
    addGlobalCluster(input) {
      const id = input.globalClusterIdentifier.toLowerCase();
      if (clusters.has(id)) return;
      const members = new Map<string, Member>();
      for (const arn of [input.writerArn, ...input.secondaryArns]) {
        const match = CLUSTER_ARN.exec(arn);
        if (!match) throw new SwitchbackError(`world.rds.addGlobalCluster: "${arn}" is not a DB cluster ARN`);
        if (memberArns().has(arn)) throw new SwitchbackError(`world.rds.addGlobalCluster: ${arn} already belongs to a global cluster`);
        members.set(arn, { arn, region: match[1], identifier: match[3], lagMs: input.replicationLagMs ?? 1_000 });
      }
      clusters.set(id, {
        id: input.globalClusterIdentifier,
        writerArn: input.writerArn,
        members,
        operations: [],
        samples: new Map(),
        sampledThroughEpochMs: ctx.now() - 10 * MINUTE_MS,
      });
    },
    globalCluster(identifier) {
      const cluster = clusters.get(identifier.toLowerCase());
      if (!cluster) return undefined;
      advance(cluster);
      const now = ctx.now();
      return {
        globalClusterIdentifier: cluster.id,
        writerArn: cluster.writerArn,
        status: describeGlobal(cluster).Status ?? 'available',
        members: [...cluster.members.values()].map((member) => ({
          dbClusterArn: member.arn,
          isWriter: member.arn === cluster.writerArn,
          synchronizationStatus: synchronization(cluster, member, now),
          replicationLagMs: member.lagMs,
        })),
        operations: cluster.operations.map((operation) => ({ ...operation })),
      };
    },
    globalClusters() {
      return [...clusters.values()].map((cluster) => world.globalCluster(cluster.id) as GlobalClusterWorldView);
    },
    addDbInstance(input) {
      const key = instanceKey(input.region, input.dbInstanceIdentifier);
      if (!instances.has(key))
        instances.set(key, {
          region: input.region,
          id: input.dbInstanceIdentifier,
          ...(input.replicaOf && { replicaOf: input.replicaOf }),
          lag: input.replicaOf ? [{ fromEpochMs: input.replicaSinceEpochMs ?? ctx.now(), seconds: input.replicaLagSeconds ?? 1 }] : [],
        });
    },
    setReplicaLagSeconds(region, id, seconds) {
      const instance = instances.get(instanceKey(region, id));
      if (!instance?.replicaOf) throw new SwitchbackError(`world.rds.setReplicaLagSeconds: ${id} in ${region} is not a read replica`);
      if (!(Number.isFinite(seconds) && (seconds >= 0 || seconds === -1)))
        throw new SwitchbackError(`world.rds.setReplicaLagSeconds: ${seconds} must be ≥ 0 or -1`);
      instance.lag.push({ fromEpochMs: ctx.now(), seconds });
    },
    dbInstance(region, id) {
      const instance = instances.get(instanceKey(region, id));
      if (!instance) return undefined;
      const state = instanceState(instance);
      return {
        region,
        dbInstanceIdentifier: instance.id,
        status: state.status,
        ...(state.replicaOf && { replicaOf: state.replicaOf }),
        ...(instance.promoteDoneAtEpochMs !== undefined && { promotedAtEpochMs: instance.promoteDoneAtEpochMs }),
      };
    },
    setReplicationLagMs(dbClusterArn, lagMs) {
      if (!(Number.isFinite(lagMs) && lagMs >= 0)) throw new SwitchbackError(`world.rds.setReplicationLagMs: ${lagMs} must be ≥ 0`);
      beforeChange();
      const found = memberArns().get(dbClusterArn);
      if (!found) throw new SwitchbackError(`world.rds.setReplicationLagMs: no global cluster member ${dbClusterArn}`);
      found.member.lagMs = lagMs;
    },
    setRegionAvailable(region, available) {
      beforeChange();
      if (available && downRegions.has(region)) {
        downRegions.delete(region);
        // A demoted writer starts resynchronizing when its region is back.
        for (const cluster of clusters.values())
          for (const member of cluster.members.values())
            if (member.region === region && member.resyncFromEpochMs !== undefined) member.resyncFromEpochMs = ctx.now();
      } else if (!available) downRegions.add(region);
    },
  };

  /** ReplicaLag: a datapoint at every whole minute the instance was a replica, with the lag of that moment. */
  function replicaLagPoints(query: Parameters<MetricSource>[0]): Array<{ atEpochMs: number; value: number }> {
    const instance = instances.get(instanceKey(query.region, query.dimensions.DBInstanceIdentifier ?? ''));
    if (!instance?.replicaOf || instance.lag.length === 0) return [];
    const until = Math.min(query.toEpochMs, ctx.now() + 1, instance.promoteDoneAtEpochMs ?? Number.POSITIVE_INFINITY);
    const points: Array<{ atEpochMs: number; value: number }> = [];
    const first = Math.max(query.fromEpochMs, instance.lag[0].fromEpochMs);
    for (let at = Math.ceil(first / 60_000) * 60_000; at < until; at += 60_000) {
      const current = instance.lag.filter((entry) => entry.fromEpochMs <= at).at(-1);
      if (current) points.push({ atEpochMs: at, value: current.seconds });
    }
    return points;
  }

  const metricSource: MetricSource = (query) => {
    if (query.namespace === REPLICA_LAG_METRIC.namespace && query.metricName === REPLICA_LAG_METRIC.metricName)
      return replicaLagPoints(query);
    if (query.namespace !== LAG_METRIC.namespace || query.metricName !== LAG_METRIC.metricName) return undefined;
    const identifier = query.dimensions.DBClusterIdentifier;
    for (const cluster of clusters.values()) {
      const member = [...cluster.members.values()].find(
        (candidate) => candidate.identifier === identifier && candidate.region === query.region,
      );
      if (!member) continue;
      advance(cluster);
      return (cluster.samples.get(identifier) ?? []).filter(
        (point) => point.atEpochMs >= query.fromEpochMs && point.atEpochMs < query.toEpochMs,
      );
    }
    return [];
  };

  function findInstance(region: string, id: unknown) {
    const found = typeof id === 'string' ? instances.get(instanceKey(region, id)) : undefined;
    if (!found) throw fail('DBInstanceNotFoundFault', `DBInstance ${String(id)} not found.`);
    return found;
  }

  const model: ServiceModel = {
    handle(operation, input, call) {
      switch (operation) {
        case 'DescribeDBInstances': {
          requireRegionUp(call.region);
          const request = input as DescribeDBInstancesMessage;
          const found =
            request.DBInstanceIdentifier !== undefined
              ? [findInstance(call.region, request.DBInstanceIdentifier)]
              : [...instances.values()].filter((instance) => instance.region === call.region);
          return {
            DBInstances: found.map((instance) => {
              const state = instanceState(instance);
              return {
                DBInstanceIdentifier: instance.id,
                DBInstanceArn: `arn:aws:rds:${instance.region}:${ctx.accountId}:db:${instance.id}`,
                DBInstanceStatus: state.status,
                ...(state.replicaOf && { ReadReplicaSourceDBInstanceIdentifier: state.replicaOf }),
              };
            }),
          };
        }
        case 'PromoteReadReplica': {
          requireRegionUp(call.region);
          const instance = findInstance(call.region, (input as PromoteReadReplicaMessage).DBInstanceIdentifier);
          const state = instanceState(instance);
          if (state.status !== 'available')
            throw fail('InvalidDBInstanceStateFault', `DB Instance ${instance.id} is not in available state (${state.status}).`);
          if (!state.replicaOf) throw fail('InvalidDBInstanceStateFault', `DB Instance ${instance.id} is not a read replica.`);
          instance.promoteDoneAtEpochMs = ctx.now() + timings.promoteMs;
          return { DBInstance: { DBInstanceIdentifier: instance.id, DBInstanceStatus: 'modifying' } };
        }
        case 'DescribeGlobalClusters':
          return describeGlobalClusters(input, call.region);
        case 'DescribeDBClusters':
          return describeDbClusters(input, call.region);
        case 'FailoverGlobalCluster': {
          const request = input as FailoverGlobalClusterMessage;
          if (request.AllowDataLoss === true && request.Switchover === true)
            throw fail('InvalidParameterCombination', 'AllowDataLoss and Switchover cannot be specified together.');
          return start(
            request.AllowDataLoss === true ? 'failover' : 'switchover',
            request.GlobalClusterIdentifier,
            request.TargetDbClusterIdentifier,
            call.region,
            call.stuck,
          );
        }
        case 'SwitchoverGlobalCluster': {
          const request = input as SwitchoverGlobalClusterMessage;
          return start('switchover', request.GlobalClusterIdentifier, request.TargetDbClusterIdentifier, call.region, call.stuck);
        }
        default:
          throw unsupportedOperation(ctx, 'rds', operation);
      }
    },
  };

  return { model, world, metricSource };
}
