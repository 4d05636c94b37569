/**
 * The `probe` function's use case. One invocation (scheduled once a minute) runs rounds every
 * `intervalSeconds` for a one-minute window: sub-minute detection without sub-minute schedules.
 * Each round probes primary and secondary of every due service concurrently, writes this location's
 * observation only when it changed (steady state writes nothing), and — in the control region —
 * hands the evidence of all locations to the state machine, runs the watchdog (./watchdog) for stalled
 * runs, and republishes the DNS flag of every `health-check-flag` service that must hold one (one
 * PutMetricData per round; see shared/domain/flag.ts for why every round).
 * A scheduled invocation counts its rounds that made every decision as `ProbeRoundsCompleted` (the
 * heartbeat metric), each failed decision as `DecisionErrors` and, in the control region, the probe
 * locations that do not vote as `LocationStale` (../self-metrics). A probe-only location first looks
 * at the control region and texts when it has gone dark (./control-watch).
 */
import * as z from './event-schema';
import type { ServiceConfig } from '../config/types';
import { flagToHold } from '../domain/flag';
import { describeError, InputError, UnknownServiceError } from '../errors';
import type { ProbeRoundEvent } from '../events';
import type { LocationObservation, ServiceState } from '../domain/types';
import { forEachBounded, siteHealthChanged, updateSiteHealth } from '../probes';
import { decideAndApply } from './apply-decision';
import { DEPLOY_ROLES, type AppDeps } from './deps';
import { assembleEvidence, LOCATION_FRESH_MS, type SiteViews } from './evidence';
import { observeControlRegion, watchTheControlRegion } from './control-watch';
import { createWatchdog, type Watchdog } from './watchdog';
/** Stop starting rounds this long before the Lambda deadline. */
const DEADLINE_MARGIN_MS = 5_000;
const DECISION_CONCURRENCY = 16;

/** At most this many rounds per confirm request (a minute of rounds at the shortest interval). */
export const MAX_CONFIRM_ROUNDS = 6;

/**
 * What may invoke `probe`: the schedule (the only thing that counts as a scheduled round and keeps
 * the heartbeat green), or the `alarm` function asking for an immediate confirming round of named
 * services. Anything else is refused: a malformed confirm request treated as a tick would run a
 * minute of rounds and keep the heartbeat green while the schedule itself might be broken.
 */
export type ProbeRequest = { kind: 'scheduled' } | { kind: 'confirm'; services: string[]; rounds: number };

const scheduledEventSchema = z.object({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });
const confirmRequestSchema = z.strictObject({
  source: z.literal('switchback.alarm'),
  services: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'must name at least one service')),
  rounds: z
    .number()
    .check(
      z.int('must be a whole number'),
      z.minimum(1, `must be between 1 and ${MAX_CONFIRM_ROUNDS}`),
      z.maximum(MAX_CONFIRM_ROUNDS, `must be between 1 and ${MAX_CONFIRM_ROUNDS}`),
    ),
});

/** The schedule's event or a confirm request naming known services; anything else throws InputError naming the problem. */
export function parseProbeRequest(event: unknown, knownServices: string[]): ProbeRequest {
  if (scheduledEventSchema.safeParse(event).success) return { kind: 'scheduled' };
  const confirm = confirmRequestSchema.safeParse(event);
  if (!confirm.success) {
    const problems = confirm.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
    throw new InputError(
      `probe: not a scheduled event (source aws.events) nor a confirm request { source: switchback.alarm, services, rounds }: ${problems}`,
    );
  }
  const unknown = confirm.data.services.find((service) => !knownServices.includes(service));
  if (unknown !== undefined) throw new UnknownServiceError(unknown, knownServices);
  return { kind: 'confirm', services: [...new Set(confirm.data.services)], rounds: confirm.data.rounds };
}

export interface ProbeInvocationOptions {
  /** Rounds start only within this window from the start (the schedule's period). */
  windowMs: number;
  /** The Lambda deadline: no round starts that could not finish before it. */
  deadlineEpochMs: number;
  /** Probe only these services (e.g. an alarm asking for an immediate confirming round). */
  services?: string[];
  /** Stop after this many rounds (1 for an alarm-triggered confirming round). */
  maxRounds?: number;
  /** Count the rounds that made every decision as ProbeRoundsCompleted (the schedule's invocations only). */
  heartbeat?: boolean;
  /** The number of the first round (a chain link's slot): which services are due follows from it. Default 0. */
  firstRound?: number;
  /**
   * Do this location's once-a-minute work first: the heartbeat write (and, at a probe-only location,
   * the watch on the control region). Default true; a chain link does it on the slot that starts a minute.
   */
  perMinuteWork?: boolean;
}

