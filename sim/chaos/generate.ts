/**
 * Random fault schedules for `switchback chaos`, written in the public scenario format so that any
 * failure replays with `switchback simulate --scenario <file>`. A schedule is a chaos phase (site
 * outages, flaps and slowness, partitions of probe locations, alarm deliveries that are duplicated,
 * stale or future-dated, AWS faults, orchestrator crashes and short Lambda timeouts, operator
 * commands and live drills), then a heal point where every site is up, every location reachable
 * and every freeze lifted, then enough quiet time for the failback (the liveness invariant).
 * The same (config, seed) gives the same document, byte for byte.
 */
import type { SwitchbackConfig } from '../../shared/config/types';
import { seededRandom } from '../random';

export type ScenarioDocument = Record<string, unknown> & {
  events: Array<Record<string, unknown>>;
  faults: Array<Record<string, unknown>>;
};

interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

function rngFrom(seed: number): Rng {
  const next = seededRandom(seed);
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (probability) => next() < probability,
  };
  return rng;
}

/** The AWS operations each step action calls, for faults aimed at what the plan really does. */
const ACTION_APIS: Record<string, string[]> = {
  'ec2.start': ['ec2.StartInstances'],
  'ec2.stop': ['ec2.StopInstances'],
  'ec2.launchFromAmi': ['ec2.RunInstances'],
  'ec2.attachVolume': ['ec2.AttachVolume'],
  'ec2.associateAddress': ['ec2.AssociateAddress'],
};
const ERRORS_BY_SERVICE: Record<string, string[]> = {
  ec2: ['RequestLimitExceeded', 'InternalError', 'UnauthorizedOperation', 'InsufficientInstanceCapacity', 'TimeoutError'],
  route53: ['Throttling', 'PriorRequestNotComplete', 'ServiceUnavailable', 'AccessDenied', 'TimeoutError'],
  sns: ['Throttling', 'InternalError', 'AuthorizationError'],
  cloudWatch: ['Throttling', 'InternalServiceError', 'AccessDenied'],
  lambda: ['TooManyRequestsException', 'ServiceException'],
};
const STUCK_CAPABLE = new Set(['route53.ChangeResourceRecordSets', 'ec2.StartInstances', 'ec2.RunInstances', 'ec2.AttachVolume']);

const seconds = (value: number) => `${Math.max(0, Math.round(value))}s`;

interface Context {
  config: SwitchbackConfig;
  rng: Rng;
  chaosEndSeconds: number;
  events: Array<Record<string, unknown>>;
  faults: Array<Record<string, unknown>>;
  timeouts: Record<string, number>;
  touchedSites: Set<string>;
  partitioned: Set<string>;
  froze: Set<string>;
  /** Alarms sent to ALARM: the heal point sends each back to OK, as CloudWatch would. */
  alarmed: Set<string>;
}

/** `ec2.start` from `{ 'ec2.start': {…}, id: … }`: the action is the step's only dotted key. */
function actionsOf(steps: readonly object[]): string[] {
  return steps.flatMap((step) => Object.keys(step).filter((key) => key.includes('.')));
}

function apisOf(config: SwitchbackConfig): string[] {
  const apis = new Set<string>(['sns.Publish', 'lambda.Invoke']);
  for (const service of config.services) {
    for (const action of actionsOf([...service.secondary.prepare, ...service.secondary.cleanup]))
      for (const api of ACTION_APIS[action] ?? []) apis.add(api);
    if (service.dns.strategy === 'health-check-flag') apis.add('cloudWatch.PutMetricData');
    else for (const api of ['route53.ChangeResourceRecordSets', 'route53.GetChange']) apis.add(api);
  }
  return [...apis].sort();
}

function crashableSteps(config: SwitchbackConfig): string[] {
  const actions = new Set<string>(['route53.switch', 'route53.waitInSync']);
  for (const service of config.services) for (const action of actionsOf(service.secondary.prepare)) actions.add(action);
  return [...actions].sort();
}

type Episode = (ctx: Context) => void;

