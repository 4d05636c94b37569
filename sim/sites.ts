/**
 * Loopback test sites: real HTTP servers on 127.0.0.1 that a test or scenario can take down, hang,
 * slow down, flap, or make answer with the wrong status or body. Probes hit them over real sockets,
 * so what a probe reports for a site here is what it would report for a site on the internet.
 *
 * Modes (setHealth):
 * - up:     every path answers 200 "ok".
 * - down:   connection refused. The server stops listening (open connections are destroyed) and
 *           listens again on the SAME port when it leaves `down` (retrying briefly on EADDRINUSE).
 * - hang:   connections are accepted and requests read, but never answered (close() destroys them).
 * - slow:   answers 200 "ok" after `latencyMs` of real time (setTimeout; keep it small).
 * - flap:   alternates down/up every `periodSeconds` of the injected `now()` (so it follows a
 *           virtual clock), starting with a down phase when the mode is set. A listening socket
 *           cannot refuse per connection, so in a down phase connections are accepted and reset at
 *           once (RST): HTTP probes see ECONNRESET rather than ECONNREFUSED. A tcp probe only checks
 *           that a connection is established, so it sees a flapping site as up.
 * - status: answers `status` with body "status <status>".
 * - body:   answers 200 with `body`.
 */
import http from 'node:http';
import type net from 'node:net';
import { SwitchbackError } from '../shared/errors';

export type SiteHealthMode =
  | { mode: 'up' }
  | { mode: 'down' }
  | { mode: 'hang' }
  | { mode: 'slow'; latencyMs: number }
  | { mode: 'flap'; periodSeconds: number }
  | { mode: 'status'; status: number }
  | { mode: 'body'; body: string };

export interface Site {
  name: string;
  /** http://127.0.0.1:<port> (no trailing slash); the port stays the same for the site's life. */
  url: string;
  host: '127.0.0.1';
  port: number;
  /** Switches mode; resolves once the change is in effect (e.g. the port is refusing or listening again). */
  setHealth(health: SiteHealthMode): Promise<void>;
  health(): SiteHealthMode;
  /** HTTP requests that reached the site (answered or not); refused or reset connections are not hits. */
  hits(): number;
  /** Stops the server and destroys every connection, hung ones included. Idempotent. */
  close(): Promise<void>;
}

export interface SiteOptions {
  name?: string;
  /** Epoch ms; drives `flap` phases. Default Date.now. */
  now?: () => number;
}

export class SiteError extends SwitchbackError {
  override readonly name: string = 'SiteError';
}

export const SITE_HOST = '127.0.0.1';
/** How long a site coming back `up` retries its old port while something else holds it. */
const RELISTEN_RETRY_MS = 2_000;
const RELISTEN_STEP_MS = 25;

let siteCounter = 0;

export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const name = options.name ?? `site-${++siteCounter}`;
  const now = options.now ?? Date.now;
  let mode: SiteHealthMode = { mode: 'up' };
  let flapStartEpochMs = 0;
  let hitCount = 0;
  let listening = false;
  let closed = false;
  let pending: Promise<void> = Promise.resolve();
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  function inFlapDownPhase(): boolean {
    if (mode.mode !== 'flap') return false;
    const periodMs = Math.max(1, mode.periodSeconds * 1000);
    return Math.floor(Math.max(0, now() - flapStartEpochMs) / periodMs) % 2 === 0;
  }

  function answer(response: http.ServerResponse, status: number, body: string): void {
    if (response.destroyed || response.writableEnded) return;
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }

  const server = http.createServer((request, response) => {
    hitCount++;
    const current = mode;
    switch (current.mode) {
      case 'up':
        return answer(response, 200, 'ok');
      case 'down':
        // Only a kept-alive connection opened before going down can get here; it dies like the server.
        request.socket.destroy();
        return;
      case 'hang':
        return;
      case 'slow': {
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            answer(response, 200, 'ok');
          },
          Math.max(0, current.latencyMs),
        );
        timers.add(timer);
        return;
      }
      case 'flap':
        if (inFlapDownPhase()) {
          request.socket.resetAndDestroy();
          return;
        }
        return answer(response, 200, 'ok');
      case 'status':
        return answer(response, current.status, `status ${current.status}`);
      case 'body':
        return answer(response, 200, current.body);
    }
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (inFlapDownPhase()) socket.resetAndDestroy();
  });
  // Socket errors (a probe resetting its side) are normal here.
  server.on('clientError', (_error, socket) => socket.destroy());

  function destroyConnections(): void {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  }

  async function stopListening(): Promise<void> {
    if (!listening) return;
    listening = false;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    destroyConnections();
    await stopped;
  }

  async function startListening(port: number): Promise<number> {
    const giveUpAt = Date.now() + RELISTEN_RETRY_MS;
    for (;;) {
      try {
        const bound = await listenOnce(server, port);
        listening = true;
        return bound;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (port === 0 || code !== 'EADDRINUSE' || Date.now() >= giveUpAt) {
          throw new SiteError(`site ${name}: cannot listen on ${SITE_HOST}:${port}: ${code ?? (error as Error).message}`, {
            cause: error,
            context: { site: name, port },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, RELISTEN_STEP_MS));
      }
    }
  }

  const port = await startListening(0);

  function setHealth(next: SiteHealthMode): Promise<void> {
    const change = pending.then(async () => {
      if (closed) throw new SiteError(`site ${name} is closed`, { context: { site: name } });
      if (next.mode === 'flap') flapStartEpochMs = now();
      mode = { ...next };
      if (next.mode === 'down') await stopListening();
      else if (!listening) await startListening(port);
    });
    // A failed change does not block later ones.
    pending = change.catch(() => undefined);
    return change;
  }

  return {
    name,
    url: `http://${SITE_HOST}:${port}`,
    host: SITE_HOST,
    port,
    setHealth,
    health: () => ({ ...mode }),
    hits: () => hitCount,
    async close() {
      if (closed) return pending;
      closed = true;
      pending = pending.then(() => stopListening());
      destroyConnections();
      return pending;
    },
  };
}

/** Starts `count` sites named `<prefix>-1` … `<prefix>-<count>`. */
export async function startSites(count: number, options: { namePrefix?: string; now?: () => number } = {}): Promise<Site[]> {
  const prefix = options.namePrefix ?? 'site';
  return Promise.all(Array.from({ length: count }, (_, index) => startSite({ name: `${prefix}-${index + 1}`, now: options.now })));
}

function listenOnce(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    function onError(error: Error): void {
      server.off('listening', onListening);
      reject(error);
    }
    function onListening(): void {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    }
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: SITE_HOST });
  });
}
