/**
 * What the Aurora global database steps share: their params, their grants, the replication lag
 * read, the idempotent "move the writer and wait" loop and the dry-run check.
 *
 * Idempotency: before acting, the step describes the global cluster. A target that is already the
 * writer is success; an operation already under way to the target (a retried or resumed step whose
 * request went out before the crash) is waited for, never requested twice; an operation to another
 * cluster is refused (someone else is moving the writer).
 */
import * as z from '../app/event-schema';
import { AWS_ERROR_KINDS, type AwsActionError, classifyAwsError, refusal } from '../aws/errors';
import type { GlobalClusterView } from '../aws/rds';
import { StepTimeoutError } from '../engine/errors';
import { SwitchbackError } from '../errors';
import type { ActionContext, ActionResult } from './context';
import type { DryRunCheck, DryRunContext, RetryPolicy } from './define-action';
import { arn, literal, sub, type Grant } from './grants';

export const RDS_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 2_000, maxDelayMs: 15_000 };
/** How often the step re-reads the global cluster while the writer moves. */
export const RDS_POLL_MS = 5_000;
/** How far back the last replication-lag datapoint may be (the metric stops when the writer's region does). */
const LAG_LOOKBACK_MS = 10 * 60_000;
/** `AWS/RDS AuroraGlobalDBReplicationLag`, milliseconds, per secondary cluster, in its own region. */
export const REPLICATION_LAG_METRIC = { namespace: 'AWS/RDS', metricName: 'AuroraGlobalDBReplicationLag' } as const;
/**
 * `AWS/RDS ReplicaLag`, seconds, per read replica (DBInstanceIdentifier), in the replica's region; -1
 * while replication is not active
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MariaDB.Replication.ReadReplicas.Monitor.html).
 */
export const REPLICA_LAG_METRIC = { namespace: 'AWS/RDS', metricName: 'ReplicaLag' } as const;

/** RDS identifiers: "1 to 255 letters, numbers, or hyphens; first character must be a letter". */
export const globalClusterIdentifier = z
  .string({ error: 'must be a string' })
  .check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,254}$/, 'must be a global database identifier like app-global (letters, digits, hyphens)'));

/** A full DB cluster ARN: the API takes the target "as an ARN so that Aurora can locate the cluster in its Region". */
export const dbClusterArn = z
  .string({ error: 'must be a string' })
  .check(
    z.regex(
      /^arn:aws[a-z-]*:rds:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:cluster:[A-Za-z][A-Za-z0-9-]{0,62}$/,
      'must be a DB cluster ARN like arn:aws:rds:us-west-2:123456789012:cluster:app-west',
    ),
  );

const DB_CLUSTER_ARN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):cluster:(.+)$/;

/** The region and identifier inside a DB cluster ARN. */
export function parseDbClusterArn(value: string): { region: string; accountId: string; identifier: string } | undefined {
  const match = DB_CLUSTER_ARN.exec(value);
  return match ? { region: match[1], accountId: match[2], identifier: match[3] } : undefined;
}

export interface GlobalClusterParams {
  globalClusterIdentifier: string;
  targetDbClusterArn: string;
}

/** The region and identifier of the target (its ARN is validated by the schema). */
export function targetOf(p: GlobalClusterParams): { region: string; identifier: string } {
  const parsed = parseDbClusterArn(p.targetDbClusterArn);
  return parsed ? { region: parsed.region, identifier: parsed.identifier } : { region: '', identifier: p.targetDbClusterArn };
}

/**
 * What the step asks: the operation on the target cluster and the global cluster (both required by
 * the Service Authorization Reference for Failover/SwitchoverGlobalCluster; a global cluster's ARN
 * has no region), DescribeGlobalClusters on the global cluster, DescribeDBClusters on the clusters
 * it checks, and the lag metric (GetMetricStatistics has no resource-level permission: "*").
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
export function globalClusterGrants(p: GlobalClusterParams, operation: 'FailoverGlobalCluster' | 'SwitchoverGlobalCluster'): Grant[] {
  const globalArn = arn('rds', '', `global-cluster:${p.globalClusterIdentifier}`);
  const target = sub(literal(p.targetDbClusterArn));
  return [
    { action: `rds:${operation}`, resource: target },
    { action: `rds:${operation}`, resource: globalArn },
    { action: 'rds:DescribeGlobalClusters', resource: globalArn },
    // Is the writer answering? Its cluster is whichever member writes at run time, in any region:
    // clusters of this account only (DescribeDBClusters reads, it changes nothing).
    { action: 'rds:DescribeDBClusters', resource: arn('rds', '*', 'cluster:*') },
    { action: 'cloudwatch:GetMetricStatistics', resource: '*' },
  ];
}

/**
 * The step will not lose data on its own authority. Its message is short and leads with what would
 * be lost: it is the SMS people read (an SMS has room for about 80 characters of it).
 */
export class DataLossRefusedError extends SwitchbackError {
  override readonly name: string = 'DataLossRefusedError';
}

