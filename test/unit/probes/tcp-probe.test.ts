import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createProber, type Prober } from '../../../shared/probes';
import { startSite, type Site } from '../../../sim/sites';
import { tcpSpec } from './probe-test-kit';

describe('tcp probes', () => {
  let prober: Prober;
  let site: Site;

  beforeEach(async () => {
    prober = createProber({ maxConcurrency: 8, now: () => 42 });
    site = await startSite({ name: 'tcp' });
  });
  afterEach(async () => {
    await prober.close();
    await site.close();
  });

  it('is ok when the port accepts a connection', async () => {
    expect(await prober.probe(tcpSpec(site.port))).toEqual({ ok: true, latencyMs: expect.any(Number), checkedAtEpochMs: 42 });
    // A tcp probe sends nothing: the site saw a connection, not a request.
    expect(site.hits()).toBe(0);
  });

  it('reports ECONNREFUSED when nothing listens', async () => {
    await site.setHealth({ mode: 'down' });
    expect(await prober.probe(tcpSpec(site.port))).toMatchObject({ ok: false, cause: 'ECONNREFUSED' });
  });

  it('only checks the connection: a hung HTTP site is up for tcp', async () => {
    await site.setHealth({ mode: 'hang' });
    expect(await prober.probe(tcpSpec(site.port, { timeoutMs: 300 }))).toMatchObject({ ok: true });
  });

  describe('timeout', () => {
    /*
     * A connect only hangs when the SYN goes unanswered. On 127.0.0.1 that happens, deterministically
     * on Linux, when a listener's accept queue is full: the kernel drops further SYNs (it does not
     * refuse them). So a child process listens with backlog 1 and then blocks its event loop (it
     * never accepts); the test fills the queue with connections of its own, and the probe's connect
     * then gets no answer at all. (An in-process server cannot be used: Node accepts eagerly.)
     */
    let child: ChildProcess | undefined;
    const fillers: net.Socket[] = [];

    afterEach(() => {
      for (const socket of fillers.splice(0)) socket.destroy();
      child?.kill('SIGKILL');
      child = undefined;
    });

    async function startBlockedListener(): Promise<number> {
      const script = [
        "const server = require('node:net').createServer();",
        "server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {",
        "  process.stdout.write(server.address().port + '\\n');",
        '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);',
        '});',
      ].join('\n');
      child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      return new Promise((resolve) => child!.stdout!.once('data', (data) => resolve(Number(String(data).trim()))));
    }

    function connectWithin(port: number, ms: number): Promise<boolean> {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      fillers.push(socket);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    }

    it('reports timeout at timeoutMs when the connect gets no answer', async () => {
      const port = await startBlockedListener();
      let queueFull = false;
      for (let attempt = 0; attempt < 8 && !queueFull; attempt++) queueFull = !(await connectWithin(port, 200));
      expect(queueFull).toBe(true); // the setup works: SYNs are being dropped now

      const startedAt = Date.now();
      const result = await prober.probe(tcpSpec(port, { timeoutMs: 300 }));
      expect(result).toMatchObject({ ok: false, cause: 'timeout' });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
      expect(Date.now() - startedAt).toBeLessThan(800);
    });
  });
});