/** The chain's tick: the shortest probe interval of the given services (every round probes the services due). */
export function probeTickMs(services: ServiceConfig[]): number {
  return Math.min(...services.map((service) => service.policy.probe.intervalSeconds)) * 1000;
}

/** What one round did: the probe-round event without its kind and location. */
export type RoundSummary = Omit<ProbeRoundEvent, 'kind' | 'location'>;

export interface ProbeInvocationResult {
  rounds: RoundSummary[];
}

export async function runProbeInvocation(deps: AppDeps, options: ProbeInvocationOptions): Promise<ProbeInvocationResult> {
  const services = selectServices(deps, options.services);
  const startedAtEpochMs = deps.clock.now();
  const tickMs = probeTickMs(services);
  const firstRound = options.firstRound ?? 0;
  // Probe specs carry their resolved timeout (the config loader fills in the policy's default).
  const longestTimeoutMs = Math.max(...services.flatMap((service) => [service.primary.probe.timeoutMs, service.secondary.probe.timeoutMs]));
  if (options.perMinuteWork === false) {
    // A chain link between minutes: the link that started this minute did the heartbeat.
  } else if (deps.role === DEPLOY_ROLES.probeOnly) {
    // The look at the control region is this location's heartbeat write (and a read of the controller's).
    const control = await observeControlRegion(deps, startedAtEpochMs);
    await watchTheControlRegion(deps, control);
    // Nowhere to record observations: no rounds (this location's own heartbeat alarm says so too).
    if (!control.reachable) return countHeartbeat(deps, options, []);
  } else {
    await deps.store.touchLocation(deps.location, startedAtEpochMs);
  }
  let views: Map<string, SiteViews>;
  try {
    views = await loadOwnViews(deps);
  } catch (error) {
    if (deps.role !== DEPLOY_ROLES.probeOnly) throw error;
    // A probe-only location's chain link between minutes: the control region's table does not answer.
    // No rounds, as when the minute's look finds it unreachable (that look watches it and texts).
    deps.logger.warn(`control region ${deps.config.controlRegion} table unreachable, no round: ${describeError(error)}`);
    return countHeartbeat(deps, options, []);
  }
  const watchdog = createWatchdog(deps);
  const rounds: RoundOutcome[] = [];

  for (let round = firstRound; ; round++) {
    if (options.maxRounds !== undefined && rounds.length >= options.maxRounds) break;
    const scheduledAtEpochMs = startedAtEpochMs + (round - firstRound) * tickMs;
    if (round > firstRound && scheduledAtEpochMs - startedAtEpochMs >= options.windowMs) break;
    if (scheduledAtEpochMs + longestTimeoutMs + DEADLINE_MARGIN_MS > options.deadlineEpochMs) break;
    const waitMs = scheduledAtEpochMs - deps.clock.now();
    if (waitMs > 0) await deps.clock.sleep(waitMs);

    const due = services.filter((service) => round % Math.max(1, Math.round((service.policy.probe.intervalSeconds * 1000) / tickMs)) === 0);
    const summary = await runRound(deps, due, services, views, watchdog, round);
    rounds.push(summary);
    if (summary.probeNow.length > 0 && (options.maxRounds === undefined || rounds.length < options.maxRounds)) {
      // alarm-confirmed-by-probe: confirm at once instead of waiting for the next tick.
      const confirm = services.filter((service) => summary.probeNow.includes(service.name));
      rounds.push(await runRound(deps, confirm, services, views, watchdog, round));
    }
  }
  return countHeartbeat(deps, options, rounds);
}

