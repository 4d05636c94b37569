/**
 * The probe chain's lease on the embedded DynamoDB: one round per slot and one chain per location,
 * whatever SQS delivers twice and however many schedules seed at once.
 */
import { seedLink, type ChainLink } from '../../../shared/domain/probe-chain';
import { createProbeChainStore } from '../../../shared/store/probe-chain';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../sim/dynamo';

const T0 = 1_800_000_000_000;
let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  await dynamo.createTable('switchback-test');
});
afterAll(() => dynamo.close());

const open = () => createProbeChainStore({ client: dynamo.client, tableName: 'switchback-test' });

describe('probe chain lease', () => {
  it('claims each slot once, refuses a second delivery and a link of a replaced generation', async () => {
    const store = open();
    expect(await store.load('eu-west-1')).toBeUndefined();
    const first = seedLink('eu-west-1', undefined, T0);
    expect(await store.seed(first, undefined)).toBe(true);
    const slot = (n: number, generation = 1): ChainLink => ({ ...first, generation, slot: n });

    expect(await store.claim(slot(0), T0 + 10_000)).toEqual({ claimed: true });
    // The same message delivered again (at-least-once): refused, the lease says who ran it.
    expect(await store.claim(slot(0), T0 + 10_000)).toEqual({
      claimed: false,
      lease: { generation: 1, slot: 0, seedEpochMs: T0, nextDueEpochMs: T0 + 10_000 },
    });
    expect(await store.claim(slot(1), T0 + 20_000)).toEqual({ claimed: true });
    // A late link of an earlier slot cannot run after a later one did.
    expect((await store.claim(slot(0), T0 + 10_000)).claimed).toBe(false);

    // The schedule found the chain overdue and seeded generation 2: generation 1's links die quietly.
    const lease = await store.load('eu-west-1');
    const second = seedLink('eu-west-1', lease, T0 + 90_000);
    expect(await store.seed(second, lease)).toBe(true);
    expect(await store.claim(slot(2, 1), T0 + 30_000)).toEqual({
      claimed: false,
      lease: expect.objectContaining({ generation: 2, slot: -1 }),
    });
    expect(await store.claim({ ...second, slot: 0 }, T0 + 100_000)).toEqual({ claimed: true });
    // Another location's chain is its own item.
    expect(await store.load('us-west-2')).toBeUndefined();
  });

  it('two schedules seeding at once: one generation wins, the other learns it lost', async () => {
    const store = open();
    const results = await Promise.all([0, 1, 2].map(() => store.seed(seedLink('ap-south-1', undefined, T0), undefined)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const lease = await store.load('ap-south-1');
    const racers = await Promise.all([0, 1].map(() => open().seed(seedLink('ap-south-1', lease, T0 + 60_000), lease)));
    expect(racers.filter(Boolean)).toHaveLength(1);
    expect((await store.load('ap-south-1'))?.generation).toBe(2);
  });
});
