/**
 * SMS texts. Every message fits one GSM-7 SMS (160 septets; `[ ] { } ^ ~ | \ €` count twice): one
 * character outside GSM-7 would switch the whole message to UCS-2 and a 70-character limit, so text
 * from reasons and AWS errors is folded to GSM-7 first (— → -, “ → ", … → ...). The variable part
 * (reason, error) is shortened with "..." so the fixed parts ("- DNS unchanged") always survive.
 */
import type { NotifyStage, Run } from './types';
import { dataAgeNote } from './data-age';

export const SMS_MAX_CHARS = 160;
const ELLIPSIS = '...';

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';
const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

/** Common non-GSM characters and their closest GSM-7 spelling. */
const FOLD: Record<string, string> = {
  '—': '-',
  '–': '-',
  '‐': '-',
  '‑': '-',
  '−': '-',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '`': "'",
  '´': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '…': '...',
  '•': '*',
  '·': '.',
  '×': 'x',
  '≥': '>=',
  '≤': '<=',
  '≠': '!=',
  '→': '->',
  '←': '<-',
  '⇒': '=>',
  '\t': ' ',
  '\u00a0': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
};

/** True when every character is in the GSM 03.38 default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!BASIC.has(char) && !EXTENSION.has(char)) return false;
  return true;
}

/** Length in septets: extension characters take two. Characters outside GSM-7 count as one (fold them first). */
export function gsm7Length(text: string): number {
  let length = 0;
  for (const char of text) length += EXTENSION.has(char) ? 2 : 1;
  return length;
}

/** Fold text to GSM-7: known look-alikes are replaced, anything else becomes "?". Newlines become spaces. */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text.replace(/[\r\n]+/g, ' ')) {
    if (BASIC.has(char) || EXTENSION.has(char)) out += char;
    else out += FOLD[char] ?? (char.normalize('NFD')[0] && BASIC.has(char.normalize('NFD')[0]) ? char.normalize('NFD')[0] : '?');
  }
  return out;
}

/** Cut text to at most `maxSeptets`, ending in "..." when anything was cut. */
function truncate(text: string, maxSeptets: number): string {
  if (gsm7Length(text) <= maxSeptets) return text;
  if (maxSeptets <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, maxSeptets));
  let out = '';
  let used = 0;
  for (const char of text) {
    const cost = EXTENSION.has(char) ? 2 : 1;
    if (used + cost > maxSeptets - ELLIPSIS.length) break;
    out += char;
    used += cost;
  }
  return out.trimEnd() + ELLIPSIS;
}

function prefix(service: string, drill: boolean): string {
  return `${drill ? '[DRILL] ' : ''}[switchback] ${toGsm7(service)}: `;
}

/** Compose `prefix + head + variable + tail`, shortening only `variable` (then, if still too long, everything). */
function compose(service: string, drill: boolean, head: string, variable: string, tail = ''): string {
  const fixed = prefix(service, drill) + toGsm7(head);
  const end = toGsm7(tail);
  const room = SMS_MAX_CHARS - gsm7Length(fixed) - gsm7Length(end);
  const middle = truncate(toGsm7(variable), Math.max(0, room));
  return truncate(fixed + middle + end, SMS_MAX_CHARS);
}

function dnsSwitched(run: Run): boolean {
  return run.steps.some((step) => step.action === 'route53.switch' && step.status === 'succeeded');
}

function tookSeconds(run: Run, extra: { durationSeconds?: number }): number {
  if (extra.durationSeconds !== undefined) return Math.round(extra.durationSeconds);
  return Math.round(((run.endedAtEpochMs ?? run.startedAtEpochMs) - run.startedAtEpochMs) / 1000);
}

/** Where traffic is after a failed or aborted run. */
function trafficNote(run: Run): string {
  if (run.kind === 'failover') return dnsSwitched(run) ? ' - traffic is on SECONDARY' : ' - DNS unchanged';
  return dnsSwitched(run) ? ' - traffic is back on PRIMARY' : ' - traffic still on SECONDARY';
}

