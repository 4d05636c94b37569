/**
 * Turning whatever a failed probe threw into a short, stable cause string. Causes are logged,
 * stored in observations, compared between rounds (a new cause is a write) and texted, so the
 * same failure must always read the same way: no ports, no addresses, no stack traces.
 */
import { describeError } from '../errors';

/** The causes a probe reports; anything else is `error: <code or message>`. */
export const PROBE_CAUSES = {
  timeout: 'timeout',
  refused: 'ECONNREFUSED',
  reset: 'ECONNRESET',
  hostUnreachable: 'EHOSTUNREACH',
  notFound: 'ENOTFOUND',
  bodyMismatch: 'body mismatch',
  certificateExpired: 'TLS: certificate expired',
  certificateNotYetValid: 'TLS: certificate not yet valid',
  selfSigned: 'TLS: self-signed certificate',
  untrustedIssuer: 'TLS: untrusted issuer',
  hostnameMismatch: 'TLS: hostname mismatch',
} as const;

export const MAX_CAUSE_CHARS = 60;

/** `status 503`: the answer's status was not one of expectStatus. */
export function statusCause(status: number): string {
  return `status ${status}`;
}

const CODE_CAUSES: Record<string, string> = {
  ECONNREFUSED: PROBE_CAUSES.refused,
  ECONNRESET: PROBE_CAUSES.reset,
  // The peer closed or reset the connection before answering: the same failure seen from another angle.
  EPIPE: PROBE_CAUSES.reset,
  UND_ERR_SOCKET: PROBE_CAUSES.reset,
  EHOSTUNREACH: PROBE_CAUSES.hostUnreachable,
  ENETUNREACH: PROBE_CAUSES.hostUnreachable,
  EHOSTDOWN: PROBE_CAUSES.hostUnreachable,
  ENOTFOUND: PROBE_CAUSES.notFound,
  ETIMEDOUT: PROBE_CAUSES.timeout,
  UND_ERR_CONNECT_TIMEOUT: PROBE_CAUSES.timeout,
  UND_ERR_HEADERS_TIMEOUT: PROBE_CAUSES.timeout,
  UND_ERR_BODY_TIMEOUT: PROBE_CAUSES.timeout,
  CERT_HAS_EXPIRED: PROBE_CAUSES.certificateExpired,
  CERT_NOT_YET_VALID: PROBE_CAUSES.certificateNotYetValid,
  DEPTH_ZERO_SELF_SIGNED_CERT: PROBE_CAUSES.selfSigned,
  SELF_SIGNED_CERT_IN_CHAIN: PROBE_CAUSES.selfSigned,
  UNABLE_TO_GET_ISSUER_CERT: PROBE_CAUSES.untrustedIssuer,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: PROBE_CAUSES.untrustedIssuer,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: PROBE_CAUSES.untrustedIssuer,
  ERR_TLS_CERT_ALTNAME_INVALID: PROBE_CAUSES.hostnameMismatch,
};

/**
 * The cause for an error thrown while probing. Looks through `cause` chains and AggregateErrors
 * (Node's happy-eyeballs connect throws one when every address fails) for a known code.
 */
export function describeProbeError(error: unknown): string {
  const codes = collectCodes(error, 0);
  for (const code of codes) {
    const known = CODE_CAUSES[code];
    if (known) return known;
  }
  if (codes.length > 0) return truncateCause(`error: ${codes[0]}`);
  const message = describeError(error);
  return truncateCause(`error: ${message || (error instanceof Error ? error.name : 'unknown')}`);
}

/** Causes never exceed MAX_CAUSE_CHARS: long messages are cut and end with an ellipsis. */
export function truncateCause(cause: string): string {
  const oneLine = cause.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_CAUSE_CHARS ? oneLine : `${oneLine.slice(0, MAX_CAUSE_CHARS - 1)}…`;
}

function collectCodes(error: unknown, depth: number): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return [];
  const codes: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.length > 0) codes.push(code);
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const inner of nested) codes.push(...collectCodes(inner, depth + 1));
  codes.push(...collectCodes((error as { cause?: unknown }).cause, depth + 1));
  return codes;
}
