/**
 * CloudWatch adapter: publish the failover flag (the `health-check-flag` DNS strategy switches
 * traffic with PutMetricData in the control region, no Route 53 API call at incident time) and
 * read alarm states (drill checks, alarm-confirmed triggers).
 *
 * Flag contract with the alarm `serverless.yml` creates (see ./flag.ts): namespace `switchback`,
 * metric `FailoverActive`, dimensions `Stage=<stage>` and `Service=<name>`; value 1 = traffic
 * belongs on the secondary, 0 = on the primary. Standard resolution: Route 53 health checks cannot
 * follow high-resolution alarms. The adapter is built for one stage: every flag it publishes and
 * every flag alarm it names is that stage's.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { sdkClientFactory, type AwsClients, type AdapterKit } from './clients';
import { SwitchbackError } from '../errors';
import { callAws } from './errors';
import { FLAG_METRIC, flagAlarmName, flagDimensions } from './flag';

export { FLAG_METRIC } from './flag';

export const cloudWatchClientFactory = sdkClientFactory(CloudWatchClient);

/** DescribeAlarms accepts at most 100 names per call. */
const ALARM_NAMES_PER_CALL = 100;
/** PutMetricData accepts at most 1,000 datums per call. */
const DATUMS_PER_CALL = 1000;

