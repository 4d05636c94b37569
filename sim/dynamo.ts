/**
 * The embedded DynamoDB: dynalite in-process on 127.0.0.1 (random port), reached through the real
 * SDK clients with dummy credentials. No transactions, no TTL expiry, no
 * ReturnValuesOnConditionCheckFailure — the store is written for exactly that (see shared/store).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SwitchbackError } from '../shared/errors';
import { TABLE_DEFINITION } from '../shared/store/table';

export { TABLE_DEFINITION };

export const EMBEDDED_DYNAMO_REGION = 'us-west-2';
const TABLE_READY_POLL_MS = 2;
const TABLE_READY_MAX_POLLS = 500;

export interface EmbeddedDynamo {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  client: DynamoDBDocumentClient;
  rawClient: DynamoDBClient;
  /** Create a table with the switchback key schema (ready at once). */
  createTable(name: string): Promise<void>;
  close(): Promise<void>;
}

type DynaliteFactory = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** `port` 0 (the default) picks a free one; `npm run local-table` asks for a fixed one. */
export async function startEmbeddedDynamo(options: { port?: number } = {}): Promise<EmbeddedDynamo> {
  // dynalite ships no types; it returns a plain node http.Server.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const connection = connectEmbeddedDynamo(`http://127.0.0.1:${port}`);
  let closed = false;
  return {
    ...connection,
    async close() {
      if (closed) return;
      closed = true;
      connection.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Clients for an embedded DynamoDB at `endpoint` (in this process or another one, e.g. a benchmark fixture). */
export function connectEmbeddedDynamo(endpoint: string): Omit<EmbeddedDynamo, 'close'> & { close(): void } {
  const rawClient = new DynamoDBClient({
    endpoint,
    region: EMBEDDED_DYNAMO_REGION,
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    maxAttempts: 1,
  });
  const client = DynamoDBDocumentClient.from(rawClient, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    rawClient,
    async createTable(name: string) {
      await rawClient.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: TABLE_DEFINITION.BillingMode,
          AttributeDefinitions: TABLE_DEFINITION.AttributeDefinitions.map((definition) => ({ ...definition })),
          KeySchema: TABLE_DEFINITION.KeySchema.map((key) => ({ ...key })),
        }),
      );
      // Even with createTableMs 0 the table is CREATING until dynalite's next timer tick.
      for (let polls = 0; ; polls += 1) {
        const described = await rawClient.send(new DescribeTableCommand({ TableName: name }));
        if (described.Table?.TableStatus === 'ACTIVE') return;
        if (polls >= TABLE_READY_MAX_POLLS) throw new SwitchbackError(`embedded DynamoDB: table ${name} not ACTIVE after ${polls} polls`);
        await new Promise((resolve) => setTimeout(resolve, TABLE_READY_POLL_MS));
      }
    },
    close: () => rawClient.destroy(),
  };
}
