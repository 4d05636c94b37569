/**
 * An honest end-to-end RTO, in one run: site down → failover decision → the DNS answer changes →
 * a resolver that cached the old answer just before the change sees the secondary (+ TTL).
 *
 * switchback runs on the simulated world at its model timings, on the virtual clock, so these
 * figures are the documented AWS timings the world models (Route 53 changes INSYNC after 60 s,
 * health checkers re-read an alarm every 30 s, CloudWatch alarms evaluate per minute, EC2 starts in
 * 15 s), not this machine's speed. The example's service (10 s × 3 probes, TTL 30 s) runs with its
 * warm-standby runbook (ec2.start, associateAddress, waitHealthy) and with DNS only, for
 * `record-swap` and `health-check-flag`; the primary dies at five points of the probe cycle and the
 * median is reported.
 *
 * Beside them, Route 53 failover records with an endpoint health check, computed from Route 53's
 * documented model (lib/route53-health-model.ts): the check goes unhealthy after
 * expectedRoute53DetectionMs at standard (30 s × 3) and fast (10 s × 3) settings, and the answer
 * changes at once (no API call, no INSYNC). Route 53 starts no standby: its secondary must already
 * be running, which is what the DNS-only rows compare with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runScenario, type SimulationResult } from '../sim/runner';
import { parseScenario } from '../sim/scenario';
import { emitFigure, log, round } from './lib/report';
import { expectedRoute53DetectionMs } from './lib/route53-health-model';
import { median } from './lib/stats';

const ROOT = join(__dirname, '..');
const DOWN_AT_SECONDS = [60, 62, 64, 66, 68];
const SECONDARY = ['198.51.100.20'];

interface Variant {
  name: string;
  strategy: 'record-swap' | 'health-check-flag';
  warmStandby: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'record-swap, warm standby (ec2.start + EIP + waitHealthy)', strategy: 'record-swap', warmStandby: true },
  { name: 'record-swap, DNS only', strategy: 'record-swap', warmStandby: false },
  { name: 'health-check-flag, warm standby', strategy: 'health-check-flag', warmStandby: true },
  { name: 'health-check-flag, DNS only', strategy: 'health-check-flag', warmStandby: false },
];

interface Timings {
  decisionSeconds: number;
  dnsSeconds: number;
  resolverSeconds: number;
}

function exampleWith(variant: Variant): { config: Record<string, unknown>; ttlSeconds: number } {
  const config = parse(readFileSync(join(ROOT, 'switchback.example.yml'), 'utf8')) as {
    services: Array<{ dns: Record<string, unknown>; primary: Record<string, unknown>; secondary: Record<string, unknown> }>;
  };
  const [service] = config.services;
  service.dns.strategy = variant.strategy;
  delete service.primary.alarms;
  if (!variant.warmStandby) {
    delete service.secondary.prepare;
    delete service.secondary.cleanup;
  }
  return { config, ttlSeconds: Number(service.dns.ttl) };
}

async function measure(variant: Variant, downAtSeconds: number): Promise<Timings> {
  const { config, ttlSeconds } = exampleWith(variant);
  const scenario = parseScenario(
    { config, duration: '8m', events: [{ at: `${downAtSeconds}s`, site: 'web/primary', health: 'down' }] },
    ROOT,
    'rto',
  );
  const result: SimulationResult = await runScenario(scenario);
  const decision = result.timeline.find((entry) => entry.kind === 'transition' && entry.to === 'FAILING_OVER');
  const dns = result.timeline.find(
    (entry) => entry.kind === 'dns' && JSON.stringify(entry.answer) === JSON.stringify(SECONDARY) && entry.t >= downAtSeconds,
  );
  if (!decision || !dns) throw new Error(`${variant.name}: no failover within the scenario (down at ${downAtSeconds}s)`);
  return {
    decisionSeconds: decision.t - downAtSeconds,
    dnsSeconds: dns.t - downAtSeconds,
    resolverSeconds: dns.t - downAtSeconds + ttlSeconds,
  };
}

export async function run(): Promise<void> {
  for (const variant of VARIANTS) {
    const runs: Timings[] = [];
    for (const downAt of DOWN_AT_SECONDS) runs.push(await measure(variant, downAt));
    const pick = (key: keyof Timings) => round(median(runs.map((timing) => timing[key])), 1);
    log(`${variant.name}: ${JSON.stringify(runs)}`);
    emitFigure({
      name: `end-to-end RTO, switchback ${variant.name}`,
      value: pick('resolverSeconds'),
      unit: 's',
      note: `median of ${runs.length} outage phases: decision ${pick('decisionSeconds')} s, DNS answer changed ${pick('dnsSeconds')} s, a resolver holding the old answer sees the secondary ${pick('resolverSeconds')} s (TTL 30 s); simulated at the world's model timings`,
    });
  }
  for (const [label, intervalSeconds] of [
    ['standard (30 s × 3)', 30],
    ['fast (10 s × 3)', 10],
  ] as const) {
    const detectionSeconds = expectedRoute53DetectionMs(intervalSeconds * 1000, 3) / 1000;
    emitFigure({
      name: `end-to-end RTO, Route 53 failover record ${label}`,
      value: round(detectionSeconds + 30, 1),
      unit: 's',
      note: `computed from the documented health-check model: unhealthy after ${round(detectionSeconds, 1)} s, answer changes at once, +30 s TTL; the secondary must already be running`,
    });
  }
}
