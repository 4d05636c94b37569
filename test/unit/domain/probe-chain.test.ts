/**
 * The probe chain's pure rules: the next link is the next slot still ahead, due on the seed's grid
 * (whole-second timers never add up to drift), with a timer that never delivers it early; the
 * schedule seeds only a missing or overdue chain; a refused link says why.
 */
import fc from 'fast-check';
import {
  CHAIN_OVERDUE_SLACK_MS,
  MAX_DELAY_SECONDS,
  nextLink,
  refusedBecause,
  seedLink,
  slotDueAtEpochMs,
  startsAMinute,
  tendChain,
  type ChainLink,
} from '../../../shared/domain/probe-chain';

const T0 = 1_800_000_000_000;
const link = (slot: number, generation = 1): ChainLink => ({ location: 'us-west-2', generation, slot, seedEpochMs: T0 });

describe('probe chain', () => {
  it('sends the next slot still ahead, on the grid, never early and at most a second late', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (intervalSeconds, slot, lateMs) => {
          const tickMs = intervalSeconds * 1000;
          const current = link(slot);
          const now = slotDueAtEpochMs(current, tickMs) + lateMs;
          const next = nextLink(current, now, tickMs);
          expect(next.link.slot).toBeGreaterThan(slot);
          expect(next.link.generation).toBe(current.generation);
          expect((next.dueAtEpochMs - T0) % tickMs).toBe(0);
          expect(next.dueAtEpochMs).toBeGreaterThan(now);
          expect(next.dueAtEpochMs).toBeLessThanOrEqual(now + tickMs);
          expect(next.delaySeconds).toBeGreaterThanOrEqual(0);
          expect(next.delaySeconds).toBeLessThanOrEqual(MAX_DELAY_SECONDS);
          expect(now + next.delaySeconds * 1000).toBeGreaterThanOrEqual(next.dueAtEpochMs);
          expect(now + next.delaySeconds * 1000).toBeLessThan(next.dueAtEpochMs + 1000);
        },
      ),
    );
  });

  it('a late link skips the slots it missed instead of running them', () => {
    const next = nextLink(link(3), T0 + 3 * 10_000 + 25_000, 10_000);
    expect(next.link.slot).toBe(6);
    expect(next.delaySeconds).toBe(5);
  });

  it('at 1 s rounds with whole-second timers and slow starts, rounds stay a tick apart (a skipped slot number loses no round)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 50, maxLength: 300 }), (startupMs) => {
        let current = link(0);
        let roundAt = T0;
        for (const ms of startupMs) {
          const next = nextLink(current, roundAt, 1000);
          current = next.link;
          const nextRoundAt = roundAt + next.delaySeconds * 1000 + ms;
          // Never a lost round: the next one starts within a tick plus this start-up of the last.
          expect(nextRoundAt - roundAt).toBeLessThanOrEqual(1000 + ms);
          expect(nextRoundAt - roundAt).toBeGreaterThan(0);
          roundAt = nextRoundAt;
          expect(roundAt - slotDueAtEpochMs(current, 1000)).toBeLessThan(1000 + 400);
        }
      }),
    );
  });

  it('a chain of links run on time stays on the grid for a day (no drift from whole-second timers)', () => {
    const tickMs = 7_000;
    let current = link(0);
    let now = T0 + 137; // the invocation runs a little after its slot
    for (let round = 0; round < (24 * 3600_000) / tickMs; round++) {
      const next = nextLink(current, now, tickMs);
      expect(next.link.slot).toBe(current.slot + 1);
      current = next.link;
      now = now + next.delaySeconds * 1000 + 137;
      expect(now - slotDueAtEpochMs(current, tickMs)).toBeLessThan(1000 + 137);
      // Delivered when its whole-second timer ends, then 137 ms to start.
    }
    expect(slotDueAtEpochMs(current, tickMs)).toBe(T0 + current.slot * tickMs);
  });

  it('the slot that starts a minute does the once-a-minute work', () => {
    expect([0, 1, 5, 6, 12].map((slot) => startsAMinute(slot, 10_000))).toEqual([true, false, false, true, true]);
    expect([0, 1, 2].map((slot) => startsAMinute(slot, 60_000))).toEqual([true, true, true]);
    // 7 s: slot 9 (63 s) is the first of minute 1, slot 18 (126 s) of minute 2.
    expect([0, 8, 9, 17, 18].map((slot) => startsAMinute(slot, 7_000))).toEqual([true, false, true, false, true]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (intervalSeconds) => {
        const slots = Array.from({ length: Math.ceil(3600 / intervalSeconds) }, (_, slot) => slot);
        expect(slots.filter((slot) => startsAMinute(slot, intervalSeconds * 1000))).toHaveLength(60);
      }),
    );
  });

  it('the schedule seeds a missing chain and an overdue one, and leaves a live one alone', () => {
    expect(tendChain('us-west-2', undefined, T0)).toEqual({
      seed: true,
      reason: 'probe chain of us-west-2: none yet, seeding generation 1',
    });
    const lease = { generation: 4, slot: 9, seedEpochMs: T0, nextDueEpochMs: T0 + 100_000 };
    expect(tendChain('us-west-2', lease, T0 + 100_000 + CHAIN_OVERDUE_SLACK_MS).seed).toBe(false);
    expect(tendChain('us-west-2', lease, T0 + 95_000)).toEqual({
      seed: false,
      reason: 'probe chain of us-west-2: generation 4 alive (slot 9 claimed)',
    });
    expect(tendChain('us-west-2', lease, T0 + 130_000)).toEqual({
      seed: true,
      reason: 'probe chain of us-west-2: the link due 30 s ago (generation 4, slot 10) never ran, seeding generation 5',
    });
    expect(seedLink('us-west-2', lease, T0 + 130_000)).toEqual({
      location: 'us-west-2',
      generation: 5,
      slot: 0,
      seedEpochMs: T0 + 130_000,
    });
  });

  it('a refused link says whether it was a second delivery or an old generation', () => {
    const lease = { generation: 2, slot: 7, seedEpochMs: T0, nextDueEpochMs: T0 + 80_000 };
    expect(refusedBecause(link(7, 2), lease)).toBe(
      'probe chain of us-west-2: slot 7 already ran (slot 7 claimed), duplicate delivery dropped',
    );
    expect(refusedBecause(link(8, 1), lease)).toBe('probe chain of us-west-2: generation 1 was replaced by generation 2, link dropped');
    expect(refusedBecause(link(0, 1), undefined)).toBe('probe chain of us-west-2: no lease for generation 1, link dropped');
  });
});
