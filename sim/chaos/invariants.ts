/**
 * The invariants `switchback chaos` holds every simulated schedule to. They are judged over the
 * trace of one run — every DynamoDB write as the table answered it, every handler invocation and
 * its answer, every AWS call, every SMS, the timeline (probe rounds, DNS answers, steps) — walking
 * it in time order, so each violation names the invariant, the service and the first moment it
 * was broken. Pure: no I/O, no clock.
 */
import { parseAlarmEvent, servicesForAlarm } from '../../shared/app/alarm';
import { maskPhoneNumber } from '../../shared/phone';
import type { ServiceConfig, SwitchbackConfig } from '../../shared/config/types';
import type { Run, ServiceState } from '../../shared/domain/types';
import { SORT_KEYS } from '../../shared/store/table';
import type { InvocationRecord, ItemWrite, ProbeRecord, SimulationResult, TimelineEntry } from '../runner';
import type { Scenario } from '../scenario';

export const INVARIANTS = {
  oneActiveRun: 'one-active-run',
  dnsToFailedSite: 'no-dns-to-failed-site',
  runDeadline: 'run-deadline',
  stageTexts: 'stage-texts',
  antiFlap: 'anti-flap',
  alarmHandled: 'alarm-handled',
  itemSize: 'item-size',
  iamAllowed: 'iam-allowed',
  liveness: 'liveness',
} as const;
export type InvariantName = (typeof INVARIANTS)[keyof typeof INVARIANTS];

export interface Violation {
  invariant: InvariantName;
  service?: string;
  /** Seconds since the scenario started. */
  t: number;
  message: string;
}

export interface Observation {
  scenario: Scenario;
  result: SimulationResult;
  itemWrites: ItemWrite[];
  invocations: InvocationRecord[];
  /** Every probe result as the network gave it, before any handler saw it. */
  probes: ProbeRecord[];
}

/**
 * Switches for checks (a test turning one off to see another alone). `drillsNeverCount` (default on):
 * an automatic failover never waits for a cooldown that only a drill's transition started.
 */
export interface InvariantGates {
  drillsNeverCount?: boolean;
}

/** DynamoDB's item limit (attribute names + values), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html */
export const MAX_ITEM_BYTES = 400 * 1024;
/**
 * A run of a service the config does not name must end within the sum of its steps' own budgets plus
 * this much, and as much again per crash (lease expiry + watchdog tick + slack); hand-offs earn nothing.
 * FAILING_* may outlast a run's deadline by this much too (the watchdog has to notice).
 */
export const RECOVERY_ALLOWANCE_SECONDS = 180;
/** Time a run may take past `runTimeoutSeconds` to fail its step, journal, text and hand the state on. */
export const RUN_DEADLINE_GRACE_SECONDS = 30;
/** After the heal point, liveness allows the recovery rounds, the hold-down, a failback and this margin. */
export const LIVENESS_MARGIN_SECONDS = 240;
/** Texts of a stage reached this close to the end of the scenario may still be in flight. */
const TEXT_GRACE_SECONDS = 60;
const FAILING_STATES = new Set(['FAILING_OVER', 'FAILING_BACK']);
const DAY_MS = 24 * 3600 * 1000;

interface StateWrite {
  atEpochMs: number;
  state: ServiceState;
}

function stateWrites(observation: Observation): Map<string, StateWrite[]> {
  const byService = new Map<string, StateWrite[]>();
  for (const write of observation.itemWrites) {
    if (!write.ok || write.item.sk !== SORT_KEYS.state) continue;
    const data = write.item.data as Omit<ServiceState, 'version'>;
    const state = { ...data, version: Number(write.item.version) };
    byService.set(state.service, [...(byService.get(state.service) ?? []), { atEpochMs: write.atEpochMs, state }]);
  }
  return byService;
}

/** Every run as last written (STATE item while active, RUN item once archived). */
function latestRuns(observation: Observation): Map<string, Run> {
  const runs = new Map<string, Run>();
  for (const write of observation.itemWrites) {
    if (!write.ok) continue;
    const sk = String(write.item.sk);
    if (sk === SORT_KEYS.state) {
      const run = (write.item.data as ServiceState).activeRun;
      if (run) runs.set(run.id, run);
    } else if (sk.startsWith(SORT_KEYS.runPrefix)) {
      const run = write.item.data as Run;
      runs.set(run.id, run);
    }
  }
  return runs;
}

