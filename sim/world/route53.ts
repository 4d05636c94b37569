/**
 * Route 53 in memory: hosted zones, record sets, changes that go PENDING → INSYNC after a delay,
 * health checks, and what a resolver would answer.
 *
 * Changes "generally propagate to all Route 53 name servers within 60 seconds"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-editing.html):
 * the world's default `changeDelayMs` is 60 s.
 *
 * CLOUDWATCH_METRIC health checks follow the alarm's data stream, not its state: health checkers
 * poll every `healthCheckerIntervalMs` (Route 53 does not document the interval for alarm health
 * checks; 30 s, its standard endpoint interval, is the default, polled half an interval after the
 * alarm's boundaries:
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html)
 * and read what the alarm's data said at its last evaluation boundary. Data that breaches →
 * Unhealthy, data that does not → Healthy, no data in the alarm's range → `InsufficientDataHealthStatus`
 * (`LastKnownStatus`: the status of the last poll that had data; a health check with none is
 * Healthy: https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
 * Failover records answer from these statuses. An alarm the world models without a metric is
 * followed by its state.
 *
 * Two views of every zone, as in the real service:
 * - the control plane (`records`): what ListResourceRecordSets shows, updated by an accepted
 *   ChangeResourceRecordSets at once;
 * - the data plane (`served`): what resolvers answer. A change reaches it when it becomes INSYNC:
 *   `changeDelayMs` after submission, in submission order within a zone (a change never overtakes
 *   an earlier one). A stuck change never reaches it; `freezeChanges(true)` holds every change.
 * Time is read from the injected `now()` whenever the model is asked something; nothing runs on timers.
 */
