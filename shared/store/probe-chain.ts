/**
 * The probe chain's lease (../domain/probe-chain): one item per probe location, in the table of the
 * location's own region (the controller's table for the control region, the probe-only stack's
 * location table elsewhere), so a chain keeps running while another region is dark.
 *
 *   pk = CHAIN#<location>   sk = LEASE   generation, slot, seedEpochMs, nextDueEpochMs
 *
 * Two conditional writes keep one round per slot and one chain per location, whatever SQS delivers
 * twice ("at-least-once delivery": https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html):
 * - claim: slot `n` of generation `g` runs only if the lease is at generation `g` and below slot `n`;
 * - seed: generation `g + 1` starts only over the generation the seeder read (or no item).
 * The loser re-reads the item to say who won (the embedded DynamoDB returns no item on failure).
 * Both are single-item writes of ~100 bytes: 1 write unit each; the schedule's look is one eventually
 * consistent GetItem (half a read unit).
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChainLease, ChainLink } from '../domain/probe-chain';

export type ChainClaim = { claimed: true } | { claimed: false; lease: ChainLease | undefined };

export interface ProbeChainStore {
  load(location: string): Promise<ChainLease | undefined>;
  /** Claim `link`'s slot and record when the next link is due; refused for a second delivery or an older generation. */
  claim(link: ChainLink, nextDueEpochMs: number): Promise<ChainClaim>;
  /** Start generation `link.generation` over `previous` (what the seeder read); false when another seeder won. */
  seed(link: ChainLink, previous: ChainLease | undefined): Promise<boolean>;
  /** Conditional writes attempted and eventually consistent reads made (the bench's cost model). */
  stats(): { writes: number; reads: number };
}

export function chainKey(location: string): { pk: string; sk: string } {
  return { pk: `CHAIN#${location}`, sk: 'LEASE' };
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export function createProbeChainStore(options: { client: DynamoDBDocumentClient; tableName: string }): ProbeChainStore {
  const { client, tableName } = options;
  const counts = { writes: 0, reads: 0 };

  async function load(location: string, consistent = false): Promise<ChainLease | undefined> {
    counts.reads++;
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: chainKey(location), ConsistentRead: consistent }));
    if (!Item) return undefined;
    return {
      generation: Number(Item.generation),
      slot: Number(Item.slot),
      seedEpochMs: Number(Item.seedEpochMs),
      nextDueEpochMs: Number(Item.nextDueEpochMs),
    };
  }

  /** One write unit whatever the answer; false when the condition refused it (another link or seed won). */
  async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
    counts.writes++;
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  return {
    load: (location) => load(location),
    async claim(link, nextDueEpochMs) {
      const claimed = await conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: chainKey(link.location),
            UpdateExpression: 'SET #slot = :slot, #nextDue = :nextDue',
            ConditionExpression: '(#generation = :generation) AND (#slot < :slot)',
            ExpressionAttributeNames: { '#generation': 'generation', '#slot': 'slot', '#nextDue': 'nextDueEpochMs' },
            ExpressionAttributeValues: { ':generation': link.generation, ':slot': link.slot, ':nextDue': nextDueEpochMs },
          }),
        ),
      );
      return claimed ? { claimed: true } : { claimed: false, lease: await load(link.location, true) };
    },
    seed: (link, previous) =>
      conditionalWrite(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...chainKey(link.location),
              generation: link.generation,
              slot: -1,
              seedEpochMs: link.seedEpochMs,
              nextDueEpochMs: link.seedEpochMs,
            },
            ConditionExpression: previous ? '#generation = :previous' : 'attribute_not_exists(pk)',
            ...(previous && {
              ExpressionAttributeNames: { '#generation': 'generation' },
              ExpressionAttributeValues: { ':previous': previous.generation },
            }),
          }),
        ),
      ),
    stats: () => ({ ...counts }),
  };
}
