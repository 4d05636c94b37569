/**
 * A model of a Route 53 endpoint health check, run against a real loopback site in (scaled) real
 * time, for comparison with switchback's probes in the same harness.
 *
 * What Route 53 documents (Developer Guide, "How Amazon Route 53 determines whether a health check
 * is healthy"): health checkers in several locations probe independently (uncoordinated) every
 * RequestInterval (30 s standard, 10 s fast); each checker changes its view after FailureThreshold
 * consecutive failures (or successes); HTTP checks need a TCP connection within 4 s and a status
 * within 2 s after it; Route 53 considers the endpoint healthy when MORE than 18 % of the checkers
 * report healthy, i.e. unhealthy once 18 % or fewer do. A failover record's answer changes as soon
 * as the check is unhealthy (data plane, no API call).
 * Assumed here: 16 checkers (8 default regions × 2), phases uniformly random, no checker lag.
 */
import { Agent, request } from 'undici';

export interface Route53ModelOptions {
  requestIntervalMs: number;
  failureThreshold: number;
  checkers?: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  random(): number;
}

export const ROUTE53_HEALTHY_FRACTION = 0.18;
export const ROUTE53_DEFAULT_CHECKERS = 16;

export interface Route53HealthCheck {
  /** performance.now() of each change of the aggregate status. */
  changes: Array<{ atMs: number; healthy: boolean }>;
  stop(): Promise<void>;
}

export function startRoute53HealthCheck(url: string, options: Route53ModelOptions): Route53HealthCheck {
  const count = options.checkers ?? ROUTE53_DEFAULT_CHECKERS;
  const agent = new Agent({ connect: { timeout: options.connectTimeoutMs } });
  const checkers = Array.from({ length: count }, () => ({ healthy: true, failures: 0, successes: 0 }));
  const changes: Route53HealthCheck['changes'] = [];
  const timers: NodeJS.Timeout[] = [];
  let aggregateHealthy = true;
  let stopped = false;

  async function check(index: number): Promise<void> {
    let ok = false;
    try {
      const response = await request(url, {
        dispatcher: agent,
        method: 'GET',
        reset: true,
        headersTimeout: options.responseTimeoutMs,
        signal: AbortSignal.timeout(options.connectTimeoutMs + options.responseTimeoutMs),
      });
      await response.body.dump();
      ok = response.statusCode >= 200 && response.statusCode < 400;
    } catch {
      ok = false;
    }
    if (stopped) return;
    const checker = checkers[index];
    if (ok) {
      checker.successes += 1;
      checker.failures = 0;
      if (checker.successes >= options.failureThreshold) checker.healthy = true;
    } else {
      checker.failures += 1;
      checker.successes = 0;
      if (checker.failures >= options.failureThreshold) checker.healthy = false;
    }
    const healthy = checkers.filter((candidate) => candidate.healthy).length / count > ROUTE53_HEALTHY_FRACTION;
    if (healthy !== aggregateHealthy) {
      aggregateHealthy = healthy;
      changes.push({ atMs: performance.now(), healthy });
    }
  }

  checkers.forEach((_, index) => {
    const first = setTimeout(() => {
      void check(index);
      timers.push(setInterval(() => void check(index), options.requestIntervalMs));
    }, options.random() * options.requestIntervalMs);
    timers.push(first);
  });

  return {
    changes,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await agent.destroy();
    },
  };
}

/**
 * Expected time from failure to an unhealthy check, analytically: a checker fails its
 * FailureThreshold-th probe (threshold − 1) intervals after its first failed probe, which comes a
 * uniform fraction of an interval after the failure; the check turns once the m-th checker has,
 * m = checkers − floor(18 % × checkers), and the m-th of n uniforms has mean m / (n + 1).
 */
export function expectedRoute53DetectionMs(
  requestIntervalMs: number,
  failureThreshold: number,
  checkers = ROUTE53_DEFAULT_CHECKERS,
): number {
  const mustFail = checkers - Math.floor(ROUTE53_HEALTHY_FRACTION * checkers);
  return requestIntervalMs * (failureThreshold - 1 + mustFail / (checkers + 1));
}
