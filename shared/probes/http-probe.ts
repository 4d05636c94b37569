/**
 * HTTP/HTTPS probe over undici `request` (never global fetch). One GET per hop on a fresh
 * connection (`reset: true`), so a site that refuses new connections is not hidden behind a
 * kept-alive one and every HTTPS probe verifies the certificate in a full handshake.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { request } from './undici';
import type { HttpProbeSpec } from '../config/types';
import { PROBE_CAUSES, statusCause } from './causes';
import type { ProbeOutcome } from './types';

/** Redirects followed at most when `followRedirects` is true; the answer after the last one is judged as is. */
export const MAX_REDIRECTS = 5;
/** Only the first 64 KiB of a body are searched for `bodyContains`. */
export const MAX_BODY_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'switchback-probe';

/** The TLS settings a connection needs; the prober keeps one pooled Agent per distinct profile. */
export interface TlsProfile {
  tlsInsecure: boolean;
  caPem?: string;
}

/** What the probe has seen so far, readable by the caller when the deadline cuts the attempt short. */
export interface HttpProbeProgress {
  status?: number;
}

type RequestOptionsWithServername = { dispatcher: Dispatcher } & Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & {
    /** Accepted by undici's Request at runtime (overrides the SNI derived from Host / URL) but missing from its types. */
    servername?: string;
  };

export async function probeHttp(
  spec: HttpProbeSpec,
  dispatcherFor: (profile: TlsProfile) => Dispatcher,
  signal: AbortSignal,
  progress: HttpProbeProgress,
): Promise<ProbeOutcome> {
  const dispatcher = dispatcherFor({ tlsInsecure: spec.tlsInsecure, caPem: spec.caPem });
  let url = new URL(spec.url);
  let hostHeader = spec.hostHeader;
  let sni = spec.sni;

  for (let redirects = 0; ; redirects++) {
    const options: RequestOptionsWithServername = {
      dispatcher,
      method: 'GET',
      signal,
      reset: true,
      headers: { 'user-agent': USER_AGENT, ...(hostHeader ? { host: hostHeader } : {}) },
      servername: url.protocol === 'https:' ? serverNameFor(sni, hostHeader) : undefined,
      headersTimeout: spec.timeoutMs,
      bodyTimeout: spec.timeoutMs,
    };
    const response = await request(url, options);
    const body = response.body;
    // The body is always consumed or destroyed; destroying it emits an error nobody else listens to.
    body.on('error', ignore);
    const status = response.statusCode;
    progress.status = status;

    const next = spec.followRedirects && redirects < MAX_REDIRECTS ? redirectTarget(status, response.headers.location, url) : undefined;
    if (next) {
      body.destroy();
      // Overrides are meant for the configured origin; another origin is reached by its own name.
      if (next.origin !== url.origin) {
        hostHeader = undefined;
        sni = undefined;
      }
      url = next;
      continue;
    }

    if (!spec.expectStatus.includes(status)) {
      body.destroy();
      return { ok: false, cause: statusCause(status), status };
    }
    if (spec.bodyContains === undefined) {
      body.destroy();
      return { ok: true, status };
    }
    const prefix = await readPrefix(body, MAX_BODY_BYTES);
    return prefix.toString('utf8').includes(spec.bodyContains)
      ? { ok: true, status }
      : { ok: false, cause: PROBE_CAUSES.bodyMismatch, status };
  }
}

/**
 * The TLS server name: the `sni` override, else the Host header's name, else undici derives it
 * from the URL. IP addresses are never sent as SNI (RFC 6066).
 */
export function serverNameFor(sni: string | undefined, hostHeader: string | undefined): string | undefined {
  const name = sni ?? (hostHeader ? hostNameOf(hostHeader) : undefined);
  return name && net.isIP(name) === 0 ? name : undefined;
}

function hostNameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return colon > 0 && hostHeader.indexOf(':') === colon ? hostHeader.slice(0, colon) : hostHeader;
}

function redirectTarget(status: number, location: string | string[] | undefined, from: URL): URL | undefined {
  if (!REDIRECT_STATUSES.has(status)) return undefined;
  const value = Array.isArray(location) ? location[0] : location;
  if (!value) return undefined;
  try {
    const target = new URL(value, from);
    return target.protocol === 'http:' || target.protocol === 'https:' ? target : undefined;
  } catch {
    return undefined;
  }
}

/** Reads up to `limitBytes` of the body, then destroys it (the connection is not reused anyway). */
function readPrefix(body: Readable, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    function finish(error?: unknown): void {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      if (error !== undefined) return reject(error);
      const all = Buffer.concat(chunks);
      resolve(all.length > limitBytes ? all.subarray(0, limitBytes) : all);
    }
    function onData(chunk: Buffer): void {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limitBytes) {
        finish();
        body.destroy();
      }
    }
    body.on('data', onData);
    body.once('end', () => finish());
    body.once('error', (error) => finish(error));
    body.once('close', () => finish(new Error('response body closed before it ended')));
  });
}

function ignore(): void {}
