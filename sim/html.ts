/**
 * A picture of a run: one self-contained HTML page (inline SVG and CSS, no script, no network) drawn
 * from a simulation's timeline, for `switchback simulate --html` and `switchback drill report --html`.
 *
 * Each service gets a lane: state bands along the top (PRIMARY, FAILING_OVER, SECONDARY, …), one row
 * per probe location with a tick for every round that saw one of the service's sites failing, the
 * runbook steps as bars (a tick per attempt), SMS pins and DNS-answer changes. Every mark carries a
 * `<title>` (the tooltip says exactly what happened) and a class the legend explains.
 */
import type { TimelineEntry } from './runner';

/** What the page needs: the timeline of `simulate --json`, its length, and a title. */
export interface TimelinePicture {
  title: string;
  subtitle?: string;
  durationSeconds: number;
  timeline: TimelineEntry[];
}

const STATE_COLOURS: Record<string, string> = {
  PRIMARY: '#2e7d32',
  FAILING_OVER: '#f9a825',
  SECONDARY: '#1565c0',
  FAILING_BACK: '#f9a825',
  FAILOVER_FAILED: '#c62828',
  FAILBACK_FAILED: '#c62828',
};
const STEP_COLOURS: Record<string, string> = { succeeded: '#546e7a', failed: '#c62828', skipped: '#b0bec5', running: '#90a4ae' };

const WIDTH = 1200;
const LEFT = 150;
const RIGHT = 20;
const ROW = 18;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
}

interface StepBar {
  name: string;
  startT: number;
  endT: number;
  status: string;
  attempts: number;
  detail: string;
}

interface Lane {
  service: string;
  states: Array<{ t: number; state: string; reason: string }>;
  probeFailures: Map<string, Array<{ t: number; sites: string[] }>>;
  steps: StepBar[];
  sms: Array<{ t: number; text: string; ok: boolean }>;
  dns: Array<{ t: number; text: string }>;
}

