/**
 * The single DynamoDB table: key schema and item keys. The same definition is deployed by
 * serverless.yml (serverless/deployment.ts) and created in the embedded DynamoDB (sim/dynamo.ts).
 *
 *   pk = SVC#<service>   sk = STATE                       the service state (versioned, holds the active run)
 *   pk = SVC#<service>   sk = RUN#<startedAt 13d>#<runId>  archived runs (full timeline)
 *   pk = SVC#<service>   sk = EVT#<at 13d>#<id>            audit events (ttl)
 *   pk = OBS             sk = <service>#<location>          what each probe location last saw
 *   pk = LOC             sk = <location>                    probe location heartbeats
 *   pk = DEDUP#<key>     sk = DEDUP                         duplicate-delivery guard (ttl)
 */
export const TABLE_DEFINITION = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
} as const;

/** The attribute DynamoDB's TTL deletes items by (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';

export const SORT_KEYS = { state: 'STATE', runPrefix: 'RUN#', eventPrefix: 'EVT#', dedup: 'DEDUP' } as const;
export const PARTITIONS = { observations: 'OBS', locations: 'LOC' } as const;

/** Epoch ms as 13 digits, so sort keys order by time (good until the year 2286). */
export function epochKey(epochMs: number): string {
  return String(Math.max(0, Math.floor(epochMs))).padStart(13, '0');
}

export const keys = {
  state: (service: string) => ({ pk: `SVC#${service}`, sk: SORT_KEYS.state }),
  run: (service: string, startedAtEpochMs: number, runId: string) => ({
    pk: `SVC#${service}`,
    sk: `${SORT_KEYS.runPrefix}${epochKey(startedAtEpochMs)}#${runId}`,
  }),
  event: (service: string, atEpochMs: number, id: string) => ({
    pk: `SVC#${service}`,
    sk: `${SORT_KEYS.eventPrefix}${epochKey(atEpochMs)}#${id}`,
  }),
  observation: (service: string, location: string) => ({ pk: PARTITIONS.observations, sk: `${service}#${location}` }),
  location: (location: string) => ({ pk: PARTITIONS.locations, sk: location }),
  dedup: (key: string) => ({ pk: `DEDUP#${key}`, sk: SORT_KEYS.dedup }),
  servicePartition: (service: string) => `SVC#${service}`,
} as const;
