/**
 * What every in-memory service model shares: the injected clock, the account, deterministic ids
 * and a helper to build AWS-shaped errors for that service.
 */
import type { AwsServiceName } from '../../shared/aws/clients';
import { createAwsError } from './aws-error';

export interface WorldContext {
  now(): number;
  accountId: string;
  /** Lowercase hex of `length` chars, unique per prefix within this world, stable from run to run. */
  nextHex(prefix: string, length: number): string;
  /** `C` + 13 uppercase base-36 chars, the shape of Route 53 change ids. */
  nextUpperId(prefix: string, length: number): string;
  /** A UUID-shaped id (SNS message ids, Route 53 health check ids). */
  nextUuid(prefix: string): string;
  error(service: AwsServiceName, code: string, message: string, extra?: Record<string, unknown>): Error;
}

const MASK_64 = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;

/** A bijective scramble of a counter, so ids look random but never collide and never change between runs. */
function scramble(counter: number, salt: number): bigint {
  let value = (BigInt(counter) * GOLDEN + BigInt(salt)) & MASK_64;
  value ^= value >> 31n;
  value = (value * 0xbf58476d1ce4e5b9n) & MASK_64;
  value ^= value >> 29n;
  return value;
}

export function createWorldContext(options: { now(): number; accountId: string }): WorldContext {
  const counters = new Map<string, number>();
  const next = (prefix: string) => {
    const value = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, value);
    return value;
  };
  const saltOf = (prefix: string) => [...prefix].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) >>> 0, 7);

  function nextHex(prefix: string, length: number): string {
    const counter = next(`hex:${prefix}`);
    const salt = saltOf(prefix);
    let text = '';
    for (let block = 0; text.length < length; block += 1)
      text += scramble(counter, salt + block)
        .toString(16)
        .padStart(16, '0');
    return text.slice(0, length);
  }

  function nextUpperId(prefix: string, length: number): string {
    const counter = next(`upper:${prefix}`);
    const digits = scramble(counter, saltOf(prefix)).toString(36).toUpperCase().padStart(length, '0');
    return digits.slice(-length);
  }

  function nextUuid(prefix: string): string {
    const hex = nextHex(`uuid:${prefix}`, 32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  return {
    now: options.now,
    accountId: options.accountId,
    nextHex,
    nextUpperId,
    nextUuid,
    error: createAwsError,
  };
}