/** What the drill's dry-run check reads: the global cluster and the lag metric. */
export function globalClusterReadGrants(p: GlobalClusterParams): Grant[] {
  return [
    { action: 'rds:DescribeGlobalClusters', resource: arn('rds', '', `global-cluster:${p.globalClusterIdentifier}`) },
    { action: 'cloudwatch:GetMetricStatistics', resource: '*' },
  ];
}

function writerOf(global: GlobalClusterView): string | undefined {
  return global.members.find((member) => member.isWriter)?.dbClusterArn;
}

function refused(p: GlobalClusterParams, action: string, code: string, detail: string): AwsActionError {
  return refusal(action, p.globalClusterIdentifier, code, detail);
}

/** The latest Maximum of an RDS lag metric in the last 10 minutes, or undefined without data (the metric stops with replication). */
async function latestLag(
  aws: Pick<ActionContext['aws'], 'cloudWatch'>,
  metric: { namespace: string; metricName: string },
  region: string,
  dimensions: Record<string, string>,
  nowEpochMs: number,
): Promise<number | undefined> {
  const latest = await aws.cloudWatch.latestMaximum({
    region,
    ...metric,
    dimensions,
    sinceEpochMs: nowEpochMs - LAG_LOOKBACK_MS,
    untilEpochMs: nowEpochMs,
  });
  return latest?.value;
}

/** A global database secondary's replication lag in whole seconds (the metric is in milliseconds). */
export async function readLagSeconds(
  aws: Pick<ActionContext['aws'], 'cloudWatch'>,
  target: { region: string; identifier: string },
  nowEpochMs: number,
): Promise<number | undefined> {
  const lagMs = await latestLag(aws, REPLICATION_LAG_METRIC, target.region, { DBClusterIdentifier: target.identifier }, nowEpochMs);
  return lagMs === undefined ? undefined : Math.ceil(lagMs / 1000);
}

/** A read replica's ReplicaLag in seconds (-1: replication not active). */
export async function readReplicaLagSeconds(
  aws: Pick<ActionContext['aws'], 'cloudWatch'>,
  replica: { region: string; identifier: string },
  nowEpochMs: number,
): Promise<number | undefined> {
  return latestLag(aws, REPLICA_LAG_METRIC, replica.region, { DBInstanceIdentifier: replica.identifier }, nowEpochMs);
}

/** Is the current writer answering in its region? (A switchover needs it; a failover does not.) */
async function writerReachable(ctx: ActionContext, writerArn: string): Promise<boolean> {
  const writer = parseDbClusterArn(writerArn);
  if (!writer) return false;
  try {
    const found = await ctx.aws.rds().describeDbCluster(writer.region, writerArn);
    return found?.status === 'available';
  } catch (error) {
    // A region that does not answer (timeouts, 5xx, throttling) is exactly the case a global
    // failover is for; a denied or malformed call is not an outage and must not lose data.
    if (classifyAwsError(error) === AWS_ERROR_KINDS.fatal) throw error;
    return false;
  }
}

export type GlobalClusterMode = 'failover' | 'switchover';

/**
 * Move the writer of a global cluster to the target and wait until it writes. `mode: 'failover'`
 * switches over (no data loss) while the current writer answers, and fails over with data loss
 * only when it does not and `allowDataLoss` says so; `mode: 'switchover'` never loses data.
 */