function countHeartbeat(deps: AppDeps, options: ProbeInvocationOptions, rounds: RoundOutcome[]): ProbeInvocationResult {
  if (options.heartbeat) {
    // A round where a decision failed does not count: the heartbeat alarm then sees the controller is not watching.
    deps.metrics.count('ProbeRoundsCompleted', rounds.filter((round) => round.decisionErrors === 0).length);
    // The worst moment of this minute; 0 is a datapoint too (the alarm sees the locations come back).
    // A chain link counts it once a minute too: on the slot that starts the minute.
    if (deps.role === DEPLOY_ROLES.controller && deps.config.probeLocations.length > 1 && options.perMinuteWork !== false)
      deps.metrics.count('LocationStale', Math.max(0, ...rounds.map((round) => round.staleLocations.length)));
  }
  return { rounds: rounds.map(({ probeNow: _probeNow, decisionErrors: _errors, staleLocations: _stale, ...summary }) => summary) };
}

/** A round's summary plus what the invocation needs from it (not part of the probe-round event). */
type RoundOutcome = RoundSummary & {
  probeNow: string[];
  /** Services whose decision failed this round. */
  decisionErrors: number;
  /** Configured probe locations whose heartbeat is not fresh (control region, several locations). */
  staleLocations: string[];
};

function selectServices(deps: AppDeps, names: string[] | undefined): ServiceConfig[] {
  if (!names) return deps.config.services;
  const wanted = new Set(names);
  return deps.config.services.filter((service) => wanted.has(service.name));
}

/** Continue the streak counters this location wrote last time (they live in the table between invocations). */
async function loadOwnViews(deps: AppDeps): Promise<Map<string, SiteViews>> {
  const views = new Map<string, SiteViews>();
  const observations = await deps.store.listObservations();
  for (const [service, list] of observations) {
    const own = list.find((observation) => observation.location === deps.location);
    if (own) views.set(service, { primary: own.primary, secondary: own.secondary, observedAtEpochMs: own.observedAtEpochMs });
  }
  return views;
}

async function runRound(
  deps: AppDeps,
  due: ServiceConfig[],
  all: ServiceConfig[],
  views: Map<string, SiteViews>,
  watchdog: Watchdog,
  round: number,
): Promise<RoundOutcome> {
  const atEpochMs = deps.clock.now();
  const specs = due.flatMap((service) => [service.primary.probe, service.secondary.probe]);
  const results = await deps.prober.probeAll(specs);
  const observedAtEpochMs = deps.clock.now();

  let observationWrites = 0;
  const primaryDown: string[] = [];
  const secondaryDown: string[] = [];
  const writes: Promise<void>[] = [];
  due.forEach((service, index) => {
    const { failureThreshold, recoveryThreshold } = service.policy.probe;
    const cap = Math.max(failureThreshold, recoveryThreshold);
    const before = views.get(service.name);
    const primary = updateSiteHealth(before?.primary, results[2 * index], cap);
    const secondary = updateSiteHealth(before?.secondary, results[2 * index + 1], cap);
    if (!results[2 * index].ok) primaryDown.push(service.name);
    if (!results[2 * index + 1].ok) secondaryDown.push(service.name);
    const changed = !before || siteHealthChanged(before.primary, primary) || siteHealthChanged(before.secondary, secondary);
    if (!changed) return;
    const view = { primary, secondary, observedAtEpochMs };
    views.set(service.name, view);
    observationWrites++;
    writes.push(deps.store.putObservation(service.name, { location: deps.location, fresh: true, ...view }));
  });
  // The decisions' reads do not wait for this round's observation writes: they do not depend on them
  // (this location's evidence is in `views`; the stored observations read are the other locations').
  // Nothing is decided before the writes are done, so a failed write still fails the round first.
  const reading = deps.role === DEPLOY_ROLES.controller ? readDecisionInputs(deps, all) : undefined;
  reading?.catch(() => undefined); // awaited below; if a write fails first, its error is the round's
  await Promise.all(writes);

  let decisions = 0;
  let decisionErrors = 0;
  const probeNow: string[] = [];
  const staleLocations: string[] = [];
  if (reading) {
    const outcome = await decideAll(deps, all, views, watchdog, await reading);
    decisions = outcome.decisions;
    decisionErrors = outcome.errors;
    probeNow.push(...outcome.probeNow);
    staleLocations.push(...outcome.staleLocations);
  }
  const summary = {
    round,
    atEpochMs,
    durationMs: deps.clock.now() - atEpochMs,
    probed: specs.length,
    primaryDown,
    secondaryDown,
    observationWrites,
    decisions,
  };
  deps.emit({ kind: 'probe', location: deps.location, ...summary });
  return { ...summary, probeNow, decisionErrors, staleLocations };
}