function laneFor(lanes: Map<string, Lane>, service: string): Lane {
  let lane = lanes.get(service);
  if (!lane) {
    lane = { service, states: [], probeFailures: new Map(), steps: [], sms: [], dns: [] };
    lanes.set(service, lane);
  }
  return lane;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Group the timeline into lanes: one per service, in the order services first appear. */
export function buildLanes(timeline: TimelineEntry[]): Lane[] {
  const lanes = new Map<string, Lane>();
  const openSteps = new Map<string, StepBar>();
  const locations = new Set<string>();
  for (const entry of timeline) if (entry.kind === 'probe' && entry.location) locations.add(String(entry.location));
  for (const entry of timeline) {
    if (entry.kind === 'probe') {
      const location = String(entry.location ?? 'control');
      const failing = new Map<string, string[]>();
      for (const service of asStrings(entry.primaryDown)) failing.set(service, [...(failing.get(service) ?? []), 'primary']);
      for (const service of asStrings(entry.secondaryDown)) failing.set(service, [...(failing.get(service) ?? []), 'secondary']);
      for (const [service, sites] of failing) {
        const rows = laneFor(lanes, service).probeFailures;
        rows.set(location, [...(rows.get(location) ?? []), { t: entry.t, sites }]);
      }
      continue;
    }
    if (!entry.service) continue;
    const lane = laneFor(lanes, entry.service);
    if (entry.kind === 'transition') {
      if (lane.states.length === 0 && entry.from) lane.states.push({ t: 0, state: String(entry.from), reason: 'at the start' });
      lane.states.push({ t: entry.t, state: String(entry.to), reason: String(entry.reason ?? '') });
    } else if (entry.kind === 'step') {
      const key = `${String(entry.runId ?? '')}/${String(entry.step ?? entry.id)}`;
      const phase = String(entry.phase ?? entry.status ?? '');
      if (phase === 'started' || phase === 'running') {
        if (!openSteps.has(key)) {
          const bar: StepBar = {
            name: String(entry.step ?? entry.id),
            startT: entry.t,
            endT: entry.t,
            status: 'running',
            attempts: 1,
            detail: '',
          };
          openSteps.set(key, bar);
          lane.steps.push(bar);
        }
        continue;
      }
      const bar = openSteps.get(key) ?? {
        name: String(entry.step ?? entry.id),
        startT: entry.t - (typeof entry.durationMs === 'number' ? entry.durationMs / 1000 : 0),
        endT: entry.t,
        status: phase,
        attempts: 1,
        detail: '',
      };
      if (!openSteps.has(key)) lane.steps.push(bar);
      openSteps.delete(key);
      bar.endT = entry.t;
      bar.status = phase;
      bar.attempts = typeof entry.attempts === 'number' ? entry.attempts : bar.attempts;
      bar.detail = entry.note ? String(entry.note) : entry.error ? String(entry.error) : '';
    } else if (entry.kind === 'sms') {
      lane.sms.push({ t: entry.t, text: String(entry.text ?? ''), ok: entry.ok !== false });
    } else if (entry.kind === 'dns') {
      const answer = Array.isArray(entry.answer) ? entry.answer.join(', ') : JSON.stringify(entry.answer ?? '(no answer)');
      lane.dns.push({ t: entry.t, text: `${String(entry.name ?? '')} → ${answer}` });
    }
  }
  for (const lane of lanes.values()) {
    if (lane.states.length === 0) lane.states.push({ t: 0, state: 'PRIMARY', reason: 'no transition in this run' });
    for (const location of locations) if (!lane.probeFailures.has(location)) lane.probeFailures.set(location, []);
  }
  return [...lanes.values()];
}

function laneSvg(lane: Lane, durationSeconds: number): string {
  const span = Math.max(durationSeconds, 1);
  const x = (t: number) => LEFT + (Math.min(Math.max(t, 0), span) / span) * (WIDTH - LEFT - RIGHT);
  const parts: string[] = [];
  let y = 4;
  parts.push(`<text class="lane-title" x="4" y="${y + 12}">${escapeHtml(lane.service)}</text>`);

  // State bands.
  parts.push(`<text class="row-label" x="${LEFT - 6}" y="${y + 13}" text-anchor="end">state</text>`);
  lane.states.forEach((band, index) => {
    const end = lane.states[index + 1]?.t ?? span;
    const colour = STATE_COLOURS[band.state] ?? '#757575';
    parts.push(
      `<rect class="state-band" data-state="${escapeHtml(band.state)}" x="${x(band.t).toFixed(1)}" y="${y}" width="${Math.max(x(end) - x(band.t), 1).toFixed(1)}" height="${ROW}" fill="${colour}"><title>${escapeHtml(`${clock(band.t)}–${clock(end)} ${band.state}: ${band.reason}`)}</title></rect>`,
    );
    if (x(end) - x(band.t) > 70)
      parts.push(`<text class="band-label" x="${(x(band.t) + 4).toFixed(1)}" y="${y + 13}">${escapeHtml(band.state)}</text>`);
  });
  y += ROW + 6;

  // Probe failures, one row per location.
  for (const [location, failures] of lane.probeFailures) {
    parts.push(`<text class="row-label" x="${LEFT - 6}" y="${y + 11}" text-anchor="end">probes ${escapeHtml(location)}</text>`);
    parts.push(`<line class="row-axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y + 7}" y2="${y + 7}"/>`);
    for (const failure of failures) {
      const colour = failure.sites.includes('primary') ? '#c62828' : '#ef6c00';
      parts.push(
        `<rect class="probe-fail" data-location="${escapeHtml(location)}" x="${x(failure.t).toFixed(1)}" y="${y}" width="2" height="14" fill="${colour}"><title>${escapeHtml(`${clock(failure.t)} ${location}: ${failure.sites.join(' and ')} failing`)}</title></rect>`,
      );
    }
    y += ROW;
  }

  // Steps: one row each, a bar from first start to finish with a tick per attempt.
  for (const step of lane.steps) {
    const left = x(step.startT);
    const width = Math.max(x(step.endT) - left, 3);
    const colour = STEP_COLOURS[step.status] ?? '#757575';
    const label = `${step.name} ${step.status} ${Math.round(step.endT - step.startT)}s${step.attempts > 1 ? ` after ${step.attempts} attempts` : ''}${step.detail ? ` (${step.detail})` : ''}`;
    parts.push(`<text class="row-label" x="${LEFT - 6}" y="${y + 11}" text-anchor="end">${escapeHtml(step.name)}</text>`);
    parts.push(
      `<g class="step-bar" data-step="${escapeHtml(step.name)}" data-status="${escapeHtml(step.status)}"><rect x="${left.toFixed(1)}" y="${y + 2}" width="${width.toFixed(1)}" height="12" rx="2" fill="${colour}"/><title>${escapeHtml(`${clock(step.startT)} ${label}`)}</title>`,
    );
    for (let attempt = 1; attempt <= step.attempts; attempt++) {
      const tickX = left + (width * (attempt - 1)) / step.attempts;
      parts.push(`<line class="attempt-tick" x1="${tickX.toFixed(1)}" x2="${tickX.toFixed(1)}" y1="${y}" y2="${y + 16}"/>`);
    }
    parts.push('</g>');
    y += ROW;
  }

  // SMS pins and DNS changes share the bottom row.
  parts.push(`<text class="row-label" x="${LEFT - 6}" y="${y + 13}" text-anchor="end">SMS / DNS</text>`);
  parts.push(`<line class="row-axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y + 9}" y2="${y + 9}"/>`);
  for (const sms of lane.sms) {
    const px = x(sms.t);
    parts.push(
      `<g class="sms-pin" data-ok="${sms.ok}"><path d="M${px.toFixed(1)} ${y + 18} l-5 -9 a5 5 0 1 1 10 0 z" fill="${sms.ok ? '#6a1b9a' : '#c62828'}"/><title>${escapeHtml(`${clock(sms.t)} SMS${sms.ok ? '' : ' (failed to send)'}: ${sms.text}`)}</title></g>`,
    );
  }
  for (const change of lane.dns) {
    const px = x(change.t);
    parts.push(
      `<g class="dns-change"><rect x="${(px - 5).toFixed(1)}" y="${y + 4}" width="10" height="10" transform="rotate(45 ${px.toFixed(1)} ${y + 9})" fill="#00838f"/><title>${escapeHtml(`${clock(change.t)} DNS ${change.text}`)}</title></g>`,
    );
  }
  y += ROW + 8;
  return `<svg class="lane" data-service="${escapeHtml(lane.service)}" role="img" aria-label="${escapeHtml(`timeline of ${lane.service}`)}" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function axisSvg(durationSeconds: number): string {
  const span = Math.max(durationSeconds, 1);
  const x = (t: number) => LEFT + (t / span) * (WIDTH - LEFT - RIGHT);
  const stepSeconds = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200].find((candidate) => span / candidate <= 12) ?? 14_400;
  const ticks: string[] = [];
  for (let t = 0; t <= span; t += stepSeconds) {
    ticks.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="0" y2="6" stroke="#555"/><text x="${x(t).toFixed(1)}" y="18" text-anchor="middle">${clock(t)}</text>`,
    );
  }
  return `<svg class="axis" width="${WIDTH}" height="24" viewBox="0 0 ${WIDTH} 24" xmlns="http://www.w3.org/2000/svg">${ticks.join('')}</svg>`;
}

