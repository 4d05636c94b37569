import { DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSMSAttributesCommand, PublishCommand } from '@aws-sdk/client-sns';
import { createCloudWatchAdapter } from '../../../../shared/aws/cloudwatch';
import { classifyAwsError } from '../../../../shared/aws/errors';
import { createLambdaAdapter } from '../../../../shared/aws/lambda';
import { createSnsAdapter } from '../../../../shared/aws/sns';
import type { AlarmMetric } from '../../../../sim/world';
import { START_EPOCH_MS, createTestWorld, rejectionOf } from './world-test-kit';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:oncall';

describe('SNS', () => {
  it('captures SMS with their message attributes and topic messages with their subject', async () => {
    const { world, clients, clock } = createTestWorld();
    world.sns.createTopic(TOPIC);
    const sns = createSnsAdapter(clients);
    const { messageId } = await sns.sendSms('+15555550100', '[switchback] web: failing over', { senderId: 'Switchback' });
    clock.advance(1_000);
    await sns.publishToTopic(TOPIC, '[switchback] web: now on SECONDARY', 'switchback web');

    expect(world.sns.published()).toEqual([
      {
        atEpochMs: clock.now() - 1_000,
        region: 'us-west-2',
        messageId,
        phoneNumber: '+15555550100',
        message: '[switchback] web: failing over',
        attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional', 'AWS.SNS.SMS.SenderID': 'Switchback' },
        delivered: true,
      },
      expect.objectContaining({
        topicArn: TOPIC,
        subject: 'switchback web',
        message: '[switchback] web: now on SECONDARY',
        attributes: {},
      }),
    ]);
    expect(messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a bad number, a missing topic, and a topic published to from another region', async () => {
    const { world, clients } = createTestWorld();
    world.sns.createTopic('arn:aws:sns:us-east-1:123456789012:far');
    const badNumber = await rejectionOf(clients.sns().send(new PublishCommand({ PhoneNumber: '5555550100', Message: 'x' })));
    expect(badNumber.name).toBe('InvalidParameterException');
    expect(classifyAwsError(badNumber)).toBe('fatal');
    const missing = await rejectionOf(clients.sns().send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' })));
    expect(missing.name).toBe('NotFoundException');
    const wrongRegion = await rejectionOf(
      clients.sns('us-west-2').send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:far', Message: 'x' })),
    );
    expect(wrongRegion.message).toMatch(/topic is in us-east-1/);
    // The adapter publishes a topic in the topic's own region.
    await createSnsAdapter(clients).publishToTopic('arn:aws:sns:us-east-1:123456789012:far', 'hello');
    expect(world.sns.published()).toHaveLength(1);
  });

  it('stops delivering SMS past the MonthlySpendLimit while Publish succeeds, and starts again next month', async () => {
    const { world, clients, clock } = createTestWorld({ sms: { monthlySpendLimitUsd: 1, smsPriceUsd: 0.4, spentUsd: 0 } });
    const sns = createSnsAdapter(clients);
    const attributes = await clients.sns().send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] }));
    expect(attributes.attributes).toEqual({ MonthlySpendLimit: '1' });
    for (let i = 0; i < 3; i++) await sns.sendSms('+15555550100', `text ${i}`);
    expect(world.sns.published().map((message) => [message.message, message.delivered])).toEqual([
      ['text 0', true],
      ['text 1', true],
      ['text 2', false],
    ]);
    expect(world.sns.published()[2].notDeliveredReason).toMatch(
      /^monthly SMS spend limit reached \(MonthlySpendLimit 1 USD, 0\.800 USD spent/,
    );
    // Topics are not SMS: not charged, always delivered.
    world.sns.createTopic(TOPIC);
    await sns.publishToTopic(TOPIC, 'topic text', 'subject');
    expect(world.sns.published()[3].delivered).toBe(true);
    // A new calendar month (UTC) starts from zero.
    clock.advance(31 * 24 * 3600 * 1000);
    await sns.sendSms('+15555550100', 'next month');
    expect(world.sns.published()[4].delivered).toBe(true);
  });

  it('reports month-to-date SMS spend as AWS/SNS SMSMonthToDateSpentUSD, and the month starts from zero', async () => {
    const { clients, clock } = createTestWorld({ sms: { monthlySpendLimitUsd: 5, smsPriceUsd: 0.5, spentUsd: 1 } });
    const sns = createSnsAdapter(clients);
    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'test' });
    expect(await sns.smsAccountStatus()).toEqual({ monthlySpendLimitUsd: 5, inSandbox: false });
    expect(await cloudWatch.smsMonthToDateSpendUsd('us-west-2', clock.now())).toBe(1);
    await sns.sendSms('+15555550100', 'one');
    clock.advance(60_000);
    expect(await cloudWatch.smsMonthToDateSpendUsd('us-west-2', clock.now())).toBe(1.5);
    clock.advance(31 * 24 * 3600 * 1000);
    await sns.sendSms('+15555550100', 'next month');
    expect(await cloudWatch.smsMonthToDateSpendUsd('us-west-2', clock.now())).toBe(0.5);
  });

  it('in the SMS sandbox delivers only to verified numbers, and says so in GetSMSSandboxAccountStatus', async () => {
    const { world, clients } = createTestWorld({ sms: { inSandbox: true } });
    const sns = createSnsAdapter(clients);
    expect(await sns.smsAccountStatus()).toEqual({ monthlySpendLimitUsd: 1, inSandbox: true });
    world.sns.verifySandboxNumber('+15555550100');
    await sns.sendSms('+15555550100', 'verified');
    await sns.sendSms('+15555550101', 'not verified');
    expect(world.sns.published().map((message) => [message.message, message.delivered, message.notDeliveredReason])).toEqual([
      ['verified', true, undefined],
      ['not verified', false, 'the account is in the SMS sandbox and the number is not verified'],
    ]);
  });

  it('records an opted-out number as not delivered', async () => {
    const { world, clients } = createTestWorld();
    world.sns.optOut('+15555550199');
    await createSnsAdapter(clients).sendSms('+15555550199', 'hi');
    expect(world.sns.published()[0].delivered).toBe(false);
  });
});

