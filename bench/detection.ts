/**
 * Detection and failover time on the embedded world with the REAL clock: `runScenario` (real
 * handlers, dynalite, in-memory AWS, loopback sites) with intervals scaled down by 10 — probes every
 * 1 s, failure threshold 3 (the defaults are 10 s × 3), Route 53 changes INSYNC after 1 s, EC2
 * transitions 1 s. Five scenarios run at once, the primary going down at 3.0, 3.2 … 3.8 s so the
 * failure lands at different points of the probe cycle.
 *
 * The Route 53 health-check model (lib/route53-health-model.ts) then runs in the same process
 * against loopback sites at the same 1/10 scale: fast (10 s → 1 s, the same settings as
 * switchback's here) and standard (30 s → 3 s), six trials each, also simulated, not computed;
 * the analytic expectation is given next to it.
 */
import { roundedSeconds } from '../shared/clock';
import { seededRandom } from '../sim/random';
import { runScenario, type SimulationResult } from '../sim/runner';
import { parseScenario } from '../sim/scenario';
import { startSite } from '../sim/sites';
import { expectedRoute53DetectionMs, startRoute53HealthCheck } from './lib/route53-health-model';
import { emitFigure, log, round } from './lib/report';
import { median } from './lib/stats';

const SCALE = 10;
const INTERVAL_SECONDS = 1;
const FAILURE_THRESHOLD = 3;
const BOUND_SECONDS = INTERVAL_SECONDS * FAILURE_THRESHOLD;
const DOWN_AT_SECONDS = [3.0, 3.2, 3.4, 3.6, 3.8];
const SCENARIO_SECONDS = 16;
const ROUTE53_TRIALS = 6;

const CONFIG = {
  controlRegion: 'us-west-2',
  notify: { sms: ['+15555550100'] },
  defaults: {
    probe: { intervalSeconds: INTERVAL_SECONDS, timeoutMs: 500, failureThreshold: FAILURE_THRESHOLD, recoveryThreshold: 5 },
    trigger: 'probe',
    failback: { mode: 'manual', holdDownSeconds: 300 },
  },
  services: [
    {
      name: 'web',
      dns: { hostedZoneId: 'Z0123456789ABC', recordName: 'app.example.com', type: 'A', ttl: 30, strategy: 'record-swap' },
      primary: {
        region: 'us-east-1',
        target: ['203.0.113.10'],
        probe: { type: 'http', url: 'http://203.0.113.10/health', expectStatus: 200 },
      },
      secondary: {
        region: 'us-west-2',
        target: ['198.51.100.20'],
        probe: { type: 'http', url: 'http://198.51.100.20/health', expectStatus: 200 },
        prepare: [
          { 'ec2.start': { instanceIds: ['i-0abc1234def567890'] } },
          { 'ec2.associateAddress': { allocationId: 'eipalloc-0abc1234', instanceId: 'i-0abc1234def567890' } },
          { 'http.waitHealthy': { timeoutSeconds: 30, intervalSeconds: 1 } },
        ],
      },
    },
  ],
};

interface Trial {
  decision: number;
  dns: number;
  sms: number;
}

/**
 * Seconds from the site going down to the first decision, DNS change and SMS. Timeline times are
 * rounded to 0.1 s (`roundedSeconds`), so their differences are rounded to 0.1 s too: 6.4 − 3.4 is
 * 3.0000000000000004 in floating point, which is not over a 3 s bound.
 */
