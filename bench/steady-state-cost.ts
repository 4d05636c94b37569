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
 * 3. A month at defaults (10 s rounds, 60 s window, probe 256 MB arm64, one probe location),
 *    priced with the on-demand list prices below (us-east-1). Lambda bills an invocation from
 *    start to return, sleeps included: a probe invocation lasts its whole 50 s of rounds.
 */
import { join } from 'node:path';
import { runProbeInvocation } from '../shared/app/probe';
import { loadConfigFile } from '../shared/config/load';
import type { SwitchbackConfig } from '../shared/config/types';
import { startEmbeddedDynamo } from '../sim/dynamo';
import { startSite } from '../sim/sites';
import { VirtualClock } from '../sim/virtual-clock';
import type { StoreStats } from '../shared/store/store';
import { pointAtLoopback } from './lib/configs';
import { createHarness, SCHEDULED_EVENT } from './lib/harness';
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
} as const;

const HOURS_PER_MONTH = 730;
const PROBE_MEMORY_GB = 0.25;
const DEFAULT_INTERVAL_SECONDS = 10;
const WINDOW_SECONDS = 60;
/** Lambda's START/END/REPORT lines plus the heartbeat metric line, per probe invocation. */
const LOG_BYTES_PER_INVOCATION = 700;
const GOAL_MONTHLY_USD = 1;

interface HealthyCost {
  readsPerRound: number;
  writesPerRound: number;
  readsPerInvocation: number;
  writesPerInvocation: number;
  roundBusyMs: number;
  setupMs: number;
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
  await world.stop();

  const readsPerRound = (fiveRounds.reads - oneRound.reads) / 4;
  const writesPerRound = (fiveRounds.writes - oneRound.writes) / 4;
  const busy = five.rounds.map((summary) => summary.durationMs);
  const writesInRounds = five.rounds.reduce((sum, summary) => sum + summary.observationWrites, 0);
  if (writesInRounds > 0) log(`steady-state cost: ${writesInRounds} observation writes in healthy rounds`);
  return {
    readsPerRound,
    writesPerRound,
    readsPerInvocation: oneRound.reads - readsPerRound,
    writesPerInvocation: oneRound.writes - writesPerRound,
    roundBusyMs: median(busy),
    setupMs,
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

function monthlyCost(healthy: HealthyCost, intervalSeconds: number) {
  const invocations = (3600 / WINDOW_SECONDS) * HOURS_PER_MONTH;
  const roundsPerInvocation = Math.ceil(WINDOW_SECONDS / intervalSeconds);
  const billedSeconds = (healthy.setupMs + (roundsPerInvocation - 1) * intervalSeconds * 1000 + healthy.roundBusyMs) / 1000;
  const gbSeconds = invocations * billedSeconds * PROBE_MEMORY_GB;
  const reads = invocations * (healthy.readsPerInvocation + roundsPerInvocation * healthy.readsPerRound);
  const writes = invocations * (healthy.writesPerInvocation + roundsPerInvocation * healthy.writesPerRound);
  const lambdaUsd = gbSeconds * PRICES.lambdaArmGbSecond + (invocations / 1e6) * PRICES.lambdaRequestPerMillion;
  const dynamoUsd = (reads / 1e6) * PRICES.dynamoReadPerMillion + (writes / 1e6) * PRICES.dynamoWritePerMillion;
  const cloudWatchUsd =
    PRICES.cloudWatchCustomMetricMonth +
    PRICES.cloudWatchAlarmMonth +
    ((invocations * LOG_BYTES_PER_INVOCATION) / 1024 ** 3) * PRICES.cloudWatchLogsIngestPerGb;
  return {
    invocations,
    billedSeconds,
    gbSeconds,
    reads,
    writes,
    lambdaUsd,
    dynamoUsd,
    cloudWatchUsd,
    totalUsd: lambdaUsd + dynamoUsd + cloudWatchUsd,
  };
}

export async function run(): Promise<void> {
  log('steady-state cost: healthy rounds for 10 and 100 services (real clock)');
  const healthy10 = await measureHealthy(10);
  const healthy100 = await measureHealthy(100);

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
    note: `10 and 100 services alike; plus ${healthy10.writesPerInvocation} WRU per invocation (the location heartbeat, once a minute)`,
  });
  emitFigure({
    name: 'cost.dynamo.readsPerHealthyRound.10services',
    value: round(healthy10.readsPerRound, 2),
    unit: 'RRU',
    note: `BatchGet of the states (eventually consistent); 100 services: ${round(healthy100.readsPerRound, 1)} RRU; plus ${round(healthy10.readsPerInvocation, 1)} RRU per invocation (observations)`,
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

  const month10 = monthlyCost(healthy10, DEFAULT_INTERVAL_SECONDS);
  emitFigure({
    name: 'cost.lambda.gbSecondsPerMonth.10services',
    value: Math.round(month10.gbSeconds),
    unit: 'GB-s',
    comparison: { name: '100 services, GB-s', value: Math.round(monthlyCost(healthy100, DEFAULT_INTERVAL_SECONDS).gbSeconds) },
    note: `${month10.invocations} probe invocations/month (60/h × ${HOURS_PER_MONTH} h), each billed ~${round(month10.billedSeconds, 1)} s × 256 MB: the 10 s sleeps between its 6 rounds are billed`,
  });
  for (const [services, healthy] of [
    [10, healthy10],
    [100, healthy100],
  ] as const) {
    const month = monthlyCost(healthy, DEFAULT_INTERVAL_SECONDS);
    log(`month at defaults, ${services} services: ${JSON.stringify(month)}`);
    emitFigure({
      name: `cost.monthly.${services}services`,
      value: round(month.totalUsd, 2),
      unit: 'USD/month',
      ...(services === 10 ? { goal: `< $${GOAL_MONTHLY_USD}`, met: month.totalUsd < GOAL_MONTHLY_USD } : {}),
      note: `Lambda $${round(month.lambdaUsd, 2)} + DynamoDB $${round(month.dynamoUsd, 2)} + CloudWatch $${round(month.cloudWatchUsd, 2)} (1 metric, 1 alarm, logs); list prices, no free tier, SMS and incidents excluded`,
    });
  }
  const oneRoundPerMinute = monthlyCost(healthy10, WINDOW_SECONDS);
  emitFigure({
    name: 'cost.monthly.10services.interval60s',
    value: round(oneRoundPerMinute.totalUsd, 2),
    unit: 'USD/month',
    note: `for comparison: intervalSeconds 60 (one round per invocation, billed ${round(oneRoundPerMinute.billedSeconds, 2)} s): Lambda $${round(oneRoundPerMinute.lambdaUsd, 3)}`,
  });
}
