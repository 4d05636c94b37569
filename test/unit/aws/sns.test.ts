import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createSnsAdapter, regionOfTopicArn } from '../../../shared/aws/sns';
import { maskPhoneNumber, maskPhoneNumbersIn } from '../../../shared/phone';
import { awsError, recordingClients } from './aws-test-kit';

const snsMock = mockClient(SNSClient);
const clients = recordingClients({ sns: new SNSClient({ region: 'us-east-1' }) });
const adapter = createSnsAdapter(clients);

beforeEach(() => {
  snsMock.reset();
  clients.regions.length = 0;
});

describe('sendSms', () => {
  it('publishes to the number as a Transactional SMS', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await expect(adapter.sendSms('+15555550100', 'web: failing over to us-west-2')).resolves.toEqual({ messageId: 'm-1' });
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input).toEqual({
      PhoneNumber: '+15555550100',
      Message: 'web: failing over to us-west-2',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    });
    expect(clients.regions).toEqual([['sns', undefined]]);
  });

  it('adds the sender ID when given and uses the requested region', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await adapter.sendSms('+15555550100', 'hi', { senderId: 'Switchback', region: 'eu-west-1' });
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input.MessageAttributes).toEqual({
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Switchback' },
    });
    expect(clients.regions).toEqual([['sns', 'eu-west-1']]);
  });

  it('never lets the number out unmasked in errors', async () => {
    snsMock
      .on(PublishCommand)
      .rejects(awsError('InvalidParameter', { message: 'Invalid parameter: PhoneNumber Reason: +15555550100 is not valid to publish' }));
    const failure = (await adapter.sendSms('+15555550100', 'hi').catch((error: unknown) => error)) as Error & {
      cause: Error;
      kind: string;
    };
    expect(failure.message).toBe(
      'sns:Publish on SMS to +1555•••0100 failed (InvalidParameter): Invalid parameter: PhoneNumber Reason: +1555•••0100 is not valid to publish',
    );
    expect(failure.kind).toBe('fatal');
    expect(JSON.stringify({ message: failure.message, cause: failure.cause.message, stack: failure.cause.stack })).not.toContain(
      '5555550100',
    );
  });

  it('maps SNS throttling', async () => {
    snsMock.on(PublishCommand).rejects(awsError('ThrottledException'));
    await expect(adapter.sendSms('+15555550100', 'hi')).rejects.toMatchObject({ kind: 'throttle', code: 'ThrottledException' });
  });
});

describe('publishToTopic', () => {
  const topicArn = 'arn:aws:sns:eu-central-1:123456789012:oncall';

  it('publishes in the topic region with a cleaned subject', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });
    await expect(adapter.publishToTopic(topicArn, 'body', 'web:\nfailover ✓ done')).resolves.toEqual({ messageId: 'm-3' });
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input).toEqual({
      TopicArn: topicArn,
      Message: 'body',
      Subject: 'web: failover done',
    });
    expect(clients.regions).toEqual([['sns', 'eu-central-1']]);
  });

  it('omits the subject when none is given and caps long ones under 100 characters', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-4' });
    await adapter.publishToTopic(topicArn, 'body');
    await adapter.publishToTopic(topicArn, 'body', 's'.repeat(300));
    const inputs = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(inputs[0]).toEqual({ TopicArn: topicArn, Message: 'body' });
    expect(inputs[1].Subject).toHaveLength(99);
  });

  it('maps errors naming the topic', async () => {
    snsMock.on(PublishCommand).rejects(awsError('AuthorizationError', { status: 403, message: 'not allowed' }));
    await expect(adapter.publishToTopic(topicArn, 'body')).rejects.toThrow(
      `sns:Publish on ${topicArn} denied (AuthorizationError): not allowed`,
    );
  });
});

describe('masking', () => {
  it.each([
    ['+15555550100', '+1555•••0100'],
    ['+447700900123', '+4477•••0123'],
    ['+3312345678', '+331•••5678'],
    ['+1234567', '+•••4567'],
    ['12345', '•••45'],
  ])('%s → %s', (input, masked) => {
    expect(maskPhoneNumber(input)).toBe(masked);
  });

  it('masks numbers inside text and leaves short numbers alone', () => {
    expect(maskPhoneNumbersIn('sent to +15555550100 and +447700900123 after 3 tries in 120 ms')).toBe(
      'sent to +1555•••0100 and +4477•••0123 after 3 tries in 120 ms',
    );
  });

  it('reads the region from a topic ARN', () => {
    expect(regionOfTopicArn('arn:aws:sns:us-west-2:123456789012:t')).toBe('us-west-2');
    expect(regionOfTopicArn('not-an-arn')).toBeUndefined();
  });
});
