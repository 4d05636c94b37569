/**
 * `switchback status` for people: per service its state and why, what each probe location sees, the
 * active run with its step progress, and the last runs. `--json` prints the function's answer as is.
 */
import type { RunSummary, ServiceStatus } from '../shared/app/status';

/** "42s ago", "3m ago", "2h ago", "4d ago" (or "in 5s" for a clock ahead of ours). */
export function ago(isoTime: string, nowEpochMs: number): string {
  const seconds = Math.round((nowEpochMs - Date.parse(isoTime)) / 1000);
  if (!Number.isFinite(seconds)) return isoTime;
  const magnitude = Math.abs(seconds);
  const text =
    magnitude < 120
      ? `${magnitude}s`
      : magnitude < 7200
        ? `${Math.round(magnitude / 60)}m`
        : magnitude < 172_800
          ? `${Math.round(magnitude / 3600)}h`
          : `${Math.round(magnitude / 86_400)}d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** Columns padded to their widest cell; the last column is left ragged. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    `${indent}${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')}`.trimEnd(),
  );
}

function runLine(run: RunSummary, nowEpochMs: number): string[] {
  return [
    run.id,
    run.kind,
    run.trigger,
    `${run.status}${run.dnsPending ? ' (DNS pending)' : ''}`,
    run.durationSeconds !== undefined ? `${run.durationSeconds}s` : '-',
    ago(run.startedAt, nowEpochMs),
    run.error ?? run.reason,
  ];
}

function serviceBlock(service: ServiceStatus, nowEpochMs: number): string[] {
  const lines = [
    `${service.service}: ${service.state} since ${service.since} (${ago(service.since, nowEpochMs)})${service.frozen ? `, FROZEN${service.frozenBy ? ` by ${service.frozenBy}` : ''}` : ''}`,
  ];
  if (service.reason) lines.push(`  why: ${service.reason}`);
  if (service.locations.length > 0) {
    lines.push('  probes:');
    lines.push(
      ...table(
        [
          ['location', 'primary', 'secondary', 'observed'],
          ...service.locations.map((location) => [
            location.location,
            location.primary,
            location.secondary,
            ago(location.observedAt, nowEpochMs),
          ]),
        ],
        '    ',
      ),
    );
  } else {
    lines.push('  probes: no observation yet');
  }
  const active = service.activeRun;
  if (active) {
    const progress =
      active.stepsTotal !== undefined ? `, step ${Math.min(active.stepsDone + 1, active.stepsTotal)} of ${active.stepsTotal}` : '';
    lines.push(
      `  active run: ${active.id} ${active.kind} (${active.trigger}) ${active.status}${progress}${active.currentStep ? `: ${active.currentStep}` : ''}, started ${ago(active.startedAt, nowEpochMs)}`,
    );
    if (active.waiting) lines.push(`  ${active.waiting}`);
  }
  if (service.recentRuns.length > 0) {
    lines.push('  last runs:');
    lines.push(
      ...table(
        [['run', 'kind', 'trigger', 'status', 'took', 'started', 'reason'], ...service.recentRuns.map((run) => runLine(run, nowEpochMs))],
        '    ',
      ),
    );
  } else {
    lines.push('  last runs: none');
  }
  return lines;
}

/** The whole `status` answer as text; `undefined` when the answer is not a status answer (printed as JSON then). */
export function formatStatus(answer: unknown, nowEpochMs: number): string | undefined {
  if (!answer || typeof answer !== 'object' || !Array.isArray((answer as { services?: unknown }).services)) return undefined;
  const services = (answer as { services: ServiceStatus[] }).services;
  return services.map((service) => serviceBlock(service, nowEpochMs).join('\n')).join('\n\n');
}
