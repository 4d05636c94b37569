/**
 * Probe throughput: N endpoints on 127.0.0.1 in one `probeAll` round (the call a probe round
 * makes; the prober is node:http/https with a fresh agent per request), against bare
 * `undici.request` on the same endpoints, same concurrency bound (256), same timeout, same fresh
 * connection per request (`reset: true`: a refused port is never hidden behind a kept-alive
 * connection). undici is only the yardstick here; no Lambda bundle holds it.
 *
 * Endpoints: 60 % healthy, 20 % slow (50–200 ms), 20 % refused. They are paths on 23 loopback
 * servers in a separate process (8 healthy, 7 slow with fixed latencies, 8 refusing): every probe
 * is its own TCP connection whatever the server count, so thousands of servers would only add file
 * descriptors, not realism. Each size is run once each untimed, then 3 times in alternating order;
 * the median counts.
 */
import { Agent, request } from 'undici';
import type { HttpProbeSpec } from '../shared/config/types';
import { createProber } from '../shared/probes';
import { startFixture } from './lib/fixtures';
import { emitFigure, log, round } from './lib/report';
import { median } from './lib/stats';

const SIZES = [100, 1_000, 2_000, 5_000];
const REPETITIONS = 3;
const MAX_CONCURRENCY = 256;
const TIMEOUT_MS = 2_000;
const SLOW_LATENCIES_MS = [50, 75, 100, 125, 150, 175, 200];
const HEALTHY_SERVERS = 8;
const REFUSING_SERVERS = 8;
const GOAL_RATIO = 1.5;
const GOAL_ROUND_SECONDS = 10;
const GOAL_SERVICES = 1_000;

type Kind = 'healthy' | 'slow' | 'refused';

function kindOf(index: number): Kind {
  const slot = index % 10;
  return slot < 6 ? 'healthy' : slot < 8 ? 'slow' : 'refused';
}

function boundedAll<T>(items: T[], limit: number, work: (item: T) => Promise<boolean>): Promise<boolean[]> {
  let next = 0;
  const results: boolean[] = new Array(items.length);
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  return Promise.all(workers).then(() => results);
}

