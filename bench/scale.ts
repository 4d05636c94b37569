/**
 * Scale: 500 services in one config, one probe invocation (runProbeInvocation, real clock) with
 * every primary and secondary healthy: 1,000 probes per round against two loopback servers and
 * dynalite in the fixture process. Reported: the first round ever (it creates 500 state items and
 * observations), the steady rounds of a later invocation (rounds 2 s apart), and memory — the
 * heap's growth over its level before the invocation (after a GC) and the process's peak RSS,
 * sampled every 10 ms. The RSS includes the tsx loader and the in-memory AWS world, which a
 * deployed bundle does not carry.
 */
import { runProbeInvocation } from '../shared/app/probe';
import { startHealthyWorld } from './lib/healthy-world';
import { emitFigure, log, round } from './lib/report';
import { median } from './lib/stats';

const SERVICES = 500;
const INTERVAL_SECONDS = 2;
const MEASURED_ROUNDS = 3;
const MIB = 1024 * 1024;
/** The probe function's memory in serverless/deployment.ts. */
const PROBE_MEMORY_MIB = 256;
/** Default round interval: a round must end well within it. */
const DEFAULT_INTERVAL_MS = 10_000;

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export async function run(): Promise<void> {
  const world = await startHealthyWorld({ services: SERVICES, tableName: 'scale', intervalSeconds: INTERVAL_SECONDS, timeoutMs: 1500 });
  const { harness } = world;
  const invoke = (rounds: number) =>
    runProbeInvocation(harness.deps, {
      windowMs: rounds * INTERVAL_SECONDS * 1000,
      deadlineEpochMs: Date.now() + 70_000,
      maxRounds: rounds,
    });

  const first = await invoke(1);
  const firstRoundMs = first.rounds[0].durationMs;
  log(`scale: first round ever ${firstRoundMs} ms (${first.rounds[0].observationWrites} observation writes)`);
  await world.warmUp(0);

  collectGarbage();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, 10);
  const startedAt = performance.now();
  const measured = await invoke(MEASURED_ROUNDS);
  const invocationMs = performance.now() - startedAt;
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakHeap = Math.max(peakHeap, after.heapUsed);
  peakRss = Math.max(peakRss, after.rss);
  await world.stop();

  const roundsMs = measured.rounds.map((summary) => summary.durationMs);
  const failures = measured.rounds.reduce((sum, summary) => sum + summary.primaryDown.length + summary.secondaryDown.length, 0);
  log(
    `scale: rounds ${roundsMs.join(', ')} ms; invocation ${round(invocationMs)} ms; ${failures} failed probes; heap ${round(before.heapUsed / MIB)} → peak ${round(peakHeap / MIB)} MiB, rss peak ${round(peakRss / MIB)} MiB`,
  );
  emitFigure({
    name: `scale.${SERVICES}services.roundTime`,
    value: median(roundsMs),
    unit: 'ms',
    goal: `< ${DEFAULT_INTERVAL_MS / 1000} s (the default interval)`,
    met: Math.max(...roundsMs) < DEFAULT_INTERVAL_MS,
    comparison: { name: 'first round ever (creates the state items), ms', value: firstRoundMs },
    note: `median of ${MEASURED_ROUNDS} rounds (${roundsMs.join(', ')} ms): ${SERVICES * 2} probes + BatchGet of ${SERVICES} states + ${SERVICES} decisions; ${failures} probe failures`,
  });
  emitFigure({
    name: `scale.${SERVICES}services.heapGrowth`,
    value: round((peakHeap - before.heapUsed) / MIB, 1),
    unit: 'MiB',
    comparison: { name: 'heap at peak, MiB', value: round(peakHeap / MIB, 1) },
    note: `heap ${round(before.heapUsed / MIB)} MiB before the invocation (after GC); process RSS ${round(peakRss / MIB)} MiB at peak, but it includes the tsx loader, the in-memory AWS world and dev-mode modules that a ${PROBE_MEMORY_MIB} MB probe bundle does not carry`,
  });
}
