/**
 * CloudWatch in memory, per region: metric datapoints and alarms.
 *
 * Metric alarms evaluate on period boundaries, as standard-resolution alarms do
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html): at each
 * boundary T (a multiple of the period since the epoch) the alarm aggregates, per period of its
 * evaluation range [T − N·period, T), the datapoints that had arrived by T with its statistic
 * (Minimum, Maximum, Sum, Average, SampleCount), compares each with the threshold, and goes to
 * ALARM when at least `datapointsToAlarm` (M of N) breach, else OK. A datapoint changes nothing
 * until the boundary after it. Periods without data follow `treatMissingData`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
 * `breaching` / `notBreaching` count them as such; `missing` / `ignore` leave them out, and when the
 * whole range is empty `missing` goes to INSUFFICIENT_DATA while `ignore` keeps the state.
 *
 * Evaluation is lazy (when someone looks: DescribeAlarms, a Route 53 health checker, a test) but
 * replays every boundary since the last look in order, stamping each transition with its boundary,
 * as a continuously running evaluator would have. `dataAt(T)` gives what the data said at one
 * boundary, whatever the state: Route 53 health checks follow that, not the state.
 * Alarms without a metric (the site alarms of a config) change only through `setAlarmState`; a
 * state set by hand on a metric alarm lasts until the next boundary re-evaluates the data (as in AWS).
 * Every state change goes through `transition()`.
 *
 * GetMetricStatistics (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html)
 * answers from the published datapoints and from metrics AWS services publish themselves
 * (`serviceSeries`, e.g. AWS/SNS SMSMonthToDateSpentUSD from the SNS model): per Period from
 * StartTime (inclusive) to EndTime (exclusive), only periods with data, dimensions matched exactly.
 * Models that own an AWS metric per dimension (e.g. `AWS/RDS AuroraGlobalDBReplicationLag` per
 * DB cluster, from the RDS model) answer through `addMetricSource` first.
 */
import type {
  DescribeAlarmsInput,
  GetMetricStatisticsInput,
  MetricDatum,
  PutMetricAlarmInput,
  PutMetricDataInput,
  SetAlarmStateInput,
} from '@aws-sdk/client-cloudwatch';
import { SwitchbackError } from '../../shared/errors';
import type { WorldContext } from './context';
import { type ServiceModel, unsupportedOperation } from './model';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type ComparisonOperator =
  'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

export interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
  /** Default Maximum. */
  statistic?: string;
  /** Default 60. */
  periodSeconds?: number;
  /** Default 1. */
  evaluationPeriods?: number;
  /** M of "M out of N" (default: evaluationPeriods). */
  datapointsToAlarm?: number;
  threshold: number;
  /** Default GreaterThanOrEqualToThreshold. */
  comparisonOperator?: ComparisonOperator;
  /** Default missing. */
  treatMissingData?: TreatMissingData;
}

export interface AlarmSpec {
  name: string;
  region: string;
  /** Omit for an alarm whose state only `setAlarmState` changes. */
  metric?: AlarmMetric;
  /** The state of a new alarm (default OK); on an existing alarm, given = set it now. */
  state?: AlarmStateValue;
  reason?: string;
}

export interface AlarmView {
  name: string;
  region: string;
  arn: string;
  state: AlarmStateValue;
  reason: string;
  updatedAtEpochMs: number;
  metric?: Required<Omit<AlarmMetric, 'dimensions'>> & { dimensions: Record<string, string> };
}

export interface DatapointView {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  atEpochMs: number;
  value: number;
  receivedAtEpochMs: number;
  unit?: string;
}

export interface CloudWatchWorld {
  /** Create an alarm, or update the definition of an existing one. */
  putAlarm(spec: AlarmSpec): AlarmView;
  /** Set an alarm's state now; `name` may be an ARN. Without a region: every alarm of that name. */
  setAlarmState(name: string, state: AlarmStateValue, region?: string, reason?: string): void;
  /** Evaluated now; `name` may be an ARN. Without a region: the first alarm of that name. */
  alarm(name: string, region?: string): AlarmView | undefined;
  alarms(): AlarmView[];
  datapoints(query?: { namespace?: string; metricName?: string; dimensions?: Record<string, string>; region?: string }): DatapointView[];
}