describe('Lambda', () => {
  it('RequestResponse awaits the registered handler and returns its JSON result as bytes', async () => {
    const { world, clients } = createTestWorld();
    world.lambda.register('failback-check', async (payload) => ({ ready: true, echo: payload }));
    const lambda = createLambdaAdapter(clients);
    expect(await lambda.invokeFunction('failback-check', { service: 'web' })).toEqual({ ready: true, echo: { service: 'web' } });

    const raw = await clients
      .lambda()
      .send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:failback-check', Payload: '{"a":1}' }));
    expect(clients.lambda()).toBeInstanceOf(LambdaClient);
    expect(raw.StatusCode).toBe(200);
    expect(raw.$metadata.httpStatusCode).toBe(200);
    expect(raw.Payload).toBeInstanceOf(Uint8Array);
    expect(raw.Payload?.transformToString()).toBe('{"ready":true,"echo":{"a":1}}');
  });

  it('reports a throwing handler as FunctionError Unhandled, and an unknown function as ResourceNotFoundException', async () => {
    const { world, clients } = createTestWorld();
    world.lambda.register('broken', async () => {
      throw new TypeError('cannot read config');
    });
    const raw = await clients.lambda().send(new InvokeCommand({ FunctionName: 'broken' }));
    expect(raw.FunctionError).toBe('Unhandled');
    expect(JSON.parse(raw.Payload?.transformToString() ?? '')).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'cannot read config',
    });
    const viaAdapter = await rejectionOf(createLambdaAdapter(clients).invokeFunction('broken', {}));
    expect(viaAdapter.message).toMatch(/lambda:Invoke on broken failed \(FunctionError\): TypeError: cannot read config \[Unhandled\]/);

    const missing = await rejectionOf(clients.lambda().send(new InvokeCommand({ FunctionName: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(classifyAwsError(missing)).toBe('fatal');
  });

  it('Event answers 202 at once and hands the payload to onAsyncInvoke', async () => {
    const spawned: Array<[string, unknown]> = [];
    const { world, clients } = createTestWorld({ onAsyncInvoke: (name, payload) => spawned.push([name, payload]) });
    let handlerRuns = 0;
    world.lambda.register('orchestrator', () => {
      handlerRuns += 1;
    });
    expect(await createLambdaAdapter(clients).invokeAsync('orchestrator', { service: 'web', runId: 'r1' })).toEqual({ statusCode: 202 });
    expect(spawned).toEqual([['orchestrator', { service: 'web', runId: 'r1' }]]);
    expect(handlerRuns).toBe(0);
    expect(world.lambda.invocations()).toEqual([
      expect.objectContaining({ name: 'orchestrator', invocationType: 'Event', payload: { service: 'web', runId: 'r1' } }),
    ]);
  });

  it('Event without onAsyncInvoke runs the handler without awaiting it', async () => {
    const { world, clients } = createTestWorld();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: unknown[] = [];
    world.lambda.register('orchestrator', async (payload) => {
      await gate;
      seen.push(payload);
      return 'done';
    });
    const accepted = await createLambdaAdapter(clients).invokeAsync('orchestrator', { n: 1 });
    expect(accepted.statusCode).toBe(202);
    expect(seen).toEqual([]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ n: 1 }]);
    expect(world.lambda.invocations()[0].outcome).toEqual({ ok: true, result: 'done' });
  });
});

