/**
 * Steady-state cost.
 *
 * 1. DynamoDB per healthy round: the `probe` use case (runProbeInvocation) on dynalite (in the
 *    fixture process, with the sites) for 10 and 100 healthy services, real clock, 1 s rounds.
 *    Consumed units come from store.stats() (ReturnConsumedCapacity as dynalite reports it). One
 *    invocation of 1 round and one of 5 rounds separate the per-invocation part (location
 *    heartbeat, reading the observations) from the per-round part (BatchGet of the states).
 *    The same runs give the busy time of a round. Warm-up first: a new service's streak counters
 *    change (and are written) until they reach their cap.
 * 2. DynamoDB per incident: the clean-failover story (primary down at 1 min, back at 6 min,
 *    failover then failback after the 300 s hold-down, scenarios/configs/web.yml config) on the
 *    virtual clock, minus the same 20 minutes without the outage.
 * 3. The probe chain (shared/domain/probe-chain.ts, what `sls deploy` sets up): on the same healthy
 *    world, the schedule's look at the chain (seed, then a live chain) and 20 chain links, each one
 *    real `probe` invocation of an SQS event (claim the slot, send the next link to the world's
 *    queue, one round): wall time per invocation, DynamoDB units per link (store.stats() plus the
 *    lease's conditional write).
 * 4. A month at defaults (10 s rounds, probe 256 MB arm64, one probe location), priced with the
 *    on-demand list prices below (us-east-1, no free tier), for each way of running the rounds:
 *    - `minute` (before the chain): one scheduled invocation runs 6 rounds and sleeps between them;
 *      Lambda bills an invocation from start to return, sleeps included (~50 s each);
 *    - `minute-128MB`: the same at 128 MB (half the GB-s; the sleep is still billed);
 *    - `chain` (kept): one invocation per round from an SQS delay-queue chain, plus the schedule's
 *      one-minute look; SQS requests include the event source mapping's empty long polls;
 *    - `express`: a Step Functions Express execution per minute whose Wait states space the rounds
 *      (a Lambda task per round): Express bills its whole duration, waits included.
 *    Invocation counts and durations are measured above; the per-month multiplication is the model.
 */
import { join } from 'node:path';
import { runProbeInvocation } from '../shared/app/probe';
import { loadConfigFile } from '../shared/config/load';
import type { SwitchbackConfig } from '../shared/config/types';
import { startEmbeddedDynamo } from '../sim/dynamo';
import { startSite } from '../sim/sites';
import { VirtualClock } from '../sim/virtual-clock';
import type { StoreStats } from '../shared/store/store';
import { createChainQueue } from '../shared/aws/sqs';
import { CHAIN_SOURCE, type ChainLink } from '../shared/domain/probe-chain';
import { createProbeChainStore } from '../shared/store/probe-chain';
import { probeChainQueueName } from '../serverless/naming';
import { pointAtLoopback } from './lib/configs';
import { createHarness, SCHEDULED_EVENT, type Harness } from './lib/harness';
import { startHealthyWorld } from './lib/healthy-world';
import { emitFigure, log, round } from './lib/report';
import { median } from './lib/stats';

/** On-demand list prices, us-east-1, USD (DynamoDB after the November 2024 reduction). */
export const PRICES = {
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequestPerMillion: 0.2,
  cloudWatchCustomMetricMonth: 0.3,
  cloudWatchAlarmMonth: 0.1,
  cloudWatchLogsIngestPerGb: 0.5,
  /** Standard queue, per million requests (every 64 KB chunk of a request is one): https://aws.amazon.com/sqs/pricing/ */
  sqsRequestPerMillion: 0.4,
  /** Express workflows: per million executions started, and per GB-hour of duration (first 1,000 GB-hours), billed in 64 MB chunks and 100 ms: https://aws.amazon.com/step-functions/pricing/ */
  stepFunctionsExpressPerMillion: 1.0,
  stepFunctionsExpressGbHour: 0.06,
} as const;

/**
 * The event source mapping long-polls the queue (20 s) whether or not a message is there, and those
 * ReceiveMessage calls are billed: "When traffic is low, Lambda scales back the processing to five
 * concurrent batches, and can optimize to as few as 2 concurrent batches to reduce the SQS calls and
 * corresponding costs" (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 * The model takes the unkind end: 5 pollers, 3 empty receives each a minute.
 */
