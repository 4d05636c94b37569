/**
 * `switchback drill report --html FILE`: the last live drill of a deployed stage as the same picture
 * `simulate --html` draws (sim/html.ts). The drill function's report carries each run's start and
 * end, every step's first start and end with its attempts, and when each stage was texted; this
 * turns them into timeline entries: state bands from the run boundaries, step bars, SMS pins, and a
 * DNS mark where the change reached INSYNC.
 */
import type { LiveDrillReport, RunTiming } from '../shared/app/drill';
import { renderTimelineHtml } from '../sim/html';
import type { TimelineEntry } from '../sim/runner';

/** The picture starts this long before the drill, on PRIMARY, so the first band is visible. */
const LEAD_SECONDS = 30;

interface Phase {
  timing: RunTiming;
  kind: 'failover' | 'failback';
  from: string;
  during: string;
  done: string;
  failed: string;
}

export function drillReportTimeline(report: LiveDrillReport): { durationSeconds: number; timeline: TimelineEntry[] } {
  const originEpochMs = report.failover.startedAtEpochMs - LEAD_SECONDS * 1000;
  const t = (epochMs: number) => (epochMs - originEpochMs) / 1000;
  const service = report.service;
  const phases: Phase[] = [
    { timing: report.failover, kind: 'failover', from: 'PRIMARY', during: 'FAILING_OVER', done: 'SECONDARY', failed: 'FAILOVER_FAILED' },
    ...(report.failback
      ? [
          {
            timing: report.failback,
            kind: 'failback' as const,
            from: 'SECONDARY',
            during: 'FAILING_BACK',
            done: 'PRIMARY',
            failed: 'FAILBACK_FAILED',
          },
        ]
      : []),
  ];
  const timeline: TimelineEntry[] = [];
  let lastEpochMs = report.failover.startedAtEpochMs;
  for (const { timing, kind, from, during, done, failed } of phases) {
    timeline.push({ t: t(timing.startedAtEpochMs), kind: 'transition', service, from, to: during, reason: `[DRILL] ${timing.reason}` });
    const switched = timing.steps.find((step) => step.action === 'route53.switch' && step.status === 'succeeded');
    for (const step of timing.steps) {
      if (step.startedAtEpochMs === undefined) continue;
      const name = `${step.action}#${step.id}`;
      timeline.push({ t: t(step.startedAtEpochMs), kind: 'step', service, runId: timing.runId, step: name, phase: 'started' });
      if (step.endedAtEpochMs === undefined) continue;
      timeline.push({
        t: t(step.endedAtEpochMs),
        kind: 'step',
        service,
        runId: timing.runId,
        step: name,
        phase: step.status,
        attempts: step.attempts,
        ...(step.note !== undefined && { note: step.note }),
        ...(step.error !== undefined && { error: step.error }),
      });
      lastEpochMs = Math.max(lastEpochMs, step.endedAtEpochMs);
      if (step.action === 'route53.waitInSync' && step.status === 'succeeded') {
        timeline.push({
          t: t(step.endedAtEpochMs),
          kind: 'dns',
          service,
          name: `${kind} INSYNC`,
          answer: [switched?.note ?? 'DNS change'],
        });
      }
    }
    for (const text of timing.texts) {
      timeline.push({ t: t(text.atEpochMs), kind: 'sms', service, text: `[DRILL] ${kind} ${text.stage}`, ok: text.ok });
      lastEpochMs = Math.max(lastEpochMs, text.atEpochMs);
    }
    if (timing.endedAtEpochMs !== undefined) {
      const to = timing.status === 'succeeded' ? done : timing.status === 'aborted' ? from : failed;
      timeline.push({
        t: t(timing.endedAtEpochMs),
        kind: 'transition',
        service,
        from: during,
        to,
        reason: `[DRILL] ${kind} ${timing.status}`,
      });
      lastEpochMs = Math.max(lastEpochMs, timing.endedAtEpochMs);
    }
  }
  timeline.sort((a, b) => a.t - b.t);
  return { durationSeconds: Math.ceil(t(lastEpochMs) + LEAD_SECONDS), timeline };
}

export function renderDrillReportHtml(report: LiveDrillReport): string {
  const { durationSeconds, timeline } = drillReportTimeline(report);
  return renderTimelineHtml({
    title: `switchback drill report: ${report.service}`,
    subtitle: `last live drill, started ${new Date(report.failover.startedAtEpochMs).toISOString()}; RTO ${report.rtoSeconds}s`,
    durationSeconds,
    timeline,
  });
}

/** The drill function's answer to `mode: report` (an error answer, or one from an older deploy, is not drawn). */
export function isLiveDrillReport(answer: unknown): answer is LiveDrillReport {
  if (!answer || typeof answer !== 'object') return false;
  const failover = (answer as { failover?: unknown }).failover;
  return (
    typeof (answer as { service?: unknown }).service === 'string' &&
    !!failover &&
    typeof failover === 'object' &&
    typeof (failover as { startedAtEpochMs?: unknown }).startedAtEpochMs === 'number' &&
    Array.isArray((failover as { texts?: unknown }).texts)
  );
}
