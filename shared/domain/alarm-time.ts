/**
 * When an alarm delivery may be acted on. CloudWatch stamps a state change with the time it was
 * evaluated; EventBridge and SNS deliver it seconds (or, retried, minutes) later. A stamp far in the
 * future is a broken clock or a forged event: recorded, it would make every genuine transition
 * after it look "older" and be ignored, so it is refused. Pure: time comes in as arguments.
 */

/** How far ahead of our clock an alarm's stamp may be (clock skew between CloudWatch and Lambda). */
export const ALARM_CLOCK_SKEW_SECONDS = 60;

/** Why a delivery of `name` going to `state`, stamped `atEpochMs`, is not acted on at `nowEpochMs`; undefined when it may be. */
export function alarmTimeProblem(
  alarm: { name: string; state: string; atEpochMs: number },
  nowEpochMs: number,
  maxAlarmAgeSeconds: number,
): string | undefined {
  const aheadMs = alarm.atEpochMs - nowEpochMs;
  if (aheadMs > ALARM_CLOCK_SKEW_SECONDS * 1000)
    return `alarm ${alarm.name} ${alarm.state} is stamped ${Math.round(aheadMs / 1000)}s in the future (max skew ${ALARM_CLOCK_SKEW_SECONDS}s): refused`;
  if (-aheadMs > maxAlarmAgeSeconds * 1000)
    return `alarm ${alarm.name} ${alarm.state} is ${Math.round(-aheadMs / 1000)}s old (max ${maxAlarmAgeSeconds}s): too late to act on`;
  return undefined;
}

/**
 * The time to record for an accepted delivery: never later than now. A stamp within the skew is
 * recorded as now, so a genuine transition right after it is not mistaken for an older one.
 */
export function recordedAlarmEpochMs(atEpochMs: number, nowEpochMs: number): number {
  return Math.min(atEpochMs, nowEpochMs);
}

/** Whether a delivery stamped `atEpochMs` is older than the recorded one (a record from the future, written before this rule, blocks nothing). */
export function olderThanRecorded(atEpochMs: number, recordedEpochMs: number, nowEpochMs: number): boolean {
  return recordedEpochMs <= nowEpochMs && atEpochMs < recordedEpochMs;
}