const LEGEND: Array<[string, string]> = [
  ['<rect width="14" height="10" fill="#2e7d32"/>', 'PRIMARY'],
  ['<rect width="14" height="10" fill="#f9a825"/>', 'FAILING_OVER / FAILING_BACK (a run is under way)'],
  ['<rect width="14" height="10" fill="#1565c0"/>', 'SECONDARY'],
  ['<rect width="14" height="10" fill="#c62828"/>', 'FAILOVER_FAILED / FAILBACK_FAILED (a human must look)'],
  ['<rect x="6" width="2" height="10" fill="#c62828"/>', 'probe round that saw the primary failing (orange: only the secondary)'],
  [
    '<rect y="1" width="14" height="8" fill="#546e7a"/><line x1="5" x2="5" y1="0" y2="10" stroke="#fff"/>',
    'runbook step; a white tick per attempt (red: failed)',
  ],
  ['<path d="M7 10 l-5 -9 a5 5 0 1 1 10 0 z" fill="#6a1b9a"/>', 'SMS sent (red: failed to send)'],
  ['<rect x="3" y="1" width="8" height="8" transform="rotate(45 7 5)" fill="#00838f"/>', 'DNS answer changed'],
];

/** The whole page. Hover any mark for what happened and when. */
export function renderTimelineHtml(picture: TimelinePicture): string {
  const lanes = buildLanes(picture.timeline);
  const legend = LEGEND.map(
    ([icon, text]) => `<li><svg width="16" height="12" viewBox="0 0 16 12" aria-hidden="true">${icon}</svg>${escapeHtml(text)}</li>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(picture.title)}</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 16px; color: #212121; }
h1 { font-size: 18px; margin: 0 0 4px; }
p.subtitle { margin: 0 0 12px; color: #555; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 12px; }
ul.legend li svg { margin-right: 6px; vertical-align: middle; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .lane-title { font-weight: 600; font-size: 13px; }
svg .band-label { fill: #fff; font-weight: 600; }
svg .row-axis { stroke: #e0e0e0; }
svg .attempt-tick { stroke: #fff; stroke-width: 1.5; }
svg.lane { display: block; border-top: 1px solid #eee; }
</style>
</head>
<body>
<h1>${escapeHtml(picture.title)}</h1>
${picture.subtitle ? `<p class="subtitle">${escapeHtml(picture.subtitle)}</p>` : ''}
<ul class="legend">${legend}</ul>
${axisSvg(picture.durationSeconds)}
${lanes.map((lane) => laneSvg(lane, picture.durationSeconds)).join('\n')}
</body>
</html>
`;
}