class Checker {
  readonly violations: Violation[] = [];
  readonly startEpochMs: number;
  readonly endEpochMs: number;
  readonly config: SwitchbackConfig;
  readonly writes: Map<string, StateWrite[]>;
  readonly runs: Map<string, Run>;
  readonly timeline: TimelineEntry[];

  constructor(
    readonly observation: Observation,
    readonly gates: InvariantGates,
  ) {
    const trace = observation.result.trace;
    if (!trace) throw new Error('invariants need runScenario(…, { trace: true })');
    this.startEpochMs = trace.startEpochMs;
    this.endEpochMs = trace.endEpochMs;
    this.config = observation.scenario.config;
    this.writes = stateWrites(observation);
    this.runs = latestRuns(observation);
    this.timeline = observation.result.timeline;
  }

  t(epochMs: number): number {
    return Math.round((epochMs - this.startEpochMs) / 100) / 10;
  }

  report(invariant: InvariantName, atEpochMs: number, message: string, service?: string): void {
    this.violations.push({ invariant, ...(service ? { service } : {}), t: this.t(atEpochMs), message });
  }

  service(name: string): ServiceConfig | undefined {
    return this.config.services.find((candidate) => candidate.name === name);
  }

  /** The state written last at or before `atEpochMs`. */
  stateAt(service: string, atEpochMs: number): ServiceState | undefined {
    let found: ServiceState | undefined;
    for (const write of this.writes.get(service) ?? []) {
      if (write.atEpochMs > atEpochMs) break;
      found = write.state;
    }
    return found;
  }
}

// ---------------------------------------------------------------------------------------------

/** At most one run per service at a time, FAILING_* only while a run is active, no step of a run that is not the active one. */
function checkOneActiveRun(c: Checker): void {
  for (const [service, writes] of c.writes) {
    let previous: ServiceState | undefined;
    for (const { atEpochMs, state } of writes) {
      if (FAILING_STATES.has(state.state) && !state.activeRun)
        c.report(INVARIANTS.oneActiveRun, atEpochMs, `${service} is ${state.state} with no active run`, service);
      const running = previous?.activeRun?.status === 'running' ? previous.activeRun : undefined;
      if (running && state.activeRun?.id !== running.id)
        c.report(
          INVARIANTS.oneActiveRun,
          atEpochMs,
          `run ${running.id} (${running.kind}) was still running when ${state.activeRun ? `run ${state.activeRun.id} replaced it` : 'the state dropped it'}`,
          service,
        );
      previous = state;
    }
  }
  for (const entry of c.timeline) {
    if (entry.kind !== 'step' || !entry.service || typeof entry.runId !== 'string') continue;
    const atEpochMs = c.startEpochMs + entry.t * 1000;
    const active = c.stateAt(entry.service, atEpochMs)?.activeRun;
    if (active && active.id !== entry.runId)
      c.report(
        INVARIANTS.oneActiveRun,
        atEpochMs,
        `run ${entry.runId} ran step ${String(entry.step)} while run ${active.id} was the active run`,
        entry.service,
      );
  }
}

function sameTarget(answer: unknown, target: unknown): boolean {
  const normalise = (value: unknown) => (Array.isArray(value) ? JSON.stringify([...value].map(String).sort()) : JSON.stringify(value));
  return normalise(answer) === normalise(target);
}

/** DNS never moves to a site that failed every probe, from every location, in the window before the switch. */
function checkDnsToFailedSite(c: Checker): void {
  const changeSeconds = c.observation.scenario.world.route53ChangeSeconds;
  for (const entry of c.timeline) {
    if (entry.kind !== 'dns' || !entry.service) continue;
    const service = c.service(entry.service);
    if (!service) continue;
    const role = sameTarget(entry.answer, service.secondary.target)
      ? 'secondary'
      : sameTarget(entry.answer, service.primary.target)
        ? 'primary'
        : undefined;
    if (!role) continue;
    const { failureThreshold, intervalSeconds } = service.policy.probe;
    // The detection window (what a failure verdict takes) before the switch call, plus the change's propagation.
    const windowSeconds = failureThreshold * intervalSeconds + changeSeconds;
    const atEpochMs = c.startEpochMs + entry.t * 1000;
    const site = `${service.name}/${role}`;
    const probes = c.observation.probes.filter(
      (probe) => probe.site === site && probe.atEpochMs <= atEpochMs && probe.atEpochMs >= atEpochMs - windowSeconds * 1000,
    );
    if (probes.length < failureThreshold || probes.some((probe) => probe.ok)) continue;
    c.report(
      INVARIANTS.dnsToFailedSite,
      atEpochMs,
      `DNS ${service.dns.recordName} switched to the ${role} (${JSON.stringify(entry.answer)}), which failed all ${probes.length} probes of the ${windowSeconds}s before`,
      service.name,
    );
  }
}