import { isIP } from 'node:net';
import type {
  AliasTarget,
  ChangeResourceRecordSetsRequest,
  CreateHealthCheckRequest,
  GetChangeRequest,
  GetHealthCheckRequest,
  GetHealthCheckStatusRequest,
  GetHostedZoneRequest,
  HealthCheckConfig,
  ListResourceRecordSetsRequest,
  ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { normalizeDnsName } from '../../shared/aws/route53';
import { SwitchbackError } from '../../shared/errors';
import type { AlarmDataStatus } from './cloudwatch';
import type { WorldContext } from './context';
import { type CallContext, type ServiceModel, stableStringify, unsupportedOperation } from './model';

export type HealthStatus = 'Healthy' | 'Unhealthy';
export type ChangeStatusValue = 'PENDING' | 'INSYNC';

export interface ChangeView {
  id: string;
  hostedZoneId: string;
  status: ChangeStatusValue;
  submittedAtEpochMs: number;
  /** When it became INSYNC (absent while PENDING). */
  inSyncAtEpochMs?: number;
  stuck: boolean;
  comment?: string;
}

export interface HealthCheckView {
  id: string;
  callerReference: string;
  config: HealthCheckConfig;
  status: HealthStatus;
}

export interface Route53World {
  createHostedZone(input: { id: string; name: string }): void;
  hostedZones(): Array<{ id: string; name: string }>;
  /** The control-plane record sets of a zone, in ListResourceRecordSets order (copies). */
  records(hostedZoneId: string): ResourceRecordSet[];
  /** Create or replace a record set in both views at once (already INSYNC): for seeding. */
  putRecord(hostedZoneId: string, record: ResourceRecordSet): void;
  /**
   * What a resolver would answer right now: A/AAAA values (`string[]`), a CNAME or alias target
   * (`string`), or undefined. Failover records answer PRIMARY while its health check is healthy,
   * else SECONDARY. Without `type`, the first of A, AAAA, CNAME that exists.
   */
  resolve(name: string, type?: string): string[] | string | undefined;
  changes(): ChangeView[];
  /** Delay for changes submitted from now on. */
  setChangeDelayMs(ms: number): void;
  /** true: no change becomes INSYNC until unfrozen (changes due meanwhile become INSYNC at unfreeze). */
  freezeChanges(frozen: boolean): void;
  /** Idempotent by caller reference (as CreateHealthCheck); returns the health check id. */
  createHealthCheck(callerReference: string, config: HealthCheckConfig): string;
  healthChecks(): HealthCheckView[];
  healthCheckStatus(id: string): HealthStatus;
  /** Force a health check's status (undefined: back to evaluating it). */
  setHealthCheckStatus(id: string, status: HealthStatus | undefined): void;
}

export interface Route53ModelDeps {
  changeDelayMs: number;
  /** How often health checkers re-read a CLOUDWATCH_METRIC health check's alarm data. */
  healthCheckerIntervalMs: number;
  /** What a CloudWatch alarm's data said at its last boundary at or before `atEpochMs` (undefined: no such alarm). */
  alarmData(region: string, name: string, atEpochMs: number): AlarmDataStatus | undefined;
}

type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

interface ZoneModel {
  id: string;
  name: string;
  callerReference: string;
  records: Map<string, ResourceRecordSet>;
  served: Map<string, ResourceRecordSet>;
  queue: ChangeModel[];
}

interface ChangeModel {
  id: string;
  zoneId: string;
  submittedAtEpochMs: number;
  readyAtEpochMs: number;
  inSyncAtEpochMs?: number;
  stuck: boolean;
  comment?: string;
  operations: Array<{ action: ChangeAction; record: ResourceRecordSet }>;
}

interface HealthCheckModel {
  id: string;
  callerReference: string;
  config: HealthCheckConfig;
  override?: HealthStatus;
  /** CLOUDWATCH_METRIC: the last health-checker poll replayed, its status, and the last status that had data. */
  polledAtEpochMs?: number;
  polledStatus?: HealthStatus;
  lastKnown?: HealthStatus;
  /** Why the last poll decided what it did (GetHealthCheckStatus). */
  polledReason?: string;
}

const RECORD_TYPES = new Set([
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HTTPS',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
]);
const HEALTH_CHECK_TYPES = new Set([
  'HTTP',
  'HTTPS',
  'HTTP_STR_MATCH',
  'HTTPS_STR_MATCH',
  'TCP',
  'CALCULATED',
  'CLOUDWATCH_METRIC',
  'RECOVERY_CONTROL',
]);
const CHECKER_REGIONS = ['us-east-1', 'us-west-1', 'eu-west-1'];
const MAX_LIST_ITEMS = 300;
const MAX_ALIAS_DEPTH = 8;

/** As Route 53 returns names: trailing dot, `*` escaped as `\052`. */
function toFqdn(name: string): string {
  return `${name.replace(/\*/g, '\\052')}.`;
}

function normalizeZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

function normalizeChangeId(id: string): string {
  return id.replace(/^\/?change\//, '');
}

function recordKey(name: string, type: string, setIdentifier: string | undefined): string {
  return `${name}|${type}|${setIdentifier ?? ''}`;
}

function keyOf(record: ResourceRecordSet): string {
  return recordKey(normalizeDnsName(record.Name ?? ''), record.Type ?? '', record.SetIdentifier);
}

function isWithin(name: string, zoneName: string): boolean {
  return name === zoneName || name.endsWith(`.${zoneName}`);
}

function reversedLabels(name: string): string {
  return name.split('.').reverse().join('.');
}

function compareRecords(a: ResourceRecordSet, b: ResourceRecordSet): number {
  const left = [reversedLabels(normalizeDnsName(a.Name ?? '')), a.Type ?? '', a.SetIdentifier ?? ''];
  const right = [reversedLabels(normalizeDnsName(b.Name ?? '')), b.Type ?? '', b.SetIdentifier ?? ''];
  for (let i = 0; i < left.length; i++) if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  return 0;
}

function describeRecordForMessage(record: ResourceRecordSet): string {
  const id = record.SetIdentifier !== undefined ? `, set-identifier='${record.SetIdentifier}'` : '';
  return `[name='${toFqdn(normalizeDnsName(record.Name ?? ''))}', type='${record.Type}'${id}]`;
}

/** The stored form: name normalized, alias target normalized as Route 53 returns it. */
function canonicalRecord(record: ResourceRecordSet): ResourceRecordSet {
  const copy = structuredClone(record);
  copy.Name = toFqdn(normalizeDnsName(record.Name ?? ''));
  if (copy.AliasTarget) {
    copy.AliasTarget = {
      ...copy.AliasTarget,
      DNSName: toFqdn(normalizeDnsName(copy.AliasTarget.DNSName ?? '')),
      HostedZoneId: normalizeZoneId(copy.AliasTarget.HostedZoneId ?? ''),
    };
  }
  return copy;
}

/** What DELETE must repeat exactly: values, TTL, alias and routing fields. */
function recordContent(record: ResourceRecordSet): string {
  const values = (record.ResourceRecords ?? []).map((item) => (item.Value ?? '').trim().replace(/\.$/, '').toLowerCase()).sort();
  const alias: AliasTarget | undefined = record.AliasTarget && {
    DNSName: normalizeDnsName(record.AliasTarget.DNSName ?? ''),
    HostedZoneId: normalizeZoneId(record.AliasTarget.HostedZoneId ?? ''),
    EvaluateTargetHealth: record.AliasTarget.EvaluateTargetHealth,
  };
  return stableStringify({
    TTL: record.AliasTarget ? undefined : record.TTL,
    values,
    alias,
    Weight: record.Weight,
    Region: record.Region,
    Failover: record.Failover,
    HealthCheckId: record.HealthCheckId,
    MultiValueAnswer: record.MultiValueAnswer,
    GeoLocation: record.GeoLocation,
  });
}

function hasRoutingPolicy(record: ResourceRecordSet): boolean {
  return (
    record.Weight !== undefined ||
    record.Region !== undefined ||
    record.Failover !== undefined ||
    record.GeoLocation !== undefined ||
    record.MultiValueAnswer !== undefined ||
    record.CidrRoutingConfig !== undefined ||
    record.GeoProximityLocation !== undefined
  );
}

export function createRoute53Model(ctx: WorldContext, deps: Route53ModelDeps): { model: ServiceModel; world: Route53World } {
  const zones = new Map<string, ZoneModel>();
  const changes = new Map<string, ChangeModel>();
  const healthChecks = new Map<string, HealthCheckModel>();
  let changeDelayMs = deps.changeDelayMs;
  let frozen = false;

  const fail = (code: string, message: string, extra?: Record<string, unknown>) => ctx.error('route53', code, message, extra);

  // -------------------------------------------------------------------------------------------
  // Propagation

  function settleZone(zone: ZoneModel): void {
    if (frozen || zone.queue.length === 0) return;
    const now = ctx.now();
    let blocked = false;
    for (const change of zone.queue) {
      if (change.stuck) continue;
      if (blocked || change.readyAtEpochMs > now) {
        blocked = true;
        continue;
      }
      for (const { action, record } of change.operations) {
        if (action === 'DELETE') zone.served.delete(keyOf(record));
        else zone.served.set(keyOf(record), record);
      }
      change.inSyncAtEpochMs = change.readyAtEpochMs;
    }
    zone.queue = zone.queue.filter((change) => change.inSyncAtEpochMs === undefined);
  }

  function settleAll(): void {
    for (const zone of zones.values()) settleZone(zone);
  }

  function statusOf(change: ChangeModel): ChangeStatusValue {
    return change.inSyncAtEpochMs === undefined ? 'PENDING' : 'INSYNC';
  }

  function changeInfo(change: ChangeModel) {
    return {
      Id: `/change/${change.id}`,
      Status: statusOf(change),
      SubmittedAt: new Date(change.submittedAtEpochMs),
      ...(change.comment !== undefined && { Comment: change.comment }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Health checks

  /** One health-checker poll of a CLOUDWATCH_METRIC health check at `atEpochMs`. */
  function pollAlarm(check: HealthCheckModel, atEpochMs: number): void {
    const config = check.config;
    const alarm = config.AlarmIdentifier;
    const data = alarm?.Region && alarm.Name ? deps.alarmData(alarm.Region, alarm.Name, atEpochMs) : undefined;
    let status: HealthStatus;
    let reason: string;
    const fromData = (healthy: boolean, why: string) => {
      status = healthy ? 'Healthy' : 'Unhealthy';
      check.lastKnown = status;
      reason = `${healthy ? 'Success' : 'Failure'}: ${why}`;
    };
    if (data?.kind === 'data')
      fromData(!data.breaching, `alarm ${alarm?.Name} data ${data.breaching ? 'breaches' : 'is within'} its threshold`);
    else if (data?.kind === 'state' && (data.state === 'ALARM' || data.state === 'OK'))
      fromData(data.state === 'OK', `alarm ${alarm?.Name} is ${data.state}`);
    else {
      const setting = config.InsufficientDataHealthStatus ?? 'Healthy';
      status = setting === 'Unhealthy' ? 'Unhealthy' : setting === 'LastKnownStatus' ? (check.lastKnown ?? 'Healthy') : 'Healthy';
      reason = `${status === 'Healthy' ? 'Success' : 'Failure'}: alarm ${alarm?.Name ?? ''} ${data ? 'has insufficient data' : 'is missing'} (InsufficientDataHealthStatus: ${setting})`;
    }
    check.polledStatus = status!;
    check.polledReason = reason!;
    check.polledAtEpochMs = atEpochMs;
  }

  /**
   * Replay every health-checker poll up to now, in order (LastKnownStatus depends on the sequence).
   * Polls fall half an interval after the interval's multiples (:15 and :45 at 30 s), so a minute's
   * alarm evaluation reaches the health check 15 s later: the health checker's delay.
   */
  function pollsUpToNow(check: HealthCheckModel): HealthStatus {
    const intervalMs = deps.healthCheckerIntervalMs;
    const offsetMs = intervalMs / 2;
    const lastPoll = Math.floor((ctx.now() - offsetMs) / intervalMs) * intervalMs + offsetMs;
    let next = check.polledAtEpochMs === undefined ? lastPoll : check.polledAtEpochMs + intervalMs;
    for (; next <= lastPoll; next += intervalMs) pollAlarm(check, next);
    return check.polledStatus ?? 'Healthy';
  }

  function evaluateHealth(check: HealthCheckModel): HealthStatus {
    if (check.override) return check.override;
    const config = check.config;
    let status: HealthStatus;
    if (config.Disabled) {
      status = 'Healthy';
    } else if (config.Type === 'CLOUDWATCH_METRIC') {
      status = pollsUpToNow(check);
    } else if (config.Type === 'CALCULATED') {
      const children = (config.ChildHealthChecks ?? [])
        .map((id) => healthChecks.get(id))
        .filter((child): child is HealthCheckModel => !!child);
      const healthy = children.filter((child) => evaluateHealth(child) === 'Healthy').length;
      status = healthy >= (config.HealthThreshold ?? children.length) ? 'Healthy' : 'Unhealthy';
    } else {
      // Endpoint checks would probe the internet; they are healthy unless a test says otherwise.
      status = 'Healthy';
    }
    if (config.Inverted && !config.Disabled) status = status === 'Healthy' ? 'Unhealthy' : 'Healthy';
    return status;
  }

  function requireHealthCheck(id: string | undefined): HealthCheckModel {
    const check = id ? healthChecks.get(id) : undefined;
    if (!check) throw fail('NoSuchHealthCheck', `No health check exists with the specified ID ${id ?? ''}.`);
    return check;
  }

  function healthCheckOutput(check: HealthCheckModel) {
    return {
      Id: check.id,
      CallerReference: check.callerReference,
      HealthCheckConfig: structuredClone(check.config),
      HealthCheckVersion: 1,
    };
  }

  function validateHealthCheckConfig(config: HealthCheckConfig | undefined): HealthCheckConfig {
    if (!config || typeof config !== 'object') throw fail('InvalidInput', 'Invalid request: Missing field HealthCheckConfig');
    if (!config.Type || !HEALTH_CHECK_TYPES.has(config.Type))
      throw fail('InvalidInput', `Invalid request: Type ${String(config.Type)} is not a valid health check type`);
    if (config.Type === 'CLOUDWATCH_METRIC') {
      if (!config.AlarmIdentifier?.Region || !config.AlarmIdentifier.Name) {
        throw fail(
          'InvalidInput',
          'Invalid request: AlarmIdentifier (Region and Name) is required for health checks of type CLOUDWATCH_METRIC',
        );
      }
      if (!config.InsufficientDataHealthStatus) {
        throw fail('InvalidInput', 'Invalid request: InsufficientDataHealthStatus is required for health checks of type CLOUDWATCH_METRIC');
      }
    }
    if (config.Type === 'CALCULATED') {
      for (const child of config.ChildHealthChecks ?? []) requireHealthCheck(child);
    }
    return structuredClone(config);
  }

  function createHealthCheck(
    callerReference: string,
    rawConfig: HealthCheckConfig | undefined,
  ): { check: HealthCheckModel; created: boolean } {
    if (!callerReference) throw fail('InvalidInput', 'Invalid request: Missing field CallerReference');
    const config = validateHealthCheckConfig(rawConfig);
    const existing = [...healthChecks.values()].find((check) => check.callerReference === callerReference);
    if (existing) {
      if (stableStringify(existing.config) === stableStringify(config)) return { check: existing, created: false };
      throw fail(
        'HealthCheckAlreadyExists',
        `A health check with caller reference ${callerReference} already exists with a different configuration.`,
      );
    }
    const check: HealthCheckModel = { id: ctx.nextUuid('healthcheck'), callerReference, config };
    healthChecks.set(check.id, check);
    return { check, created: true };
  }

  // -------------------------------------------------------------------------------------------
  // Zones and records

  function requireZone(id: unknown): ZoneModel {
    const zoneId = typeof id === 'string' ? normalizeZoneId(id) : '';
    const zone = zones.get(zoneId);
    if (!zone) throw fail('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
    return zone;
  }

  function changeContext(action: string, record: ResourceRecordSet): string {
    return `Change with [Action=${action}, Name=${toFqdn(normalizeDnsName(record.Name ?? ''))}, Type=${record.Type}, SetIdentifier=${record.SetIdentifier ?? 'null'}]`;
  }

  /** Shape problems are InvalidInput (thrown at once), as Route 53 rejects them before looking at the zone. */
  function checkShape(action: string, record: ResourceRecordSet | undefined): ResourceRecordSet {
    if (!record || typeof record !== 'object') throw fail('InvalidInput', 'Invalid request: Missing field ResourceRecordSet');
    if (!record.Name) throw fail('InvalidInput', 'Invalid request: Missing field Name');
    if (!record.Type || !RECORD_TYPES.has(record.Type))
      throw fail('InvalidInput', `Invalid request: ${String(record.Type)} is not a valid record type in ${changeContext(action, record)}`);
    const hasValues = record.ResourceRecords !== undefined || record.TTL !== undefined;
    const complete = record.ResourceRecords !== undefined && record.TTL !== undefined;
    if (record.AliasTarget ? hasValues : !complete) {
      const found = record.AliasTarget || complete ? 'more than one' : 'none';
      throw fail(
        'InvalidInput',
        `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${found} in ${changeContext(action, record)}`,
      );
    }
    if (record.AliasTarget) {
      if (!record.AliasTarget.DNSName || !record.AliasTarget.HostedZoneId)
        throw fail('InvalidInput', `Invalid request: AliasTarget needs DNSName and HostedZoneId in ${changeContext(action, record)}`);
      if (typeof record.AliasTarget.EvaluateTargetHealth !== 'boolean')
        throw fail('InvalidInput', `Invalid request: Missing field 'EvaluateTargetHealth' in ${changeContext(action, record)}`);
    } else {
      if (!Number.isInteger(record.TTL) || (record.TTL as number) < 0 || (record.TTL as number) > 2147483647)
        throw fail('InvalidInput', `Invalid request: TTL must be between 0 and 2147483647 in ${changeContext(action, record)}`);
      if ((record.ResourceRecords ?? []).length === 0)
        throw fail('InvalidInput', `Invalid request: ResourceRecords must not be empty in ${changeContext(action, record)}`);
    }
    if (record.Failover !== undefined && record.Failover !== 'PRIMARY' && record.Failover !== 'SECONDARY') {
      throw fail('InvalidInput', `Invalid request: Failover must be PRIMARY or SECONDARY in ${changeContext(action, record)}`);
    }
    if (hasRoutingPolicy(record) && record.SetIdentifier === undefined)
      throw fail('InvalidInput', `Invalid request: Missing field 'SetIdentifier' in ${changeContext(action, record)}`);
    if (record.SetIdentifier !== undefined && !hasRoutingPolicy(record)) {
      throw fail(
        'InvalidInput',
        `Invalid request: A SetIdentifier requires a routing policy (Weight, Region, Failover, GeoLocation …) in ${changeContext(action, record)}`,
      );
    }
    if (record.HealthCheckId !== undefined) requireHealthCheck(record.HealthCheckId);
    return record;
  }

  /** Value and placement problems: collected into InvalidChangeBatch's `messages`. */
  function checkContent(zone: ZoneModel, record: ResourceRecordSet, messages: string[]): void {
    const name = normalizeDnsName(record.Name ?? '');
    if (!isWithin(name, zone.name)) {
      messages.push(`RRSet with DNS name ${toFqdn(name)} is not permitted in zone ${toFqdn(zone.name)}`);
      return;
    }
    if (record.Type === 'CNAME' && name === zone.name)
      messages.push(`RRSet of type CNAME with DNS name ${toFqdn(name)} is not permitted at apex in zone ${toFqdn(zone.name)}`);
    const values = (record.ResourceRecords ?? []).map((item) => item.Value ?? '');
    if (record.Type === 'A' && values.some((value) => isIP(value) !== 4))
      messages.push('ARRDATAIllegalIPv4Address: Value is not a valid IPv4 address');
    if (record.Type === 'AAAA' && values.some((value) => isIP(value) !== 6))
      messages.push('AAAARRDATAIllegalIPv6Address: Value is not a valid IPv6 address');
    if (record.Type === 'CNAME' && values.length > 1)
      messages.push(`RRSet of type CNAME with DNS name ${toFqdn(name)} can have only one value`);
  }

  function checkConflicts(zone: ZoneModel, working: Map<string, ResourceRecordSet>, record: ResourceRecordSet, messages: string[]): void {
    const name = normalizeDnsName(record.Name ?? '');
    const sameName = [...working.values()].filter((other) => normalizeDnsName(other.Name ?? '') === name && keyOf(other) !== keyOf(record));
    if (record.Type === 'CNAME' && sameName.some((other) => other.Type !== 'CNAME')) {
      messages.push(
        `RRSet of type CNAME with DNS name ${toFqdn(name)} is not permitted as it conflicts with other records with the same DNS name in zone ${toFqdn(zone.name)}`,
      );
    }
    if (record.Type !== 'CNAME' && sameName.some((other) => other.Type === 'CNAME')) {
      messages.push(
        `RRSet of type ${record.Type} with DNS name ${toFqdn(name)} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${toFqdn(zone.name)}`,
      );
    }
    const sameType = sameName.filter((other) => other.Type === record.Type);
    if (sameType.some((other) => (other.SetIdentifier === undefined) !== (record.SetIdentifier === undefined))) {
      messages.push(
        record.SetIdentifier === undefined
          ? `RRSet with DNS name ${toFqdn(name)}, type ${record.Type} cannot be created as other RRSets exist with the same name and type.`
          : `RRSet with DNS name ${toFqdn(name)}, type ${record.Type}, SetIdentifier ${record.SetIdentifier} cannot be created as a non-weighted set exists with the same name and type.`,
      );
    }
  }

  function changeResourceRecordSets(input: ChangeResourceRecordSetsRequest, call: CallContext) {
    const zone = requireZone(input.HostedZoneId);
    const requested = input.ChangeBatch?.Changes ?? [];
    if (requested.length === 0) throw fail('InvalidInput', 'Invalid request: Expected at least one change in ChangeBatch.Changes');
    const working = new Map(zone.records);
    const operations: ChangeModel['operations'] = [];
    const messages: string[] = [];
    const touched = new Set<string>();
    for (const change of requested) {
      const action = change.Action as string;
      if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT')
        throw fail('InvalidInput', `Invalid request: ${String(action)} is not a valid change action`);
      const record = canonicalRecord(checkShape(action, change.ResourceRecordSet));
      const key = keyOf(record);
      if (touched.has(key)) {
        messages.push(`The request contains more than one change for ${describeRecordForMessage(record)}`);
        continue;
      }
      touched.add(key);
      const before = messages.length;
      checkContent(zone, record, messages);
      if (messages.length > before) continue;
      const existing = working.get(key);
      if (action === 'CREATE' && existing) {
        messages.push(`Tried to create resource record set ${describeRecordForMessage(record)} but it already exists`);
        continue;
      }
      if (action === 'DELETE') {
        if (!existing) messages.push(`Tried to delete resource record set ${describeRecordForMessage(record)} but it was not found`);
        else if (recordContent(existing) !== recordContent(record)) {
          messages.push(
            `Tried to delete resource record set ${describeRecordForMessage(record)} but the values provided do not match the current values`,
          );
        } else {
          working.delete(key);
          operations.push({ action, record: existing });
        }
        continue;
      }
      checkConflicts(zone, working, record, messages);
      if (messages.length > before) continue;
      working.set(key, record);
      operations.push({ action, record });
    }
    if (messages.length > 0) throw fail('InvalidChangeBatch', 'Invalid change batch:', { messages });

    zone.records = working;
    const now = ctx.now();
    const previous = zone.queue.at(-1);
    const change: ChangeModel = {
      id: `C${ctx.nextUpperId('change', 13)}`,
      zoneId: zone.id,
      submittedAtEpochMs: now,
      // In order within a zone: a change is never INSYNC before the one submitted before it.
      readyAtEpochMs: Math.max(now + changeDelayMs, previous && !previous.stuck ? previous.readyAtEpochMs : now),
      stuck: call.stuck,
      ...(input.ChangeBatch?.Comment !== undefined && { comment: input.ChangeBatch.Comment }),
      operations: operations.map((operation) => ({ action: operation.action, record: structuredClone(operation.record) })),
    };
    changes.set(change.id, change);
    zone.queue.push(change);
    return { ChangeInfo: changeInfo(change) };
  }

  function getChange(input: GetChangeRequest, call: CallContext) {
    const id = normalizeChangeId(input.Id ?? '');
    const change = changes.get(id);
    if (!change) throw fail('NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    // A stuck GetChange pins the change it asks about, unless it was already seen INSYNC.
    if (call.stuck && change.inSyncAtEpochMs === undefined) change.stuck = true;
    const zone = zones.get(change.zoneId);
    if (zone) settleZone(zone);
    return { ChangeInfo: changeInfo(change) };
  }

  function listResourceRecordSets(input: ListResourceRecordSetsRequest) {
    const zone = requireZone(input.HostedZoneId);
    if (input.StartRecordType !== undefined && input.StartRecordName === undefined) {
      throw fail('InvalidInput', 'Invalid request: StartRecordType requires StartRecordName');
    }
    if (input.StartRecordIdentifier !== undefined && input.StartRecordType === undefined) {
      throw fail('InvalidInput', 'Invalid request: StartRecordIdentifier requires StartRecordType');
    }
    const maxItems = input.MaxItems === undefined ? MAX_LIST_ITEMS : Number(input.MaxItems);
    if (!Number.isInteger(maxItems) || maxItems < 1)
      throw fail('InvalidInput', `Invalid request: MaxItems ${String(input.MaxItems)} must be a positive number`);
    const pageSize = Math.min(maxItems, MAX_LIST_ITEMS);
    const sorted = [...zone.records.values()].sort(compareRecords);
    let start = 0;
    if (input.StartRecordName !== undefined) {
      const from: ResourceRecordSet = {
        Name: input.StartRecordName,
        Type: (input.StartRecordType ?? '') as ResourceRecordSet['Type'],
        ...(input.StartRecordIdentifier !== undefined && { SetIdentifier: input.StartRecordIdentifier }),
      };
      start = sorted.findIndex((record) => compareRecords(record, from) >= 0);
      if (start < 0) start = sorted.length;
    }
    const page = sorted.slice(start, start + pageSize);
    const next = sorted[start + pageSize];
    return {
      ResourceRecordSets: page.map((record) => structuredClone(record)),
      IsTruncated: next !== undefined,
      MaxItems: pageSize,
      ...(next && {
        NextRecordName: next.Name,
        NextRecordType: next.Type,
        ...(next.SetIdentifier !== undefined && { NextRecordIdentifier: next.SetIdentifier }),
      }),
    };
  }

  function hostedZoneOutput(zone: ZoneModel) {
    return {
      Id: `/hostedzone/${zone.id}`,
      Name: toFqdn(zone.name),
      CallerReference: zone.callerReference,
      Config: { PrivateZone: false },
      ResourceRecordSetCount: zone.records.size,
    };
  }

  function nameServers(zone: ZoneModel): string[] {
    const n = [...zone.id].reduce((sum, char) => sum + char.charCodeAt(0), 0);
    return [
      `ns-${n % 2048}.awsdns-${n % 64}.com`,
      `ns-${(n + 512) % 2048}.awsdns-${(n + 1) % 64}.net`,
      `ns-${(n + 1024) % 2048}.awsdns-${(n + 2) % 64}.org`,
      `ns-${(n + 1536) % 2048}.awsdns-${(n + 3) % 64}.co.uk`,
    ];
  }

  // -------------------------------------------------------------------------------------------
  // Resolver

  function zoneFor(name: string): ZoneModel | undefined {
    let best: ZoneModel | undefined;
    for (const zone of zones.values()) {
      if (isWithin(name, zone.name) && (!best || zone.name.length > best.name.length)) best = zone;
    }
    return best;
  }

  function isServedHealthy(record: ResourceRecordSet): boolean {
    if (!record.HealthCheckId) return true;
    const check = healthChecks.get(record.HealthCheckId);
    return check ? evaluateHealth(check) === 'Healthy' : false;
  }

  function chooseRecord(candidates: ResourceRecordSet[]): ResourceRecordSet {
    if (candidates.length === 1) return candidates[0];
    const primary = candidates.find((record) => record.Failover === 'PRIMARY');
    const secondary = candidates.find((record) => record.Failover === 'SECONDARY');
    if (primary || secondary) {
      if (primary && isServedHealthy(primary)) return primary;
      if (secondary && isServedHealthy(secondary)) return secondary;
      // Route 53 answers as if all were healthy when none is.
      return (primary ?? secondary) as ResourceRecordSet;
    }
    const healthy = candidates.filter(isServedHealthy);
    const pool = healthy.length > 0 ? healthy : candidates;
    return [...pool].sort((a, b) => (b.Weight ?? 0) - (a.Weight ?? 0) || (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? ''))[0];
  }

  function resolveAt(name: string, types: string[], depth: number): string[] | string | undefined {
    const zone = zoneFor(name);
    if (!zone) return undefined;
    for (const type of types) {
      const candidates = [...zone.served.values()].filter((record) => normalizeDnsName(record.Name ?? '') === name && record.Type === type);
      if (candidates.length === 0) continue;
      const chosen = chooseRecord(candidates);
      if (chosen.AliasTarget) {
        const target = normalizeDnsName(chosen.AliasTarget.DNSName ?? '');
        const inner = depth < MAX_ALIAS_DEPTH && zoneFor(target) ? resolveAt(target, [type], depth + 1) : undefined;
        return inner ?? target;
      }
      const values = (chosen.ResourceRecords ?? []).map((item) => item.Value ?? '');
      return type === 'CNAME' ? normalizeDnsName(values[0] ?? '') : values;
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------

  const world: Route53World = {
    createHostedZone({ id, name }) {
      const zoneId = normalizeZoneId(id);
      const zoneName = normalizeDnsName(name);
      const existing = zones.get(zoneId);
      if (existing) {
        existing.name = zoneName;
        return;
      }
      zones.set(zoneId, {
        id: zoneId,
        name: zoneName,
        callerReference: `world-${zoneId}`,
        records: new Map(),
        served: new Map(),
        queue: [],
      });
    },
    hostedZones: () => [...zones.values()].map((zone) => ({ id: zone.id, name: zone.name })),
    records(hostedZoneId) {
      return [...requireZone(hostedZoneId).records.values()].sort(compareRecords).map((record) => structuredClone(record));
    },
    putRecord(hostedZoneId, record) {
      const zone = requireZone(hostedZoneId);
      const canonical = canonicalRecord(checkShape('UPSERT', record));
      const messages: string[] = [];
      checkContent(zone, canonical, messages);
      checkConflicts(zone, zone.records, canonical, messages);
      if (messages.length > 0) throw new SwitchbackError(`world.route53.putRecord: ${messages.join('; ')}`);
      zone.records.set(keyOf(canonical), canonical);
      zone.served.set(keyOf(canonical), structuredClone(canonical));
    },
    resolve(name, type) {
      settleAll();
      return resolveAt(normalizeDnsName(name), type ? [type] : ['A', 'AAAA', 'CNAME'], 0);
    },
    changes() {
      settleAll();
      return [...changes.values()].map((change) => ({
        id: change.id,
        hostedZoneId: change.zoneId,
        status: statusOf(change),
        submittedAtEpochMs: change.submittedAtEpochMs,
        ...(change.inSyncAtEpochMs !== undefined && { inSyncAtEpochMs: change.inSyncAtEpochMs }),
        stuck: change.stuck,
        ...(change.comment !== undefined && { comment: change.comment }),
      }));
    },
    setChangeDelayMs(ms) {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new SwitchbackError(`world.route53.setChangeDelayMs: ${ms} must be ≥ 0`);
      changeDelayMs = ms;
    },
    freezeChanges(value) {
      if (value === frozen) return;
      if (value) {
        settleAll();
        frozen = true;
        return;
      }
      frozen = false;
      const now = ctx.now();
      for (const zone of zones.values()) for (const change of zone.queue) change.readyAtEpochMs = Math.max(change.readyAtEpochMs, now);
    },
    createHealthCheck: (callerReference, config) => createHealthCheck(callerReference, config).check.id,
    healthChecks: () =>
      [...healthChecks.values()].map((check) => ({
        id: check.id,
        callerReference: check.callerReference,
        config: structuredClone(check.config),
        status: evaluateHealth(check),
      })),
    healthCheckStatus: (id) => evaluateHealth(requireHealthCheck(id)),
    setHealthCheckStatus(id, status) {
      requireHealthCheck(id).override = status;
    },
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      switch (operation) {
        case 'ChangeResourceRecordSets':
          return changeResourceRecordSets(input as ChangeResourceRecordSetsRequest, call);
        case 'GetChange':
          return getChange(input as GetChangeRequest, call);
        case 'ListResourceRecordSets':
          return listResourceRecordSets(input as ListResourceRecordSetsRequest);
        case 'GetHostedZone': {
          const zone = requireZone((input as GetHostedZoneRequest).Id);
          return { HostedZone: hostedZoneOutput(zone), DelegationSet: { NameServers: nameServers(zone) } };
        }
        case 'ListHostedZones':
          return { HostedZones: [...zones.values()].map(hostedZoneOutput), IsTruncated: false, MaxItems: 100 };
        case 'CreateHealthCheck': {
          const request = input as CreateHealthCheckRequest;
          const { check } = createHealthCheck(request.CallerReference ?? '', request.HealthCheckConfig);
          return { HealthCheck: healthCheckOutput(check), Location: `https://route53.amazonaws.com/2013-04-01/healthcheck/${check.id}` };
        }
        case 'GetHealthCheck':
          return { HealthCheck: healthCheckOutput(requireHealthCheck((input as GetHealthCheckRequest).HealthCheckId)) };
        case 'ListHealthChecks':
          return { HealthChecks: [...healthChecks.values()].map(healthCheckOutput), IsTruncated: false, MaxItems: 100, Marker: '' };
        case 'GetHealthCheckStatus': {
          const check = requireHealthCheck((input as GetHealthCheckStatusRequest).HealthCheckId);
          const status = evaluateHealth(check);
          const reason =
            check.config.Type === 'CLOUDWATCH_METRIC' && !check.override
              ? (check.polledReason ?? 'Success: no poll yet')
              : `${status === 'Healthy' ? 'Success: HTTP Status Code 200, OK' : 'Failure: Connection timed out'}`;
          return {
            HealthCheckObservations: CHECKER_REGIONS.map((region, index) => ({
              Region: region,
              IPAddress: `15.177.${index * 4}.${10 + index}`,
              StatusReport: { Status: reason, CheckedTime: new Date(ctx.now()) },
            })),
          };
        }
        default:
          throw unsupportedOperation(ctx, 'route53', operation);
      }
    },
  };

  return { model, world };
}