const siteOutage: Episode = (ctx) => {
  const { rng } = ctx;
  const service = rng.pick(ctx.config.services);
  const role = rng.chance(0.8) ? 'primary' : 'secondary';
  const site = `${service.name}/${role}`;
  const at = rng.int(10, ctx.chaosEndSeconds - 30);
  const kind = rng.next();
  const event: Record<string, unknown> = { at: seconds(at), site };
  if (kind < 0.6) event.health = 'down';
  else if (kind < 0.75) Object.assign(event, { health: 'status', status: rng.pick([500, 502, 503]) });
  else if (kind < 0.9) Object.assign(event, { health: 'flap', periodSeconds: rng.int(20, 60) });
  // Slow but within the probe timeout: a healthy site that answers late must not look down.
  else Object.assign(event, { health: 'slow', latencyMs: rng.int(20, 120) });
  ctx.events.push(event);
  ctx.touchedSites.add(site);
  const recoverAt = at + rng.int(30, 240);
  if (recoverAt < ctx.chaosEndSeconds) ctx.events.push({ at: seconds(recoverAt), site, health: 'up' });
};

const partition: Episode = (ctx) => {
  const { rng, config } = ctx;
  if (config.probeLocations.length < 2) return siteOutage(ctx);
  const location = rng.pick(config.probeLocations);
  const at = rng.int(10, ctx.chaosEndSeconds - 30);
  ctx.events.push({ at: seconds(at), location, reachable: false });
  ctx.partitioned.add(location);
  const back = at + rng.int(30, 180);
  if (back < ctx.chaosEndSeconds) ctx.events.push({ at: seconds(back), location, reachable: true });
};

const alarmDelivery: Episode = (ctx) => {
  const { rng, config } = ctx;
  const service = rng.pick(config.services);
  const configured = service.primary.alarms.map((alarm) => alarm.name);
  const name = configured.length > 0 && rng.chance(0.9) ? rng.pick(configured) : `${service.name}-unrelated-alarm`;
  const state = rng.chance(0.7) ? 'ALARM' : 'OK';
  const at = rng.int(10, ctx.chaosEndSeconds - 10);
  const repeat = rng.chance(0.3) ? rng.int(2, 4) : undefined;
  if (state === 'ALARM') ctx.alarmed.add(name);
  const timing = rng.next();
  // Through the control region's EventBridge rules (or the forwarder of the alarm's region), or an SNS action.
  const delivery = rng.chance(0.5) ? 'sns' : 'eventbridge';
  // Stale (older than maxAlarmAgeSeconds, or just older than the last one seen) or future-dated.
  const maxAgeSeconds = service.policy.detect.maxAlarmAgeSeconds;
  const timestampOffsetSeconds =
    timing < 0.6 ? undefined : timing < 0.8 ? -rng.int(Math.max(1, maxAgeSeconds - 30), maxAgeSeconds + 600) : rng.int(30, 900);
  ctx.events.push({
    at: seconds(at),
    alarm: { name, state, delivery, ...(timestampOffsetSeconds !== undefined ? { timestampOffsetSeconds } : {}) },
    ...(repeat ? { repeat } : {}),
  });
};

const awsFault: Episode = (ctx) => {
  const { rng } = ctx;
  const api = rng.pick(apisOf(ctx.config));
  const service = api.split('.')[0];
  const after = rng.int(0, 3);
  const flavour = rng.next();
  if (flavour < 0.15 && STUCK_CAPABLE.has(api)) {
    ctx.faults.push({ api, stuck: true, times: 1, after });
  } else if (flavour < 0.3) {
    // A slow answer: longer than the SDK would like, shorter than a step's budget.
    ctx.faults.push({ api, latencyMs: rng.int(5, 40) * 1000, times: 1, after });
  } else {
    ctx.faults.push({ api, error: rng.pick(ERRORS_BY_SERVICE[service] ?? ['InternalError']), times: rng.int(1, 3), after });
  }
};

const crash: Episode = (ctx) => {
  ctx.faults.push({ crash: { step: ctx.rng.pick(crashableSteps(ctx.config)), times: 1 } });
};

const lambdaTimeout: Episode = (ctx) => {
  if (ctx.timeouts.orchestrator !== undefined) return crash(ctx);
  ctx.timeouts.orchestrator = ctx.rng.int(60, 180);
};