/** A run's deadline: the service's `runTimeoutSeconds` (which the engine enforces). */
export function runBoundSeconds(service: ServiceConfig | undefined, run: Run, crashes: number): { seconds: number; source: string } {
  if (service)
    return {
      seconds: service.runTimeoutSeconds + RUN_DEADLINE_GRACE_SECONDS,
      source: `runTimeoutSeconds ${service.runTimeoutSeconds}s + ${RUN_DEADLINE_GRACE_SECONDS}s to close`,
    };
  // A run of a service the config no longer has: the sum of its steps' own budgets.
  const stepsSeconds = run.plan.reduce((sum, step) => sum + step.timeoutMs / 1000, 0);
  return {
    seconds: Math.ceil(stepsSeconds + RECOVERY_ALLOWANCE_SECONDS * (1 + crashes)),
    source: `the sum of its step budgets + ${RECOVERY_ALLOWANCE_SECONDS}s + as much per crash`,
  };
}

/** Every run ends within its deadline; no service stays FAILING_* longer than that. */
function checkRunDeadline(c: Checker): void {
  for (const run of c.runs.values()) {
    const service = c.service(run.service);
    const endedAtEpochMs = run.endedAtEpochMs ?? c.endEpochMs;
    // Crashes leave the lease to expire and the watchdog to notice; a hand-off loses no time, so it earns nothing.
    const crashes = c.timeline.filter((entry) => {
      const atEpochMs = c.startEpochMs + entry.t * 1000;
      return entry.kind === 'fault' && atEpochMs >= run.startedAtEpochMs && atEpochMs <= endedAtEpochMs;
    }).length;
    const bound = runBoundSeconds(service, run, crashes);
    const deadline = run.startedAtEpochMs + bound.seconds * 1000;
    if (endedAtEpochMs > deadline)
      c.report(
        INVARIANTS.runDeadline,
        deadline,
        `${run.kind} run ${run.id} ${run.endedAtEpochMs !== undefined ? `took ${Math.round((endedAtEpochMs - run.startedAtEpochMs) / 1000)}s` : 'was still running'}; bound ${bound.seconds}s (${bound.source})`,
        run.service,
      );
  }
  for (const [service, writes] of c.writes) {
    for (let i = 0; i < writes.length; i++) {
      const { state } = writes[i];
      if (!FAILING_STATES.has(state.state) || (i > 0 && writes[i - 1].state.state === state.state)) continue;
      const left = writes.slice(i + 1).find((write) => write.state.state !== state.state);
      const run = state.activeRun ? c.runs.get(state.activeRun.id) : undefined;
      const boundSeconds = run ? runBoundSeconds(c.service(service), run, 0).seconds + RECOVERY_ALLOWANCE_SECONDS : 3600;
      const until = left?.atEpochMs ?? c.endEpochMs;
      if (until - state.sinceEpochMs > boundSeconds * 1000)
        c.report(
          INVARIANTS.runDeadline,
          state.sinceEpochMs + boundSeconds * 1000,
          `${service} stayed ${state.state} for more than ${boundSeconds}s`,
          service,
        );
    }
  }
}

/**
 * No stage texted twice; every stage reached is texted at least once while SNS works. Judged on what
 * SNS received (the world), tied to runs and stages by the notifier's timeline entries.
 */
const maskRecipient = (recipient: string) => (recipient.startsWith('arn:') ? recipient : maskPhoneNumber(recipient));

