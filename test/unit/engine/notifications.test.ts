/** Texting on-call: every number and the topic, a brief retry, failures reported (masked), never thrown. */
import { AwsActionError } from '../../../shared/aws/errors';
import type { SnsAdapter } from '../../../shared/aws/sns';
import { publishToOnCall } from '../../../shared/engine';

function fakeSns(failures: Record<string, unknown[]> = {}) {
  const calls: string[] = [];
  const fail = (target: string) => {
    const queue = failures[target];
    if (queue && queue.length > 0) throw queue.shift();
  };
  const sns: SnsAdapter = {
    sendSms: async (phoneNumber) => {
      calls.push(phoneNumber);
      fail(phoneNumber);
      return { messageId: 'm' };
    },
    publishToTopic: async (topicArn, _text, subject) => {
      calls.push(`${topicArn} ${subject}`);
      fail(topicArn);
      return { messageId: 't' };
    },
    smsAccountStatus: async () => ({ monthlySpendLimitUsd: 1, inSandbox: false }),
  };
  return { sns, calls };
}

const throttled = () =>
  new AwsActionError({ action: 'sns:Publish', resource: 'SMS to +1555•••0100', cause: { name: 'Throttling', $fault: 'client' } });
const optedOut = () =>
  new AwsActionError({
    action: 'sns:Publish',
    resource: 'SMS to +1555•••0111',
    cause: { name: 'OptedOut', $fault: 'client', message: 'Phone number is opted out' },
  });
const TOPIC = 'arn:aws:sns:us-west-2:123456789012:oncall';

function deps(sns: SnsAdapter) {
  let now = 0;
  return {
    config: { notify: { sms: ['+15555550100', '+15555550111'], topicArn: TOPIC } },
    sns,
    clock: { now: () => now, sleep: async (ms: number) => void (now += ms) },
    random: () => 0.5,
  };
}

describe('publishToOnCall', () => {
  it('texts every number and publishes to the topic', async () => {
    const { sns, calls } = fakeSns();
    expect(await publishToOnCall(deps(sns), 'web', 'hello')).toEqual({ ok: true, delivered: 3 });
    expect(calls).toEqual(['+15555550100', '+15555550111', `${TOPIC} switchback web`]);
  });

  it('retries a throttled publish once, then gives up on it and carries on with the others', async () => {
    const { sns, calls } = fakeSns({ '+15555550100': [throttled(), throttled()] });
    const outcome = await publishToOnCall(deps(sns), 'web', 'hello');
    expect(outcome.ok).toBe(false);
    expect(outcome.delivered).toBe(2);
    expect(outcome.error).toMatch(/^\+1555•••0100: sns:Publish on SMS to \+1555•••0100 throttled \(Throttling\)$/);
    // Every recipient at once; the retry comes after the others' first tries, not before them.
    expect(calls).toEqual(['+15555550100', '+15555550111', `${TOPIC} switchback web`, '+15555550100']);
    // The error names masked numbers only (the sms event carries it into logs and the timeline).
    expect(outcome.error).not.toMatch(/\+15555550100|\+15555550111/);
  });

  it('a throttle that clears on the second attempt counts as delivered', async () => {
    const { sns } = fakeSns({ [TOPIC]: [throttled()] });
    expect(await publishToOnCall(deps(sns), 'web', 'hello')).toEqual({ ok: true, delivered: 3 });
  });

  it('does not retry an opted-out number, and never throws', async () => {
    const { sns, calls } = fakeSns({ '+15555550111': [optedOut()], [TOPIC]: [new Error('socket hang up'), new Error('socket hang up')] });
    const outcome = await publishToOnCall(deps(sns), 'web', 'hello');
    expect(calls.filter((call) => call === '+15555550111')).toHaveLength(1);
    expect(outcome).toEqual({ ok: false, delivered: 1, error: expect.stringContaining('+1555•••0111: sns:Publish') });
    expect(outcome.error).toContain(`topic ${TOPIC}: socket hang up`);
  });
});
