/**
 * Names shared by the engine, the drill, the embedded world and the real deployment for the `health-check-flag` DNS
 * strategy. `serverless.yml` must create the same alarm, health check and failover records, so
 * these live in a module that imports nothing (safe to load from any build script).
 */

/** The CloudWatch alarm (in the control region) that Route 53's PRIMARY health check follows. */
export function flagAlarmName(serviceName: string): string {
  return `switchback-${serviceName}-failover-flag`;
}

/** CallerReference of the CLOUDWATCH_METRIC health check that watches `flagAlarmName(service)`. */
export function flagHealthCheckReference(serviceName: string): string {
  return `switchback-${serviceName}-failover-flag`;
}

/** SetIdentifier of the PRIMARY / SECONDARY failover records. */
export function failoverSetIdentifier(serviceName: string, role: 'primary' | 'secondary'): string {
  return `${serviceName}-${role}`;
}

/**
 * How the flag alarm is defined: ALARM as soon as the latest `switchback/FailoverActive`
 * (dimension `Service=<name>`) datapoint is ≥ 1. Missing data keeps the last state, because the
 * flag is published when it changes, not continuously.
 */
export const FLAG_ALARM = {
  statistic: 'Maximum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  treatMissingData: 'ignore',
} as const;