function checkStageTexts(c: Checker): void {
  const trace = c.observation.result.trace;
  const published = trace?.published ?? [];
  const sms = c.timeline.filter((entry) => entry.kind === 'sms' && typeof entry.runId === 'string' && typeof entry.stage === 'string');
  const announced = new Map<string, number>();
  for (const entry of sms) announced.set(String(entry.text), (announced.get(String(entry.text)) ?? 0) + 1);
  const received = new Map<string, Array<{ atEpochMs: number }>>();
  for (const message of published) {
    const key = `${message.phoneNumber ?? message.topicArn}\u0000${message.message}`;
    received.set(key, [...(received.get(key) ?? []), message]);
  }
  for (const [key, messages] of received) {
    const text = key.split('\u0000')[1];
    const stages = announced.get(text) ?? 0;
    if (stages > 0 && messages.length > stages)
      c.report(
        INVARIANTS.stageTexts,
        messages[stages].atEpochMs,
        `"${text}" reached ${maskRecipient(key.split('\u0000')[0])} ${messages.length} times for ${stages} stage(s)`,
        sms.find((entry) => entry.text === text)?.service,
      );
  }
  const calls = trace?.calls ?? [];
  for (const run of c.runs.values()) {
    const snsTrouble = calls.some((call) => call.api.startsWith('sns.') && !call.ok && call.atEpochMs >= run.startedAtEpochMs);
    if (snsTrouble) continue;
    const stages: Array<[string, number]> = [['started', run.startedAtEpochMs]];
    if (run.status !== 'running' && run.endedAtEpochMs !== undefined) stages.push([run.status, run.endedAtEpochMs]);
    for (const [stage, atEpochMs] of stages) {
      if (c.endEpochMs - atEpochMs < TEXT_GRACE_SECONDS * 1000) continue;
      const entry = sms.find((candidate) => candidate.runId === run.id && candidate.stage === stage);
      const delivered = entry && published.some((message) => message.message === entry.text && message.atEpochMs >= atEpochMs);
      if (!delivered)
        c.report(
          INVARIANTS.stageTexts,
          atEpochMs,
          `stage ${stage} of ${run.kind} run ${run.id} was never texted${entry ? ' (the notifier reported it sent; SNS never got it)' : ''}`,
          run.service,
        );
    }
  }
}

interface Transition {
  atEpochMs: number;
  to: string;
  drill: boolean;
}

/** Automatic failovers keep the cooldown after the last transition and the 24 h cap; drills never count. */
function checkAntiFlap(c: Checker): void {
  for (const [serviceName, writes] of c.writes) {
    const service = c.service(serviceName);
    if (!service) continue;
    const { cooldownSeconds, maxFailoversPer24h } = service.policy.guard;
    const transitions: Transition[] = [];
    let previous: ServiceState | undefined;
    for (const { state } of writes) {
      const last = state.lastTransition;
      if (last && last.atEpochMs !== previous?.lastTransition?.atEpochMs) {
        const run = state.activeRun ?? previous?.activeRun;
        transitions.push({ atEpochMs: last.atEpochMs, to: last.to, drill: run?.trigger === 'drill' });
      }
      previous = state;
    }
    const automatic = [...c.runs.values()]
      .filter((run) => run.service === serviceName && run.kind === 'failover' && run.trigger === 'auto')
      .sort((a, b) => a.startedAtEpochMs - b.startedAtEpochMs);
    for (const run of automatic) {
      const before = transitions.filter((transition) => transition.atEpochMs < run.startedAtEpochMs && !transition.drill);
      const last = before[before.length - 1];
      if (last && run.startedAtEpochMs - last.atEpochMs < cooldownSeconds * 1000)
        c.report(
          INVARIANTS.antiFlap,
          run.startedAtEpochMs,
          `automatic failover ${run.id} started ${Math.round((run.startedAtEpochMs - last.atEpochMs) / 1000)}s after the last transition (cooldown ${cooldownSeconds}s)`,
          serviceName,
        );
      const inDay = automatic.filter(
        (other) => other.startedAtEpochMs <= run.startedAtEpochMs && run.startedAtEpochMs - other.startedAtEpochMs <= DAY_MS,
      );
      if (inDay.length > maxFailoversPer24h)
        c.report(
          INVARIANTS.antiFlap,
          run.startedAtEpochMs,
          `automatic failover ${run.id} is the ${inDay.length}th in 24 h (cap ${maxFailoversPer24h})`,
          serviceName,
        );
    }
    if (c.gates.drillsNeverCount === false) continue;
    for (const entry of c.timeline) {
      if (entry.service !== serviceName || (entry.kind !== 'decision' && entry.kind !== 'transition')) continue;
      const reason = String(entry.reason ?? '');
      const atEpochMs = c.startEpochMs + entry.t * 1000;
      if (/failover waits for cooldown/.test(reason)) {
        const real = transitions.filter((transition) => transition.atEpochMs <= atEpochMs && !transition.drill);
        const last = real[real.length - 1];
        if (!last || atEpochMs - last.atEpochMs >= cooldownSeconds * 1000)
          c.report(INVARIANTS.antiFlap, atEpochMs, `a drill's transition held back an automatic failover: ${reason}`, serviceName);
      }
    }
  }
}

