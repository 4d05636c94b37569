/**
 * SNS in memory: Publish to a phone number (SMS) or a topic, captured with its message attributes
 * so tests and the simulator can read every text that would have been sent. Topics are regional
 * and must exist; numbers that opted out are accepted but not delivered (as SNS does).
 *
 * The monthly SMS spend limit (`MonthlySpendLimit`, GetSMSAttributes / SetSMSAttributes): each SMS
 * costs `smsPriceUsd`; once a text would take the month's spend past the limit, Publish still
 * succeeds and the text is not delivered: "When Amazon SNS determines that sending an SMS message
 * would incur a cost that exceeds this limit, it stops sending SMS messages within minutes"
 * (https://docs.aws.amazon.com/sns/latest/api/API_SetSMSAttributes.html). The world stops at once.
 * The spend resets at the start of each calendar month (UTC). SNS reports it as the CloudWatch
 * metric AWS/SNS `SMSMonthToDateSpentUSD` ("set an alarm for this metric to know when your
 * month-to-date charges are close to the monthly SMS spend limit"; valid statistic: Maximum;
 * https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html): `spendHistory`
 * is what the CloudWatch model serves for it.
 *
 * The SMS sandbox (`GetSMSSandboxAccountStatus`): "When your account is in the SMS sandbox, you can
 * send SMS messages only to verified destination phone numbers"
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html). A new account starts in it; the
 * world's default is out of it (`inSandbox: true` models a fresh account). The docs do not say what
 * Publish answers for an unverified number; the model takes the unkind reading (accepted, never
 * delivered), which only a check before the outage can catch.
 */
import type { GetSMSAttributesInput, PublishInput, SetSMSAttributesInput } from '@aws-sdk/client-sns';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type ServiceModel, unsupportedOperation } from './model';
import { E164_PHONE_NUMBER } from '../../shared/phone';

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
  /** False when the number opted out of SMS or the month's SMS spend limit was reached. */
  delivered: boolean;
  /** Why it was not delivered. */
  notDeliveredReason?: string;
}

export interface SmsSpendOptions {
  /** USD per month (MonthlySpendLimit). */
  monthlySpendLimitUsd: number;
  /** What one SMS costs (USD); a model constant, prices vary by country. */
  smsPriceUsd: number;
  /** Already spent this month when the world starts (USD). */
  spentUsd: number;
  /** The account is in the SMS sandbox (default false): only verified numbers receive texts. */
  inSandbox?: boolean;
}

export interface SnsWorld {
  published(): PublishedMessage[];
  createTopic(topicArn: string): void;
  optOut(phoneNumber: string): void;
  /** This month's SMS spend and limit (USD). */
  smsSpend(): { spentUsd: number; monthlySpendLimitUsd: number };
  setMonthlySpendLimitUsd(usd: number): void;
  /** Put the account in or out of the SMS sandbox. */
  setSmsSandbox(inSandbox: boolean): void;
  /** A destination phone number verified for the sandbox. */
  verifySandboxNumber(phoneNumber: string): void;
  /** Month-to-date SMS spend after each change (the AWS/SNS SMSMonthToDateSpentUSD datapoints). */
  spendHistory(): Array<{ atEpochMs: number; spentUsd: number }>;
}

/** World defaults: a 1 USD monthly limit and a US transactional SMS price (a model constant). */
export const DEFAULT_SMS_SPEND: SmsSpendOptions = { monthlySpendLimitUsd: 1, smsPriceUsd: 0.00645, spentUsd: 0 };

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;
const MAX_SMS_CHARS = 1600;
const MAX_MESSAGE_BYTES = 256 * 1024;