export async function run(): Promise<void> {
  const fixture = await startFixture({
    sites: [
      ...Array.from({ length: HEALTHY_SERVERS }, () => ({ mode: 'up' as const })),
      ...SLOW_LATENCIES_MS.map((latencyMs) => ({ mode: 'slow' as const, latencyMs })),
      ...Array.from({ length: REFUSING_SERVERS }, () => ({ mode: 'down' as const })),
    ],
  });
  const healthyPorts = fixture.ports.slice(0, HEALTHY_SERVERS);
  const slowPorts = fixture.ports.slice(HEALTHY_SERVERS, HEALTHY_SERVERS + SLOW_LATENCIES_MS.length);
  const refusedPorts = fixture.ports.slice(HEALTHY_SERVERS + SLOW_LATENCIES_MS.length);
  const portsOf: Record<Kind, number[]> = { healthy: healthyPorts, slow: slowPorts, refused: refusedPorts };

  function endpoints(count: number): HttpProbeSpec[] {
    return Array.from({ length: count }, (_, index) => {
      const ports = portsOf[kindOf(index)];
      return {
        type: 'http',
        url: `http://127.0.0.1:${ports[index % ports.length]}/endpoint/${index}`,
        expectStatus: [200],
        followRedirects: false,
        tlsInsecure: false,
        timeoutMs: TIMEOUT_MS,
      };
    });
  }

  const prober = createProber({ maxConcurrency: MAX_CONCURRENCY });
  const bareAgent = new Agent({ connections: MAX_CONCURRENCY, pipelining: 1 });
  async function bare(spec: HttpProbeSpec): Promise<boolean> {
    try {
      const response = await request(spec.url, {
        dispatcher: bareAgent,
        method: 'GET',
        reset: true,
        headersTimeout: spec.timeoutMs,
        bodyTimeout: spec.timeoutMs,
        signal: AbortSignal.timeout(spec.timeoutMs),
      });
      await response.body.dump();
      return spec.expectStatus.includes(response.statusCode);
    } catch {
      return false;
    }
  }
  const viaProber = async (specs: HttpProbeSpec[]) => (await prober.probeAll(specs)).map((result) => result.ok);
  const viaBare = (specs: HttpProbeSpec[]) => boundedAll(specs, MAX_CONCURRENCY, bare);

  async function timed(specs: HttpProbeSpec[], probeAll: (specs: HttpProbeSpec[]) => Promise<boolean[]>, label: string): Promise<number> {
    const startedAt = performance.now();
    const ok = await probeAll(specs);
    const elapsedMs = performance.now() - startedAt;
    const expected = specs.filter((_, index) => kindOf(index) !== 'refused').length;
    const wrong = ok.filter((value, index) => value !== (kindOf(index) !== 'refused')).length;
    if (wrong > 0)
      log(`probe throughput: ${label} N=${specs.length}: ${wrong} results differ from the endpoint's health (expected ${expected} ok)`);
    return elapsedMs;
  }

  await timed(endpoints(200), viaProber, 'warm-up');
  await timed(endpoints(200), viaBare, 'warm-up');

  for (const size of SIZES) {
    const specs = endpoints(size);
    const proberMs: number[] = [];
    const bareMs: number[] = [];
    // One untimed pass of each at this size first. Without it the first timed round of a size was
    // the slowest (at 1,000: 840–1,060 ms for the prober, then 470–610; bare 650–820, then 490–710),
    // and the alternation below gave that first place to the prober in two rounds of three.
    await timed(specs, viaProber, 'warm-up');
    await timed(specs, viaBare, 'warm-up');
    for (let repetition = 0; repetition < REPETITIONS; repetition++) {
      if (repetition % 2 === 0) {
        proberMs.push(await timed(specs, viaProber, 'prober'));
        bareMs.push(await timed(specs, viaBare, 'bare'));
      } else {
        bareMs.push(await timed(specs, viaBare, 'bare'));
        proberMs.push(await timed(specs, viaProber, 'prober'));
      }
    }
    const proberRate = size / (median(proberMs) / 1000);
    const bareRate = size / (median(bareMs) / 1000);
    const ratio = median(proberMs) / median(bareMs);
    log(`probe throughput N=${size}: prober ${round(median(proberMs))} ms, bare ${round(median(bareMs))} ms, ratio ${round(ratio, 2)}`);
    const comparison = { name: 'bare undici.request, probes/s', value: Math.round(bareRate) };
    const note = `round ${round(median(proberMs))} ms vs bare ${round(median(bareMs))} ms: ratio ${round(ratio, 2)}`;
    if (size === 2 * GOAL_SERVICES) {
      const seconds = median(proberMs) / 1000;
      emitFigure({
        name: `probe.roundTime.${GOAL_SERVICES}services`,
        value: round(seconds, 2),
        unit: 's',
        goal: `≤ ${GOAL_ROUND_SECONDS} s for ${size} probes, ratio ≤ ${GOAL_RATIO}`,
        met: seconds <= GOAL_ROUND_SECONDS && ratio <= GOAL_RATIO,
        comparison: { name: 'bare undici.request, s', value: round(median(bareMs) / 1000, 2) },
        note: `${Math.round(proberRate)} probes/s; ${note}`,
      });
    } else {
      emitFigure({
        name: `probe.throughput.n${size}`,
        value: Math.round(proberRate),
        unit: 'probes/s',
        goal: `time ratio to bare ≤ ${GOAL_RATIO}`,
        met: ratio <= GOAL_RATIO,
        comparison,
        note,
      });
    }
  }
  await prober.close();
  await bareAgent.destroy();
  await fixture.stop();
}