/** Every ALARM delivery of a configured alarm is acted on or refused with a reason; never dropped. */
function checkAlarmHandled(c: Checker): void {
  // Keys some delivery handled (acted on or refused with a reason), over the whole run: concurrent
  // deliveries of one event may finish in any order, so the one that lost the dedupe claim can end
  // first. A claim whose holder then failed is reported below instead.
  const handledKeys = new Set<string>();
  for (const call of c.observation.invocations) {
    if (call.name !== 'alarm' || call.error !== undefined) continue;
    let notices;
    try {
      notices = parseAlarmEvent(call.payload);
    } catch {
      continue;
    }
    const results = (call.result as { results?: Array<{ outcome: string }> } | undefined)?.results ?? [];
    for (const [index, notice] of notices.entries()) {
      const outcome = results[index]?.outcome;
      if (outcome !== undefined && outcome !== 'duplicate')
        handledKeys.add(`${notice.arn ?? notice.name}#${notice.state}#${notice.atEpochMs}`);
    }
  }
  for (const call of c.observation.invocations) {
    if (call.name !== 'alarm') continue;
    let notices;
    try {
      notices = parseAlarmEvent(call.payload);
    } catch {
      continue; // malformed: rejected with a logged reason by the function itself
    }
    for (const [index, notice] of notices.entries()) {
      if (notice.state !== 'ALARM' || servicesForAlarm(c.config.services, notice).length === 0) continue;
      const key = `${notice.arn ?? notice.name}#${notice.state}#${notice.atEpochMs}`;
      const service = servicesForAlarm(c.config.services, notice)[0].name;
      if (call.error !== undefined) {
        const claimed = c.observation.itemWrites.some(
          (write) => write.ok && String(write.item.pk) === `DEDUP#${key}` && write.atEpochMs >= call.atEpochMs,
        );
        if (claimed && !handledKeys.has(key))
          c.report(
            INVARIANTS.alarmHandled,
            call.atEpochMs,
            `${notice.name} ALARM failed (${call.error}) after its delivery was marked handled: Lambda's retry would be dropped as a duplicate`,
            service,
          );
        continue;
      }
      const result = (call.result as { results?: Array<{ outcome: string; reason?: string }> } | undefined)?.results?.[index];
      if (!result) {
        c.report(INVARIANTS.alarmHandled, call.atEpochMs, `${notice.name} ALARM delivery produced no outcome`, service);
        continue;
      }
      if (result.outcome === 'duplicate') {
        if (!handledKeys.has(key))
          c.report(
            INVARIANTS.alarmHandled,
            call.atEpochMs,
            `${notice.name} ALARM dropped as a duplicate of a delivery that was never handled`,
            service,
          );
        continue;
      }
      if (!result.reason)
        c.report(INVARIANTS.alarmHandled, call.atEpochMs, `${notice.name} ALARM ${result.outcome} without a reason`, service);
    }
  }
}

/** DynamoDB's size of a stored value (attribute names and values; numbers roughly one byte per two digits). */
export function itemBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, item) => sum + 1 + itemBytes(item), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, item) => sum + itemBytes(item), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (sum, [name, item]) => sum + 1 + Buffer.byteLength(name, 'utf8') + itemBytes(item),
      0,
    )
  );
}

function checkItemSize(c: Checker): void {
  for (const write of c.observation.itemWrites) {
    const bytes = itemBytes(write.item) - 3;
    if (bytes >= MAX_ITEM_BYTES)
      c.report(
        INVARIANTS.itemSize,
        write.atEpochMs,
        `item ${String(write.item.pk)} ${String(write.item.sk)} is ${bytes} bytes (DynamoDB's limit is ${MAX_ITEM_BYTES})`,
        String(write.item.pk).startsWith('SVC#') ? String(write.item.pk).slice(4) : undefined,
      );
  }
}

