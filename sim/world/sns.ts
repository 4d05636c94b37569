/**
 * SNS in memory: Publish to a phone number (SMS) or a topic, captured with its message attributes
 * so tests and the simulator can read every text that would have been sent. Topics are regional
 * and must exist; numbers that opted out are accepted but not delivered (as SNS does).
 */
import type { PublishInput } from '@aws-sdk/client-sns';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type ServiceModel, unsupportedOperation } from './model';

export interface PublishedMessage {
  atEpochMs: number;
  region: string;
  messageId: string;
  phoneNumber?: string;
  topicArn?: string;
  subject?: string;
  message: string;
  /** String values of the message attributes (`AWS.SNS.SMS.SMSType` → `Transactional`). */
  attributes: Record<string, string>;
  /** False when the number opted out of SMS. */
  delivered: boolean;
}

export interface SnsWorld {
  published(): PublishedMessage[];
  createTopic(topicArn: string): void;
  optOut(phoneNumber: string): void;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;
const MAX_SMS_CHARS = 1600;
const MAX_MESSAGE_BYTES = 256 * 1024;

export function createSnsModel(ctx: WorldContext): { model: ServiceModel; world: SnsWorld } {
  const topics = new Set<string>();
  const optedOut = new Set<string>();
  const published: PublishedMessage[] = [];

  const fail = (code: string, message: string) => ctx.error('sns', code, message);

  function publish(input: PublishInput, region: string) {
    const targets = [input.PhoneNumber, input.TopicArn, input.TargetArn].filter((target) => target !== undefined);
    if (targets.length !== 1)
      throw fail('InvalidParameter', 'Invalid parameter: exactly one of TopicArn, TargetArn or PhoneNumber must be specified');
    if (typeof input.Message !== 'string' || input.Message.length === 0) throw fail('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(input.Message, 'utf8') > MAX_MESSAGE_BYTES) throw fail('InvalidParameter', 'Invalid parameter: Message too long');
    if (input.TargetArn !== undefined)
      throw fail('InvalidParameter', 'Invalid parameter: the embedded world models TopicArn and PhoneNumber targets only');

    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
      if (!value?.DataType)
        throw fail('ParameterValueInvalid', `The message attribute '${name}' must contain non-empty message attribute type.`);
      attributes[name] = value.StringValue ?? (value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : '');
    }

    let delivered = true;
    if (input.PhoneNumber !== undefined) {
      if (!E164.test(input.PhoneNumber))
        throw fail('InvalidParameter', 'Invalid parameter: PhoneNumber Reason: input incorrectly formatted');
      if (input.Message.length > MAX_SMS_CHARS)
        throw fail('InvalidParameter', `Invalid parameter: Message Reason: SMS messages are limited to ${MAX_SMS_CHARS} characters`);
      if (input.Subject !== undefined)
        throw fail('InvalidParameter', 'Invalid parameter: Subject Reason: Subject is not supported for SMS');
      const type = attributes['AWS.SNS.SMS.SMSType'];
      if (type !== undefined && type !== 'Transactional' && type !== 'Promotional') {
        throw fail('ParameterValueInvalid', `The value ${type} of the attribute AWS.SNS.SMS.SMSType is invalid.`);
      }
      delivered = !optedOut.has(input.PhoneNumber);
    } else {
      const topicArn = input.TopicArn as string;
      const match = TOPIC_ARN.exec(topicArn);
      if (!match) throw fail('InvalidParameter', 'Invalid parameter: TopicArn');
      if (match[1] !== region)
        throw fail(
          'InvalidParameter',
          `Invalid parameter: TopicArn Reason: the topic is in ${match[1]}, the request was sent to ${region}`,
        );
      if (!topics.has(topicArn)) throw fail('NotFound', 'Topic does not exist');
      if (
        input.Subject !== undefined &&
        (input.Subject.length === 0 || input.Subject.length > 99 || /[\r\n]/.test(input.Subject) || /[^\x20-\x7e]/.test(input.Subject))
      ) {
        throw fail('InvalidParameter', 'Invalid parameter: Subject');
      }
    }

    const messageId = ctx.nextUuid('sns-message');
    published.push({
      atEpochMs: ctx.now(),
      region,
      messageId,
      ...(input.PhoneNumber !== undefined && { phoneNumber: input.PhoneNumber }),
      ...(input.TopicArn !== undefined && { topicArn: input.TopicArn }),
      ...(input.Subject !== undefined && { subject: input.Subject }),
      message: input.Message,
      attributes,
      delivered,
    });
    return { MessageId: messageId };
  }

  const world: SnsWorld = {
    published: () => published.map((message) => ({ ...message, attributes: { ...message.attributes } })),
    createTopic(topicArn) {
      if (!TOPIC_ARN.test(topicArn)) throw new SwitchbackError(`world.sns.createTopic: "${topicArn}" is not a topic ARN`);
      topics.add(topicArn);
    },
    optOut(phoneNumber) {
      optedOut.add(phoneNumber);
    },
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      if (operation === 'Publish') return publish(input as PublishInput, call.region);
      throw unsupportedOperation(ctx, 'sns', operation);
    },
  };

  return { model, world };
}