const IDLE_POLLERS = 5;
const EMPTY_RECEIVES_PER_POLLER_MINUTE = 3;
/** An Express execution's memory is billed in 64 MB chunks (a small definition and payload use one). */
const EXPRESS_BILLED_GB = 64 / 1024;
/** Lambda's CPU share grows with memory: "At 1,769 MB, a function has the equivalent of one vCPU" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
const ONE_VCPU_MB = 1769;

const HOURS_PER_MONTH = 730;
const PROBE_MEMORY_GB = 0.25;
const DEFAULT_INTERVAL_SECONDS = 10;
const WINDOW_SECONDS = 60;
/** Lambda's START/END/REPORT lines plus the heartbeat metric line, per probe invocation. */
const LOG_BYTES_PER_INVOCATION = 700;
/** Issue 18: a steady state under $2 a month for 10 services at 10 s rounds. */
const GOAL_MONTHLY_USD = 2;
const CHAIN_LINKS_MEASURED = 20;

interface HealthyCost {
  readsPerRound: number;
  writesPerRound: number;
  readsPerInvocation: number;
  writesPerInvocation: number;
  roundBusyMs: number;
  setupMs: number;
  chain: ChainCost;
}

interface ChainCost {
  /** Median wall time of one chain link (claim, send, one round), ms. */
  linkMs: number;
  /** Median wall time of the schedule's look at a live chain, ms. */
  lookMs: number;
  /** The look that seeded the chain, ms. */
  seedMs: number;
  readsPerLink: number;
  writesPerLink: number;
}

function delta(after: StoreStats, before: StoreStats) {
  return { reads: after.reads - before.reads, writes: after.writes - before.writes };
}

async function measureHealthy(services: number): Promise<HealthyCost> {
  const world = await startHealthyWorld({ services, tableName: 'cost', intervalSeconds: 1, timeoutMs: 500 });
  const { harness } = world;
  const store = harness.deps.store;
  const invoke = (rounds: number) =>
    runProbeInvocation(harness.deps, { windowMs: rounds * 1000, deadlineEpochMs: Date.now() + 70_000, maxRounds: rounds });
  // Warm up until the streak counters reach their cap (max of the thresholds): from then on a healthy
  // round changes nothing. Back to back (sleeps skipped): only the state matters here.
  await world.warmUp(1);
  const beforeOne = store.stats();
  const startedOne = Date.now();
  const one = await invoke(1);
  const setupMs = one.rounds[0].atEpochMs - startedOne;
  const oneRound = delta(store.stats(), beforeOne);
  const beforeFive = store.stats();
  const five = await invoke(5);
  const fiveRounds = delta(store.stats(), beforeFive);

  const readsPerRound = (fiveRounds.reads - oneRound.reads) / 4;
  const writesPerRound = (fiveRounds.writes - oneRound.writes) / 4;
  const busy = five.rounds.map((summary) => summary.durationMs);
  const writesInRounds = five.rounds.reduce((sum, summary) => sum + summary.observationWrites, 0);
  if (writesInRounds > 0) log(`steady-state cost: ${writesInRounds} observation writes in healthy rounds`);
  const chain = await measureChain(harness, world.dynamoClient, 'cost');
  await world.stop();
  return {
    chain,
    readsPerRound,
    writesPerRound,
    readsPerInvocation: oneRound.reads - readsPerRound,
    writesPerInvocation: oneRound.writes - writesPerRound,
    roundBusyMs: median(busy),
    setupMs,
  };
}

/**
 * The chain on the healthy world: the schedule's look (it seeds generation 1, then finds it alive),
 * then links 1..N invoked back to back as SQS events through the `probe` handler (slot 0 would also
 * do the minute's heartbeat write, counted per minute in the model instead).
 */
