/**
 * The state store: one DynamoDB table (see ./table), single-item conditional writes only (the
 * embedded DynamoDB has no transactions), optimistic locking on the STATE item's `version`.
 *
 * - Every STATE write is a conditional Put: `version = :expected` (or "never written" for version 0).
 * - A lost race re-reads the item to name the winner (no ReturnValuesOnConditionCheckFailure).
 * - TTL'd items (DEDUP, EVT) are checked for expiry on read: DynamoDB deletes them lazily and the
 *   embedded DynamoDB never does.
 * - Every call asks for ReturnConsumedCapacity TOTAL; `stats()` sums the units for the benchmarks.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { SwitchbackError } from '../errors';
import { initialServiceState, type LocationObservation, type Run, type ServiceState } from '../domain/types';
import { RunAlreadyActiveError, VersionConflictError } from './errors';
import { PARTITIONS, SORT_KEYS, TTL_ATTRIBUTE, keys } from './table';

/** One line of a service's audit timeline. */
export interface AuditEvent {
  atEpochMs: number;
  type: string;
  reason: string;
  data?: Record<string, unknown>;
}

export interface StoreStats {
  /** Read capacity units consumed (as DynamoDB reports them). */
  reads: number;
  /** Write capacity units consumed (a failed conditional write counts one). */
  writes: number;
  readRequests: number;
  writeRequests: number;
}

export interface Store {
  getState(service: string): Promise<ServiceState | undefined>;
  /**
   * BatchGet in chunks of 100 (retrying unprocessed keys); services without a STATE item are absent
   * from the map. `consistent: false` halves the read cost where a stale answer is harmless (the
   * probe round: every write it makes is conditional on the version it read).
   */
  getStates(services: string[], options?: { consistent?: boolean }): Promise<Map<string, ServiceState>>;
  /** The state, created as `initialServiceState` (version 0) when the service has none yet. */
  ensureState(service: string, nowEpochMs: number): Promise<ServiceState>;
  /** Writes `next` as version `expectedVersion + 1`; VersionConflictError when the stored version differs. */
  saveState(next: ServiceState, expectedVersion: number): Promise<ServiceState>;
  /**
   * Put `run` in `mutate(current).activeRun` unless a run is already running: exactly one of many
   * concurrent callers wins; the others get RunAlreadyActiveError naming the winner's run id.
   * Starting the run that is already active is a no-op returning the stored state.
   */
  startRun(service: string, run: Run, mutate: (state: ServiceState) => ServiceState, nowEpochMs: number): Promise<ServiceState>;
  /** Store a finished run with its full timeline; writing the same run again overwrites it (idempotent). */
  archiveRun(run: Run): Promise<void>;
  /** Archived runs, newest first. */
  listRuns(service: string, limit: number): Promise<Run[]>;
  appendEvent(service: string, event: AuditEvent): Promise<void>;
  /** Audit events, newest first, without expired ones. */
  listEvents(service: string, limit: number, nowEpochMs?: number): Promise<AuditEvent[]>;
  putObservation(service: string, observation: LocationObservation): Promise<void>;
  /** Every service's observations (one paginated Query). */
  listObservations(): Promise<Map<string, LocationObservation[]>>;
  touchLocation(location: string, atEpochMs: number): Promise<void>;
  listLocationHeartbeats(): Promise<Record<string, number>>;
  /** True for the first claim of `key` (or the first after its claim expired); false for duplicates. */
  claimDedup(key: string, nowEpochMs: number, ttlSeconds: number): Promise<boolean>;
  /** Keep a claim that is ours for `ttlSeconds` from now (after the work it guarded is done). */
  extendDedup(key: string, nowEpochMs: number, ttlSeconds: number): Promise<void>;
  /** Give a claim up (the work it guarded failed): the next delivery of `key` acts. */
  releaseDedup(key: string): Promise<void>;
  stats(): StoreStats;
}

export interface CreateStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Clock for expiry checks when the caller gives no time (audit events). Default `Date.now`. */
  now?: () => number;
  /** How long audit events are kept. Default 90 days. */
  eventTtlSeconds?: number;
  /** Suffix making audit event keys unique. Default: 8 random hex characters. */
  newId?: () => string;
}

const OPTION_NAMES = new Set(['client', 'tableName', 'now', 'eventTtlSeconds', 'newId']);
const DEFAULT_EVENT_TTL_SECONDS = 90 * 24 * 3600;
const BATCH_GET_MAX_KEYS = 100;
const UNPROCESSED_RETRIES = 8;
const UNPROCESSED_BASE_DELAY_MS = 25;
const START_RUN_MAX_ATTEMPTS = 8;
const QUERY_PAGE_SIZE = 100;

