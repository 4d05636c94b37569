/**
 * Route 53 adapter: read one record exactly, UPSERT it (never CREATE: a retried step must be
 * harmless), and follow the change to INSYNC by polling GetChange every 2 s (the SDK waiter polls
 * every 30 s, far too slow for a failover).
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { InputError } from '../errors';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import { AwsActionError, callAws, getAwsErrorCode } from './errors';
import { DEFAULT_CHANGE_POLL_MS, isAliasTarget, normalizeDnsName, normalizeHostedZoneId } from './route53-records';

export { DEFAULT_CHANGE_POLL_MS, normalizeDnsName, recordMatches, toRecordType } from './route53-records';

export const route53ClientFactory = sdkClientFactory(Route53Client);

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME';

export interface AliasTarget {
  dnsName: string;
  hostedZoneId: string;
  evaluateTargetHealth: boolean;
}

/** `string[]`: A/AAAA values; `string`: a CNAME target; `{ alias }`: an alias record. */
export type RecordTarget = string[] | string | { alias: AliasTarget };

/** Routing-policy fields of an existing record, passed back unchanged on UPSERT (weighted, failover …). */
export type RecordRouting = Pick<
  ResourceRecordSet,
  'Weight' | 'Region' | 'GeoLocation' | 'Failover' | 'MultiValueAnswer' | 'HealthCheckId' | 'CidrRoutingConfig' | 'GeoProximityLocation'
>;
const ROUTING_FIELDS = [
  'Weight',
  'Region',
  'GeoLocation',
  'Failover',
  'MultiValueAnswer',
  'HealthCheckId',
  'CidrRoutingConfig',
  'GeoProximityLocation',
] as const satisfies ReadonlyArray<keyof RecordRouting>;

export interface DnsRecord {
  /** As Route 53 returns it, with escapes decoded and without the trailing dot. */
  name: string;
  type: string;
  ttl?: number;
  setIdentifier?: string;
  /** A/AAAA/CNAME values (absent for alias records). */
  values?: string[];
  alias?: AliasTarget;
  routing: RecordRouting;
}

export interface RecordKey {
  hostedZoneId: string;
  recordName: string;
  type: DnsRecordType;
  setIdentifier?: string;
}

export interface UpsertRecordInput extends RecordKey {
  /** Ignored for alias records (Route 53 uses the target's TTL). */
  ttl: number;
  target: RecordTarget;
  /** Routing-policy fields to keep (take them from `getRecord(...).routing`); required by Route 53 for weighted/failover records. */
  routing?: RecordRouting;
  comment?: string;
}

export type ChangeStatus = 'PENDING' | 'INSYNC';

