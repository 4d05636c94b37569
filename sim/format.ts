/** The human timeline of `switchback simulate` (the JSON output carries the same entries). */
import type { SimulationResult, TimelineEntry } from './runner';

export function clockTime(seconds: number): string {
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function describeAnswer(answer: unknown): string {
  if (Array.isArray(answer)) return answer.join(', ');
  if (answer && typeof answer === 'object') return JSON.stringify(answer);
  return String(answer ?? '(no answer)');
}

/**
 * One line per entry worth reading; probe rounds only when the set of failing sites changes, and a
 * step's repeated error once: consecutive retries with the same error collapse into one line
 * ending in "(×N)", and into the step's final line when it failed with that same error.
 */
export function formatTimeline(result: SimulationResult): string {
  const lines: string[] = [];
  const lastDown = new Map<string, string>();
  const repeats = collapseRepeatedStepErrors(result.timeline);
  result.timeline.forEach((entry, index) => {
    const repeat = repeats.get(index);
    if (repeat === 0) return;
    let line = describeEntry(entry, lastDown);
    if (line && repeat !== undefined && repeat > 1) line = `${line} (×${repeat})`;
    if (line) lines.push(`${clockTime(entry.t)} ${line}`);
  });
  return lines.join('\n');
}

const stepPhase = (entry: TimelineEntry) => String(entry.phase ?? entry.status ?? '');

/**
 * For step entries that carry an error: index → how many identical errors in a row the line
 * stands for (0: folded into a later line). A run of identical retries is shown on its last
 * retry, or on the final "failed" line when that is the same error again.
 */
function collapseRepeatedStepErrors(timeline: TimelineEntry[]): Map<number, number> {
  const byStep = new Map<string, number[]>();
  timeline.forEach((entry, index) => {
    if (entry.kind !== 'step' || entry.error === undefined) return;
    const phase = stepPhase(entry);
    if (phase !== 'retrying' && phase !== 'failed') return;
    const key = `${String(entry.runId ?? '')}/${String(entry.step ?? entry.id)}`;
    byStep.set(key, [...(byStep.get(key) ?? []), index]);
  });
  const repeats = new Map<number, number>();
  for (const indexes of byStep.values()) {
    let runStart = 0;
    for (let position = 1; position <= indexes.length; position++) {
      const previous = timeline[indexes[position - 1]];
      const current = position < indexes.length ? timeline[indexes[position]] : undefined;
      if (current && String(current.error) === String(previous.error) && stepPhase(previous) === 'retrying') continue;
      // indexes[runStart .. position-1] is one run of the same error: show it once, on its last entry.
      for (let hidden = runStart; hidden < position - 1; hidden++) repeats.set(indexes[hidden], 0);
      repeats.set(indexes[position - 1], position - runStart);
      runStart = position;
    }
  }
  return repeats;
}

function describeEntry(entry: TimelineEntry, lastDown: Map<string, string>): string | undefined {
  const service = entry.service ? `${entry.service} ` : '';
  switch (entry.kind) {
    case 'site':
      if (entry.location || entry.region || entry.rds) return String(entry.message);
      return `${service}${String(entry.site)} site → ${String(entry.health)}${entry.latencyMs ? ` (${entry.latencyMs} ms)` : ''}${entry.periodSeconds ? ` (every ${entry.periodSeconds}s)` : ''}${entry.status ? ` (HTTP ${entry.status})` : ''}`;
    case 'probe': {
      const primary = (entry.primaryDown as string[] | undefined) ?? [];
      const secondary = (entry.secondaryDown as string[] | undefined) ?? [];
      const key = `${primary.join(',')}|${secondary.join(',')}`;
      const location = String(entry.location ?? '');
      if (lastDown.get(location) === key) return undefined;
      lastDown.set(location, key);
      const parts = [
        primary.length ? `primary failing: ${primary.join(', ')}` : '',
        secondary.length ? `secondary failing: ${secondary.join(', ')}` : '',
      ].filter(Boolean);
      return `probe ${location}: ${parts.length ? parts.join('; ') : 'all sites healthy'}`;
    }
    case 'transition':
      return `${service}${String(entry.from)}→${String(entry.to)}  ${String(entry.reason)}`;
    case 'decision':
      return `${service}${String(entry.reason)}`;
    case 'step': {
      const phase = String(entry.phase ?? entry.status ?? '');
      if (phase === 'started' || phase === 'running') return undefined;
      const seconds = typeof entry.durationMs === 'number' ? ` ${(entry.durationMs / 1000).toFixed(1)}s` : '';
      const attempts = typeof entry.attempts === 'number' && entry.attempts > 1 ? ` after ${entry.attempts} attempts` : '';
      const note = entry.note ? ` (${String(entry.note)})` : entry.error ? `: ${String(entry.error)}` : '';
      return `${service}  step ${String(entry.step ?? entry.id)} ${phase}${seconds}${attempts}${note}`;
    }
    case 'sms':
      return `${service}SMS${entry.ok === false ? ' (FAILED to send)' : ''}: ${String(entry.text)}`;
    case 'dns':
      return `${service}DNS ${String(entry.name)} now answers ${describeAnswer(entry.answer)}`;
    case 'alarm':
      // The scenario's delivery (no outcome yet), then what the alarm function did with it; duplicates say nothing new.
      if (entry.outcome === undefined)
        return `alarm ${String(entry.alarm)} → ${String(entry.state)}${Number(entry.deliveries) > 1 ? ` (${entry.deliveries} deliveries)` : ''}${entry.lost ? `: ${String(entry.reason)}` : ''}`;
      if (entry.outcome === 'duplicate') return undefined;
      return `alarm ${String(entry.alarm)} ${String(entry.state)}: ${String(entry.outcome)}${entry.reason ? ` - ${String(entry.reason)}` : ''}`;
    case 'invoke':
      if (entry.reason) return `${service}invoke ${String(entry.function)}: ${String(entry.reason)}`;
      if (entry.result === undefined) return undefined;
      return `invoke ${String(entry.function)} ${JSON.stringify(entry.payload)} → ${JSON.stringify(entry.result)}`;
    case 'chain':
      return `chain ${String(entry.location)}: ${String(entry.reason)}`;
    case 'fault':
      return `FAULT ${String(entry.message)}`;
    case 'error':
      return `ERROR ${String(entry.message)}`;
    default:
      return undefined;
  }
}

export function formatSummary(result: SimulationResult): string {
  const lines = [`summary (${result.summary.durationSeconds}s simulated in ${result.summary.realSeconds}s):`];
  for (const [name, service] of Object.entries(result.summary.services)) {
    const measured = [
      service.detectionSeconds !== undefined ? `detected in ${service.detectionSeconds}s` : '',
      service.failoverSeconds !== undefined ? `failover took ${service.failoverSeconds}s` : '',
      service.failbackSeconds !== undefined ? `failback took ${service.failbackSeconds}s` : '',
    ].filter(Boolean);
    lines.push(
      `  ${name}: ${service.finalState}${service.frozen ? ' (frozen)' : ''}, ${service.failovers} failover(s), ${service.failbacks} failback(s), DNS → ${describeAnswer(service.dnsTarget)}${measured.length ? `; ${measured.join(', ')}` : ''}`,
    );
  }
  lines.push(
    `  SMS sent: ${result.summary.sms.length}; AWS API calls: ${Object.values(result.summary.apiCalls).reduce((a, b) => a + b, 0)}`,
  );
  const undelivered = result.summary.sms.filter((message) => message.notDelivered);
  if (undelivered.length > 0) {
    lines.push(
      `  SMS NOT DELIVERED: ${undelivered.length}`,
      ...undelivered.map(
        (message) =>
          `    ${message.t}s to ${message.notDelivered} of ${message.recipients}: ${message.text} (${message.notDeliveredReasons?.join('; ')})`,
      ),
    );
  }
  if (result.summary.errors.length)
    lines.push(`  errors: ${result.summary.errors.length}`, ...result.summary.errors.map((error) => `    ${error}`));
  return lines.join('\n');
}