async function measureChain(
  harness: Harness,
  client: Parameters<typeof createProbeChainStore>[0]['client'],
  tableName: string,
): Promise<ChainCost> {
  const { deps, world } = harness;
  const queueName = probeChainQueueName('bench');
  world.sqs.createQueue(deps.location, queueName);
  const lease = createProbeChainStore({ client, tableName });
  deps.chain = { store: lease, queue: createChainQueue(harness.clients, { region: deps.location, queueName }) };
  const timed = async (payload: unknown) => {
    const started = performance.now();
    await harness.invoke('probe', payload);
    return performance.now() - started;
  };
  const seedMs = await timed(SCHEDULED_EVENT);
  const looks: number[] = [];
  for (let look = 0; look < 5; look++) looks.push(await timed(SCHEDULED_EVENT));
  const seed = await lease.load(deps.location);
  if (!seed) throw new Error('steady-state cost: the schedule did not seed the chain');
  const storeBefore = deps.store.stats();
  const leaseBefore = lease.stats();
  const links: number[] = [];
  for (let slot = 1; slot <= CHAIN_LINKS_MEASURED; slot++) {
    const link: ChainLink = { location: deps.location, generation: seed.generation, slot, seedEpochMs: seed.seedEpochMs };
    links.push(await timed({ Records: [{ eventSource: 'aws:sqs', body: JSON.stringify({ source: CHAIN_SOURCE, ...link }) }] }));
  }
  const used = delta(deps.store.stats(), storeBefore);
  const sent = world.sqs.counts()[`${deps.location}/${queueName}`]?.sent ?? 0;
  if (sent !== CHAIN_LINKS_MEASURED + 1) log(`steady-state cost: ${sent} chain messages sent for ${CHAIN_LINKS_MEASURED} links and a seed`);
  return {
    linkMs: median(links),
    lookMs: median(looks),
    seedMs,
    readsPerLink: used.reads / CHAIN_LINKS_MEASURED,
    // The lease claim: one conditional UpdateItem of a ~100-byte item, 1 WRU.
    writesPerLink: used.writes / CHAIN_LINKS_MEASURED + (lease.stats().writes - leaseBefore.writes) / CHAIN_LINKS_MEASURED,
  };
}

/** Reads and writes of 20 minutes on the virtual clock, with or without the clean-failover outage. */
async function simulate(config: SwitchbackConfig, outage: boolean) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1), { stuckAfterRealMs: 60_000 });
  const dynamo = await startEmbeddedDynamo();
  await dynamo.createTable('incident');
  const primary = await startSite({ now: () => clock.now() });
  const secondary = await startSite({ now: () => clock.now() });
  const pointed = pointAtLoopback(config, (_service, _index, role) => (role === 'primary' ? primary.port : secondary.port));
  const harness = createHarness({
    config: pointed,
    clock,
    dynamo: dynamo.client,
    tableName: 'incident',
    runAsync: (name, work) => clock.start(name, work),
    world: { route53ChangeDelayMs: 10_000, ec2TransitionDelayMs: 15_000, sleep: (ms) => clock.sleep(ms) },
  });
  const start = clock.now();
  const end = start + 20 * 60_000;
  clock.start('schedule', async () => {
    for (let at = start; at < end; at += 60_000) {
      if (at > clock.now()) await clock.sleep(at - clock.now());
      clock.start('probe', () => harness.invoke('probe', SCHEDULED_EVENT));
    }
  });
  if (outage) {
    clock.start('outage', async () => {
      await clock.sleep(60_000);
      await primary.setHealth({ mode: 'down' });
      await clock.sleep(5 * 60_000);
      await primary.setHealth({ mode: 'up' });
    });
  }
  await clock.runUntil(end);
  const service = pointed.services[0].name;
  const runs = await harness.deps.store.listRuns(service, 10);
  const state = await harness.deps.store.getState(service);
  const stats = harness.deps.store.stats();
  const sms = harness.world.sns.published().length;
  await harness.close();
  await primary.close();
  await secondary.close();
  await dynamo.close();
  return {
    reads: stats.reads,
    writes: stats.writes,
    runs: runs.map((run) => `${run.kind}:${run.status}`),
    state: state?.state,
    sms,
    failures: clock.failuresSoFar().length,
  };
}

const MINUTES_PER_MONTH = 60 * HOURS_PER_MONTH;

interface MonthlyCost {
  invocations: number;
  gbSeconds: number;
  reads: number;
  writes: number;
  lambdaUsd: number;
  dynamoUsd: number;
  sqsUsd: number;
  stepFunctionsUsd: number;
  cloudWatchUsd: number;
  totalUsd: number;
}

