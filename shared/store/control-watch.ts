/**
 * Where a probe-only location keeps its watch on the control region (../domain/control-watch): one
 * item in a small table **in the probe location's own region** (`switchback-<stage>-location`,
 * created by the probe-only stack), never in the control region's table.
 *
 * Why there: the watch must be written exactly when the control region is dark, so it cannot live
 * in the control region's table; and it must outlive one invocation, because Lambda gives no such
 * promise for memory or /tmp ("assume that the environment exists only for a single invocation …
 * commit any permanent data changes before exiting to a durable store such as S3, DynamoDB, or SQS":
 * https://docs.aws.amazon.com/lambda/latest/operatorguide/statelessness-functions.html). A cold start
 * during an outage would otherwise text again, or never text that the control region is back.
 * DynamoDB tables are regional, so this one answers while the control region is dark. It is written
 * only when the watch changes (about three writes per control-region outage) and read once a minute
 * (eventually consistent: half a read unit).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QUIET_WATCH, type ControlWatch } from '../domain/control-watch';
import { VersionConflictError } from './errors';

export interface StoredControlWatch {
  watch: ControlWatch;
  version: number;
}

export interface ControlWatchStore {
  load(): Promise<StoredControlWatch>;
  /** Writes `watch` as version `expectedVersion + 1`; VersionConflictError when someone wrote first. */
  save(watch: ControlWatch, expectedVersion: number): Promise<void>;
}

export function controlWatchKey(controlRegion: string): { pk: string; sk: string } {
  return { pk: `WATCH#CONTROL#${controlRegion}`, sk: 'STATE' };
}

export function createControlWatchStore(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  controlRegion: string;
}): ControlWatchStore {
  const key = controlWatchKey(options.controlRegion);
  return {
    async load() {
      const { Item } = await options.client.send(new GetCommand({ TableName: options.tableName, Key: key }));
      if (!Item) return { watch: QUIET_WATCH, version: 0 };
      return {
        watch: {
          toldUnreachable: Item.toldUnreachable === true,
          ...(typeof Item.silentSinceEpochMs === 'number' ? { silentSinceEpochMs: Item.silentSinceEpochMs } : {}),
        },
        version: Number(Item.version),
      };
    },
    async save(watch, expectedVersion) {
      try {
        await options.client.send(
          new PutCommand({
            TableName: options.tableName,
            Item: { ...key, ...watch, version: expectedVersion + 1 },
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
            ...(expectedVersion === 0
              ? {}
              : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException')
          throw new VersionConflictError(`control watch ${options.controlRegion}`, expectedVersion, undefined, { cause: error });
        throw error;
      }
    },
  };
}