/**
 * Every AWS call is allowed by the generated IAM policy: the world's IAM denials (dry runs included,
 * since a drill's dry run asks exactly what the real call will). Injected AccessDenied faults are
 * not denials of the policy and are not counted.
 */
function checkIamAllowed(c: Checker): void {
  for (const denial of c.observation.result.summary.accessDenied) {
    c.report(
      INVARIANTS.iamAllowed,
      c.startEpochMs + denial.t * 1000,
      `${denial.role} was denied ${denial.action} on ${denial.resource}${denial.dryRun ? ' (dry run)' : ''} by its generated policy (${denial.api})`,
    );
  }
}

/** When every fault has healed: the moment, or undefined when something never heals in this scenario. */
export function healedAtEpochMs(c: { observation: Observation; startEpochMs: number }): number | undefined {
  const { scenario } = c.observation;
  if (scenario.faults.some((fault) => 'api' in fault && fault.times === 'always')) return undefined;
  const siteHealth = new Map<string, string>();
  const reachable = new Map<string, boolean>();
  let lastMs = 0;
  for (const event of scenario.events) {
    lastMs = Math.max(lastMs, event.at);
    if ('site' in event) siteHealth.set(event.site, event.health === 'slow' ? 'up' : event.health);
    if ('location' in event) reachable.set(event.location, event.reachable);
  }
  if ([...siteHealth.values()].some((health) => health !== 'up')) return undefined;
  if ([...reachable.values()].some((value) => !value)) return undefined;
  const injected = (c.observation.result.trace?.calls ?? []).filter((call) => call.injected).map((call) => call.atEpochMs);
  const crashes = c.observation.result.timeline.filter((entry) => entry.kind === 'fault').map((entry) => c.startEpochMs + entry.t * 1000);
  return Math.max(c.startEpochMs + lastMs, ...injected, ...crashes);
}

/** Once healed, and given time for the hold-down and a failback: PRIMARY, DNS answering the primary. */
function checkLiveness(c: Checker): void {
  const healedAt = healedAtEpochMs(c);
  if (healedAt === undefined) return;
  for (const service of c.config.services) {
    const writes = c.writes.get(service.name) ?? [];
    const final = writes[writes.length - 1]?.state;
    if (!final) continue;
    if (final.frozen || service.policy.failback.mode === 'manual') continue;
    // FAILOVER_FAILED / FAILBACK_FAILED wait for a human by design (the SMS said so).
    if (final.state === 'FAILOVER_FAILED' || final.state === 'FAILBACK_FAILED') continue;
    const lastRunEnd = Math.max(
      0,
      ...[...c.runs.values()].filter((run) => run.service === service.name).map((run) => run.endedAtEpochMs ?? c.endEpochMs),
    );
    const { recoveryThreshold, intervalSeconds } = service.policy.probe;
    const dueAt =
      Math.max(healedAt, lastRunEnd) +
      (recoveryThreshold * intervalSeconds + service.policy.failback.holdDownSeconds + LIVENESS_MARGIN_SECONDS) * 1000;
    if (dueAt > c.endEpochMs) continue;
    const answer = c.observation.result.summary.services[service.name]?.dnsTarget;
    if (final.state !== 'PRIMARY' || !sameTarget(answer, service.primary.target))
      c.report(
        INVARIANTS.liveness,
        dueAt,
        `healed at ${c.t(healedAt)}s, yet ${service.name} is ${final.state} with DNS answering ${JSON.stringify(answer)}${final.lastReason ? ` (${final.lastReason})` : ''}`,
        service.name,
      );
  }
}

export function checkInvariants(observation: Observation, gates: InvariantGates = {}): Violation[] {
  const checker = new Checker(observation, gates);
  checkOneActiveRun(checker);
  checkDnsToFailedSite(checker);
  checkRunDeadline(checker);
  checkStageTexts(checker);
  checkAntiFlap(checker);
  checkAlarmHandled(checker);
  checkItemSize(checker);
  checkIamAllowed(checker);
  checkLiveness(checker);
  return checker.violations.sort((a, b) => a.t - b.t || a.invariant.localeCompare(b.invariant));
}