/** The SMS for one stage of a run. Drill runs are labelled `[DRILL]`. */
export function runMessage(stage: NotifyStage, run: Run, extra: { durationSeconds?: number; error?: string } = {}): string {
  const drill = run.trigger === 'drill';
  const failover = run.kind === 'failover';
  switch (stage) {
    case 'started':
      return compose(run.service, drill, failover ? 'failing over: ' : 'failing back: ', run.reason);
    case 'succeeded': {
      const where = failover ? 'now on SECONDARY' : 'back on PRIMARY';
      const age = dataAgeNote(run);
      return compose(
        run.service,
        drill,
        `${where} (took ${tookSeconds(run, extra)}s${age ? `; ${age}` : ''})`,
        '',
        run.dnsPending ? ' - DNS_PENDING' : '',
      );
    }
    case 'failed': {
      const failed = [...run.steps].reverse().find((step) => step.status === 'failed');
      const error = extra.error ?? failed?.error ?? run.error ?? 'unknown error';
      const at = failed ? ` at ${failed.action}` : '';
      return compose(run.service, drill, `${failover ? 'FAILOVER' : 'FAILBACK'} FAILED${at}: `, error, trafficNote(run));
    }
    case 'dnsPending':
      return compose(
        run.service,
        drill,
        `DNS change not in sync after ${tookSeconds(run, extra)}s: DNS_PENDING`,
        '',
        ' - it will still apply',
      );
    case 'aborted':
      return compose(run.service, drill, `${run.kind} aborted by `, run.abortRequested?.by ?? 'an operator', trafficNote(run));
  }
}

export type AlertKey =
  'blocked' | 'cutoff' | 'cap' | 'cooldown' | 'drillPreempted' | 'drillCheck' | 'approveNeeded' | 'failbackHeld' | 'crashLoop';

const ALERT_HEAD: Record<AlertKey, string> = {
  blocked: 'failover blocked: ',
  cutoff: 'no action taken: ',
  cap: 'failover cap reached, manual only: ',
  cooldown: 'primary down, failover waits for cooldown: ',
  drillPreempted: 'real incident during a drill: ',
  drillCheck: 'drill check failed: ',
  approveNeeded: 'primary healthy again; failback waits for your approve: ',
  failbackHeld: 'failback held by a minority: ',
  crashLoop: 'run keeps crashing, a human must look: ',
};

/** One-off alerts (sent once per incident by the state machine; `drillCheck` by the scheduled dry-run). */
export function alertMessage(service: string, key: AlertKey, detail: string, drill = false): string {
  return compose(service, drill, ALERT_HEAD[key], detail);
}

/**
 * What a probe-only location texts when the control region goes dark and when it is back (issue 15
 * item 4). Not about one service: the whole controller, so the prefix names no service.
 */
export function controlRegionMessage(
  kind: 'unreachable' | 'back',
  where: { controlRegion: string; location: string },
  detail: string,
): string {
  const head =
    kind === 'unreachable'
      ? `[switchback] control region ${where.controlRegion} unreachable: automatic failover is OFF`
      : `[switchback] control region ${where.controlRegion} reachable again: automatic failover is back ON`;
  return truncate(toGsm7(`${head} (${detail}, seen from ${where.location})`), SMS_MAX_CHARS);
}

/**
 * `waiting for approval: <message> (NNs left)` while an `approval` step of the run waits for
 * `control approve` (the time left counts from the step's first start: a resume does not restart it).
 */
export function waitingForApproval(run: Run, nowEpochMs: number): string | undefined {
  const waiting = run.steps.find(
    (record) => record.action === 'approval' && record.status === 'running' && !run.approvals?.[record.id]?.approved,
  );
  if (!waiting) return undefined;
  const step = run.plan.find((candidate) => candidate.id === waiting.id);
  const endsAtEpochMs = waiting.budgetEndsAtEpochMs ?? (waiting.startedAtEpochMs ?? nowEpochMs) + (step?.timeoutMs ?? 0);
  const leftSeconds = Math.max(0, Math.round((endsAtEpochMs - nowEpochMs) / 1000));
  return `waiting for approval: ${String(step?.params.message ?? waiting.id)} (${leftSeconds}s left)`;
}