/** Named sub-conditions; a write's condition is built from them (see `anyOf`). */
const CONDITIONS = {
  itemAbsent: 'attribute_not_exists(pk)',
  versionMatches: '#version = :expectedVersion',
  noRunRunning: 'attribute_not_exists(#activeRunStatus) OR #activeRunStatus <> :running',
  claimExpired: '#expiresAtEpochMs <= :nowEpochMs',
} as const;

function anyOf(...conditions: string[]): string {
  return conditions.length === 1 ? conditions[0] : conditions.map((condition) => `(${condition})`).join(' OR ');
}

function allOf(...conditions: string[]): string {
  return conditions.length === 1 ? conditions[0] : conditions.map((condition) => `(${condition})`).join(' AND ');
}

function isConditionFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}

/** JSON round trip: drops `undefined` (DynamoDB rejects it) and any non-data value. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

type StateItem = {
  pk: string;
  sk: string;
  version: number;
  state: string;
  activeRunId?: string;
  activeRunStatus?: string;
  data: Omit<ServiceState, 'version'>;
};

function toStateItem(state: ServiceState, version: number): StateItem {
  const { version: _ignored, ...data } = state;
  return {
    ...keys.state(state.service),
    version,
    state: state.state,
    ...(state.activeRun ? { activeRunId: state.activeRun.id, activeRunStatus: state.activeRun.status } : {}),
    data: plain(data),
  };
}

function fromStateItem(item: Record<string, unknown>): ServiceState {
  const stored = item as unknown as StateItem;
  return { ...stored.data, version: Number(stored.version) };
}

type Capacity = { CapacityUnits?: number } | undefined;

export function createStore(options: CreateStoreOptions): Store {
  const unknownOptions = Object.keys(options).filter((name) => !OPTION_NAMES.has(name));
  if (unknownOptions.length > 0) throw new SwitchbackError(`createStore: unknown option(s) ${unknownOptions.join(', ')}`);
  if (!options.client) throw new SwitchbackError('createStore: client is required');
  if (!options.tableName) throw new SwitchbackError('createStore: tableName is required');
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  const eventTtlSeconds = options.eventTtlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
  const newId = options.newId ?? (() => randomUUID().replace(/-/g, '').slice(0, 8));
  const counters: StoreStats = { reads: 0, writes: 0, readRequests: 0, writeRequests: 0 };

  function countRead(capacity: Capacity | Capacity[]): void {
    counters.readRequests += 1;
    const list = Array.isArray(capacity) ? capacity : [capacity];
    counters.reads += list.reduce((sum, entry) => sum + (entry?.CapacityUnits ?? 0), 0);
  }

  function countWrite(capacity: Capacity, failedCondition = false): void {
    counters.writeRequests += 1;
    // DynamoDB bills a failed conditional write at least one unit; the error does not report it.
    counters.writes += failedCondition ? 1 : (capacity?.CapacityUnits ?? 1);
  }

  /** A conditional Put; false when the condition failed. */
  async function conditionalPut(
    item: Record<string, unknown>,
    condition: string,
    names: Record<string, string> | undefined,
    values: Record<string, unknown> | undefined,
  ): Promise<boolean> {
    try {
      const response = await client.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: condition,
          ...(names && { ExpressionAttributeNames: names }),
          ...(values && { ExpressionAttributeValues: values }),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      countWrite(response.ConsumedCapacity);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      countWrite(undefined, true);
      return false;
    }
  }

  async function put(item: Record<string, unknown>): Promise<void> {
    const response = await client.send(new PutCommand({ TableName: tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }));
    countWrite(response.ConsumedCapacity);
  }

  /** Every item of a Query, page by page, stopping once `limit` items are collected (if given). */
  async function queryAll(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit?: number,
    keep: (item: Record<string, unknown>) => boolean = () => true,
  ) {
    const items: Array<Record<string, unknown>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await client.send(
        new QueryCommand({
          ...input,
          TableName: tableName,
          Limit: QUERY_PAGE_SIZE,
          ReturnConsumedCapacity: 'TOTAL',
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      countRead(response.ConsumedCapacity);
      for (const item of response.Items ?? []) {
        if (!keep(item)) continue;
        items.push(item);
        if (limit !== undefined && items.length >= limit) return items;
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async function getState(service: string): Promise<ServiceState | undefined> {
    const response = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.state(service), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    countRead(response.ConsumedCapacity);
    return response.Item ? fromStateItem(response.Item) : undefined;
  }

  async function getStates(services: string[], options: { consistent?: boolean } = {}): Promise<Map<string, ServiceState>> {
    const consistent = options.consistent ?? true;
    const unique = [...new Set(services)];
    const states = new Map<string, ServiceState>();
    for (let start = 0; start < unique.length; start += BATCH_GET_MAX_KEYS) {
      let pending: Array<Record<string, unknown>> = unique.slice(start, start + BATCH_GET_MAX_KEYS).map((service) => keys.state(service));
      for (let round = 0; pending.length > 0; round += 1) {
        if (round > UNPROCESSED_RETRIES) {
          throw new SwitchbackError(`BatchGetItem left ${pending.length} state item(s) unprocessed after ${UNPROCESSED_RETRIES} retries`, {
            context: { tableName, unprocessed: pending.length },
          });
        }
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, UNPROCESSED_BASE_DELAY_MS * 2 ** (round - 1)));
        const response = await client.send(
          new BatchGetCommand({
            RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        countRead(response.ConsumedCapacity);
        for (const item of response.Responses?.[tableName] ?? []) {
          const state = fromStateItem(item);
          states.set(state.service, state);
        }
        pending = (response.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return states;
  }

  async function ensureState(service: string, nowEpochMs: number): Promise<ServiceState> {
    const existing = await getState(service);
    if (existing) return existing;
    const initial = initialServiceState(service, nowEpochMs);
    if (await conditionalPut(toStateItem(initial, initial.version), CONDITIONS.itemAbsent, undefined, undefined)) return initial;
    // Someone created it at the same moment: theirs is as good as ours.
    const created = await getState(service);
    if (!created) throw new SwitchbackError(`${service}: state item exists by condition but could not be read`, { context: { service } });
    return created;
  }

  async function saveState(next: ServiceState, expectedVersion: number): Promise<ServiceState> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new SwitchbackError(`saveState: expectedVersion must be a whole number >= 0, got ${expectedVersion}`);
    }
    const version = expectedVersion + 1;
    // Version 0 is what `initialServiceState` holds before anything is stored: it may not exist yet.
    const condition = expectedVersion === 0 ? anyOf(CONDITIONS.itemAbsent, CONDITIONS.versionMatches) : CONDITIONS.versionMatches;
    const written = await conditionalPut(
      toStateItem(next, version),
      condition,
      { '#version': 'version' },
      { ':expectedVersion': expectedVersion },
    );
    if (written) return { ...next, version };
    const actual = await getState(next.service);
    throw new VersionConflictError(next.service, expectedVersion, actual?.version);
  }

  async function startRun(
    service: string,
    run: Run,
    mutate: (state: ServiceState) => ServiceState,
    nowEpochMs: number,
  ): Promise<ServiceState> {
    let current = await ensureState(service, nowEpochMs);
    for (let attempt = 1; ; attempt += 1) {
      const active = current.activeRun;
      if (active && active.id === run.id) return current;
      if (active && active.status === 'running') throw new RunAlreadyActiveError(service, active.id, run.id);

      const mutated = mutate(structuredClone(current));
      if (mutated.service !== service) {
        throw new SwitchbackError(`startRun: mutate returned the state of "${mutated.service}" for service "${service}"`);
      }
      const next: ServiceState = { ...mutated, activeRun: mutated.activeRun?.id === run.id ? mutated.activeRun : run };
      const written = await conditionalPut(
        toStateItem(next, current.version + 1),
        allOf(CONDITIONS.versionMatches, CONDITIONS.noRunRunning),
        { '#version': 'version', '#activeRunStatus': 'activeRunStatus' },
        { ':expectedVersion': current.version, ':running': 'running' },
      );
      if (written) return { ...next, version: current.version + 1 };

      // Lost a race: re-read to learn who won (the embedded DynamoDB does not return the item).
      const after = await getState(service);
      if (!after) throw new SwitchbackError(`${service}: state item vanished during startRun`, { context: { service } });
      if (after.activeRun?.status === 'running' && after.activeRun.id !== run.id) {
        throw new RunAlreadyActiveError(service, after.activeRun.id, run.id);
      }
      if (attempt >= START_RUN_MAX_ATTEMPTS) throw new VersionConflictError(service, current.version, after.version);
      // Something else changed the state (a probe round, an operator): try again on what they wrote.
      current = after;
    }
  }

  async function archiveRun(run: Run): Promise<void> {
    await put({
      ...keys.run(run.service, run.startedAtEpochMs, run.id),
      runId: run.id,
      kind: run.kind,
      status: run.status,
      startedAtEpochMs: run.startedAtEpochMs,
      ...(run.endedAtEpochMs !== undefined && { endedAtEpochMs: run.endedAtEpochMs }),
      data: plain(run),
    });
  }

  async function listRuns(service: string, limit: number): Promise<Run[]> {
    if (limit <= 0) return [];
    const items = await queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.servicePartition(service), ':prefix': SORT_KEYS.runPrefix },
        ScanIndexForward: false,
      },
      limit,
    );
    return items.map((item) => item.data as Run);
  }

  async function appendEvent(service: string, event: AuditEvent): Promise<void> {
    await put({
      ...keys.event(service, event.atEpochMs, newId()),
      [TTL_ATTRIBUTE]: Math.ceil(event.atEpochMs / 1000) + eventTtlSeconds,
      event: plain(event),
    });
  }

  async function listEvents(service: string, limit: number, nowEpochMs: number = now()): Promise<AuditEvent[]> {
    if (limit <= 0) return [];
    const nowSeconds = nowEpochMs / 1000;
    const items = await queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.servicePartition(service), ':prefix': SORT_KEYS.eventPrefix },
        ScanIndexForward: false,
      },
      limit,
      (item) => typeof item[TTL_ATTRIBUTE] !== 'number' || item[TTL_ATTRIBUTE] > nowSeconds,
    );
    return items.map((item) => item.event as AuditEvent);
  }

  async function putObservation(service: string, observation: LocationObservation): Promise<void> {
    await put({
      ...keys.observation(service, observation.location),
      service,
      location: observation.location,
      observation: plain(observation),
    });
  }

  async function listObservations(): Promise<Map<string, LocationObservation[]>> {
    const items = await queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PARTITIONS.observations } });
    const byService = new Map<string, LocationObservation[]>();
    for (const item of items) {
      const service = String(item.service);
      byService.set(service, [...(byService.get(service) ?? []), item.observation as LocationObservation]);
    }
    return byService;
  }

  async function touchLocation(location: string, atEpochMs: number): Promise<void> {
    await put({ ...keys.location(location), location, atEpochMs });
  }

  async function listLocationHeartbeats(): Promise<Record<string, number>> {
    const items = await queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PARTITIONS.locations } });
    return Object.fromEntries(items.map((item) => [String(item.location), Number(item.atEpochMs)]));
  }

  async function claimDedup(key: string, nowEpochMs: number, ttlSeconds: number): Promise<boolean> {
    const expiresAtEpochMs = nowEpochMs + ttlSeconds * 1000;
    return conditionalPut(
      { ...keys.dedup(key), claimedAtEpochMs: nowEpochMs, expiresAtEpochMs, [TTL_ATTRIBUTE]: Math.ceil(expiresAtEpochMs / 1000) },
      // An expired claim may still be stored (DynamoDB deletes lazily, the embedded one never): it counts as absent.
      anyOf(CONDITIONS.itemAbsent, CONDITIONS.claimExpired),
      { '#expiresAtEpochMs': 'expiresAtEpochMs' },
      { ':nowEpochMs': nowEpochMs },
    );
  }

  async function extendDedup(key: string, nowEpochMs: number, ttlSeconds: number): Promise<void> {
    const expiresAtEpochMs = nowEpochMs + ttlSeconds * 1000;
    await put({ ...keys.dedup(key), claimedAtEpochMs: nowEpochMs, expiresAtEpochMs, [TTL_ATTRIBUTE]: Math.ceil(expiresAtEpochMs / 1000) });
  }

  async function releaseDedup(key: string): Promise<void> {
    const response = await client.send(new DeleteCommand({ TableName: tableName, Key: keys.dedup(key), ReturnConsumedCapacity: 'TOTAL' }));
    countWrite(response.ConsumedCapacity);
  }

  return {
    getState,
    getStates,
    ensureState,
    saveState,
    startRun,
    archiveRun,
    listRuns,
    appendEvent,
    listEvents,
    putObservation,
    listObservations,
    touchLocation,
    listLocationHeartbeats,
    claimDedup,
    extendDedup,
    releaseDedup,
    stats: () => ({ ...counters }),
  };
}
