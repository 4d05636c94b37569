/**
 * Folding probe results into a location's view of a site (pure: time comes from the result).
 *
 * The counter is capped so that a site in steady state produces the *same* SiteHealth round after
 * round, and callers can skip the DynamoDB write ("0 writes per healthy round"). For that:
 * - `consecutive` stops at `capConsecutive`;
 * - once at the cap, `lastLatencyMs` is NOT updated any more: it is the latency of the probe that
 *   reached the cap (or of an earlier one), not of the latest probe. Latency is for humans, not for
 *   decisions, and writing it every round would cost one write per site per round;
 * - `lastCause` is still updated at the cap when it changes (e.g. `timeout` → `ECONNREFUSED`): a new
 *   cause is news, while a site failing the same way keeps the object unchanged.
 * When nothing changes the very same object is returned.
 */
import type { SiteHealth } from '../domain/types';
import type { ProbeResult } from './types';

export function updateSiteHealth(prev: SiteHealth | undefined, result: ProbeResult, capConsecutive: number): SiteHealth {
  const cap = Math.max(1, Math.floor(capConsecutive));
  const status = result.ok ? 'up' : 'down';
  const cause = result.ok ? undefined : (result.cause ?? 'unknown');

  if (!prev || prev.status !== status) {
    return withOptional({ status, consecutive: 1, sinceEpochMs: result.checkedAtEpochMs }, cause, result.latencyMs);
  }
  if (prev.consecutive >= cap) {
    if (prev.consecutive === cap && prev.lastCause === cause) return prev;
    return withOptional({ status, consecutive: cap, sinceEpochMs: prev.sinceEpochMs }, cause, prev.lastLatencyMs);
  }
  return withOptional({ status, consecutive: prev.consecutive + 1, sinceEpochMs: prev.sinceEpochMs }, cause, result.latencyMs);
}

/** True when a and b differ in any field a caller would persist. */
export function siteHealthChanged(a: SiteHealth | undefined, b: SiteHealth | undefined): boolean {
  if (a === b) return false;
  if (!a || !b) return true;
  return (
    a.status !== b.status ||
    a.consecutive !== b.consecutive ||
    a.sinceEpochMs !== b.sinceEpochMs ||
    a.lastCause !== b.lastCause ||
    a.lastLatencyMs !== b.lastLatencyMs
  );
}

/** Optional fields are left out rather than set to undefined (DynamoDB marshalling rejects undefined). */
function withOptional(base: SiteHealth, lastCause: string | undefined, lastLatencyMs: number | undefined): SiteHealth {
  return {
    ...base,
    ...(lastCause === undefined ? {} : { lastCause }),
    ...(lastLatencyMs === undefined ? {} : { lastLatencyMs }),
  };
}
