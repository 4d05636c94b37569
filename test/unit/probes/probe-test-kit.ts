/**
 * Shared bits for the probe tests: spec builders, TLS fixtures and small loopback servers that
 * record what they were sent. Everything listens on 127.0.0.1 with a random port.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import type tls from 'node:tls';
import type { HttpProbeSpec, TcpProbeSpec } from '../../../shared/config/types';

export function httpSpec(url: string, overrides: Partial<HttpProbeSpec> = {}): HttpProbeSpec {
  return {
    type: url.startsWith('https:') ? 'https' : 'http',
    url,
    expectStatus: [200],
    followRedirects: false,
    tlsInsecure: false,
    timeoutMs: 1_000,
    ...overrides,
  };
}

export function tcpSpec(port: number, overrides: Partial<TcpProbeSpec> = {}): TcpProbeSpec {
  return { type: 'tcp', host: '127.0.0.1', port, timeoutMs: 1_000, ...overrides };
}

const FIXTURES = path.join(__dirname, '../../fixtures/tls');
export function readFixture(name: 'ca.pem' | 'site.pem' | 'other.pem' | 'self-signed.pem' | 'expired.pem' | 'server.key'): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export interface SeenRequest {
  method: string;
  url: string;
  host?: string;
  /** TLS server name the client sent (https servers only). */
  servername?: string | false | null;
}

export interface TestServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Connections currently open on the server. */
  openConnections(): number;
  close(): Promise<void>;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** An HTTP server with a custom handler; `https` options make it an HTTPS server. */
export async function startServer(handler: Handler, httpsOptions?: https.ServerOptions): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const recordingHandler: Handler = (request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      host: request.headers.host,
      ...(httpsOptions ? { servername: (request.socket as tls.TLSSocket).servername } : {}),
    });
    handler(request, response);
  };
  const server = httpsOptions ? https.createServer(httpsOptions, recordingHandler) : http.createServer(recordingHandler);
  const connectionEvent = httpsOptions ? 'secureConnection' : 'connection';
  server.on(connectionEvent, (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // TLS handshakes a probe rejects end in client errors on the server side: expected here.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${httpsOptions ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function answerOk(_request: http.IncomingMessage, response: http.ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('ok');
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 1_000): Promise<boolean> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= giveUpAt) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
