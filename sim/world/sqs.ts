/**
 * SQS standard queues in memory, and Lambda's SQS event source mapping that drains them: what the
 * probe chain (shared/domain/probe-chain.ts) runs on.
 *
 * - `SendMessage` with a message timer: "Valid values: 0 to 900" seconds; the message is invisible
 *   until then (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html).
 *   An unknown queue is `AWS.SimpleQueueService.NonExistentQueue` (QueueDoesNotExist).
 * - At-least-once: a standard queue may deliver a message more than once
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html).
 *   The fault `{ api: sqs.SendMessage, duplicate: true }` stores the message twice; `lost: true`
 *   accepts it and never delivers it (a link gone to a misconfigured queue, a purge, a disabled
 *   mapping).
 * - The event source mapping long-polls and invokes the function synchronously with a batch; on
 *   success Lambda deletes the batch; on a function error (a throttle included) the messages become
 *   visible again when the visibility timeout ends, and after `maxReceiveCount` receives the redrive
 *   policy moves a message to its dead-letter queue
 *   (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html,
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 *   The model delivers a message the moment it becomes visible (long polling answers "as soon as
 *   the message becomes available"); the pollers' empty receives, which AWS bills, are not
 *   simulated: bench/steady-state-cost.ts prices them from the documented poller count.
 */
import type { SendMessageRequest } from '@aws-sdk/client-sqs';
import type { WorldContext } from './context';
import { type CallContext, type ServiceModel, unsupportedOperation } from './model';

export interface QueueOptions {
  /** VisibilityTimeout: a received message stays invisible this long (default 30 s). */
  visibilityTimeoutSeconds?: number;
  /** Redrive: after this many receives the message goes to `deadLetterQueueArn`. */
  maxReceiveCount?: number;
  deadLetterQueueArn?: string;
}

/** What Lambda passes for one message of an SQS batch (the fields the handlers read). */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string; ApproximateFirstReceiveTimestamp: string };
  messageAttributes: Record<string, never>;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** The function behind an event source mapping: resolves on success, throws on a function error. */
export type SqsConsumer = (event: { Records: SqsEventRecord[] }) => Promise<unknown>;

interface StoredMessage {
  messageId: string;
  body: string;
  sentAtEpochMs: number;
  visibleAtEpochMs: number;
  receiveCount: number;
  firstReceiveAtEpochMs?: number;
}

interface Queue {
  arn: string;
  region: string;
  name: string;
  options: Required<Pick<QueueOptions, 'visibilityTimeoutSeconds'>> & QueueOptions;
  messages: StoredMessage[];
  consumer?: SqsConsumer;
}

export interface SqsWorld {
  createQueue(region: string, name: string, options?: QueueOptions): string;
  /** Lambda's event source mapping (batch size 1): `consumer` is invoked with each message as it becomes visible. */
  mapToFunction(queueArn: string, consumer: SqsConsumer): void;
  /** Messages still in a queue (in flight or waiting), e.g. a dead-letter queue's. */
  messages(queueArn: string): Array<{ body: string; receiveCount: number; visibleAtEpochMs: number }>;
  /** Messages sent, deliveries to the mapped function and moves to the dead-letter queue, per `<region>/<queue name>`. */
  counts(): Record<string, { sent: number; delivered: number; deadLettered: number }>;
}

export interface SqsModelOptions {
  sleep(ms: number): Promise<void>;
  /** Run work as its own task (the simulator's scheduler); default: un-awaited. */
  spawn?(name: string, work: () => Promise<unknown>): void;
}

const QUEUE_URL = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_-]{1,80})$/;
const MAX_DELAY_SECONDS = 900;