export interface WaitInSyncOptions {
  /** Default 2000. */
  pollMs?: number;
  deadlineEpochMs: number;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** What the drill compares of a health check (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html). */
export interface HealthCheckSummary {
  id: string;
  /** `CLOUDWATCH_METRIC`, `HTTP` … */
  type: string;
  /** CLOUDWATCH_METRIC: the alarm it follows (AlarmIdentifier). */
  alarm?: { name: string; region: string };
  insufficientDataHealthStatus?: string;
  inverted: boolean;
}

export interface Route53Adapter {
  getRecord(key: RecordKey): Promise<DnsRecord | undefined>;
  /** A health check by id (GetHealthCheck), or undefined when there is none (NoSuchHealthCheck). */
  getHealthCheck(healthCheckId: string): Promise<HealthCheckSummary | undefined>;
  upsertRecord(input: UpsertRecordInput): Promise<{ changeId: string }>;
  getChangeStatus(changeId: string): Promise<ChangeStatus>;
  waitInSync(changeId: string, options: WaitInSyncOptions): Promise<{ inSync: boolean; polls: number }>;
}

const LIST_PAGE_SIZE = 10;

function normalizeChangeId(id: string): string {
  return id.replace(/^\/change\//, '');
}

function describeRecord(key: RecordKey): string {
  return `${key.recordName} ${key.type}${key.setIdentifier ? ` (${key.setIdentifier})` : ''} in ${key.hostedZoneId}`;
}

function toDnsRecord(set: ResourceRecordSet): DnsRecord {
  const routing: RecordRouting = {};
  for (const field of ROUTING_FIELDS) {
    if (set[field] !== undefined) (routing as Record<string, unknown>)[field] = set[field];
  }
  return {
    name: normalizeDnsName(set.Name ?? ''),
    type: set.Type ?? '',
    ...(set.TTL !== undefined && { ttl: set.TTL }),
    ...(set.SetIdentifier !== undefined && { setIdentifier: set.SetIdentifier }),
    ...(set.ResourceRecords && { values: set.ResourceRecords.map((record) => record.Value ?? '') }),
    ...(set.AliasTarget && {
      alias: {
        dnsName: set.AliasTarget.DNSName ?? '',
        hostedZoneId: set.AliasTarget.HostedZoneId ?? '',
        evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth ?? false,
      },
    }),
    routing,
  };
}

function buildRecordSet(input: UpsertRecordInput): ResourceRecordSet {
  const { target, type } = input;
  const base: ResourceRecordSet = {
    Name: input.recordName,
    Type: type,
    ...(input.setIdentifier !== undefined && { SetIdentifier: input.setIdentifier }),
    ...input.routing,
  };
  if (isAliasTarget(target)) {
    // Alias records carry no TTL and no ResourceRecords.
    return {
      ...base,
      AliasTarget: {
        DNSName: target.alias.dnsName,
        HostedZoneId: normalizeHostedZoneId(target.alias.hostedZoneId),
        EvaluateTargetHealth: target.alias.evaluateTargetHealth,
      },
    };
  }
  if (type === 'CNAME' && typeof target !== 'string') {
    throw new InputError(`${describeRecord(input)}: a CNAME target must be one hostname, got a list`);
  }
  if (type !== 'CNAME' && typeof target === 'string') {
    throw new InputError(`${describeRecord(input)}: an ${type} target must be a list of addresses, got "${target}"`);
  }
  const values = typeof target === 'string' ? [target] : target;
  if (values.length === 0) throw new InputError(`${describeRecord(input)}: the target lists no addresses`);
  return { ...base, TTL: input.ttl, ResourceRecords: values.map((value) => ({ Value: value })) };
}

export function createRoute53Adapter(clients: Pick<AwsClients, 'route53'>): Route53Adapter {
  async function getRecord(key: RecordKey): Promise<DnsRecord | undefined> {
    const response = await callAws('route53:ListResourceRecordSets', describeRecord(key), () =>
      clients.route53().send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: key.hostedZoneId,
          StartRecordName: key.recordName,
          StartRecordType: key.type,
          ...(key.setIdentifier !== undefined && { StartRecordIdentifier: key.setIdentifier }),
          MaxItems: LIST_PAGE_SIZE,
        }),
      ),
    );
    const wantedName = normalizeDnsName(key.recordName);
    const match = (response.ResourceRecordSets ?? []).find(
      (set) =>
        normalizeDnsName(set.Name ?? '') === wantedName && set.Type === key.type && (set.SetIdentifier ?? undefined) === key.setIdentifier,
    );
    return match ? toDnsRecord(match) : undefined;
  }

  async function upsertRecord(input: UpsertRecordInput): Promise<{ changeId: string }> {
    const recordSet = buildRecordSet(input);
    const action = 'route53:ChangeResourceRecordSets';
    const response = await callAws(action, describeRecord(input), () =>
      clients.route53().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: input.hostedZoneId,
          ChangeBatch: {
            ...(input.comment !== undefined && { Comment: input.comment }),
            Changes: [{ Action: 'UPSERT', ResourceRecordSet: recordSet }],
          },
        }),
      ),
    );
    const id = response.ChangeInfo?.Id;
    if (!id) {
      throw new AwsActionError({
        action,
        resource: describeRecord(input),
        code: 'MissingChangeId',
        kind: 'fatal',
        detail: 'the response had no ChangeInfo.Id',
      });
    }
    return { changeId: normalizeChangeId(id) };
  }

  async function getChangeStatus(changeId: string): Promise<ChangeStatus> {
    const id = normalizeChangeId(changeId);
    const response = await callAws('route53:GetChange', id, () => clients.route53().send(new GetChangeCommand({ Id: id })));
    return response.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
  }

  async function waitInSync(changeId: string, options: WaitInSyncOptions): Promise<{ inSync: boolean; polls: number }> {
    const pollMs = options.pollMs ?? DEFAULT_CHANGE_POLL_MS;
    for (let polls = 1; ; polls += 1) {
      if ((await getChangeStatus(changeId)) === 'INSYNC') return { inSync: true, polls };
      const remainingMs = options.deadlineEpochMs - options.now();
      if (remainingMs < pollMs) return { inSync: false, polls };
      await options.sleep(pollMs);
    }
  }

  async function getHealthCheck(healthCheckId: string): Promise<HealthCheckSummary | undefined> {
    try {
      const response = await callAws('route53:GetHealthCheck', healthCheckId, () =>
        clients.route53().send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId })),
      );
      const config = response.HealthCheck?.HealthCheckConfig;
      if (!config) return undefined;
      const alarm = config.AlarmIdentifier;
      return {
        id: healthCheckId,
        type: config.Type ?? 'unknown',
        ...(alarm?.Name && alarm.Region && { alarm: { name: alarm.Name, region: alarm.Region } }),
        ...(config.InsufficientDataHealthStatus && { insufficientDataHealthStatus: config.InsufficientDataHealthStatus }),
        inverted: config.Inverted === true,
      };
    } catch (error) {
      if (getAwsErrorCode(error) === 'NoSuchHealthCheck') return undefined;
      throw error;
    }
  }

  return { getRecord, getHealthCheck, upsertRecord, getChangeStatus, waitInSync };
}

/** What a function that carries the route53 adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const route53Kit: AdapterKit<'route53', Route53Adapter> = { factory: route53ClientFactory, adapter: createRoute53Adapter };