function price(parts: {
  invocations: number;
  gbSeconds: number;
  reads: number;
  writes: number;
  sqsRequests?: number;
  expressExecutions?: number;
  expressGbSeconds?: number;
}): MonthlyCost {
  const lambdaUsd = parts.gbSeconds * PRICES.lambdaArmGbSecond + (parts.invocations / 1e6) * PRICES.lambdaRequestPerMillion;
  const dynamoUsd = (parts.reads / 1e6) * PRICES.dynamoReadPerMillion + (parts.writes / 1e6) * PRICES.dynamoWritePerMillion;
  const sqsUsd = ((parts.sqsRequests ?? 0) / 1e6) * PRICES.sqsRequestPerMillion;
  const stepFunctionsUsd =
    ((parts.expressExecutions ?? 0) / 1e6) * PRICES.stepFunctionsExpressPerMillion +
    ((parts.expressGbSeconds ?? 0) / 3600) * PRICES.stepFunctionsExpressGbHour;
  const cloudWatchUsd =
    PRICES.cloudWatchCustomMetricMonth +
    PRICES.cloudWatchAlarmMonth +
    ((parts.invocations * LOG_BYTES_PER_INVOCATION) / 1024 ** 3) * PRICES.cloudWatchLogsIngestPerGb;
  return {
    invocations: parts.invocations,
    gbSeconds: parts.gbSeconds,
    reads: parts.reads,
    writes: parts.writes,
    lambdaUsd,
    dynamoUsd,
    sqsUsd,
    stepFunctionsUsd,
    cloudWatchUsd,
    totalUsd: lambdaUsd + dynamoUsd + sqsUsd + stepFunctionsUsd + cloudWatchUsd,
  };
}

/** Lambda bills duration in 1 ms steps. */
const billedSeconds = (ms: number) => Math.ceil(ms) / 1000;

/** Before the chain: one scheduled invocation a minute runs the minute's rounds and is billed for the sleeps between them. */
function minuteCost(healthy: HealthyCost, intervalSeconds: number, memoryGb = PROBE_MEMORY_GB) {
  const invocations = MINUTES_PER_MONTH;
  const roundsPerInvocation = Math.ceil(WINDOW_SECONDS / intervalSeconds);
  const billed = billedSeconds(healthy.setupMs + (roundsPerInvocation - 1) * intervalSeconds * 1000 + healthy.roundBusyMs);
  return {
    billedSeconds: billed,
    ...price({
      invocations,
      gbSeconds: invocations * billed * memoryGb,
      reads: invocations * (healthy.readsPerInvocation + roundsPerInvocation * healthy.readsPerRound),
      writes: invocations * (healthy.writesPerInvocation + roundsPerInvocation * healthy.writesPerRound),
    }),
  };
}

/**
 * The chain: a link invocation per round, the schedule's look once a minute, the minute's heartbeat
 * write; SQS: SendMessage, the receive that returns the link and the DeleteMessage per round, plus
 * the pollers' empty receives. `express` swaps SQS for an Express execution a minute whose Wait
 * states space the rounds (billed for the whole minute at 64 MB); it needs the same lease (Express
 * runs at least once too).
 */
function chainCost(healthy: HealthyCost, intervalSeconds: number, options: { memoryGb?: number; express?: boolean } = {}) {
  const memoryGb = options.memoryGb ?? PROBE_MEMORY_GB;
  const rounds = (60 / intervalSeconds) * MINUTES_PER_MONTH;
  const looks = MINUTES_PER_MONTH;
  const { chain } = healthy;
  const lambda = {
    invocations: rounds + looks,
    gbSeconds: (rounds * billedSeconds(chain.linkMs) + looks * billedSeconds(chain.lookMs)) * memoryGb,
    // The look is one eventually consistent GetItem of the lease (half a read unit).
    reads: rounds * chain.readsPerLink + looks * 0.5,
    writes: rounds * chain.writesPerLink + MINUTES_PER_MONTH * healthy.writesPerInvocation,
  };
  const emptyReceives = options.express ? 0 : IDLE_POLLERS * EMPTY_RECEIVES_PER_POLLER_MINUTE * MINUTES_PER_MONTH;
  const month = options.express
    ? price({ ...lambda, expressExecutions: MINUTES_PER_MONTH, expressGbSeconds: MINUTES_PER_MONTH * WINDOW_SECONDS * EXPRESS_BILLED_GB })
    : price({ ...lambda, sqsRequests: rounds * 3 + emptyReceives });
  return { rounds, emptyReceives, ...month };
}

