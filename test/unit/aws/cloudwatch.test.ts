import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { createCloudWatchAdapter, FLAG_METRIC, parseAlarmReference } from '../../../shared/aws/cloudwatch';
import { awsError, recordingClients } from './aws-test-kit';

const cloudWatchMock = mockClient(CloudWatchClient);
const clients = recordingClients({ cloudWatch: new CloudWatchClient({ region: 'us-east-1' }) });
const adapter = createCloudWatchAdapter(clients, { stage: 'prod' });

beforeEach(() => {
  cloudWatchMock.reset();
  clients.regions.length = 0;
});

describe('putFlagMetric', () => {
  it("publishes the flag with the adapter's Stage and the Service dimension at the given time, standard resolution", async () => {
    cloudWatchMock.on(PutMetricDataCommand).resolves({});
    await adapter.putFlagMetric({ namespace: 'switchback', service: 'web', value: 1, atEpochMs: 1_700_000_000_000 });
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)[0].args[0].input).toEqual({
      Namespace: 'switchback',
      MetricData: [
        {
          MetricName: 'FailoverActive',
          Dimensions: [
            { Name: 'Stage', Value: 'prod' },
            { Name: 'Service', Value: 'web' },
          ],
          Timestamp: new Date(1_700_000_000_000),
          Value: 1,
          Unit: 'None',
          StorageResolution: 60,
        },
      ],
    });
    expect(FLAG_METRIC).toEqual({
      namespace: 'switchback',
      metricName: 'FailoverActive',
      stageDimensionName: 'Stage',
      dimensionName: 'Service',
    });
    expect(adapter.flagAlarmName('web')).toBe('switchback-prod-web-failover-flag');
  });

  it('republishes many held flags in one call per 1,000 services', async () => {
    cloudWatchMock.on(PutMetricDataCommand).resolves({});
    const flags = Array.from({ length: 1001 }, (_, i) => ({ service: `svc-${i}`, value: i % 2 }));
    await adapter.putFlagMetrics(flags, 1_700_000_000_000, 'us-west-2');
    const calls = cloudWatchMock.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input.MetricData ?? []);
    expect(calls.map((data) => data.length)).toEqual([1000, 1]);
    expect(calls[1][0]).toMatchObject({
      Dimensions: [
        { Name: 'Stage', Value: 'prod' },
        { Name: 'Service', Value: 'svc-1000' },
      ],
      Value: 0,
    });
    expect(clients.regions).toEqual([
      ['cloudWatch', 'us-west-2'],
      ['cloudWatch', 'us-west-2'],
    ]);
  });

  it('maps errors naming the metric', async () => {
    cloudWatchMock.on(PutMetricDataCommand).rejects(awsError('Throttling', { message: 'Rate exceeded' }));
    await expect(adapter.putFlagMetric({ service: 'web', value: 0, atEpochMs: 0 })).rejects.toThrow(
      'cloudwatch:PutMetricData on switchback/FailoverActive Stage=prod Service=web throttled (Throttling): Rate exceeded',
    );
  });
});

describe('describeAlarmStates', () => {
  it('queries metric and composite alarms per region and reports missing ones', async () => {
    cloudWatchMock
      .on(DescribeAlarmsCommand, { AlarmNames: ['web-5xx', 'web-latency'] })
      .resolves({
        MetricAlarms: [
          { AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'Threshold crossed', StateUpdatedTimestamp: new Date(1000) },
        ],
        CompositeAlarms: [{ AlarmName: 'web-latency', StateValue: 'OK' }],
      })
      .on(DescribeAlarmsCommand, { AlarmNames: ['web-down'] })
      .resolves({ MetricAlarms: [] });

    const states = await adapter.describeAlarmStates([
      'web-5xx',
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-down',
      'web-latency',
    ]);
    expect(states).toEqual([
      { alarm: 'web-5xx', name: 'web-5xx', state: 'ALARM', reason: 'Threshold crossed', updatedAtEpochMs: 1000 },
      { alarm: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-down', name: 'web-down', region: 'eu-west-1', state: 'NOT_FOUND' },
      { alarm: 'web-latency', name: 'web-latency', state: 'OK' },
    ]);
    expect(cloudWatchMock.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input)).toEqual([
      { AlarmNames: ['web-5xx', 'web-latency'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      { AlarmNames: ['web-down'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
    ]);
    expect(clients.regions).toEqual([
      ['cloudWatch', undefined],
      ['cloudWatch', 'eu-west-1'],
    ]);
  });

  it('follows NextToken', async () => {
    cloudWatchMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }], NextToken: 't1' })
      .resolves({ MetricAlarms: [{ AlarmName: 'b', StateValue: 'INSUFFICIENT_DATA' }] });
    const states = await adapter.describeAlarmStates(['a', 'b'], 'us-west-2');
    expect(states.map((s) => [s.name, s.state, s.region])).toEqual([
      ['a', 'OK', 'us-west-2'],
      ['b', 'INSUFFICIENT_DATA', 'us-west-2'],
    ]);
    expect(cloudWatchMock.commandCalls(DescribeAlarmsCommand)[1].args[0].input).toEqual({
      AlarmNames: ['a', 'b'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      NextToken: 't1',
    });
  });

  it('parses alarm ARNs', () => {
    expect(parseAlarmReference('arn:aws:cloudwatch:us-east-1:123456789012:alarm:with:colons')).toEqual({
      region: 'us-east-1',
      name: 'with:colons',
    });
    expect(parseAlarmReference('plain')).toEqual({ name: 'plain' });
  });
});
