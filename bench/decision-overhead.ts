/**
 * Decision overhead: from the probe round that crosses the failure threshold to the first runbook
 * AWS call, on dynalite.
 *
 * Each iteration gets a fresh service state (a new table, the state item created beforehand, as
 * for a service that has been watched for a while). One probe round (runProbeInvocation, the
 * `probe` function's use case, maxRounds 1, failureThreshold 1) probes a primary that refuses
 * connections and a healthy secondary. The clock starts when probeAll resolves — the evidence that
 * crosses the threshold is in memory — and stops when the orchestrator hands ec2.StartInstances
 * (the first step of the runbook) to the SDK client. In between, one after the other: the
 * observation write and the BatchGet of states (at once), the pure decision, the conditional state
 * write, then the async Lambda invoke of the orchestrator (in-memory world) with the audit event
 * written alongside it, and in the orchestrator: reading the state, taking the lease with the
 * "started" text marker in the same conditional write, journalling the step start; the "failing
 * over" text (SNS, in-memory) goes out in the background. The DynamoDB requests counted are those completed between the two
 * moments. DynamoDB is dynalite in a separate process over loopback HTTP; AWS calls are answered in memory.
 */
import { runProbeInvocation } from '../shared/app/probe';
import type { ProbeSpec } from '../shared/config/types';
import { createProber, type Prober } from '../shared/probes';
import { buildConfig, pointAtLoopback, STANDBY_INSTANCE } from './lib/configs';
import { connectDynamo } from './lib/dynamo';
import { startFixture } from './lib/fixtures';
import { createHarness, wallClockSkippingSleeps } from './lib/harness';
import { emitFigure, log, round } from './lib/report';
import { median, percentile } from './lib/stats';

const WARMUP_ITERATIONS = 20;
const MEASURED_ITERATIONS = 250;
const GOAL_P99_MS = 50;

export async function run(): Promise<void> {
  const fixture = await startFixture({ sites: [{ mode: 'down' }, { mode: 'up' }], dynamo: true });
  const dynamo = connectDynamo(fixture.dynamoEndpoint as string);
  const config = pointAtLoopback(
    buildConfig({
      services: 1,
      probe: { intervalSeconds: 10, timeoutMs: 2000, failureThreshold: 1 },
      prepare: [{ 'ec2.start': { instanceIds: [STANDBY_INSTANCE] } }],
    }),
    (_service, _index, role) => (role === 'primary' ? fixture.ports[0] : fixture.ports[1]),
  );
  const service = config.services[0];

  let crossedAt = 0;
  let requestsAtCrossing = 0;
  let marks: { invoke?: number; firstCall?: number; dynamoRequests?: number } = {};
  const inner = createProber({ maxConcurrency: 256 });
  const prober: Prober = {
    probe: (spec: ProbeSpec) => inner.probe(spec),
    probeAll: async (specs: ProbeSpec[]) => {
      const results = await inner.probeAll(specs);
      crossedAt = performance.now();
      requestsAtCrossing = requestsSoFar();
      return results;
    },
    close: () => inner.close(),
  };
  const pending: Array<Promise<unknown>> = [];
  const requestsSoFar = () => {
    const stats = harness.deps.store.stats();
    return stats.readRequests + stats.writeRequests;
  };
  const harness = createHarness({
    config,
    clock: wallClockSkippingSleeps,
    dynamo: dynamo.client,
    tableName: 'decision-0',
    prober,
    world: { route53ChangeDelayMs: 0, ec2TransitionDelayMs: 0 },
    runAsync: (_name, work) => pending.push(work()),
    onSend: (awsService, command, atMs) => {
      if (awsService === 'lambda' && command === 'Invoke' && marks.invoke === undefined) marks.invoke = atMs;
      if (awsService === 'ec2' && command === 'StartInstances' && marks.firstCall === undefined) {
        marks.firstCall = atMs;
        marks.dynamoRequests = requestsSoFar();
      }
    },
  });

  const totalMs: number[] = [];
  const decideMs: number[] = [];
  const orchestratorMs: number[] = [];
  const requests: number[] = [];
  for (let iteration = 0; iteration < WARMUP_ITERATIONS + MEASURED_ITERATIONS; iteration++) {
    const table = `decision-${iteration}`;
    await dynamo.createTable(table);
    const store = harness.useTable(table);
    await store.ensureState(service.name, Date.now());
    marks = {};
    pending.length = 0;
    const nowMs = Date.now();
    const result = await runProbeInvocation(harness.deps, { windowMs: 0, deadlineEpochMs: nowMs + 70_000, maxRounds: 1 });
    await Promise.all(pending);
    if (result.rounds[0]?.decisions !== 1 || marks.firstCall === undefined || marks.invoke === undefined) {
      throw new Error(
        `iteration ${iteration}: the round did not start a failover (decisions ${result.rounds[0]?.decisions}, first call ${marks.firstCall})`,
      );
    }
    if (iteration < WARMUP_ITERATIONS) continue;
    totalMs.push(marks.firstCall - crossedAt);
    decideMs.push(marks.invoke - crossedAt);
    orchestratorMs.push(marks.firstCall - marks.invoke);
    requests.push((marks.dynamoRequests as number) - requestsAtCrossing);
  }
  await harness.close();
  dynamo.close();
  await fixture.stop();

  const p99 = percentile(totalMs, 99);
  log(
    `decision overhead: ${totalMs.length} runs, p50 ${round(median(totalMs), 2)} ms, p99 ${round(p99, 2)} ms, max ${round(Math.max(...totalMs), 2)} ms`,
  );
  const parts =
    `p50 ${round(median(decideMs), 1)} ms to the orchestrator invoke (observation write with BatchGet, decide, conditional state write; audit event alongside the invoke) + ` +
    `${round(median(orchestratorMs), 1)} ms in the orchestrator (read state, lease with the text marker, journal step start; SMS in the background), ` +
    `${median(requests)} DynamoDB requests completed between the crossing and the call`;
  const scope = `${MEASURED_ITERATIONS} runs after ${WARMUP_ITERATIONS} warm-up, fresh state each, dynalite in another process; excludes real DynamoDB/Lambda latency and orchestrator cold start`;
  emitFigure({ name: 'decision.thresholdToFirstRunbookCall.p50', value: round(median(totalMs), 1), unit: 'ms', note: parts });
  emitFigure({
    name: 'decision.thresholdToFirstRunbookCall.p99',
    value: round(p99, 1),
    unit: 'ms',
    goal: `p99 < ${GOAL_P99_MS} ms`,
    met: p99 < GOAL_P99_MS,
    note: scope,
  });
}