export function createSnsModel(ctx: WorldContext, spend: SmsSpendOptions = DEFAULT_SMS_SPEND): { model: ServiceModel; world: SnsWorld } {
  const topics = new Set<string>();
  const optedOut = new Set<string>();
  const published: PublishedMessage[] = [];
  let monthlySpendLimitUsd = spend.monthlySpendLimitUsd;
  let spentUsd = spend.spentUsd;
  let inSandbox = spend.inSandbox ?? false;
  const verified = new Set<string>();
  const history = [{ atEpochMs: ctx.now(), spentUsd }];
  const monthOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 7);
  let month = monthOf(ctx.now());

  /** Charge one SMS if the limit allows; the reason it was not sent otherwise. */
  function chargeSms(): string | undefined {
    const now = monthOf(ctx.now());
    if (now !== month) {
      month = now;
      spentUsd = 0;
      history.push({ atEpochMs: ctx.now(), spentUsd });
    }
    if (spentUsd + spend.smsPriceUsd > monthlySpendLimitUsd + 1e-9)
      return `monthly SMS spend limit reached (MonthlySpendLimit ${monthlySpendLimitUsd} USD, ${spentUsd.toFixed(3)} USD spent this month)`;
    spentUsd += spend.smsPriceUsd;
    history.push({ atEpochMs: ctx.now(), spentUsd });
    return undefined;
  }

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

    let notDeliveredReason: string | undefined;
    if (input.PhoneNumber !== undefined) {
      if (!E164_PHONE_NUMBER.test(input.PhoneNumber))
        throw fail('InvalidParameter', 'Invalid parameter: PhoneNumber Reason: input incorrectly formatted');
      if (input.Message.length > MAX_SMS_CHARS)
        throw fail('InvalidParameter', `Invalid parameter: Message Reason: SMS messages are limited to ${MAX_SMS_CHARS} characters`);
      if (input.Subject !== undefined)
        throw fail('InvalidParameter', 'Invalid parameter: Subject Reason: Subject is not supported for SMS');
      const type = attributes['AWS.SNS.SMS.SMSType'];
      if (type !== undefined && type !== 'Transactional' && type !== 'Promotional') {
        throw fail('ParameterValueInvalid', `The value ${type} of the attribute AWS.SNS.SMS.SMSType is invalid.`);
      }
      notDeliveredReason = optedOut.has(input.PhoneNumber)
        ? 'the number opted out of SMS'
        : inSandbox && !verified.has(input.PhoneNumber)
          ? 'the account is in the SMS sandbox and the number is not verified'
          : chargeSms();
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
      delivered: notDeliveredReason === undefined,
      ...(notDeliveredReason !== undefined && { notDeliveredReason }),
    });
    return { MessageId: messageId };
  }

  function getSmsAttributes(input: GetSMSAttributesInput) {
    const attributes: Record<string, string> = { MonthlySpendLimit: String(monthlySpendLimitUsd), DefaultSMSType: 'Promotional' };
    const wanted = input.attributes;
    return {
      attributes: wanted?.length ? Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted.includes(name))) : attributes,
    };
  }

  function setSmsAttributes(input: SetSMSAttributesInput) {
    const limit = input.attributes?.MonthlySpendLimit;
    if (limit !== undefined) {
      const usd = Number(limit);
      if (!Number.isInteger(usd) || usd < 0)
        throw fail('InvalidParameter', 'Invalid parameter: MonthlySpendLimit must be a whole number of USD');
      monthlySpendLimitUsd = usd;
    }
    return {};
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
    smsSpend: () => ({ spentUsd, monthlySpendLimitUsd }),
    setMonthlySpendLimitUsd(usd) {
      if (!(Number.isFinite(usd) && usd >= 0)) throw new SwitchbackError(`world.sns.setMonthlySpendLimitUsd: ${usd} must be ≥ 0`);
      monthlySpendLimitUsd = usd;
    },
    setSmsSandbox(value) {
      inSandbox = value;
    },
    verifySandboxNumber(phoneNumber) {
      verified.add(phoneNumber);
    },
    spendHistory: () => history.map((entry) => ({ ...entry })),
  };

  const model: ServiceModel = {
    handle(operation, input, call) {
      if (operation === 'Publish') return publish(input as PublishInput, call.region);
      if (operation === 'GetSMSAttributes') return getSmsAttributes(input);
      if (operation === 'SetSMSAttributes') return setSmsAttributes(input as SetSMSAttributesInput);
      if (operation === 'GetSMSSandboxAccountStatus') return { IsInSandbox: inSandbox };
      throw unsupportedOperation(ctx, 'sns', operation);
    },
  };

  return { model, world };
}
