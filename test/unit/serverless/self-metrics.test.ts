/**
 * switchback's own metrics: every name the code counts is defined once (shared/self-metrics.ts), has
 * an alarm to the alerts topic in the generated template, and the alarm watches exactly the namespace
 * and dimension set Powertools writes (stage-scoped). A probe location watches its own heartbeat in
 * its own region.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildResources } from '../../../serverless/deployment';
import { createPowertoolsSelfMetrics } from '../../../shared/app/lambda-handler';
import { SELF_METRIC_NAMES, type SelfMetricName } from '../../../shared/self-metrics';
import { fullConfig, REPO_ROOT, PROD_CONTROLLER } from './fixtures';

const controller = PROD_CONTROLLER;

type Alarm = { Type: string; Properties: Record<string, any> };

/** The alarms on switchback's own metrics (not the DNS flag, not the DLQ depth). */
function selfMetricAlarmsIn(resources: Record<string, unknown>): Alarm[] {
  return Object.values(resources as Record<string, Alarm>).filter(
    (resource) =>
      resource.Type === 'AWS::CloudWatch::Alarm' &&
      resource.Properties.Namespace === 'switchback' &&
      resource.Properties.MetricName !== 'FailoverActive',
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every `.count('Name'` in what Lambda loads. */
function metricNamesCountedInCode(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sourceFiles(join(REPO_ROOT, 'shared')), ...sourceFiles(join(REPO_ROOT, 'functions'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\.count\(\s*'([A-Za-z]+)'/g)) names.add(match[1]);
  }
  return names;
}

/** What Powertools writes to stdout for one count, as the deployed handler builds it. */
function emfFor(name: SelfMetricName, env: NodeJS.ProcessEnv): Record<string, any> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const { metrics, selfMetrics } = createPowertoolsSelfMetrics(quiet, env);
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk).trim());
    return true;
  });
  try {
    selfMetrics.count(name, 2);
    metrics.publishStoredMetrics();
  } finally {
    spy.mockRestore();
  }
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

describe('self metrics', () => {
  it('counts every defined metric somewhere in the code, and nothing undefined', () => {
    expect([...metricNamesCountedInCode()].sort()).toEqual([...SELF_METRIC_NAMES].sort());
  });

  it('gives every metric an alarm to the alerts topic on the controller stack', () => {
    const { Resources } = buildResources(fullConfig(), controller);
    const alarms = selfMetricAlarmsIn(Resources);
    expect(alarms.map((alarm) => alarm.Properties.MetricName).sort()).toEqual([...SELF_METRIC_NAMES].sort());
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'switchback',
        Dimensions: [
          { Name: 'service', Value: 'switchback' },
          { Name: 'Stage', Value: 'prod' },
          { Name: 'Location', Value: 'us-west-2' },
        ],
        Period: 60,
        Statistic: 'Sum',
      });
      expect(alarm.Properties.AlarmName).toMatch(/^switchback-prod-/);
      expect(alarm.Properties.AlarmActions[0]).toEqual({ Ref: 'AlertsTopic' });
    }
    expect((Resources.HeartbeatAlarm as Alarm).Properties).toMatchObject({
      AlarmName: 'switchback-prod-heartbeat',
      MetricName: 'ProbeRoundsCompleted',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect((Resources.DecisionErrorsAlarm as Alarm).Properties).toMatchObject({
      AlarmName: 'switchback-prod-decision-errors',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on exactly the namespace and dimension set Powertools writes, and another stage writes another set', () => {
    const { Resources } = buildResources(fullConfig(), controller);
    const env = { SWITCHBACK_STAGE: 'prod', SWITCHBACK_LOCATION: 'us-west-2' };
    for (const alarm of selfMetricAlarmsIn(Resources)) {
      const emf = emfFor(alarm.Properties.MetricName, env);
      expect(emf._aws.CloudWatchMetrics).toHaveLength(1);
      const [directive] = emf._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe(alarm.Properties.Namespace);
      expect(directive.Metrics).toEqual([{ Name: alarm.Properties.MetricName, Unit: 'Count' }]);
      // One dimension set, exactly the alarm's: a metric with any other set is another metric to CloudWatch.
      expect(directive.Dimensions).toHaveLength(1);
      expect([...directive.Dimensions[0]].sort()).toEqual(alarm.Properties.Dimensions.map((d: { Name: string }) => d.Name).sort());
      for (const dimension of alarm.Properties.Dimensions) expect(emf[dimension.Name]).toBe(dimension.Value);
      expect(emf[alarm.Properties.MetricName]).toBe(2);
    }
    expect(emfFor('DecisionErrors', { SWITCHBACK_STAGE: 'dev', SWITCHBACK_LOCATION: 'us-west-2' }).Stage).toBe('dev');
  });

  it('gives an extra probe location its own heartbeat and text-failure alarms and alerts topic in its region', () => {
    const { Resources } = buildResources(fullConfig(), { ...controller, role: 'probe-only', region: 'eu-west-1' });
    const alarms = selfMetricAlarmsIn(Resources);
    expect(alarms.map((alarm) => alarm.Properties.MetricName).sort()).toEqual(['NotificationFailures', 'ProbeRoundsCompleted']);
    expect((Resources.HeartbeatAlarm as Alarm).Properties).toMatchObject({
      AlarmName: 'switchback-prod-heartbeat',
      MetricName: 'ProbeRoundsCompleted',
      Dimensions: [
        { Name: 'service', Value: 'switchback' },
        { Name: 'Stage', Value: 'prod' },
        { Name: 'Location', Value: 'eu-west-1' },
      ],
      TreatMissingData: 'breaching',
      // The configured topic lives in us-west-2: an alarm in eu-west-1 cannot notify it.
      AlarmActions: [{ Ref: 'AlertsTopic' }],
    });
    expect(Resources.AlertsTopic).toMatchObject({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'switchback-prod-alerts' } });
    const sms = Object.values(Resources as Record<string, Alarm>).filter((resource) => resource.Type === 'AWS::SNS::Subscription');
    expect(sms.map((subscription) => subscription.Properties.Endpoint)).toEqual(['+15555550100', '+15555550101']);
  });
});
