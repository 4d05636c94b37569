import http from 'node:http';
import net from 'node:net';
import { startSite, startSites, type Site } from '../../../sim/sites';

type Answer = { status: number; body: string } | { error: string };

/** One GET on a fresh connection, answered, failed (error code) or cut at `timeoutMs` ('no answer'). */
function get(url: string, timeoutMs = 1_000): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.setTimeout(timeoutMs, () => {
      resolve({ error: 'no answer' });
      request.destroy();
    });
  });
}

describe('loopback sites', () => {
  const sites: Site[] = [];
  async function site(options?: Parameters<typeof startSite>[0]): Promise<Site> {
    const started = await startSite(options);
    sites.push(started);
    return started;
  }
  afterEach(async () => {
    await Promise.all(sites.splice(0).map((started) => started.close()));
  });

  it('answers 200 "ok" on /health and any other path, counting hits', async () => {
    const web = await site({ name: 'web' });
    expect(web).toMatchObject({ name: 'web', host: '127.0.0.1', url: `http://127.0.0.1:${web.port}` });
    expect(web.health()).toEqual({ mode: 'up' });
    expect(await get(`${web.url}/health`)).toEqual({ status: 200, body: 'ok' });
    expect(await get(`${web.url}/any/path?x=1`)).toEqual({ status: 200, body: 'ok' });
    expect(web.hits()).toBe(2);
  });

  it('refuses connections while down and comes back on the same port', async () => {
    const web = await site();
    const port = web.port;
    await web.setHealth({ mode: 'down' });
    expect(web.health()).toEqual({ mode: 'down' });
    expect(await get(`${web.url}/health`)).toEqual({ error: 'ECONNREFUSED' });
    await web.setHealth({ mode: 'down' }); // idempotent
    await web.setHealth({ mode: 'up' });
    expect(web.port).toBe(port);
    expect(await get(`${web.url}/health`)).toEqual({ status: 200, body: 'ok' });
    expect(web.hits()).toBe(1);
  });

  it('going down drops kept-alive connections too', async () => {
    const web = await site();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const socket = await new Promise<net.Socket>((resolve, reject) =>
        http
          .get(`${web.url}/`, { agent }, (response) => {
            const kept = response.socket;
            response.resume();
            response.on('end', () => resolve(kept));
          })
          .on('error', reject),
      );
      expect(socket.destroyed).toBe(false);
      const closed = new Promise<boolean>((resolve) => {
        socket.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 1_000);
      });
      await web.setHealth({ mode: 'down' });
      expect(await closed).toBe(true);
      expect(await get(`${web.url}/`)).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
    }
  });

  it('waits for its port when something else holds it on the way back up', async () => {
    const web = await site();
    await web.setHealth({ mode: 'down' });
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(web.port, '127.0.0.1', resolve));
    setTimeout(() => squatter.close(), 150);
    const startedAt = Date.now();
    await web.setHealth({ mode: 'up' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100);
    expect(await get(`${web.url}/health`)).toEqual({ status: 200, body: 'ok' });
  });

  it('hangs: accepts and never answers; close() destroys the hung connection', async () => {
    const web = await site();
    await web.setHealth({ mode: 'hang' });
    expect(await get(`${web.url}/health`, 200)).toEqual({ error: 'no answer' });

    const pending = get(`${web.url}/health`, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    await web.close();
    expect(await pending).toEqual({ error: 'ECONNRESET' });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(web.hits()).toBe(2);
  });

  it('answers slowly in slow mode', async () => {
    const web = await site();
    await web.setHealth({ mode: 'slow', latencyMs: 120 });
    const startedAt = Date.now();
    expect(await get(web.url)).toEqual({ status: 200, body: 'ok' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(115);
  });

  it('answers a chosen status or body', async () => {
    const web = await site();
    await web.setHealth({ mode: 'status', status: 503 });
    expect(await get(web.url)).toEqual({ status: 503, body: 'status 503' });
    await web.setHealth({ mode: 'body', body: 'degraded' });
    expect(await get(web.url)).toEqual({ status: 200, body: 'degraded' });
  });

  it('flaps on the injected clock: reset in the down phase, ok in the up phase', async () => {
    let nowEpochMs = 1_000_000;
    const web = await site({ now: () => nowEpochMs });
    await web.setHealth({ mode: 'flap', periodSeconds: 30 });
    expect(await get(web.url)).toEqual({ error: 'ECONNRESET' }); // phase 0 (0–30 s): down
    nowEpochMs += 29_999;
    expect(await get(web.url)).toEqual({ error: 'ECONNRESET' });
    nowEpochMs += 1; // 30 s: up
    expect(await get(web.url)).toEqual({ status: 200, body: 'ok' });
    nowEpochMs += 30_000; // 60 s: down again
    expect(await get(web.url)).toEqual({ error: 'ECONNRESET' });
    nowEpochMs += 30_000;
    expect(await get(web.url)).toEqual({ status: 200, body: 'ok' });
    expect(web.health()).toEqual({ mode: 'flap', periodSeconds: 30 });
  });

  it('refuses changes after close() and closes idempotently', async () => {
    const web = await site();
    await web.close();
    await web.close();
    await expect(web.setHealth({ mode: 'up' })).rejects.toThrow(/closed/);
    expect(await get(web.url)).toEqual({ error: 'ECONNREFUSED' });
  });

  it('closes cleanly while down', async () => {
    const web = await site();
    await web.setHealth({ mode: 'down' });
    await web.close();
    expect(await get(web.url)).toEqual({ error: 'ECONNREFUSED' });
  });

  it('startSites starts n independent sites', async () => {
    const started = await startSites(3, { namePrefix: 'edge' });
    sites.push(...started);
    expect(started.map((one) => one.name)).toEqual(['edge-1', 'edge-2', 'edge-3']);
    expect(new Set(started.map((one) => one.port)).size).toBe(3);
    await started[1].setHealth({ mode: 'down' });
    expect(await get(started[0].url)).toEqual({ status: 200, body: 'ok' });
    expect(await get(started[1].url)).toEqual({ error: 'ECONNREFUSED' });
    expect(await get(started[2].url)).toEqual({ status: 200, body: 'ok' });
  });
});