export function createSqsModel(ctx: WorldContext, options: SqsModelOptions): { model: ServiceModel; world: SqsWorld } {
  const queues = new Map<string, Queue>();
  const counts: Record<string, { sent: number; delivered: number; deadLettered: number }> = {};
  const spawn = options.spawn ?? ((_name: string, work: () => Promise<unknown>) => void work());
  const countsOf = (queue: Queue) => (counts[`${queue.region}/${queue.name}`] ??= { sent: 0, delivered: 0, deadLettered: 0 });

  function arnOf(region: string, name: string): string {
    return `arn:aws:sqs:${region}:${ctx.accountId}:${name}`;
  }

  /**
   * Deliver what is visible at `atEpochMs`, not before. On the real clock a timer may run a
   * millisecond before `now()` reaches its end (Node's timers keep a monotonic millisecond clock of
   * their own), and a poller that found the message still invisible would leave it in the queue
   * until something else woke the queue. A message with a timer "remains hidden from consumers" only
   * for the timer (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html),
   * and one whose visibility timeout ends is received again, so the poller sleeps again for what is left.
   */
  function wakeAt(queue: Queue, atEpochMs: number): void {
    spawn(`sqs ${queue.name} poller`, async () => {
      for (let waitMs = atEpochMs - ctx.now(); waitMs > 0; waitMs = atEpochMs - ctx.now()) await options.sleep(waitMs);
      deliverVisible(queue);
    });
  }

  function deliverVisible(queue: Queue): void {
    const consumer = queue.consumer;
    if (!consumer) return;
    const now = ctx.now();
    for (const message of [...queue.messages]) {
      if (message.visibleAtEpochMs > now) continue;
      const dlq = queue.options.deadLetterQueueArn ? queues.get(queue.options.deadLetterQueueArn) : undefined;
      if (dlq && queue.options.maxReceiveCount !== undefined && message.receiveCount >= queue.options.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        dlq.messages.push({ ...message, visibleAtEpochMs: now });
        countsOf(queue).deadLettered++;
        continue;
      }
      message.receiveCount++;
      message.firstReceiveAtEpochMs ??= now;
      message.visibleAtEpochMs = now + queue.options.visibilityTimeoutSeconds * 1000;
      wakeAt(queue, message.visibleAtEpochMs);
      countsOf(queue).delivered++;
      const record: SqsEventRecord = {
        messageId: message.messageId,
        receiptHandle: `${message.messageId}#${message.receiveCount}`,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAtEpochMs),
          ApproximateFirstReceiveTimestamp: String(message.firstReceiveAtEpochMs),
        },
        messageAttributes: {},
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: queue.region,
      };
      spawn(`sqs ${queue.name} → function`, async () => {
        try {
          await consumer({ Records: [record] });
          // Success: Lambda deletes the batch (only this receive's handle is valid).
          const index = queue.messages.indexOf(message);
          if (index >= 0 && message.receiveCount === Number(record.attributes.ApproximateReceiveCount)) queue.messages.splice(index, 1);
        } catch {
          // A function error: the message becomes visible again when its visibility timeout ends.
        }
      });
    }
  }

  function sendMessage(input: SendMessageRequest, call: CallContext & { lost?: boolean; duplicate?: boolean }) {
    const match = QUEUE_URL.exec(input.QueueUrl ?? '');
    const queue = match && match[1] === call.region && match[2] === ctx.accountId ? queues.get(arnOf(match[1], match[3])) : undefined;
    if (!queue)
      throw ctx.error('sqs', 'AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${String(input.QueueUrl)}`);
    const delaySeconds = input.DelaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)
      throw ctx.error(
        'sqs',
        'InvalidParameterValue',
        `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900.`,
      );
    if (!input.MessageBody) throw ctx.error('sqs', 'MissingParameter', 'The request must contain the parameter MessageBody.');
    const messageId = ctx.nextUuid('sqs');
    countsOf(queue).sent++;
    if (call.lost) return { MessageId: messageId };
    const now = ctx.now();
    const copies = call.duplicate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++)
      queue.messages.push({
        messageId: copy === 0 ? messageId : ctx.nextUuid('sqs'),
        body: input.MessageBody,
        sentAtEpochMs: now,
        visibleAtEpochMs: now + delaySeconds * 1000,
        receiveCount: 0,
      });
    wakeAt(queue, now + delaySeconds * 1000);
    return { MessageId: messageId };
  }

  const world: SqsWorld = {
    createQueue(region, name, queueOptions = {}) {
      const arn = arnOf(region, name);
      if (!queues.has(arn))
        queues.set(arn, {
          arn,
          region,
          name,
          options: { visibilityTimeoutSeconds: 30, ...queueOptions },
          messages: [],
        });
      return arn;
    },
    mapToFunction(queueArn, consumer) {
      const queue = queues.get(queueArn);
      if (!queue) throw ctx.error('sqs', 'AWS.SimpleQueueService.NonExistentQueue', `no queue ${queueArn}`);
      queue.consumer = consumer;
      wakeAt(queue, ctx.now());
    },
    messages(queueArn) {
      return (queues.get(queueArn)?.messages ?? []).map(({ body, receiveCount, visibleAtEpochMs }) => ({
        body,
        receiveCount,
        visibleAtEpochMs,
      }));
    },
    counts: () => structuredClone(counts),
  };

  return {
    world,
    model: {
      handle(operation, input, call) {
        if (operation === 'SendMessage') return sendMessage(input as SendMessageRequest, call);
        throw unsupportedOperation(ctx, 'sqs', operation);
      },
    },
  };
}