interface Datapoint {
  atEpochMs: number;
  value: number;
  receivedAtEpochMs: number;
  unit?: string;
}

interface Series {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  points: Datapoint[];
}

interface AlarmModel {
  name: string;
  region: string;
  metric?: AlarmView['metric'];
  state: AlarmStateValue;
  reason: string;
  updatedAtEpochMs: number;
  configuredAtEpochMs: number;
  /** The last period boundary evaluated. */
  evaluatedThroughEpochMs: number;
}

/** What an alarm's data said at one evaluation boundary (what Route 53 health checks follow). */
export type AlarmDataStatus =
  | { kind: 'data'; breaching: boolean; atEpochMs: number }
  | { kind: 'insufficient'; atEpochMs: number }
  /** An alarm the world models without a metric: only its state exists. */
  | { kind: 'state'; state: AlarmStateValue };

const STATISTICS: Record<string, (values: number[]) => number> = {
  Minimum: (values) => Math.min(...values),
  Maximum: (values) => Math.max(...values),
  Sum: (values) => values.reduce((sum, value) => sum + value, 0),
  Average: (values) => values.reduce((sum, value) => sum + value, 0) / values.length,
  SampleCount: (values) => values.length,
};

const STATES: ReadonlySet<string> = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const OPERATORS: Record<ComparisonOperator, { test(value: number, threshold: number): boolean; phrase: string }> = {
  GreaterThanOrEqualToThreshold: { test: (v, t) => v >= t, phrase: 'greater than or equal to' },
  GreaterThanThreshold: { test: (v, t) => v > t, phrase: 'greater than' },
  LessThanThreshold: { test: (v, t) => v < t, phrase: 'less than' },
  LessThanOrEqualToThreshold: { test: (v, t) => v <= t, phrase: 'less than or equal to' },
};
const TREAT_MISSING: ReadonlySet<string> = new Set(['missing', 'ignore', 'breaching', 'notBreaching']);
const MAX_DATUMS = 1000;
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;
const TWO_HOURS_MS = 2 * 3600 * 1000;

function seriesKey(region: string, namespace: string, metricName: string, dimensions: Record<string, string>): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((name) => `${name}=${dimensions[name]}`)
    .join(',');
  return `${region}\u0000${namespace}\u0000${metricName}\u0000${dims}`;
}

function parseAlarmName(name: string): { name: string; region?: string } {
  const match = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):\d{12}:alarm:(.+)$/.exec(name);
  return match ? { region: match[1], name: match[2] } : { name };
}

