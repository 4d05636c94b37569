/**
 * SNS adapter: text the on-call people (direct SMS, Transactional) and publish to a topic.
 * Phone numbers never leave this module unmasked: resources in errors are masked, and AWS error
 * messages (which can quote the number) are scrubbed before they are wrapped.
 */
import {
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  PublishCommand,
  SNSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sns';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import { callAws } from './errors';
import { maskPhoneNumber, maskPhoneNumbersIn } from '../phone';

export const snsClientFactory = sdkClientFactory(SNSClient);

/** SNS topic subjects: printable ASCII, no line breaks, under 100 characters. */
export const MAX_SUBJECT_CHARS = 99;

export interface SendSmsOptions {
  /** Alphanumeric sender ID (1–11 chars, where the destination country supports it). */
  senderId?: string;
  region?: string;
}

/** What decides whether texts can go out from a region at all (the drill's dry-run reads it). */
export interface SmsAccountStatus {
  /** `MonthlySpendLimit` (GetSMSAttributes): SNS stops sending SMS once the month's spend would pass it. */
  monthlySpendLimitUsd: number;
  /** GetSMSSandboxAccountStatus: in the sandbox only verified numbers receive texts. */
  inSandbox: boolean;
}

export interface SnsAdapter {
  sendSms(phoneNumber: string, text: string, options?: SendSmsOptions): Promise<{ messageId: string }>;
  publishToTopic(topicArn: string, text: string, subject?: string): Promise<{ messageId: string }>;
  smsAccountStatus(region?: string): Promise<SmsAccountStatus>;
}

function scrubError(error: unknown): unknown {
  if (error instanceof Error) {
    error.message = maskPhoneNumbersIn(error.message);
    if (error.stack) error.stack = maskPhoneNumbersIn(error.stack);
  }
  return error;
}

/** The region of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`); a topic must be published to in its region. */
export function regionOfTopicArn(topicArn: string): string | undefined {
  const parts = topicArn.split(':');
  return parts.length >= 6 && parts[2] === 'sns' && parts[3] ? parts[3] : undefined;
}

function toSubject(subject: string): string {
  const printable = subject
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return printable.slice(0, MAX_SUBJECT_CHARS).trimEnd();
}

export function createSnsAdapter(clients: Pick<AwsClients, 'sns'>): SnsAdapter {
  async function sendSms(phoneNumber: string, text: string, options: SendSmsOptions = {}): Promise<{ messageId: string }> {
    const attributes: Record<string, MessageAttributeValue> = {
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    };
    if (options.senderId) attributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: options.senderId };
    const response = await callAws('sns:Publish', `SMS to ${maskPhoneNumber(phoneNumber)}`, async () => {
      try {
        return await clients
          .sns(options.region)
          .send(new PublishCommand({ PhoneNumber: phoneNumber, Message: text, MessageAttributes: attributes }));
      } catch (error) {
        throw scrubError(error);
      }
    });
    return { messageId: response.MessageId ?? '' };
  }

  async function publishToTopic(topicArn: string, text: string, subject?: string): Promise<{ messageId: string }> {
    const cleanSubject = subject === undefined ? undefined : toSubject(subject);
    const response = await callAws('sns:Publish', topicArn, () =>
      clients
        .sns(regionOfTopicArn(topicArn))
        .send(new PublishCommand({ TopicArn: topicArn, Message: text, ...(cleanSubject && { Subject: cleanSubject }) })),
    );
    return { messageId: response.MessageId ?? '' };
  }

  async function smsAccountStatus(region?: string): Promise<SmsAccountStatus> {
    const client = clients.sns(region);
    const [attributes, sandbox] = await Promise.all([
      callAws('sns:GetSMSAttributes', 'MonthlySpendLimit', () =>
        client.send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] })),
      ),
      callAws('sns:GetSMSSandboxAccountStatus', 'account', () => client.send(new GetSMSSandboxAccountStatusCommand({}))),
    ]);
    // An account that never set it has AWS's default of 1 USD (https://docs.aws.amazon.com/sns/latest/api/API_SetSMSAttributes.html).
    const limit = Number(attributes.attributes?.MonthlySpendLimit ?? '1');
    return { monthlySpendLimitUsd: Number.isFinite(limit) ? limit : 1, inSandbox: sandbox.IsInSandbox === true };
  }

  return { sendSms, publishToTopic, smsAccountStatus };
}

/** What a function that carries the sns adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const snsKit: AdapterKit<'sns', SnsAdapter> = { factory: snsClientFactory, adapter: createSnsAdapter };