describe('CloudWatch', () => {
  it('describes alarms in the asked region with their state and state time, NOT_FOUND for unknown ones', async () => {
    const { world, clients, clock } = createTestWorld();
    world.cloudWatch.putAlarm({ name: 'web-5xx-high', region: 'us-east-1' });
    clock.advance(60_000);
    world.cloudWatch.setAlarmState('web-5xx-high', 'ALARM');
    const cloudWatch = createCloudWatchAdapter(clients, { stage: 'sim' });
    expect(
      await cloudWatch.describeAlarmStates(['arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-high', 'web-5xx-high', 'nope']),
    ).toEqual([
      expect.objectContaining({ name: 'web-5xx-high', region: 'us-east-1', state: 'ALARM', updatedAtEpochMs: clock.now() }),
      expect.objectContaining({ name: 'web-5xx-high', state: 'NOT_FOUND' }),
      expect.objectContaining({ name: 'nope', state: 'NOT_FOUND' }),
    ]);
  });

  it('evaluates a metric alarm at the next period boundary, stamped with that boundary, never on arrival', async () => {
    const { world, clients, clock } = createTestWorld();
    const client = clients.cloudWatch();
    await client.send(
      new PutMetricAlarmCommand({
        AlarmName: 'latency-high',
        Namespace: 'app',
        MetricName: 'LatencyMs',
        Dimensions: [{ Name: 'Service', Value: 'web' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 500,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'missing',
      }),
    );
    const describe = async () => (await client.send(new DescribeAlarmsCommand({ AlarmNames: ['latency-high'] }))).MetricAlarms?.[0];
    expect((await describe())?.StateValue).toBe('INSUFFICIENT_DATA');

    const at = clock.now() + 1_000;
    clock.advance(2_000);
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'app',
        MetricData: [{ MetricName: 'LatencyMs', Dimensions: [{ Name: 'Service', Value: 'web' }], Value: 900, Timestamp: new Date(at) }],
      }),
    );
    // A datapoint of another metric (different dimensions) does not count.
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'app',
        MetricData: [{ MetricName: 'LatencyMs', Dimensions: [{ Name: 'Service', Value: 'api' }], Value: 10 }],
      }),
    );
    // Standard resolution: nothing happens until the minute is over.
    expect((await describe())?.StateValue).toBe('INSUFFICIENT_DATA');
    clock.advance(57_999);
    expect((await describe())?.StateValue).toBe('INSUFFICIENT_DATA');
    clock.advance(1);
    const boundary = START_EPOCH_MS + 60_000;
    const alarm = await describe();
    expect(alarm).toMatchObject({ StateValue: 'ALARM', StateUpdatedTimestamp: new Date(boundary), Threshold: 500, Namespace: 'app' });
    expect(alarm?.StateReason).toMatch(
      /1 datapoint\(s\) \[900\] of Maximum over 60 seconds; 1 of 1 was greater than the threshold \(500\)/,
    );

    // The next minute has no data: missing → INSUFFICIENT_DATA at that boundary.
    clock.advance(60_000);
    expect(await describe()).toMatchObject({ StateValue: 'INSUFFICIENT_DATA', StateUpdatedTimestamp: new Date(boundary + 60_000) });
    expect(world.cloudWatch.datapoints({ namespace: 'app', dimensions: { Service: 'web' } })).toEqual([
      expect.objectContaining({ value: 900, atEpochMs: at, metricName: 'LatencyMs' }),
    ]);

    const reserved = await rejectionOf(
      client.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] })),
    );
    expect(reserved.name).toBe('InvalidParameterValueException');
    expect(classifyAwsError(reserved)).toBe('fatal');
  });

  describe('alarm evaluation (statistic, M of N, missing data)', () => {
    const MINUTE = 60_000;
    function alarmOn(world: ReturnType<typeof createTestWorld>['world'], metric: Partial<AlarmMetric>) {
      return world.cloudWatch.putAlarm({
        name: 'a',
        region: 'us-west-2',
        state: 'OK',
        metric: { namespace: 'app', metricName: 'm', threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', ...metric },
      });
    }
    async function put(clients: ReturnType<typeof createTestWorld>['clients'], value: number, atEpochMs: number) {
      await clients
        .cloudWatch('us-west-2')
        .send(
          new PutMetricDataCommand({ Namespace: 'app', MetricData: [{ MetricName: 'm', Value: value, Timestamp: new Date(atEpochMs) }] }),
        );
    }

    it('aggregates a period with its statistic: Minimum lets one 0 win the minute, Maximum lets one 1 win it', async () => {
      for (const [statistic, expected] of [
        ['Minimum', 'OK'],
        ['Maximum', 'ALARM'],
        ['Average', 'OK'],
        ['Sum', 'ALARM'],
        ['SampleCount', 'ALARM'],
      ] as const) {
        const { world, clients, clock } = createTestWorld();
        alarmOn(world, { statistic });
        await put(clients, 1, START_EPOCH_MS + 10_000);
        await put(clients, 1, START_EPOCH_MS + 20_000);
        await put(clients, 0, START_EPOCH_MS + 50_000);
        clock.advance(MINUTE);
        expect({ statistic, state: world.cloudWatch.alarm('a')?.state }).toEqual({ statistic, state: expected });
      }
    });

    it('needs M of N breaching periods, and counts missing periods as treatMissingData says', async () => {
      const cases = [
        // 2 of 3 with data [1, -, 1]: missing leaves the gap out, breaching fills it, notBreaching too.
        { treatMissingData: 'missing', datapointsToAlarm: 2, expected: 'ALARM' },
        { treatMissingData: 'notBreaching', datapointsToAlarm: 3, expected: 'OK' },
        { treatMissingData: 'breaching', datapointsToAlarm: 3, expected: 'ALARM' },
        { treatMissingData: 'ignore', datapointsToAlarm: 3, expected: 'OK' },
      ] as const;
      for (const { treatMissingData, datapointsToAlarm, expected } of cases) {
        const { world, clients, clock } = createTestWorld();
        alarmOn(world, { statistic: 'Maximum', evaluationPeriods: 3, datapointsToAlarm, treatMissingData });
        await put(clients, 1, START_EPOCH_MS + 5_000);
        await put(clients, 1, START_EPOCH_MS + 2 * MINUTE + 5_000);
        clock.advance(3 * MINUTE);
        expect({ treatMissingData, state: world.cloudWatch.alarm('a')?.state }).toEqual({ treatMissingData, state: expected });
      }
    });

    it('keeps its state through an empty range with ignore, and goes INSUFFICIENT_DATA with missing', async () => {
      for (const [treatMissingData, expected] of [
        ['ignore', 'ALARM'],
        ['missing', 'INSUFFICIENT_DATA'],
        ['notBreaching', 'OK'],
      ] as const) {
        const { world, clients, clock } = createTestWorld();
        alarmOn(world, { statistic: 'Maximum', treatMissingData });
        await put(clients, 1, START_EPOCH_MS + 5_000);
        clock.advance(MINUTE);
        expect(world.cloudWatch.alarm('a')?.state).toBe('ALARM');
        clock.advance(10 * MINUTE);
        expect({ treatMissingData, state: world.cloudWatch.alarm('a')?.state }).toEqual({ treatMissingData, state: expected });
      }
    });

    it('does not count a datapoint that arrived after the boundary that evaluated its period', async () => {
      const { world, clients, clock } = createTestWorld();
      alarmOn(world, { statistic: 'Maximum', treatMissingData: 'ignore' });
      clock.advance(MINUTE + 5_000);
      await put(clients, 1, START_EPOCH_MS + 30_000); // for the first minute, 35 s late
      clock.advance(2 * MINUTE);
      expect(world.cloudWatch.alarm('a')?.state).toBe('OK');
    });

    it('returns to what the data says at the next boundary after a state set by hand', async () => {
      const { world, clients, clock } = createTestWorld();
      alarmOn(world, { statistic: 'Maximum' });
      await put(clients, 0, START_EPOCH_MS + 5_000);
      world.cloudWatch.setAlarmState('a', 'ALARM');
      expect(world.cloudWatch.alarm('a')?.state).toBe('ALARM');
      clock.advance(MINUTE);
      expect(world.cloudWatch.alarm('a')?.state).toBe('OK');
    });
  });
});