export interface PutFlagMetricInput {
  /** Default `switchback`. */
  namespace?: string;
  /** Default `FailoverActive`. */
  metricName?: string;
  service: string;
  /** 1 = send traffic to the secondary, 0 = to the primary. */
  value: number;
  atEpochMs: number;
  region?: string;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'NOT_FOUND';

export interface AlarmState {
  /** The name or ARN as given by the caller. */
  alarm: string;
  name: string;
  /** Absent when the alarm was looked up in the client's default region. */
  region?: string;
  state: AlarmStateValue;
  reason?: string;
  updatedAtEpochMs?: number;
}

export interface HeldFlag {
  service: string;
  /** 1 = traffic belongs on the secondary, 0 = on the primary. */
  value: number;
}

export interface CloudWatchAdapter {
  /** The stage whose flags this adapter publishes and names. */
  readonly stage: string;
  /** This stage's flag alarm for a service. */
  flagAlarmName(service: string): string;
  putFlagMetric(input: PutFlagMetricInput): Promise<void>;
  /** Republish the flags services hold, in as few calls as PutMetricData allows (one per 1,000 services). */
  putFlagMetrics(flags: HeldFlag[], atEpochMs: number, region?: string): Promise<void>;
  /** Names or ARNs; an ARN selects its own region, plain names use `region` (default: the control region). */
  describeAlarmStates(alarms: string[], region?: string): Promise<AlarmState[]>;
  /**
   * This month's SMS spend in a region (AWS/SNS SMSMonthToDateSpentUSD, Maximum over the last day);
   * undefined when SNS has published none (no text sent this month).
   */
  smsMonthToDateSpendUsd(region: string, nowEpochMs: number): Promise<number | undefined>;
  /**
   * The newest one-minute Maximum of a metric between `sinceEpochMs` and `untilEpochMs`
   * (GetMetricStatistics), or undefined when the metric has no data there (CloudWatch returns no
   * datapoints for missing data; a metric that stopped reporting looks exactly like that).
   */
  latestMaximum(query: MetricQuery): Promise<{ value: number; atEpochMs: number } | undefined>;
}

export interface MetricQuery {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  sinceEpochMs: number;
  untilEpochMs: number;
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` → { region, name }; a plain name → { name }. */
export function parseAlarmReference(alarm: string): { name: string; region?: string } {
  const match = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):\d{12}:alarm:(.+)$/.exec(alarm);
  return match ? { region: match[1], name: match[2] } : { name: alarm };
}

/** Grouping key for alarms queried with the client's default region. */
const DEFAULT_REGION_KEY = '';

export interface CloudWatchAdapterOptions {
  /** The deployment stage (`SWITCHBACK_STAGE`): part of every flag name and dimension. */
  stage: string;
}

export function createCloudWatchAdapter(clients: Pick<AwsClients, 'cloudWatch'>, options: CloudWatchAdapterOptions): CloudWatchAdapter {
  const { stage } = options;
  if (!stage) throw new SwitchbackError('createCloudWatchAdapter: a stage is required (flag names and dimensions carry it)');

  function flagDatum(service: string, value: number, atEpochMs: number, metricName: string) {
    return {
      MetricName: metricName,
      Dimensions: Object.entries(flagDimensions(stage, service)).map(([Name, Value]) => ({ Name, Value })),
      Timestamp: new Date(atEpochMs),
      Value: value,
      Unit: 'None' as const,
      // Standard resolution: Route 53 health checks cannot follow high-resolution alarms.
      StorageResolution: 60,
    };
  }

  async function putFlagMetric(input: PutFlagMetricInput): Promise<void> {
    const namespace = input.namespace ?? FLAG_METRIC.namespace;
    const metricName = input.metricName ?? FLAG_METRIC.metricName;
    await callAws('cloudwatch:PutMetricData', `${namespace}/${metricName} Stage=${stage} Service=${input.service}`, () =>
      clients.cloudWatch(input.region).send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [flagDatum(input.service, input.value, input.atEpochMs, metricName)],
        }),
      ),
    );
  }

  async function putFlagMetrics(flags: HeldFlag[], atEpochMs: number, region?: string): Promise<void> {
    for (let start = 0; start < flags.length; start += DATUMS_PER_CALL) {
      const chunk = flags.slice(start, start + DATUMS_PER_CALL);
      const what = `${FLAG_METRIC.namespace}/${FLAG_METRIC.metricName} Stage=${stage} for ${chunk.map((flag) => flag.service).join(', ')}`;
      await callAws('cloudwatch:PutMetricData', what, () =>
        clients.cloudWatch(region).send(
          new PutMetricDataCommand({
            Namespace: FLAG_METRIC.namespace,
            MetricData: chunk.map((flag) => flagDatum(flag.service, flag.value, atEpochMs, FLAG_METRIC.metricName)),
          }),
        ),
      );
    }
  }

  async function smsMonthToDateSpendUsd(region: string, nowEpochMs: number): Promise<number | undefined> {
    const dayMs = 24 * 3600 * 1000;
    // Month to date: last month's total must not count after the 1st (UTC).
    const now = new Date(nowEpochMs);
    const monthStartEpochMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const response = await callAws('cloudwatch:GetMetricStatistics', 'AWS/SNS SMSMonthToDateSpentUSD', () =>
      clients.cloudWatch(region).send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/SNS',
          MetricName: 'SMSMonthToDateSpentUSD',
          StartTime: new Date(Math.max(nowEpochMs - dayMs, monthStartEpochMs)),
          EndTime: new Date(nowEpochMs + 60_000),
          Period: 86_400,
          Statistics: ['Maximum'],
        }),
      ),
    );
    const values = (response.Datapoints ?? []).flatMap((point) => (point.Maximum === undefined ? [] : [point.Maximum]));
    return values.length > 0 ? Math.max(...values) : undefined;
  }

  async function describeAlarmStates(alarms: string[], region?: string): Promise<AlarmState[]> {
    const byRegion = new Map<string, Array<{ alarm: string; name: string }>>();
    for (const alarm of alarms) {
      const parsed = parseAlarmReference(alarm);
      const alarmRegion = parsed.region ?? region ?? DEFAULT_REGION_KEY;
      byRegion.set(alarmRegion, [...(byRegion.get(alarmRegion) ?? []), { alarm, name: parsed.name }]);
    }

    const found = new Map<string, Omit<AlarmState, 'alarm'>>();
    for (const [alarmRegion, entries] of byRegion) {
      const names = [...new Set(entries.map((entry) => entry.name))];
      for (let start = 0; start < names.length; start += ALARM_NAMES_PER_CALL) {
        const chunk = names.slice(start, start + ALARM_NAMES_PER_CALL);
        let nextToken: string | undefined;
        do {
          const token = nextToken;
          const response = await callAws('cloudwatch:DescribeAlarms', `${chunk.join(', ')}${alarmRegion && ` in ${alarmRegion}`}`, () =>
            clients.cloudWatch(alarmRegion || undefined).send(
              new DescribeAlarmsCommand({
                AlarmNames: chunk,
                AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
                ...(token && { NextToken: token }),
              }),
            ),
          );
          for (const alarm of [...(response.MetricAlarms ?? []), ...(response.CompositeAlarms ?? [])]) {
            if (!alarm.AlarmName) continue;
            found.set(`${alarmRegion}|${alarm.AlarmName}`, {
              name: alarm.AlarmName,
              ...(alarmRegion && { region: alarmRegion }),
              state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
              ...(alarm.StateReason && { reason: alarm.StateReason }),
              ...(alarm.StateUpdatedTimestamp && { updatedAtEpochMs: alarm.StateUpdatedTimestamp.getTime() }),
            });
          }
          nextToken = response.NextToken;
        } while (nextToken);
      }
    }

    return alarms.map((alarm) => {
      const parsed = parseAlarmReference(alarm);
      const alarmRegion = parsed.region ?? region ?? DEFAULT_REGION_KEY;
      const state = found.get(`${alarmRegion}|${parsed.name}`);
      return state
        ? { alarm, ...state }
        : { alarm, name: parsed.name, ...(alarmRegion && { region: alarmRegion }), state: 'NOT_FOUND' as const };
    });
  }

  async function latestMaximum(query: MetricQuery): Promise<{ value: number; atEpochMs: number } | undefined> {
    const dimensions = Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value }));
    const what = `${query.namespace}/${query.metricName} ${Object.entries(query.dimensions)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')} in ${query.region}`;
    const response = await callAws('cloudwatch:GetMetricStatistics', what, () =>
      clients.cloudWatch(query.region).send(
        new GetMetricStatisticsCommand({
          Namespace: query.namespace,
          MetricName: query.metricName,
          Dimensions: dimensions,
          StartTime: new Date(query.sinceEpochMs),
          EndTime: new Date(query.untilEpochMs),
          Period: 60,
          Statistics: ['Maximum'],
        }),
      ),
    );
    let latest: { value: number; atEpochMs: number } | undefined;
    for (const point of response.Datapoints ?? []) {
      if (point.Timestamp === undefined || point.Maximum === undefined) continue;
      const atEpochMs = point.Timestamp.getTime();
      if (!latest || atEpochMs > latest.atEpochMs) latest = { value: point.Maximum, atEpochMs };
    }
    return latest;
  }

  return {
    stage,
    latestMaximum,
    flagAlarmName: (service) => flagAlarmName(stage, service),
    putFlagMetric,
    putFlagMetrics,
    describeAlarmStates,
    smsMonthToDateSpendUsd,
  };
}

/** What a function that carries the cloudWatch adapter passes (see FUNCTION_AWS_ADAPTERS). */
export const cloudWatchKit: AdapterKit<'cloudWatch', CloudWatchAdapter> = {
  factory: cloudWatchClientFactory,
  adapter: createCloudWatchAdapter,
};