interface DecisionInputs {
  states: Map<string, ServiceState>;
  observations: Map<string, LocationObservation[]>;
  heartbeats: Record<string, number>;
}

async function readDecisionInputs(deps: AppDeps, services: ServiceConfig[]): Promise<DecisionInputs> {
  const multiLocation = deps.config.probeLocations.length > 1;
  const [states, observations, heartbeats] = await Promise.all([
    // Eventually consistent: half the read cost every round. A stale state cannot do harm: every write
    // is conditional on the version read (a conflict re-reads consistently), and a stalled-run kick
    // based on an old lease only makes the orchestrator find the lease held and stop.
    deps.store.getStates(
      services.map((service) => service.name),
      { consistent: false },
    ),
    multiLocation ? deps.store.listObservations() : Promise.resolve(new Map<string, LocationObservation[]>()),
    multiLocation ? deps.store.listLocationHeartbeats() : Promise.resolve({} as Record<string, number>),
  ]);
  return { states, observations, heartbeats };
}

async function decideAll(
  deps: AppDeps,
  services: ServiceConfig[],
  views: Map<string, SiteViews>,
  watchdog: Watchdog,
  { states, observations, heartbeats }: DecisionInputs,
): Promise<{ decisions: number; probeNow: string[]; errors: number; staleLocations: string[] }> {
  const multiLocation = deps.config.probeLocations.length > 1;
  let decisions = 0;
  let errors = 0;
  const probeNow: string[] = [];
  const held = new Map<string, ServiceState>();
  await forEachBounded(services, DECISION_CONCURRENCY, async (service) => {
    const nowEpochMs = deps.clock.now();
    const state = states.get(service.name) ?? (await deps.store.ensureState(service.name, nowEpochMs));
    const evidence = assembleEvidence({
      location: deps.location,
      own: views.get(service.name),
      others: observations.get(service.name) ?? [],
      heartbeats,
      state,
      nowEpochMs,
    });
    try {
      const applied = await decideAndApply(deps, service, { kind: 'observe', evidence }, { state });
      if (service.dns.strategy === 'health-check-flag') held.set(service.name, applied.state);
      if (applied.decision.changed) decisions++;
      if (applied.probeNow) probeNow.push(service.name);
      const startedNow = applied.decision.effects.some((effect) => effect.type === 'startRun');
      if (!startedNow) await watchdog.resumeIfStalled(applied.state);
    } catch (error) {
      // One service's trouble (a throttled table, a bug) must not stop the others from being watched,
      // but it is counted (DecisionErrors alarm) and the round does not count for the heartbeat.
      errors++;
      deps.metrics.count('DecisionErrors');
      deps.emit({ kind: 'error', atEpochMs: deps.clock.now(), service: service.name, message: `decision failed: ${String(error)}` });
    }
  });
  await holdFlags(deps, services, held);
  const nowEpochMs = deps.clock.now();
  const staleLocations = multiLocation
    ? deps.config.probeLocations.filter(
        (location) =>
          location !== deps.location && (heartbeats[location] === undefined || nowEpochMs - heartbeats[location] > LOCATION_FRESH_MS),
      )
    : [];
  return { decisions, probeNow, errors, staleLocations };
}

/**
 * Republish the flag of every health-check-flag service that holds one, in one call. A failure is
 * logged and left to the next round: `LastKnownStatus` keeps the last decision across the gap.
 */
async function holdFlags(deps: AppDeps, services: ServiceConfig[], states: Map<string, ServiceState>): Promise<void> {
  const flags = services.flatMap((service) => {
    const state = states.get(service.name);
    const value = state ? flagToHold(state).value : undefined;
    return value === undefined ? [] : [{ service: service.name, value }];
  });
  if (flags.length === 0) return;
  try {
    await deps.aws.cloudWatch.putFlagMetrics(flags, deps.clock.now(), deps.config.controlRegion);
  } catch (error) {
    const message = `could not republish the DNS flag of ${flags.map((flag) => flag.service).join(', ')}: ${describeError(error)}`;
    deps.logger.warn(message);
    deps.emit({ kind: 'error', atEpochMs: deps.clock.now(), message });
  }
}