/** One 1,000-service round (2,000 probes) on the healthy world, after the warm-up: does it fit a 10 s round at 128 MB? */
async function measureRoundAt(services: number): Promise<number> {
  const world = await startHealthyWorld({ services, tableName: 'cost-large', intervalSeconds: 1, timeoutMs: 500 });
  await world.warmUp(0);
  const result = await runProbeInvocation(world.harness.deps, { windowMs: 0, deadlineEpochMs: Date.now() + 70_000 });
  await world.stop();
  return result.rounds[0].durationMs;
}

function describe(month: MonthlyCost): string {
  const parts = [`Lambda $${round(month.lambdaUsd, 2)}`, `DynamoDB $${round(month.dynamoUsd, 2)}`];
  if (month.sqsUsd > 0) parts.push(`SQS $${round(month.sqsUsd, 2)}`);
  if (month.stepFunctionsUsd > 0) parts.push(`Step Functions $${round(month.stepFunctionsUsd, 2)}`);
  parts.push(`CloudWatch $${round(month.cloudWatchUsd, 2)}`);
  return parts.join(' + ');
}

export async function run(): Promise<void> {
  log('steady-state cost: healthy rounds and the probe chain for 10 and 100 services (real clock)');
  const healthy10 = await measureHealthy(10);
  const healthy100 = await measureHealthy(100);
  log('steady-state cost: one round of 1,000 services');
  const busy1000 = await measureRoundAt(1000);

  log('steady-state cost: clean failover and failback, 20 min on the virtual clock');
  const suiteConfig = loadConfigFile(join(__dirname, '..', 'scenarios', 'configs', 'web.yml'));
  const baseline = await simulate(suiteConfig, false);
  const incident = await simulate(suiteConfig, true);
  log(
    `incident run: ${incident.runs.join(', ')}; final ${incident.state}; ${incident.sms} SMS; baseline ${baseline.reads} RRU/${baseline.writes} WRU, with outage ${incident.reads}/${incident.writes}`,
  );
  if (incident.runs.length !== 2 || incident.state !== 'PRIMARY')
    log(`steady-state cost: the incident did not end as failover + failback (${incident.runs.join(', ')})`);

  emitFigure({
    name: 'cost.dynamo.writesPerHealthyRound',
    value: round(healthy10.writesPerRound, 2),
    unit: 'WRU',
    goal: '0',
    met: healthy10.writesPerRound === 0 && healthy100.writesPerRound === 0,
    note: `state and observations, 10 and 100 services alike; plus ${healthy10.writesPerInvocation} WRU a minute (the location heartbeat) and, with the chain, 1 WRU per round (the lease claim)`,
  });
  emitFigure({
    name: 'cost.dynamo.readsPerHealthyRound.10services',
    value: round(healthy10.readsPerRound, 2),
    unit: 'RRU',
    note: `BatchGet of the states (eventually consistent); 100 services: ${round(healthy100.readsPerRound, 1)} RRU; plus ${round(healthy10.readsPerInvocation, 1)} RRU per invocation (observations), which the chain reads every round: ${round(healthy10.chain.readsPerLink, 1)} RRU per link`,
  });
  emitFigure({
    name: 'cost.dynamo.perIncident',
    value: round(incident.writes - baseline.writes, 1),
    unit: 'WRU',
    comparison: { name: 'RRU per incident', value: round(incident.reads - baseline.reads, 1) },
    note: `failover + failback (${incident.runs.join(', ')}), ${incident.sms} SMS, minus the same 20 min healthy`,
  });
  emitFigure({
    name: 'cost.probe.roundBusyTime.10services',
    value: round(healthy10.roundBusyMs, 1),
    unit: 'ms',
    note: `100 services: ${round(healthy100.roundBusyMs, 1)} ms; invocation setup ${healthy10.setupMs} ms`,
  });
  const at128 = (busy1000 * ONE_VCPU_MB) / 128 / 1000;
  emitFigure({
    name: 'cost.probe.roundBusyTime.1000services',
    value: round(busy1000, 0),
    unit: 'ms',
    goal: 'fits a 10 s round at 128 MB',
    met: at128 < DEFAULT_INTERVAL_SECONDS,
    note: `2,000 probes on one core of this machine; Lambda gives 128 MB ${round(128 / ONE_VCPU_MB, 3)} of a vCPU, so a CPU-bound round would take ~${round(at128, 1)} s there (an upper estimate: probes mostly wait on the network)`,
  });
  emitFigure({
    name: 'cost.chain.linkDuration.10services',
    value: round(healthy10.chain.linkMs, 1),
    unit: 'ms',
    note: `one chain link (claim the slot, send the next link, one round), median of ${CHAIN_LINKS_MEASURED}; 100 services: ${round(healthy100.chain.linkMs, 1)} ms; the schedule's look at a live chain ${round(healthy10.chain.lookMs, 1)} ms, seeding it ${round(healthy10.chain.seedMs, 1)} ms`,
  });

  const minute10 = minuteCost(healthy10, DEFAULT_INTERVAL_SECONDS);
  const chain10 = chainCost(healthy10, DEFAULT_INTERVAL_SECONDS);
  emitFigure({
    name: 'cost.lambda.gbSecondsPerMonth.10services',
    value: Math.round(chain10.gbSeconds),
    unit: 'GB-s',
    comparison: { name: 'a minute of rounds per invocation, GB-s', value: Math.round(minute10.gbSeconds) },
    note: `chain: ${chain10.rounds} link invocations + ${MINUTES_PER_MONTH} looks a month at 256 MB; before: ${MINUTES_PER_MONTH} invocations billed ~${round(minute10.billedSeconds, 1)} s each (the 10 s sleeps between 6 rounds)`,
  });
  for (const [services, healthy] of [
    [10, healthy10],
    [100, healthy100],
  ] as const) {
    const month = chainCost(healthy, DEFAULT_INTERVAL_SECONDS);
    log(`month at defaults with the chain, ${services} services: ${JSON.stringify(month)}`);
    emitFigure({
      name: `cost.monthly.${services}services`,
      value: round(month.totalUsd, 2),
      unit: 'USD/month',
      ...(services === 10 ? { goal: `≤ $${GOAL_MONTHLY_USD}`, met: month.totalUsd <= GOAL_MONTHLY_USD } : {}),
      note: `probe chain (kept): ${describe(month)}; SQS counts ${IDLE_POLLERS} idle pollers' empty receives (${month.emptyReceives}/month); list prices, no free tier, SMS and incidents excluded`,
    });
  }
  const options: Array<[string, MonthlyCost, string]> = [
    ['minute', minute10, `before the chain: one scheduled invocation a minute, billed ~${round(minute10.billedSeconds, 1)} s at 256 MB`],
    ['minute128MB', minuteCost(healthy10, DEFAULT_INTERVAL_SECONDS, 0.125), 'the same at 128 MB: half the GB-s, the sleep still billed'],
    [
      'express',
      chainCost(healthy10, DEFAULT_INTERVAL_SECONDS, { express: true }),
      'Step Functions Express, one execution a minute, Wait states between per-round Lambda tasks: the waits are billed (60 s × 64 MB a minute)',
    ],
    [
      'chain128MB',
      chainCost(healthy10, DEFAULT_INTERVAL_SECONDS, { memoryGb: 0.125 }),
      'the chain at 128 MB if a link took as long as at 256 MB (it gets half the CPU): an estimate, not measured',
    ],
  ];
  for (const [name, month, how] of options) {
    log(`month at defaults, 10 services, ${name}: ${JSON.stringify(month)}`);
    emitFigure({
      name: `cost.monthly.10services.${name}`,
      value: round(month.totalUsd, 2),
      unit: 'USD/month',
      note: `${how}: ${describe(month)}`,
    });
  }
  const oneRoundPerMinute = chainCost(healthy10, WINDOW_SECONDS);
  emitFigure({
    name: 'cost.monthly.10services.interval60s',
    value: round(oneRoundPerMinute.totalUsd, 2),
    unit: 'USD/month',
    note: `for comparison: intervalSeconds 60 (one link a minute): ${describe(oneRoundPerMinute)}`,
  });
}
