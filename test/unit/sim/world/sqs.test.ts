/**
 * The world's SQS through the real SDK client: message timers, the event source mapping (deliver
 * when visible, delete on success, visible again after the visibility timeout on a function error,
 * the redrive to the dead-letter queue after maxReceiveCount), at-least-once and lost messages as
 * faults, and the errors SendMessage gives for a bad timer or an unknown queue.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../../../shared/aws/clients';
import { ALL_AWS_CLIENT_FACTORIES } from '../../../../shared/aws/all-client-factories';
import { getAwsErrorCode } from '../../../../shared/aws/errors';
import { createWorld } from '../../../../sim/world';
import { VirtualClock } from '../../../../sim/virtual-clock';
import { rejectionOf, START_EPOCH_MS } from './world-test-kit';

const REGION = 'eu-west-1';
const URL = (name: string) => `https://sqs.${REGION}.amazonaws.com/123456789012/${name}`;

function setUp() {
  const clock = new VirtualClock(START_EPOCH_MS);
  const world = createWorld({
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    spawn: (name, work) => clock.start(name, work),
  });
  const clients = createAwsClients({ defaultRegion: 'us-west-2', factories: ALL_AWS_CLIENT_FACTORIES, ...world.awsOptions() });
  const dlq = world.sqs.createQueue(REGION, 'chain-dlq');
  const queue = world.sqs.createQueue(REGION, 'chain', { visibilityTimeoutSeconds: 60, maxReceiveCount: 3, deadLetterQueueArn: dlq });
  const deliveries: Array<{ atSeconds: number; body: string; receiveCount: string }> = [];
  const send = (body: string, delaySeconds: number) =>
    clients.sqs(REGION).send(new SendMessageCommand({ QueueUrl: URL('chain'), MessageBody: body, DelaySeconds: delaySeconds }));
  return { clock, world, queue, dlq, deliveries, send };
}

describe('SQS', () => {
  it('delivers a message when its timer ends and deletes it when the function succeeds', async () => {
    const { clock, world, queue, deliveries, send } = setUp();
    world.sqs.mapToFunction(queue, async (event) => {
      for (const record of event.Records)
        deliveries.push({
          atSeconds: (clock.now() - START_EPOCH_MS) / 1000,
          body: record.body,
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
    });
    await send('a', 10);
    await send('b', 0);
    await clock.runUntil(START_EPOCH_MS + 300_000);
    expect(deliveries).toEqual([
      { atSeconds: 0, body: 'b', receiveCount: '1' },
      { atSeconds: 10, body: 'a', receiveCount: '1' },
    ]);
    expect(world.sqs.messages(queue)).toEqual([]);
  });

  it('a function error returns the message after the visibility timeout; after maxReceiveCount it is dead-lettered', async () => {
    const { clock, world, queue, dlq, deliveries, send } = setUp();
    world.sqs.mapToFunction(queue, async (event) => {
      deliveries.push({
        atSeconds: (clock.now() - START_EPOCH_MS) / 1000,
        body: event.Records[0].body,
        receiveCount: event.Records[0].attributes.ApproximateReceiveCount,
      });
      throw new Error('function error');
    });
    await send('poison', 5);
    await clock.runUntil(START_EPOCH_MS + 600_000);
    expect(deliveries.map((delivery) => [delivery.atSeconds, delivery.receiveCount])).toEqual([
      [5, '1'],
      [65, '2'],
      [125, '3'],
    ]);
    expect(world.sqs.messages(queue)).toEqual([]);
    expect(world.sqs.messages(dlq).map((message) => message.body)).toEqual(['poison']);
    expect(world.sqs.counts()['eu-west-1/chain']).toEqual({ sent: 1, delivered: 3, deadLettered: 1 });
  });

  it('faults: a duplicate is delivered twice, a lost message never', async () => {
    const { clock, world, queue, deliveries, send } = setUp();
    world.sqs.mapToFunction(queue, async (event) => {
      deliveries.push({ atSeconds: (clock.now() - START_EPOCH_MS) / 1000, body: event.Records[0].body, receiveCount: '1' });
    });
    world.faults.add({ api: 'sqs.SendMessage', duplicate: true });
    world.faults.add({ api: 'sqs.SendMessage', lost: true, after: 1 });
    await send('twice', 1);
    const lost = await send('never', 1);
    expect(lost.MessageId).toBeDefined();
    await clock.runUntil(START_EPOCH_MS + 60_000);
    expect(deliveries.map((delivery) => delivery.body)).toEqual(['twice', 'twice']);
  });

  it('delivers a message whose timer ends even when the poller wakes a moment early (the real clock)', async () => {
    // Node's timers run on a monotonic millisecond clock: setTimeout(f, 1000) may run when
    // Date.now() says 999 ms have passed. SQS delivers a message once its timer has ended, however
    // its pollers are woken; a poller that looked 1 ms early and found nothing must look again.
    let nowMs = START_EPOCH_MS;
    const world = createWorld({
      now: () => nowMs,
      sleep: async (ms) => {
        await Promise.resolve();
        nowMs += Math.max(1, ms - 1);
      },
    });
    const clients = createAwsClients({ defaultRegion: 'us-west-2', factories: ALL_AWS_CLIENT_FACTORIES, ...world.awsOptions() });
    const queue = world.sqs.createQueue(REGION, 'chain', { visibilityTimeoutSeconds: 60 });
    const delivered: string[] = [];
    world.sqs.mapToFunction(queue, async (event) => {
      delivered.push(...event.Records.map((record) => record.body));
    });
    await clients.sqs(REGION).send(new SendMessageCommand({ QueueUrl: URL('chain'), MessageBody: 'next link', DelaySeconds: 1 }));
    for (let turn = 0; turn < 50 && delivered.length === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual(['next link']);
    expect(nowMs).toBeGreaterThanOrEqual(START_EPOCH_MS + 1000);
  });

  it('refuses a timer over 900 s and an unknown queue, as SQS does', async () => {
    const { send, world } = setUp();
    expect(getAwsErrorCode(await rejectionOf(send('late', 901)))).toBe('InvalidParameterValue');
    const clients = createAwsClients({ defaultRegion: 'us-west-2', factories: ALL_AWS_CLIENT_FACTORIES, ...world.awsOptions() });
    const unknown = await rejectionOf(clients.sqs('us-west-2').send(new SendMessageCommand({ QueueUrl: URL('chain'), MessageBody: 'x' })));
    expect(getAwsErrorCode(unknown)).toBe('AWS.SimpleQueueService.NonExistentQueue');
  });
});
