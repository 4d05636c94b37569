/**
 * The `health-check-flag` DNS strategy's contract, shared by the engine, the probe, the drill, the
 * embedded world and the real deployment: `serverless.yml` must create the same alarm, health check
 * and failover records, so this module imports nothing (safe to load from any build script).
 *
 * Every name carries the stage: a `dev` drill in the same account and region must never move
 * `prod`'s traffic, and `prod`'s alarm must never follow `dev`'s datapoints.
 *
 * How the flag holds (README "health-check-flag: a flag that holds"):
 * - The engine publishes `FailoverActive` = 1 (traffic to the secondary) or 0 (back to the
 *   primary) when it switches, and the probe republishes the value the service should hold every
 *   round while a service belongs on the secondary. Route 53 health checks follow the alarm's data
 *   stream, not its state: without fresh datapoints they take `InsufficientDataHealthStatus`
 *   (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
 * - `InsufficientDataHealthStatus: LastKnownStatus`: a gap in the data (a missed round, a throttled
 *   PutMetricData) keeps the last decision instead of sending traffic back to a dead primary.
 * - Statistic `Minimum` over 60 s, alarm at ≥ 1: the alarm is in ALARM for a minute only when every
 *   datapoint of that minute said "secondary". A failback (0) therefore wins over the failover's 1s
 *   of the same minute; the reverse (a failover right after a failback) cannot happen inside the
 *   guard's cooldown, and would take effect one minute later because the rounds keep publishing 1.
 *   Route 53 accepts only standard-resolution alarms with Average, Minimum, Maximum, Sum or
 *   SampleCount (https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html),
 *   so a sub-minute period or a "latest value" statistic is not available.
 */

/** The CloudWatch alarm (in the control region) that Route 53's PRIMARY health check follows. */
export function flagAlarmName(stage: string, serviceName: string): string {
  return `switchback-${stage}-${serviceName}-failover-flag`;
}

/** CallerReference of the CLOUDWATCH_METRIC health check that watches `flagAlarmName(stage, service)`. */
export function flagHealthCheckReference(stage: string, serviceName: string): string {
  return flagAlarmName(stage, serviceName);
}

/** SetIdentifier of the PRIMARY / SECONDARY failover records. */
export function failoverSetIdentifier(serviceName: string, role: 'primary' | 'secondary'): string {
  return `${serviceName}-${role}`;
}

/** Namespace, metric and dimension names of the flag (1 = traffic belongs on the secondary). */
export const FLAG_METRIC = {
  namespace: 'switchback',
  metricName: 'FailoverActive',
  stageDimensionName: 'Stage',
  dimensionName: 'Service',
} as const;

/** The dimensions of one service's flag in one stage. */
export function flagDimensions(stage: string, serviceName: string): Record<string, string> {
  return { [FLAG_METRIC.stageDimensionName]: stage, [FLAG_METRIC.dimensionName]: serviceName };
}

/**
 * How the flag alarm and its health check are defined (see the module comment for why).
 * `treatMissingData: ignore` keeps the alarm's own state on the last decision between datapoints,
 * so `status` and the drill read the same thing Route 53's `LastKnownStatus` holds.
 */
export const FLAG_ALARM = {
  statistic: 'Minimum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 1,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  treatMissingData: 'ignore',
  insufficientDataHealthStatus: 'LastKnownStatus',
} as const;