function toEpochMs(value: unknown, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** Datapoints of an AWS metric another model owns (e.g. RDS replication lag), in [fromEpochMs, toEpochMs). */
export type MetricSource = (query: {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  fromEpochMs: number;
  toEpochMs: number;
}) => Array<{ atEpochMs: number; value: number }> | undefined;

/** Datapoints an AWS service publishes itself (namespace `AWS/...`), by region, namespace and metric name. */
export type ServiceSeries = (region: string, namespace: string, metricName: string) => Array<{ atEpochMs: number; value: number }>;

export function createCloudWatchModel(
  ctx: WorldContext,
  serviceSeries: ServiceSeries = () => [],
): {
  model: ServiceModel;
  /** Let a model publish an AWS metric (answered lazily, when someone asks). */
  addMetricSource(source: MetricSource): void;
  world: CloudWatchWorld;
  alarmState(region: string, name: string): AlarmStateValue | undefined;
  /** What the alarm's data said at the last boundary at or before `atEpochMs` (undefined: no such alarm). */
  alarmData(region: string, name: string, atEpochMs: number): AlarmDataStatus | undefined;
} {
  const series = new Map<string, Series>();
  const alarms = new Map<string, AlarmModel>();
  const sources: MetricSource[] = [];

  const fail = (code: string, message: string) => ctx.error('cloudWatch', code, message);
  const alarmKey = (region: string, name: string) => `${region}|${name}`;
  const arnOf = (alarm: { region: string; name: string }) => `arn:aws:cloudwatch:${alarm.region}:${ctx.accountId}:alarm:${alarm.name}`;

  function transition(alarm: AlarmModel, state: AlarmStateValue, reason: string, atEpochMs: number): void {
    if (alarm.state === state) return;
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAtEpochMs = atEpochMs;
  }

  function seriesOf(region: string, metric: NonNullable<AlarmModel['metric']>): Datapoint[] {
    return series.get(seriesKey(region, metric.namespace, metric.metricName, metric.dimensions))?.points ?? [];
  }

  /** The datapoints of one period that had arrived by `byEpochMs` (points are kept sorted by time). */
  function valuesIn(points: Datapoint[], fromEpochMs: number, toEpochMs: number, byEpochMs: number): number[] {
    let low = 0;
    let high = points.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (points[mid].atEpochMs < fromEpochMs) low = mid + 1;
      else high = mid;
    }
    const values: number[] = [];
    for (let i = low; i < points.length && points[i].atEpochMs < toEpochMs; i++)
      if (points[i].receivedAtEpochMs <= byEpochMs) values.push(points[i].value);
    return values;
  }

  interface Evaluation {
    /** Periods of the range that had data, newest first, aggregated. */
    values: number[];
    breaching: number;
    /** Missing periods counted as breaching / not breaching by treatMissingData. */
    substituted: number;
  }

  function evaluateRange(region: string, metric: NonNullable<AlarmModel['metric']>, boundaryEpochMs: number): Evaluation {
    const periodMs = metric.periodSeconds * 1000;
    const points = seriesOf(region, metric);
    const operator = OPERATORS[metric.comparisonOperator];
    const aggregate = STATISTICS[metric.statistic];
    const result: Evaluation = { values: [], breaching: 0, substituted: 0 };
    for (let k = 1; k <= metric.evaluationPeriods; k++) {
      const values = valuesIn(points, boundaryEpochMs - k * periodMs, boundaryEpochMs - (k - 1) * periodMs, boundaryEpochMs);
      if (values.length > 0) {
        const value = aggregate(values);
        result.values.push(value);
        if (operator.test(value, metric.threshold)) result.breaching += 1;
      } else if (metric.treatMissingData === 'breaching') {
        result.breaching += 1;
        result.substituted += 1;
      } else if (metric.treatMissingData === 'notBreaching') {
        result.substituted += 1;
      }
    }
    return result;
  }

  function evaluateBoundary(alarm: AlarmModel, metric: NonNullable<AlarmModel['metric']>, boundaryEpochMs: number): void {
    const { values, breaching, substituted } = evaluateRange(alarm.region, metric, boundaryEpochMs);
    const operator = OPERATORS[metric.comparisonOperator];
    if (values.length === 0 && substituted === 0) {
      if (metric.treatMissingData === 'missing') {
        transition(
          alarm,
          'INSUFFICIENT_DATA',
          `Insufficient Data: no datapoints in the last ${metric.evaluationPeriods} period(s) of ${metric.periodSeconds} seconds (treatMissingData: missing).`,
          boundaryEpochMs,
        );
      }
      return;
    }
    const state: AlarmStateValue = breaching >= metric.datapointsToAlarm ? 'ALARM' : 'OK';
    const shown = values.map((value) => String(value)).join(', ');
    const reason = `Threshold Crossed: ${values.length} datapoint(s) [${shown}] of ${metric.statistic} over ${metric.periodSeconds} seconds; ${breaching} of ${metric.evaluationPeriods} ${breaching === 1 ? 'was' : 'were'} ${operator.phrase} the threshold (${metric.threshold}), ${metric.datapointsToAlarm} needed to alarm.`;
    transition(alarm, state, reason, boundaryEpochMs);
  }

  /** Replay every period boundary since the last look, in order. */
  function evaluate(alarm: AlarmModel): void {
    const metric = alarm.metric;
    if (!metric) return;
    const periodMs = metric.periodSeconds * 1000;
    const lastBoundary = Math.floor(ctx.now() / periodMs) * periodMs;
    for (let boundary = alarm.evaluatedThroughEpochMs + periodMs; boundary <= lastBoundary; boundary += periodMs) {
      evaluateBoundary(alarm, metric, boundary);
      alarm.evaluatedThroughEpochMs = boundary;
    }
  }

  /** What the data said at the last evaluation boundary at or before `atEpochMs` (state aside). */
  function dataAt(alarm: AlarmModel, atEpochMs: number): AlarmDataStatus {
    const metric = alarm.metric;
    if (!metric) return { kind: 'state', state: alarm.state };
    const periodMs = metric.periodSeconds * 1000;
    const boundary = Math.floor(atEpochMs / periodMs) * periodMs;
    const { values, breaching, substituted } = evaluateRange(alarm.region, metric, boundary);
    if (values.length === 0 && substituted === 0) return { kind: 'insufficient', atEpochMs: boundary };
    return { kind: 'data', breaching: breaching >= metric.datapointsToAlarm, atEpochMs: boundary };
  }

  function view(alarm: AlarmModel): AlarmView {
    evaluate(alarm);
    return {
      name: alarm.name,
      region: alarm.region,
      arn: arnOf(alarm),
      state: alarm.state,
      reason: alarm.reason,
      updatedAtEpochMs: alarm.updatedAtEpochMs,
      ...(alarm.metric && { metric: structuredClone(alarm.metric) }),
    };
  }

  function normalizeMetric(metric: AlarmMetric): NonNullable<AlarmModel['metric']> {
    const operator = metric.comparisonOperator ?? 'GreaterThanOrEqualToThreshold';
    const treatMissingData = metric.treatMissingData ?? 'missing';
    const problems: string[] = [];
    if (!metric.namespace || !metric.metricName) problems.push('namespace and metricName are required');
    if (!(operator in OPERATORS)) problems.push(`comparisonOperator ${operator} is not supported`);
    if (!TREAT_MISSING.has(treatMissingData))
      problems.push(`treatMissingData ${treatMissingData} is not one of missing, ignore, breaching, notBreaching`);
    if (!Number.isFinite(metric.threshold)) problems.push('threshold must be a number');
    if (metric.statistic !== undefined && !(metric.statistic in STATISTICS))
      problems.push(`statistic ${metric.statistic} is not one of ${Object.keys(STATISTICS).join(', ')}`);
    const periodSeconds = metric.periodSeconds ?? 60;
    const evaluationPeriods = metric.evaluationPeriods ?? 1;
    const datapointsToAlarm = metric.datapointsToAlarm ?? evaluationPeriods;
    if (!(periodSeconds > 0) || !(evaluationPeriods >= 1)) problems.push('periodSeconds must be > 0 and evaluationPeriods ≥ 1');
    if (!(datapointsToAlarm >= 1 && datapointsToAlarm <= evaluationPeriods))
      problems.push('datapointsToAlarm must be between 1 and evaluationPeriods');
    if (problems.length > 0) throw new SwitchbackError(`invalid alarm metric: ${problems.join('; ')}`, { context: { metric } });
    return {
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: { ...metric.dimensions },
      statistic: metric.statistic ?? 'Maximum',
      periodSeconds,
      evaluationPeriods,
      datapointsToAlarm,
      threshold: metric.threshold,
      comparisonOperator: operator,
      treatMissingData,
    };
  }

  function putAlarm(spec: AlarmSpec, defaultState: AlarmStateValue): AlarmModel {
    if (!spec.name || !spec.region) throw new SwitchbackError('world.cloudWatch.putAlarm: name and region are required');
    if (spec.state !== undefined && !STATES.has(spec.state))
      throw new SwitchbackError(`world.cloudWatch.putAlarm: state ${spec.state} is not OK, ALARM or INSUFFICIENT_DATA`);
    const now = ctx.now();
    const metric = spec.metric ? normalizeMetric(spec.metric) : undefined;
    const key = alarmKey(spec.region, spec.name);
    const existing = alarms.get(key);
    if (existing) {
      // An update keeps the alarm's state; the new definition applies from the next boundary.
      evaluate(existing);
      existing.metric = metric;
      existing.configuredAtEpochMs = now;
      if (metric) existing.evaluatedThroughEpochMs = Math.floor(now / (metric.periodSeconds * 1000)) * metric.periodSeconds * 1000;
      if (spec.state) transition(existing, spec.state, spec.reason ?? 'set when the alarm was updated', now);
      return existing;
    }
    const alarm: AlarmModel = {
      name: spec.name,
      region: spec.region,
      ...(metric && { metric }),
      state: spec.state ?? defaultState,
      reason:
        spec.reason ??
        ((spec.state ?? defaultState) === 'INSUFFICIENT_DATA' ? 'Unchecked: Initial alarm creation' : 'created by the embedded world'),
      updatedAtEpochMs: now,
      configuredAtEpochMs: now,
      // The first evaluation is at the next boundary (its range may hold datapoints published before).
      evaluatedThroughEpochMs: metric ? Math.floor(now / (metric.periodSeconds * 1000)) * metric.periodSeconds * 1000 : now,
    };
    alarms.set(key, alarm);
    return alarm;
  }

  function findAlarms(name: string, region?: string): AlarmModel[] {
    const parsed = parseAlarmName(name);
    const wantedRegion = parsed.region ?? region;
    return [...alarms.values()].filter(
      (alarm) => alarm.name === parsed.name && (wantedRegion === undefined || alarm.region === wantedRegion),
    );
  }

  function setState(alarm: AlarmModel, state: AlarmStateValue, reason: string): void {
    evaluate(alarm);
    transition(alarm, state, reason, ctx.now());
  }

  // -------------------------------------------------------------------------------------------
  // API

  function putMetricData(input: PutMetricDataInput, region: string) {
    const namespace = input.Namespace;
    if (!namespace) throw fail('MissingParameter', 'The parameter Namespace is required.');
    if (namespace.startsWith('AWS/')) throw fail('InvalidParameterValue', `The value ${namespace} for parameter Namespace is invalid.`);
    const data: MetricDatum[] = input.MetricData ?? [];
    if (data.length === 0) throw fail('MissingParameter', 'The parameter MetricData is required.');
    if (data.length > MAX_DATUMS)
      throw fail('InvalidParameterValue', `The collection MetricData must not have a size greater than ${MAX_DATUMS}.`);
    const now = ctx.now();
    const accepted: Array<{ key: string; entry: Omit<Series, 'points'>; points: Datapoint[] }> = [];
    data.forEach((datum, index) => {
      const where = `MetricData.member.${index + 1}`;
      if (!datum.MetricName) throw fail('MissingParameter', `The parameter ${where}.MetricName is required.`);
      const dimensions: Record<string, string> = {};
      for (const dimension of datum.Dimensions ?? []) {
        if (!dimension.Name || dimension.Value === undefined)
          throw fail('InvalidParameterValue', `${where}.Dimensions: every dimension needs a Name and a Value.`);
        dimensions[dimension.Name] = dimension.Value;
      }
      if (Object.keys(dimensions).length > 30) throw fail('InvalidParameterValue', `${where}.Dimensions: at most 30 dimensions.`);
      const atEpochMs = toEpochMs(datum.Timestamp, now);
      if (atEpochMs === undefined) throw fail('InvalidParameterValue', `The parameter ${where}.Timestamp must be a date.`);
      if (atEpochMs < now - TWO_WEEKS_MS || atEpochMs > now + TWO_HOURS_MS) {
        throw fail(
          'InvalidParameterValue',
          `The parameter ${where}.Timestamp must specify a time no more than two weeks in the past or two hours in the future.`,
        );
      }
      const values: number[] = [];
      if (datum.Value !== undefined) values.push(datum.Value);
      for (const value of datum.Values ?? []) values.push(value);
      // A statistic set: its minimum and maximum bound every statistic the model computes.
      if (datum.StatisticValues?.Minimum !== undefined) values.push(datum.StatisticValues.Minimum);
      if (datum.StatisticValues?.Maximum !== undefined) values.push(datum.StatisticValues.Maximum);
      if (values.length === 0) throw fail('MissingParameter', `${where}: one of Value, Values or StatisticValues is required.`);
      if (values.some((value) => !Number.isFinite(value)))
        throw fail('InvalidParameterValue', `The value for parameter ${where}.Value must be a finite number.`);
      const entry = { region, namespace, metricName: datum.MetricName, dimensions };
      accepted.push({
        key: seriesKey(region, namespace, datum.MetricName, dimensions),
        entry,
        points: values.map((value) => ({ atEpochMs, value, receivedAtEpochMs: now, ...(datum.Unit && { unit: datum.Unit }) })),
      });
    });
    for (const { key, entry, points } of accepted) {
      const existing = series.get(key) ?? { ...entry, points: [] };
      // Sorted by timestamp (stable: equal timestamps keep arrival order), for range queries.
      for (const point of points) {
        let at = existing.points.length;
        while (at > 0 && existing.points[at - 1].atEpochMs > point.atEpochMs) at--;
        existing.points.splice(at, 0, point);
      }
      series.set(key, existing);
    }
    return {};
  }

  function describeAlarms(input: DescribeAlarmsInput, region: string) {
    if (input.AlarmNames && input.AlarmNamePrefix)
      throw fail('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together.');
    if ((input.AlarmNames?.length ?? 0) > 100)
      throw fail('InvalidParameterValue', 'The collection AlarmNames must not have a size greater than 100.');
    const maxRecords = input.MaxRecords ?? 50;
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100)
      throw fail('InvalidParameterValue', 'MaxRecords must be between 1 and 100.');
    const wantMetricAlarms = !input.AlarmTypes || input.AlarmTypes.includes('MetricAlarm');
    const names = input.AlarmNames ? new Set(input.AlarmNames) : undefined;
    const matching = [...alarms.values()]
      .filter((alarm) => alarm.region === region)
      .filter((alarm) => !names || names.has(alarm.name))
      .filter((alarm) => !input.AlarmNamePrefix || alarm.name.startsWith(input.AlarmNamePrefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(view)
      .filter((alarm) => !input.StateValue || alarm.state === input.StateValue);
    const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw fail('InvalidNextToken', 'The service returned an invalid NextToken.');
    const page = wantMetricAlarms ? matching.slice(start, start + maxRecords) : [];
    const more = wantMetricAlarms && start + maxRecords < matching.length;
    return {
      MetricAlarms: page.map((alarm) => ({
        AlarmName: alarm.name,
        AlarmArn: alarm.arn,
        ActionsEnabled: true,
        StateValue: alarm.state,
        StateReason: alarm.reason,
        StateUpdatedTimestamp: new Date(alarm.updatedAtEpochMs),
        StateTransitionedTimestamp: new Date(alarm.updatedAtEpochMs),
        ...(alarm.metric && {
          Namespace: alarm.metric.namespace,
          MetricName: alarm.metric.metricName,
          Dimensions: Object.entries(alarm.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Statistic: alarm.metric.statistic,
          Period: alarm.metric.periodSeconds,
          EvaluationPeriods: alarm.metric.evaluationPeriods,
          DatapointsToAlarm: alarm.metric.datapointsToAlarm,
          Threshold: alarm.metric.threshold,
          ComparisonOperator: alarm.metric.comparisonOperator,
          TreatMissingData: alarm.metric.treatMissingData,
        }),
      })),
      CompositeAlarms: [],
      ...(more && { NextToken: Buffer.from(String(start + maxRecords), 'utf8').toString('base64') }),
    };
  }

  function putMetricAlarm(input: PutMetricAlarmInput, region: string) {
    if (!input.AlarmName) throw fail('MissingParameter', 'The parameter AlarmName is required.');
    if (!input.Namespace || !input.MetricName)
      throw fail('MissingParameter', 'The embedded world models metric alarms on one metric: Namespace and MetricName are required.');
    if (input.EvaluationPeriods === undefined || !input.ComparisonOperator)
      throw fail('MissingParameter', 'The parameters EvaluationPeriods and ComparisonOperator are required.');
    if (!(input.ComparisonOperator in OPERATORS))
      throw fail('InvalidParameterValue', `ComparisonOperator ${input.ComparisonOperator} is not supported.`);
    if (input.TreatMissingData !== undefined && !TREAT_MISSING.has(input.TreatMissingData))
      throw fail('InvalidParameterValue', `TreatMissingData ${input.TreatMissingData} is invalid.`);
    if (input.Statistic !== undefined && !(input.Statistic in STATISTICS))
      throw fail(
        'InvalidParameterValue',
        `The embedded world models the statistics ${Object.keys(STATISTICS).join(', ')}, not ${input.Statistic}.`,
      );
    putAlarm(
      {
        name: input.AlarmName,
        region,
        metric: {
          namespace: input.Namespace,
          metricName: input.MetricName,
          dimensions: Object.fromEntries((input.Dimensions ?? []).map((dimension) => [dimension.Name ?? '', dimension.Value ?? ''])),
          statistic: input.Statistic ?? 'Maximum',
          periodSeconds: input.Period ?? 60,
          evaluationPeriods: input.EvaluationPeriods,
          ...(input.DatapointsToAlarm !== undefined && { datapointsToAlarm: input.DatapointsToAlarm }),
          threshold: input.Threshold ?? 0,
          comparisonOperator: input.ComparisonOperator as ComparisonOperator,
          treatMissingData: (input.TreatMissingData as TreatMissingData | undefined) ?? 'missing',
        },
      },
      'INSUFFICIENT_DATA',
    );
    return {};
  }

  function setAlarmStateApi(input: SetAlarmStateInput, region: string) {
    if (!input.AlarmName || !input.StateValue || !input.StateReason)
      throw fail('MissingParameter', 'AlarmName, StateValue and StateReason are required.');
    if (!STATES.has(input.StateValue)) throw fail('InvalidParameterValue', `StateValue ${input.StateValue} is invalid.`);
    const alarm = alarms.get(alarmKey(region, input.AlarmName));
    if (!alarm) throw fail('ResourceNotFound', `Alarm ${input.AlarmName} not found`);
    setState(alarm, input.StateValue, input.StateReason);
    return {};
  }

  const world: CloudWatchWorld = {
    putAlarm: (spec) => view(putAlarm(spec, 'OK')),
    setAlarmState(name, state, region, reason) {
      if (!STATES.has(state)) throw new SwitchbackError(`world.cloudWatch.setAlarmState: ${state} is not OK, ALARM or INSUFFICIENT_DATA`);
      const found = findAlarms(name, region);
      if (found.length === 0)
        throw new SwitchbackError(`world.cloudWatch.setAlarmState: no alarm named ${name}${region ? ` in ${region}` : ''}`);
      for (const alarm of found) setState(alarm, state, reason ?? `set to ${state} by the embedded world`);
    },
    alarm(name, region) {
      const [alarm] = findAlarms(name, region);
      return alarm && view(alarm);
    },
    alarms: () => [...alarms.values()].map(view),
    datapoints(query = {}) {
      const out: DatapointView[] = [];
      for (const entry of series.values()) {
        if (query.region !== undefined && entry.region !== query.region) continue;
        if (query.namespace !== undefined && entry.namespace !== query.namespace) continue;
        if (query.metricName !== undefined && entry.metricName !== query.metricName) continue;
        if (query.dimensions && Object.entries(query.dimensions).some(([name, value]) => entry.dimensions[name] !== value)) continue;
        for (const point of entry.points) {
          out.push({
            region: entry.region,
            namespace: entry.namespace,
            metricName: entry.metricName,
            dimensions: { ...entry.dimensions },
            ...point,
          });
        }
      }
      return out.sort((a, b) => a.receivedAtEpochMs - b.receivedAtEpochMs);
    },
  };

  function getMetricStatistics(input: GetMetricStatisticsInput, region: string) {
    const { Namespace: namespace, MetricName: metricName, Period: periodSeconds } = input;
    if (!namespace || !metricName) throw fail('MissingParameter', 'The parameters Namespace and MetricName are required.');
    if (!periodSeconds || periodSeconds < 1 || (periodSeconds >= 60 && periodSeconds % 60 !== 0))
      throw fail('InvalidParameterValue', 'The parameter Period must be 1, 5, 10, 30 or a multiple of 60.');
    const statistics = input.Statistics ?? [];
    if (statistics.length === 0 || statistics.some((name) => !(name in STATISTICS)))
      throw fail('InvalidParameterCombination', 'At least one of the parameters Statistics and ExtendedStatistics must be specified.');
    const startEpochMs = toEpochMs(input.StartTime, NaN);
    const endEpochMs = toEpochMs(input.EndTime, NaN);
    if (startEpochMs === undefined || endEpochMs === undefined || Number.isNaN(startEpochMs) || Number.isNaN(endEpochMs))
      throw fail('MissingParameter', 'The parameters StartTime and EndTime are required.');
    const dimensions = Object.fromEntries((input.Dimensions ?? []).map((dimension) => [dimension.Name ?? '', dimension.Value ?? '']));
    const now = ctx.now();
    const owned = sources
      .map((source) =>
        source({ region, namespace, metricName, dimensions, fromEpochMs: startEpochMs, toEpochMs: Math.min(endEpochMs, now) }),
      )
      .find((found) => found !== undefined);
    const points = owned
      ? owned.filter((point) => point.atEpochMs <= now)
      : namespace.startsWith('AWS/')
        ? serviceSeries(region, namespace, metricName).filter((point) => point.atEpochMs <= now)
        : (series.get(seriesKey(region, namespace, metricName, dimensions))?.points ?? []).filter(
            (point) => point.receivedAtEpochMs <= now,
          );
    const periodMs = periodSeconds * 1000;
    const byPeriod = new Map<number, number[]>();
    for (const point of points) {
      if (point.atEpochMs < startEpochMs || point.atEpochMs >= endEpochMs) continue;
      const periodStart = startEpochMs + Math.floor((point.atEpochMs - startEpochMs) / periodMs) * periodMs;
      byPeriod.set(periodStart, [...(byPeriod.get(periodStart) ?? []), point.value]);
    }
    return {
      Label: metricName,
      Datapoints: [...byPeriod.entries()].map(([periodStart, values]) => ({
        Timestamp: new Date(periodStart),
        ...Object.fromEntries(statistics.map((name) => [name, STATISTICS[name](values)])),
      })),
    };
  }

  const model: ServiceModel = {
    handle(operation, input, call) {
      switch (operation) {
        case 'PutMetricData':
          return putMetricData(input as PutMetricDataInput, call.region);
        case 'DescribeAlarms':
          return describeAlarms(input, call.region);
        case 'PutMetricAlarm':
          return putMetricAlarm(input as PutMetricAlarmInput, call.region);
        case 'SetAlarmState':
          return setAlarmStateApi(input as SetAlarmStateInput, call.region);
        case 'GetMetricStatistics':
          return getMetricStatistics(input as GetMetricStatisticsInput, call.region);
        default:
          throw unsupportedOperation(ctx, 'cloudWatch', operation);
      }
    },
  };

  return {
    model,
    world,
    addMetricSource(source) {
      sources.push(source);
    },
    alarmState(region, name) {
      const alarm = alarms.get(alarmKey(region, name));
      if (!alarm) return undefined;
      evaluate(alarm);
      return alarm.state;
    },
    alarmData(region, name, atEpochMs) {
      const alarm = alarms.get(alarmKey(region, name));
      if (!alarm) return undefined;
      evaluate(alarm);
      return dataAt(alarm, atEpochMs);
    },
  };
}