export async function moveGlobalWriter(
  ctx: ActionContext,
  p: GlobalClusterParams,
  mode: GlobalClusterMode,
  allowDataLoss: boolean,
): Promise<ActionResult> {
  const target = targetOf(p);
  const rds = ctx.aws.rds();
  const describeAction = 'rds:DescribeGlobalClusters';
  const describe = async () => {
    const found = await rds.describeGlobalCluster(target.region, p.globalClusterIdentifier);
    if (!found) throw refused(p, describeAction, 'GlobalClusterNotFoundFault', `global database ${p.globalClusterIdentifier} not found`);
    return found;
  };

  let global = await describe();
  if (!global.members.some((member) => member.dbClusterArn === p.targetDbClusterArn)) {
    const members = global.members.map((member) => member.dbClusterArn).join(', ');
    throw refused(
      p,
      describeAction,
      'NotAMember',
      `${p.targetDbClusterArn} is not a member of ${p.globalClusterIdentifier} (members: ${members})`,
    );
  }

  let dataLossAllowed = false;
  let dataAgeSeconds: number | undefined;
  let resumed = false;
  const running = global.failoverState;
  if (running) {
    if (running.toDbClusterArn !== p.targetDbClusterArn)
      throw refused(
        p,
        describeAction,
        'InvalidGlobalClusterStateFault',
        `${p.globalClusterIdentifier} is already moving its writer to ${running.toDbClusterArn ?? 'another cluster'} (${running.status})`,
      );
    // Our own request from before a crash or a retry: wait for it, never ask twice.
    resumed = true;
    dataLossAllowed = running.isDataLossAllowed;
    if (dataLossAllowed) dataAgeSeconds = await readLagSeconds(ctx.aws, target, ctx.clock.now());
  } else if (writerOf(global) === p.targetDbClusterArn) {
    return { output: { writerArn: p.targetDbClusterArn, mode: 'none' }, note: `${target.identifier} is already the writer` };
  } else {
    const writerArn = writerOf(global) ?? '';
    const reachable = mode === 'switchover' || (await writerReachable(ctx, writerArn));
    if (mode === 'failover' && !reachable) {
      dataAgeSeconds = await readLagSeconds(ctx.aws, target, ctx.clock.now());
      const loss = dataAgeSeconds === undefined ? 'unknown data (no lag reading)' : `up to ${dataAgeSeconds}s of writes`;
      if (!allowDataLoss)
        throw new DataLossRefusedError(`writer down; failover would lose ${loss}; allowDataLoss false`, {
          context: { writerArn, dataAgeSeconds, globalClusterIdentifier: p.globalClusterIdentifier },
        });
      const guard = ctx.service.policy.guard.maxDataAgeSeconds;
      if (guard !== undefined && ctx.run.trigger !== 'manual' && (dataAgeSeconds === undefined || dataAgeSeconds > guard))
        throw new DataLossRefusedError(`would lose ${loss} > maxDataAgeSeconds ${guard}; manual failover only`, {
          context: { dataAgeSeconds, maxDataAgeSeconds: guard, globalClusterIdentifier: p.globalClusterIdentifier },
        });
      dataLossAllowed = true;
      await rds.failoverGlobalCluster(target.region, { ...p, allowDataLoss: true });
    } else if (mode === 'failover') {
      await rds.failoverGlobalCluster(target.region, { ...p, allowDataLoss: false });
    } else {
      await rds.switchoverGlobalCluster(target.region, p);
    }
  }

  // Wait until the target writes and the operation is over.
  for (;;) {
    global = await describe();
    if (writerOf(global) === p.targetDbClusterArn && !global.failoverState) break;
    if (ctx.clock.now() + RDS_POLL_MS > ctx.deadlineEpochMs) {
      throw new StepTimeoutError(
        `${ctx.step.action}: ${target.identifier} not the writer of ${p.globalClusterIdentifier} within ${Math.round(ctx.step.timeoutMs / 1000)}s (${global.failoverState?.status ?? global.status})`,
        { context: { step: ctx.step.id, status: global.status } },
      );
    }
    await ctx.sleep(RDS_POLL_MS);
  }

  const how = dataLossAllowed ? 'global failover (data loss allowed)' : 'switchover (no data loss)';
  const age = dataLossAllowed ? (dataAgeSeconds === undefined ? '; data age unknown' : `; data up to ${dataAgeSeconds}s old`) : '';
  return {
    output: {
      writerArn: p.targetDbClusterArn,
      mode: dataLossAllowed ? 'failover' : 'switchover',
      ...(dataLossAllowed && dataAgeSeconds !== undefined && { dataAgeSeconds }),
      ...(!dataLossAllowed && { dataAgeSeconds: 0 }),
    },
    note: `${target.identifier} is the writer after a ${how}${age}${resumed ? ' (resumed: requested before)' : ''}`,
  };
}

/** Drill: the global cluster exists, is idle, the target is a connected secondary, and how far it lags. */
export function globalClusterDryRun(p: GlobalClusterParams, context: DryRunContext, maxLagSeconds?: number): DryRunCheck {
  const target = targetOf(p);
  return {
    check: `global database ${p.globalClusterIdentifier}`,
    run: async () => {
      if (!context.aws.steps) return { ok: false, detail: 'this function was built without the RDS client' };
      const global = await context.aws.steps.rds().describeGlobalCluster(target.region, p.globalClusterIdentifier);
      if (!global) return { ok: false, detail: `${p.globalClusterIdentifier} not found` };
      const member = global.members.find((candidate) => candidate.dbClusterArn === p.targetDbClusterArn);
      if (!member) return { ok: false, detail: `${target.identifier} is not a member of ${p.globalClusterIdentifier}` };
      if (global.failoverState) return { ok: false, detail: `${p.globalClusterIdentifier} is ${global.failoverState.status} right now` };
      if (member.isWriter) return { ok: false, detail: `${target.identifier} is already the writer (traffic already on this side?)` };
      if (member.synchronizationStatus && member.synchronizationStatus !== 'connected')
        return { ok: false, detail: `${target.identifier} is ${member.synchronizationStatus}` };
      const lagSeconds = await readLagSeconds(context.aws, target, context.nowEpochMs);
      if (lagSeconds === undefined)
        return { ok: false, detail: `${target.identifier} reports no replication lag in the last 10 minutes (is replication running?)` };
      if (maxLagSeconds !== undefined && lagSeconds > maxLagSeconds)
        return { ok: false, detail: `${target.identifier} lags ${lagSeconds}s, more than guard.maxDataAgeSeconds ${maxLagSeconds}s` };
      return { ok: true, detail: `${p.globalClusterIdentifier} ${global.status}; ${target.identifier} connected, lag ${lagSeconds}s` };
    },
  };
}
