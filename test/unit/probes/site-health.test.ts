import type { SiteHealth } from '../../../shared/domain/types';
import { siteHealthChanged, updateSiteHealth, type ProbeResult } from '../../../shared/probes';

const up = (atEpochMs: number, latencyMs = 10): ProbeResult => ({ ok: true, latencyMs, status: 200, checkedAtEpochMs: atEpochMs });
const down = (atEpochMs: number, cause = 'timeout', latencyMs = 2_000): ProbeResult => ({
  ok: false,
  latencyMs,
  cause,
  checkedAtEpochMs: atEpochMs,
});

/** Folds results in order, counting how many rounds changed the health (i.e. would be written). */
function fold(results: ProbeResult[], cap: number, start?: SiteHealth): { health: SiteHealth; writes: number } {
  let health = start;
  let writes = 0;
  for (const result of results) {
    const next = updateSiteHealth(health, result, cap);
    if (siteHealthChanged(health, next)) writes++;
    health = next;
  }
  return { health: health as SiteHealth, writes };
}

describe('updateSiteHealth', () => {
  it('starts a streak from nothing', () => {
    expect(updateSiteHealth(undefined, up(1_000, 12), 3)).toEqual({ status: 'up', consecutive: 1, sinceEpochMs: 1_000, lastLatencyMs: 12 });
    expect(updateSiteHealth(undefined, down(1_000, 'ECONNREFUSED', 3), 3)).toEqual({
      status: 'down',
      consecutive: 1,
      sinceEpochMs: 1_000,
      lastCause: 'ECONNREFUSED',
      lastLatencyMs: 3,
    });
  });

  it('counts up to the cap and keeps the streak start', () => {
    const { health } = fold([up(1_000, 11), up(2_000, 12), up(3_000, 13)], 3);
    expect(health).toEqual({ status: 'up', consecutive: 3, sinceEpochMs: 1_000, lastLatencyMs: 13 });
  });

  it('does not change at the cap: same object back, latency frozen, zero writes per healthy round', () => {
    const atCap = fold([up(1_000, 11), up(2_000, 12), up(3_000, 13)], 3).health;
    const next = updateSiteHealth(atCap, up(4_000, 99), 3);
    expect(next).toBe(atCap);
    expect(next.lastLatencyMs).toBe(13);

    const steady = fold(
      Array.from({ length: 100 }, (_, index) => up(4_000 + index * 1_000, 5 + (index % 7))),
      3,
      atCap,
    );
    expect(steady.writes).toBe(0);
    expect(steady.health).toBe(atCap);
  });

  it('writes only the first cap rounds of a long healthy run', () => {
    const results = Array.from({ length: 50 }, (_, index) => up(index * 1_000, 10 + index));
    expect(fold(results, 5).writes).toBe(5);
  });

  it('restarts the streak when the status flips, with the new time and cause', () => {
    const healthy = fold([up(1_000), up(2_000), up(3_000)], 3).health;
    const failed = updateSiteHealth(healthy, down(4_000, 'ECONNREFUSED', 1), 3);
    expect(failed).toEqual({ status: 'down', consecutive: 1, sinceEpochMs: 4_000, lastCause: 'ECONNREFUSED', lastLatencyMs: 1 });
    const recovered = updateSiteHealth(failed, up(5_000, 8), 3);
    expect(recovered).toEqual({ status: 'up', consecutive: 1, sinceEpochMs: 5_000, lastLatencyMs: 8 });
    expect('lastCause' in recovered).toBe(false);
  });

  it('keeps a steady failure unchanged at the cap but records a new cause', () => {
    const failing = fold([down(1_000), down(2_000), down(3_000)], 3).health;
    expect(updateSiteHealth(failing, down(4_000, 'timeout', 2_001), 3)).toBe(failing);
    const refused = updateSiteHealth(failing, down(5_000, 'ECONNREFUSED', 1), 3);
    expect(refused).toEqual({ status: 'down', consecutive: 3, sinceEpochMs: 1_000, lastCause: 'ECONNREFUSED', lastLatencyMs: 2_000 });
  });

  it('treats unknown as no streak and clamps a counter above a lowered cap', () => {
    const unknown: SiteHealth = { status: 'unknown', consecutive: 0, sinceEpochMs: 0 };
    expect(updateSiteHealth(unknown, up(1_000), 3)).toMatchObject({ status: 'up', consecutive: 1, sinceEpochMs: 1_000 });
    const overCap: SiteHealth = { status: 'up', consecutive: 5, sinceEpochMs: 0, lastLatencyMs: 7 };
    const clamped = updateSiteHealth(overCap, up(1_000, 9), 3);
    expect(clamped).toEqual({ status: 'up', consecutive: 3, sinceEpochMs: 0, lastLatencyMs: 7 });
    expect(updateSiteHealth(clamped, up(2_000, 9), 3)).toBe(clamped);
  });

  it('treats a cap below 1 as 1', () => {
    const first = updateSiteHealth(undefined, up(1_000), 0);
    expect(updateSiteHealth(first, up(2_000), 0)).toBe(first);
  });

  it('never sets optional fields to undefined (DynamoDB marshalling rejects them)', () => {
    const health = updateSiteHealth(undefined, { ok: false, latencyMs: 0, checkedAtEpochMs: 1 }, 3);
    expect(health).toEqual({ status: 'down', consecutive: 1, sinceEpochMs: 1, lastCause: 'unknown', lastLatencyMs: 0 });
    expect(Object.values(updateSiteHealth(undefined, up(1), 3))).not.toContain(undefined);
  });
});

describe('siteHealthChanged', () => {
  const base: SiteHealth = { status: 'up', consecutive: 2, sinceEpochMs: 1_000, lastLatencyMs: 10 };
  it('compares every persisted field', () => {
    expect(siteHealthChanged(base, { ...base })).toBe(false);
    expect(siteHealthChanged(base, { ...base, status: 'down' })).toBe(true);
    expect(siteHealthChanged(base, { ...base, consecutive: 3 })).toBe(true);
    expect(siteHealthChanged(base, { ...base, sinceEpochMs: 2_000 })).toBe(true);
    expect(siteHealthChanged(base, { ...base, lastCause: 'timeout' })).toBe(true);
    expect(siteHealthChanged(base, { ...base, lastLatencyMs: 11 })).toBe(true);
    expect(siteHealthChanged(undefined, base)).toBe(true);
    expect(siteHealthChanged(undefined, undefined)).toBe(false);
  });
});