const operator: Episode = (ctx) => {
  const { rng } = ctx;
  const service = rng.pick(ctx.config.services).name;
  const action = rng.pick(['freeze', 'unfreeze', 'failover', 'failback', 'approve', 'abort'] as const);
  if (action === 'freeze') ctx.froze.add(service);
  ctx.events.push({
    at: seconds(rng.int(10, ctx.chaosEndSeconds - 10)),
    invoke: { function: 'control', payload: { action, service, by: 'chaos' } },
  });
};

const drill: Episode = (ctx) => {
  const { rng } = ctx;
  const service = rng.pick(ctx.config.services).name;
  ctx.events.push({
    at: seconds(rng.int(10, ctx.chaosEndSeconds - 60)),
    invoke: { function: 'drill', payload: { service, mode: 'live', holdSeconds: rng.int(30, 90) } },
  });
};

const EPISODES: Array<[Episode, number]> = [
  [siteOutage, 30],
  [partition, 8],
  [alarmDelivery, 16],
  [awsFault, 20],
  [crash, 6],
  [lambdaTimeout, 4],
  [operator, 11],
  [drill, 5],
];
const EPISODE_WEIGHT = EPISODES.reduce((sum, [, weight]) => sum + weight, 0);

function pickEpisode(rng: Rng): Episode {
  let roll = rng.next() * EPISODE_WEIGHT;
  for (const [episode, weight] of EPISODES) {
    roll -= weight;
    if (roll < 0) return episode;
  }
  return EPISODES[0][0];
}

/** Virtual time after the heal point: recovery rounds, the hold-down, a failback run and a margin. */
export function settleSeconds(config: SwitchbackConfig): number {
  return (
    Math.max(
      ...config.services.map(
        (service) =>
          service.policy.probe.recoveryThreshold * service.policy.probe.intervalSeconds + service.policy.failback.holdDownSeconds,
      ),
    ) + 300
  );
}

export interface GenerateOptions {
  /** Name of the config (for the scenario name). */
  configName: string;
  /** The config as written (inlined into the scenario so the file stands alone). */
  configDocument: Record<string, unknown>;
  /** The same config parsed (defaults resolved), to aim faults and alarms. */
  config: SwitchbackConfig;
  seed: number;
}

export function generateSchedule(options: GenerateOptions): ScenarioDocument {
  const rng = rngFrom(options.seed);
  const ctx: Context = {
    config: options.config,
    rng,
    chaosEndSeconds: rng.int(240, 420),
    events: [],
    faults: [],
    timeouts: {},
    touchedSites: new Set(),
    partitioned: new Set(),
    froze: new Set(),
    alarmed: new Set(),
  };
  const episodes = rng.int(2, 7);
  for (let i = 0; i < episodes; i++) pickEpisode(rng)(ctx);

  // The heal point: everything back to normal so liveness can be judged.
  const heal = seconds(ctx.chaosEndSeconds);
  for (const site of [...ctx.touchedSites].sort()) ctx.events.push({ at: heal, site, health: 'up' });
  for (const location of [...ctx.partitioned].sort()) ctx.events.push({ at: heal, location, reachable: true });
  for (const name of [...ctx.alarmed].sort()) ctx.events.push({ at: heal, alarm: { name, state: 'OK' } });
  for (const service of [...ctx.froze].sort())
    ctx.events.push({ at: heal, invoke: { function: 'control', payload: { action: 'unfreeze', service, by: 'chaos' } } });

  const events = ctx.events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => parseInt(String(a.event.at), 10) - parseInt(String(b.event.at), 10) || a.index - b.index)
    .map(({ event }) => event);
  return {
    name: `chaos-${options.configName}-${options.seed}`,
    description: `random schedule ${options.seed} on the ${options.configName} config; everything heals at ${heal}`,
    config: options.configDocument,
    seed: options.seed,
    duration: seconds(ctx.chaosEndSeconds + settleSeconds(options.config)),
    ...(Object.keys(ctx.timeouts).length > 0 ? { timeouts: ctx.timeouts } : {}),
    events,
    faults: ctx.faults,
  };
}
