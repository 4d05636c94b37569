import type http from 'node:http';
import { createProber } from '../../../shared/probes';
import { startSite } from '../../../sim/sites';
import { httpSpec, startServer } from './probe-test-kit';

describe('bounded concurrency', () => {
  it('keeps healthy probes fast while a hung endpoint holds one slot until its own timeout', async () => {
    const hung = await startSite({ name: 'hung' });
    const healthy = await startSite({ name: 'healthy' });
    const prober = createProber({ maxConcurrency: 8 });
    try {
      await hung.setHealth({ mode: 'hang' });
      const startedAt = Date.now();
      let hungSettledAt: number | undefined;
      const hungProbe = prober.probe(httpSpec(hung.url, { timeoutMs: 3_000 })).finally(() => {
        hungSettledAt = Date.now() - startedAt;
      });
      const healthyDoneAt: number[] = [];
      const healthyResults = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const result = await prober.probe(httpSpec(healthy.url, { timeoutMs: 2_000 }));
          healthyDoneAt.push(Date.now() - startedAt);
          return result;
        }),
      );
      expect(healthyResults.every((result) => result.ok)).toBe(true);
      expect(healthy.hits()).toBe(50);
      // Every healthy probe was answered while the hung one still held its slot (an order, not a
      // wall-clock bound: a loaded machine slows both sides alike).
      expect(hungSettledAt).toBeUndefined();

      expect(await hungProbe).toMatchObject({ ok: false, cause: 'timeout' });
      expect(Math.max(...healthyDoneAt)).toBeLessThan(hungSettledAt as number);
      expect(hungSettledAt).toBeGreaterThanOrEqual(2_990);
    } finally {
      await prober.close();
      await hung.close();
      await healthy.close();
    }
  });

  it('never has more than maxConcurrency probes in flight, and probeAll keeps the order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await startServer((request: http.IncomingMessage, response: http.ServerResponse) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        const status = Number((request.url ?? '/200').slice(1));
        response.writeHead(status);
        response.end();
      }, 20);
    });
    const prober = createProber({ maxConcurrency: 3 });
    try {
      const statuses = Array.from({ length: 12 }, (_, index) => (index % 3 === 0 ? 503 : 200));
      const results = await prober.probeAll(statuses.map((status) => httpSpec(`${server.url}/${status}`)));
      expect(results.map((result) => result.status)).toEqual(statuses);
      expect(results.map((result) => result.ok)).toEqual(statuses.map((status) => status === 200));
      expect(maxInFlight).toBe(3);
    } finally {
      await prober.close();
      await server.close();
    }
  });

  it("starts a probe's deadline when it gets its slot, not when it was queued", async () => {
    const site = await startSite({ name: 'slow' });
    const prober = createProber({ maxConcurrency: 1 });
    try {
      await site.setHealth({ mode: 'slow', latencyMs: 100 });
      // Each probe needs 100 ms of its 1,000 ms (slack for a loaded machine: 250 ms of slack failed
      // one in CI); queued one after another the 14 take ~1.4 s, so a deadline counted from the
      // queue would fail the last ones.
      const results = await prober.probeAll(Array.from({ length: 14 }, () => httpSpec(site.url, { timeoutMs: 1_000 })));
      expect(results.map((result) => result.ok)).toEqual(Array.from({ length: 14 }, () => true));
    } finally {
      await prober.close();
      await site.close();
    }
  });

  it('close() aborts probes in flight; they resolve instead of throwing', async () => {
    const site = await startSite({ name: 'hung' });
    const prober = createProber();
    try {
      await site.setHealth({ mode: 'hang' });
      const pending = prober.probe(httpSpec(site.url, { timeoutMs: 5_000 }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const startedAt = Date.now();
      await prober.close();
      const result = await pending;
      expect(result).toMatchObject({ ok: false, cause: 'error: prober closed' });
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    } finally {
      await site.close();
    }
  });

  it('rejects bad options (typos are errors)', () => {
    expect(() => createProber({ maxConcurrency: 0 })).toThrow(/maxConcurrency/);
    expect(() => createProber({ maxConcurency: 4 } as never)).toThrow(/unknown option "maxConcurency"/);
  });
});