export function measure(result: Pick<SimulationResult, 'timeline' | 'summary'>): Trial {
  const at = (predicate: (entry: SimulationResult['timeline'][number]) => boolean, what: string): number => {
    const entry = result.timeline.find(predicate);
    if (!entry) throw new Error(`detection: no ${what} in the timeline (errors: ${result.summary.errors.join('; ') || 'none'})`);
    return entry.t;
  };
  const down = at((entry) => entry.kind === 'site' && entry.site === 'primary' && entry.health === 'down', 'site down');
  const since = (t: number) => roundedSeconds((t - down) * 1000);
  return {
    decision: since(at((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER', 'FAILING_OVER transition')),
    dns: since(at((entry) => entry.kind === 'dns', 'DNS answer change')),
    sms: since(at((entry) => entry.kind === 'sms', 'SMS')),
  };
}

async function route53Trial(intervalMs: number, random: () => number): Promise<number> {
  const site = await startSite();
  const check = startRoute53HealthCheck(`${site.url}/health`, {
    requestIntervalMs: intervalMs,
    failureThreshold: FAILURE_THRESHOLD,
    connectTimeoutMs: 4_000 / SCALE,
    responseTimeoutMs: 2_000 / SCALE,
    random,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, intervalMs * (1 + random())));
    await site.setHealth({ mode: 'down' });
    const downAt = performance.now();
    const giveUpAt = downAt + intervalMs * (FAILURE_THRESHOLD + 3);
    while (performance.now() < giveUpAt) {
      const unhealthy = check.changes.find((change) => !change.healthy && change.atMs >= downAt);
      if (unhealthy) return (unhealthy.atMs - downAt) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`route53 model: still healthy ${FAILURE_THRESHOLD + 3} intervals after the site went down`);
  } finally {
    await check.stop();
    await site.close();
  }
}

export async function run(): Promise<void> {
  log(`detection: ${DOWN_AT_SECONDS.length} real-clock scenarios of ${SCENARIO_SECONDS} s at once`);
  const results = await Promise.all(
    DOWN_AT_SECONDS.map((downAt) =>
      runScenario(
        parseScenario(
          {
            name: `detection-${downAt}`,
            config: CONFIG,
            clock: 'real',
            duration: `${SCENARIO_SECONDS}s`,
            world: { route53ChangeSeconds: 1, ec2TransitionSeconds: 1 },
            events: [{ at: `${downAt}s`, site: 'web/primary', health: 'down' }],
          },
          __dirname,
          `detection-${downAt}`,
        ),
      ),
    ),
  );
  const trials = results.map(measure);
  for (const trial of trials)
    log(`detection trial: decision ${round(trial.decision, 1)} s, dns ${round(trial.dns, 1)} s, sms ${round(trial.sms, 1)} s`);

  log(`detection: Route 53 model, ${ROUTE53_TRIALS} trials each of fast and standard at 1/${SCALE} scale`);
  const random = seededRandom(7);
  const fastMs = 10_000 / SCALE;
  const standardMs = 30_000 / SCALE;
  const [fast, standard] = await Promise.all([
    Promise.all(Array.from({ length: ROUTE53_TRIALS }, () => route53Trial(fastMs, random))),
    Promise.all(Array.from({ length: ROUTE53_TRIALS }, () => route53Trial(standardMs, random))),
  ]);
  log(
    `route53 model fast: ${fast.map((value) => round(value, 2)).join(', ')} s; standard: ${standard.map((value) => round(value, 2)).join(', ')} s`,
  );

  const spread = (values: number[]) =>
    `min ${round(Math.min(...values), 2)}, max ${round(Math.max(...values), 2)} over ${values.length} runs`;
  const decisions = trials.map((trial) => trial.decision);
  const fastMedian = median(fast);
  const standardMedian = median(standard);
  const scaleNote = `real clock, intervals scaled 1/${SCALE}: probes every ${INTERVAL_SECONDS} s × ${FAILURE_THRESHOLD}`;
  emitFigure({
    name: 'detection.siteDownToDecision',
    value: round(median(decisions), 2),
    unit: 's',
    goal: `≤ ${BOUND_SECONDS} s (threshold × interval), every run`,
    met: Math.max(...decisions) <= BOUND_SECONDS,
    comparison: {
      name: `Route 53 health-check model, fast, same settings (${fastMs / 1000} s × ${FAILURE_THRESHOLD}), simulated`,
      value: round(fastMedian, 2),
    },
    note: `${scaleNote}; ${spread(decisions)}; timeline resolution 0.1 s`,
  });
  emitFigure({
    name: 'detection.siteDownToDnsInSync',
    value: round(median(trials.map((trial) => trial.dns)), 2),
    unit: 's',
    comparison: { name: 'Route 53 model fast: failover answer flips when the check turns unhealthy', value: round(fastMedian, 2) },
    note: `includes the runbook (ec2.start with 1 s transition but 3 s EC2 polling, associateAddress, waitHealthy, UPSERT, 1 s to INSYNC); DNS sampled every 1 s; ${spread(trials.map((trial) => trial.dns))}`,
  });
  emitFigure({
    name: 'detection.siteDownToFirstSms',
    value: round(median(trials.map((trial) => trial.sms)), 2),
    unit: 's',
    comparison: { name: 'configured bound threshold × interval, s', value: BOUND_SECONDS },
    note: `${spread(trials.map((trial) => trial.sms))}; a Route 53 check texts nobody by itself (HealthCheckStatus alarm + SNS adds ≥ 1 min)`,
  });
  emitFigure({
    name: 'detection.route53Model.standard',
    value: round(standardMedian, 2),
    unit: 's',
    comparison: { name: 'analytic expectation, s', value: round(expectedRoute53DetectionMs(standardMs, FAILURE_THRESHOLD) / 1000, 2) },
    note: `simulated: 16 checkers every ${standardMs / 1000} s (30 s at 1/${SCALE}), threshold ${FAILURE_THRESHOLD}, unhealthy at ≤ 18 % healthy; ${spread(standard)}`,
  });
  emitFigure({
    name: 'detection.route53Model.fast',
    value: round(fastMedian, 2),
    unit: 's',
    comparison: { name: 'analytic expectation, s', value: round(expectedRoute53DetectionMs(fastMs, FAILURE_THRESHOLD) / 1000, 2) },
    note: `simulated: 16 checkers every ${fastMs / 1000} s (10 s at 1/${SCALE}); ${spread(fast)}`,
  });
  emitFigure({
    name: 'detection.atDefaults.switchback10sx3',
    value: round(median(decisions) * SCALE, 1),
    unit: 's',
    comparison: { name: 'Route 53 health check at its default 30 s × 3 (model × 10)', value: round(standardMedian * SCALE, 1) },
    note: `extrapolated: the scaled medians × ${SCALE} (also scales the ~0.1 s round time, so slightly pessimistic for switchback); Route 53 fast 10 s × 3 would be ${round(fastMedian * SCALE, 1)} s`,
  });
}
