import { createProber, MAX_BODY_BYTES, type Prober } from '../../../shared/probes';
import { startSite, type Site } from '../../../sim/sites';
import { answerOk, httpSpec, startServer, waitFor, type TestServer } from './probe-test-kit';

describe('http probes against real loopback sockets', () => {
  let prober: Prober;
  let site: Site;

  beforeEach(async () => {
    prober = createProber({ maxConcurrency: 8 });
    site = await startSite({ name: 'web' });
  });
  afterEach(async () => {
    await prober.close();
    await site.close();
  });

  it('reports an up site as ok with status, latency and the injected time', async () => {
    const stamped = createProber({ now: () => 1_700_000_000_000 });
    try {
      const result = await stamped.probe(httpSpec(`${site.url}/health`, { bodyContains: 'ok' }));
      expect(result).toEqual({ ok: true, status: 200, latencyMs: expect.any(Number), checkedAtEpochMs: 1_700_000_000_000 });
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      expect(result.latencyMs).toBeLessThan(1_000);
      expect(site.hits()).toBe(1);
    } finally {
      await stamped.close();
    }
  });

  it('reports ECONNREFUSED when the site is down', async () => {
    await site.setHealth({ mode: 'down' });
    const result = await prober.probe(httpSpec(`${site.url}/health`));
    expect(result).toMatchObject({ ok: false, cause: 'ECONNREFUSED' });
    expect(result.status).toBeUndefined();
  });

  it('cuts a hung site at timeoutMs', async () => {
    await site.setHealth({ mode: 'hang' });
    const startedAt = Date.now();
    const result = await prober.probe(httpSpec(`${site.url}/health`, { timeoutMs: 300 }));
    const elapsedMs = Date.now() - startedAt;
    expect(result).toMatchObject({ ok: false, cause: 'timeout' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(800);
    expect(site.hits()).toBe(1);
  });

  it('accepts a slow site under the timeout and times out one over it', async () => {
    await site.setHealth({ mode: 'slow', latencyMs: 80 });
    const under = await prober.probe(httpSpec(site.url, { timeoutMs: 1_000 }));
    expect(under).toMatchObject({ ok: true, status: 200 });
    expect(under.latencyMs).toBeGreaterThanOrEqual(75);

    await site.setHealth({ mode: 'slow', latencyMs: 600 });
    const over = await prober.probe(httpSpec(site.url, { timeoutMs: 150 }));
    expect(over).toMatchObject({ ok: false, cause: 'timeout' });
    expect(over.latencyMs).toBeLessThan(550);
  });

  it('fails on a status outside expectStatus and passes on one inside the list', async () => {
    await site.setHealth({ mode: 'status', status: 503 });
    expect(await prober.probe(httpSpec(site.url))).toMatchObject({ ok: false, cause: 'status 503', status: 503 });
    expect(await prober.probe(httpSpec(site.url, { expectStatus: [200, 503] }))).toMatchObject({ ok: true, status: 503 });
    expect((await prober.probe(httpSpec(site.url, { expectStatus: [200, 503] }))).cause).toBeUndefined();

    await site.setHealth({ mode: 'status', status: 204 });
    expect(await prober.probe(httpSpec(site.url, { expectStatus: [200, 204] }))).toMatchObject({ ok: true, status: 204 });
  });

  it('checks the body for a substring', async () => {
    await site.setHealth({ mode: 'body', body: '{"status":"green","db":"ok"}' });
    expect(await prober.probe(httpSpec(site.url, { bodyContains: '"status":"green"' }))).toMatchObject({ ok: true, status: 200 });
    expect(await prober.probe(httpSpec(site.url, { bodyContains: 'red' }))).toMatchObject({
      ok: false,
      cause: 'body mismatch',
      status: 200,
    });
    // A wrong status is reported as such even when the body would not match either.
    await site.setHealth({ mode: 'status', status: 500 });
    expect(await prober.probe(httpSpec(site.url, { bodyContains: 'green' }))).toMatchObject({ ok: false, cause: 'status 500' });
  });

  it('survives a bad spec without throwing', async () => {
    const result = await prober.probe(httpSpec('not a url'));
    expect(result.ok).toBe(false);
    expect(result.cause).toMatch(/^error: /);
    expect(result.cause!.length).toBeLessThanOrEqual(60);
  });

  it('fails every probe after close(), without throwing', async () => {
    await prober.close();
    expect(await prober.probe(httpSpec(site.url))).toMatchObject({ ok: false, cause: 'error: prober closed' });
    expect(site.hits()).toBe(0);
  });
});

describe('http probes against recording servers', () => {
  let prober: Prober;
  const servers: TestServer[] = [];

  beforeEach(() => {
    prober = createProber({ maxConcurrency: 8 });
  });
  afterEach(async () => {
    await prober.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  }

  it('sends the Host header override', async () => {
    const server = await serve(answerOk);
    await prober.probe(httpSpec(`${server.url}/health`, { hostHeader: 'api.example.com' }));
    await prober.probe(httpSpec(`${server.url}/health`));
    expect(server.requests.map((request) => request.host)).toEqual(['api.example.com', `127.0.0.1:${server.port}`]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/health' });
  });

  it('opens a fresh connection per probe and leaves none open', async () => {
    const server = await serve(answerOk);
    await prober.probeAll([httpSpec(server.url), httpSpec(server.url), httpSpec(server.url, { bodyContains: 'ok' })]);
    expect(server.requests).toHaveLength(3);
    expect(await waitFor(() => server.openConnections() === 0)).toBe(true);
  });

  it('searches only the first 64 KiB of the body and stops reading there', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      // "early" at the start, "late" just past the limit, and then the body never ends: a probe
      // that read on would run into its timeout instead of answering at once.
      response.write('early');
      response.write('x'.repeat(MAX_BODY_BYTES));
      response.write('late');
    });
    const spec = httpSpec(server.url, { timeoutMs: 2_000 });
    const early = await prober.probe({ ...spec, bodyContains: 'early' });
    expect(early).toMatchObject({ ok: true, status: 200 });
    const late = await prober.probe({ ...spec, bodyContains: 'late' });
    expect(late).toMatchObject({ ok: false, cause: 'body mismatch', status: 200 });
    expect(early.latencyMs + late.latencyMs).toBeLessThan(1_000);
    expect(await waitFor(() => server.openConnections() === 0)).toBe(true);
  });

  it('counts a body that never ends against the same deadline and keeps the status', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    });
    const startedAt = Date.now();
    const result = await prober.probe(httpSpec(server.url, { bodyContains: 'complete', timeoutMs: 250 }));
    expect(result).toMatchObject({ ok: false, cause: 'timeout', status: 200 });
    expect(Date.now() - startedAt).toBeLessThan(700);
    expect(await waitFor(() => server.openConnections() === 0)).toBe(true);
  });

  it('reports a connection closed before any answer as ECONNRESET', async () => {
    const server = await serve((request) => request.socket.destroy());
    expect(await prober.probe(httpSpec(server.url))).toMatchObject({ ok: false, cause: 'ECONNRESET' });
  });

  describe('redirects', () => {
    // /hop/<n> redirects to /hop/<n-1>; /hop/0 answers 200.
    function hops(request: Parameters<typeof answerOk>[0], response: Parameters<typeof answerOk>[1]): void {
      const left = Number((request.url ?? '').split('/')[2] ?? 0);
      if (left > 0) {
        response.writeHead(302, { location: `/hop/${left - 1}` });
        response.end();
      } else answerOk(request, response);
    }

    it('judges a 3xx by expectStatus when followRedirects is false', async () => {
      const server = await serve(hops);
      expect(await prober.probe(httpSpec(`${server.url}/hop/1`))).toMatchObject({ ok: false, cause: 'status 302', status: 302 });
      expect(await prober.probe(httpSpec(`${server.url}/hop/1`, { expectStatus: [301, 302] }))).toMatchObject({ ok: true, status: 302 });
      expect(server.requests.map((request) => request.url)).toEqual(['/hop/1', '/hop/1']);
    });

    it('follows up to 5 redirects when followRedirects is true', async () => {
      const server = await serve(hops);
      expect(await prober.probe(httpSpec(`${server.url}/hop/5`, { followRedirects: true }))).toMatchObject({ ok: true, status: 200 });
      expect(server.requests).toHaveLength(6);

      server.requests.length = 0;
      const tooMany = await prober.probe(httpSpec(`${server.url}/hop/6`, { followRedirects: true }));
      expect(tooMany).toMatchObject({ ok: false, cause: 'status 302', status: 302 });
      expect(server.requests.map((request) => request.url)).toEqual(['/hop/6', '/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1']);
    });

    it('keeps the Host override on the same origin and drops it for another origin', async () => {
      const target = await serve(answerOk);
      const origin = await serve((request, response) => {
        response.writeHead(301, { location: request.url === '/start' ? '/same' : `${target.url}/elsewhere` });
        response.end();
      });
      const result = await prober.probe(httpSpec(`${origin.url}/start`, { followRedirects: true, hostHeader: 'app.example.com' }));
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(origin.requests.map((request) => [request.url, request.host])).toEqual([
        ['/start', 'app.example.com'],
        ['/same', 'app.example.com'],
      ]);
      expect(target.requests.map((request) => [request.url, request.host])).toEqual([['/elsewhere', `127.0.0.1:${target.port}`]]);
    });
  });
});
