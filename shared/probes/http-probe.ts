/**
 * HTTP/HTTPS probe over node:http/https (never global fetch, no undici: nothing to bundle). One GET
 * per hop on a fresh connection (`agent: false`, `Connection: close`), so a site that refuses new
 * connections is not hidden behind a kept-alive one and every HTTPS probe verifies the certificate
 * in a full handshake (a fresh agent has no TLS session to resume).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import type tls from 'node:tls';
import type { HttpProbeSpec } from '../config/types';
import { PROBE_CAUSES, statusCause } from './causes';
import type { ProbeOutcome } from './types';

/** Redirects followed at most when `followRedirects` is true; the answer after the last one is judged as is. */
export const MAX_REDIRECTS = 5;
/** Only the first 64 KiB of a body are searched for `bodyContains`. */
export const MAX_BODY_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'switchback-probe';

/** The TLS settings a connection needs; the prober keeps one secure context per distinct profile. */
export interface TlsProfile {
  tlsInsecure: boolean;
  caPem?: string;
}

/** What the probe has seen so far, readable by the caller when the deadline cuts the attempt short. */
export interface HttpProbeProgress {
  status?: number;
}

export async function probeHttp(
  spec: HttpProbeSpec,
  secureContextFor: (profile: TlsProfile) => tls.SecureContext | undefined,
  signal: AbortSignal,
  progress: HttpProbeProgress,
): Promise<ProbeOutcome> {
  const profile: TlsProfile = { tlsInsecure: spec.tlsInsecure, caPem: spec.caPem };
  let url = new URL(spec.url);
  let hostHeader = spec.hostHeader;
  let sni = spec.sni;

  for (let redirects = 0; ; redirects++) {
    const headers = { 'user-agent': USER_AGENT, ...(hostHeader ? { host: hostHeader } : {}) };
    const tlsOptions =
      url.protocol === 'https:'
        ? tlsOptionsFor(profile, secureContextFor(profile), serverNameFor(sni, hostHeader) ?? urlServerName(url))
        : {};
    const response = await get(url, { method: 'GET', agent: false, signal, headers, ...tlsOptions });
    const body: Readable = response;
    // The body is always consumed or destroyed; destroying it emits an error nobody else listens to.
    body.on('error', ignore);
    const status = response.statusCode ?? 0;
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
 * The TLS server name: the `sni` override, else the Host header's name, else (urlServerName) the
 * URL's host. IP addresses are never sent as SNI (RFC 6066).
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

/** The URL's host name as SNI; '' (no SNI, identity checked against the host) for an IP address. */
function urlServerName(url: URL): string {
  const name = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return net.isIP(name) === 0 ? name : '';
}

/**
 * `servername: ''` sends no SNI; Node then checks the certificate against the host connected to,
 * and never derives a name from the Host header itself (that is serverNameFor's decision).
 */
function tlsOptionsFor(profile: TlsProfile, secureContext: tls.SecureContext | undefined, servername: string): https.RequestOptions {
  return { servername, rejectUnauthorized: !profile.tlsInsecure, ...(secureContext ? { secureContext } : {}) };
}

/** One request; resolves with the response head, rejects on any error before it. */
function get(url: URL, options: https.RequestOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, options, resolve);
    // Kept attached: errors after the response (a destroyed socket) land here, not as uncaught.
    request.on('error', reject);
    request.end();
  });
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
