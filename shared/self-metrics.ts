/**
 * switchback's own health, as CloudWatch metrics: namespace `switchback`, one dimension set for
 * every metric: `service=switchback` (Powertools Metrics always adds it), `Stage=<stage>` (two stages
 * in one account never feed each other's alarms) and `Location=<region>` (the probe location, i.e.
 * the region whose functions counted it). The deployed functions record them with Powertools Metrics
 * (embedded metric format, flushed after every invocation by its middy middleware, see
 * ./app/lambda-handler); the simulator and tests record them in memory. Every name here has an alarm
 * to the alerts topic in the generated template (serverless/deployment.ts), and a test ties each name
 * counted in the code to its alarm.
 */
import type { ControllerEvent, EventSink } from './events';

export interface SelfMetricDefinition {
  /** What one count means (the alarm's description says it too). */
  meaning: string;
  /**
   * The alarm fires when the per-minute Sum is at least / below `threshold` in `datapoints` of the
   * last `periods` minutes; `missingData` is what a minute without a datapoint counts as.
   */
  alarm: {
    comparison: 'atLeast' | 'below';
    threshold: number;
    periods: number;
    datapoints: number;
    missingData: 'breaching' | 'notBreaching';
  };
}

/** An alarm when the per-minute Sum is at least `threshold` in `datapoints` of the last `periods` minutes (no data: fine). */
function atLeast(threshold: number, periods: number, datapoints = 1): SelfMetricDefinition['alarm'] {
  return { comparison: 'atLeast', threshold, periods, datapoints, missingData: 'notBreaching' };
}

/** An alarm when the per-minute Sum stays below `threshold` for `periods` minutes, a minute without data included. */
function silentFor(periods: number, threshold = 1): SelfMetricDefinition['alarm'] {
  return { comparison: 'below', threshold, periods, datapoints: periods, missingData: 'breaching' };
}

/* The table: one metric a line, its alarm, and what one count means (the alarm's description). */
// prettier-ignore
export const SELF_METRICS = {
  ProbeRoundsCompleted: { alarm: silentFor(3), meaning: 'scheduled probe rounds completed with every decision made (the heartbeat): none for 3 minutes means failures are not being detected' },
  DecisionErrors: { alarm: atLeast(1, 3, 2), meaning: 'a service could not be decided on (a throttled table, a bug): it is not being watched' },
  RunResumes: { alarm: atLeast(3, 15), meaning: 'the watchdog resumed a run whose orchestrator died or never started' },
  NotificationFailures: { alarm: atLeast(1, 5), meaning: 'a text (SMS or topic publish) failed for at least one recipient: people may not have been told' },
  AlarmEventsRejected: { alarm: atLeast(1, 5), meaning: 'an alarm event could not be read (malformed): an alarm may have been missed' },
  LocationStale: { alarm: atLeast(1, 3, 3), meaning: 'configured probe locations that have not reported for over 150 s (they do not vote)' },
  HookFailures: { alarm: atLeast(1, 5), meaning: 'a lambda.invoke step or a failback check failed or could not be invoked' },
} as const satisfies Record<string, SelfMetricDefinition>;

export type SelfMetricName = keyof typeof SELF_METRICS;
export const SELF_METRIC_NAMES = Object.keys(SELF_METRICS) as SelfMetricName[];

/** The port the use cases count through. */
export interface SelfMetrics {
  count(name: SelfMetricName, value?: number): void;
}

/** For callers that do not watch the controller's health (benchmarks, some tests). */
export const noSelfMetrics: SelfMetrics = { count() {} };

/** In memory (simulator, tests): totals per name. */
export function recordingSelfMetrics(): SelfMetrics & { totals: Partial<Record<SelfMetricName, number>> } {
  const totals: Partial<Record<SelfMetricName, number>> = {};
  return {
    totals,
    count(name, value = 1) {
      totals[name] = (totals[name] ?? 0) + value;
    },
  };
}

export const SELF_METRICS_NAMESPACE = 'switchback';
/** Powertools' `service` dimension: one value for every function, so each metric has one alarm per stage and location. */
export const SELF_METRICS_SERVICE = 'switchback';

/** The one dimension set of every self metric (what the functions emit and the alarms watch). */
export function selfMetricDimensions(stage: string, location: string): { service: string; Stage: string; Location: string } {
  return { service: SELF_METRICS_SERVICE, Stage: stage, Location: location };
}

/**
 * Counts that follow from a controller event, so every path that texts or runs a hook (the engine,
 * one-off alerts, drills) is counted without each knowing about metrics: a text that failed for a
 * recipient is a NotificationFailure, a `lambda.invoke` step that failed for good is a HookFailure.
 */
export function countEventMetrics(metrics: SelfMetrics, event: ControllerEvent): void {
  if (event.kind === 'sms' && !event.ok) metrics.count('NotificationFailures');
  if (event.kind === 'step' && event.phase === 'failed' && event.action === 'lambda.invoke') metrics.count('HookFailures');
}

/** The controller's event channel, counting what `countEventMetrics` derives from each event on the way. */
export function countingEvents(emit: EventSink, metrics: SelfMetrics): EventSink {
  return (event) => {
    countEventMetrics(metrics, event);
    emit(event);
  };
}
