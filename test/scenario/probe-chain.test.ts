/**
 * The probe chain (one round per SQS message, the one-minute schedule tending it) against the
 * world's SQS model: a lost link heals within a minute, a duplicate delivery never runs a slot
 * twice, a failed send heals like a lost link, every probe location runs its own chain, and
 * detection is no slower than the schedule's minute of rounds in one invocation.
 */
import { runScenario, type SimulationResult, type TimelineEntry } from '../../sim/runner';
import { variant } from './scenario-kit';

const TICK_S = 10; // scenarios/configs/web.yml: intervalSeconds 10
const SLACK_S = 2; // CHAIN_OVERDUE_SLACK_MS

/** Rounds before the end (a link due at the last instant also runs). */
function rounds(result: SimulationResult, location?: string): TimelineEntry[] {
  const end = result.summary.durationSeconds;
  return result.timeline.filter(
    (entry) => entry.kind === 'probe' && entry.t < end && (location === undefined || entry.location === location),
  );
}

function chainEvents(result: SimulationResult, outcome: string): TimelineEntry[] {
  return result.timeline.filter((entry) => entry.kind === 'chain' && entry.outcome === outcome);
}

/** The longest stretch without a round at one location (seconds). */
function longestGap(entries: TimelineEntry[]): number {
  const times = entries.map((entry) => entry.t).sort((a, b) => a - b);
  return Math.max(0, ...times.slice(1).map((t, index) => t - times[index]));
}

function quiet(changes: Record<string, unknown>) {
  return variant('clean-failover', { duration: '6m', events: [], ...changes });
}

function noDeniedCalls(result: SimulationResult): void {
  expect(result.summary.accessDenied).toEqual([]);
  expect(result.summary.errors).toEqual([]);
}

describe('probe chain', () => {
  test('steady state: one round per tick from one chain, seeded once; the schedule only looks', async () => {
    const result = await runScenario(quiet({}));
    noDeniedCalls(result);
    const times = rounds(result).map((entry) => entry.t);
    expect(times).toEqual(Array.from({ length: 36 }, (_, index) => index * TICK_S));
    expect(chainEvents(result, 'seeded').map((entry) => [entry.t, entry.generation])).toEqual([[0, 1]]);
    // 37 chain links (the link due at the last instant runs too) + 6 looks of the schedule.
    expect(result.summary.invocations.probe).toBe(43);
    expect(result.summary.apiCalls['sqs.SendMessage']).toBe(38);
    expect(result.summary.probeChain).toEqual({
      // 37 claims and the seed; 6 looks of the schedule.
      lease: { 'us-west-2': { writes: 38, reads: 6 } },
      queues: { 'us-west-2/switchback-sim-probe-chain': { sent: 38, delivered: 37, deadLettered: 0 } },
    });
  });

  // The lost link's slot is due at 10 s × (after): 60 s lands on a schedule tick (the worst phase: the
  // schedule at 60 s still sees it in time, the one at 120 s seeds), the others in between.
  test.each([6, 20, 27])('a lost link (send #%i) heals at the next schedule tick, within a minute of its slot', async (after) => {
    const result = await runScenario(quiet({ faults: [{ api: 'sqs.SendMessage', lost: true, after, times: 1 }] }));
    noDeniedCalls(result);
    const missedSlotAt = after * TICK_S;
    const seeded = chainEvents(result, 'seeded');
    expect(seeded.map((entry) => entry.generation)).toEqual([1, 2]);
    expect(seeded[1].reason).toMatch(
      /^probe chain of us-west-2: the link due \d+ s ago \(generation 1, slot \d+\) never ran, seeding generation 2$/,
    );
    expect(seeded[1].t - missedSlotAt).toBeGreaterThan(0);
    expect(seeded[1].t - missedSlotAt).toBeLessThanOrEqual(60 + SLACK_S);
    expect(rounds(result).some((entry) => entry.t === missedSlotAt)).toBe(false);
    expect(rounds(result).some((entry) => entry.t === seeded[1].t)).toBe(true);
    expect(longestGap(rounds(result))).toBeLessThanOrEqual(TICK_S + 60 + SLACK_S);
    // After healing, rounds keep the tick until the end.
    expect(rounds(result).filter((entry) => entry.t >= seeded[1].t).length).toBe(Math.ceil((360 - seeded[1].t) / TICK_S));
  });

  test('duplicate deliveries are refused by the lease: no slot runs twice, no second chain', async () => {
    const clean = await runScenario(quiet({}));
    const result = await runScenario(quiet({ faults: [{ api: 'sqs.SendMessage', duplicate: true, after: 3, times: 4 }] }));
    noDeniedCalls(result);
    const refused = chainEvents(result, 'refused');
    expect(refused).toHaveLength(4);
    for (const entry of refused) expect(entry.reason).toMatch(/already ran .*duplicate delivery dropped$/);
    expect(rounds(result).map((entry) => entry.t)).toEqual(rounds(clean).map((entry) => entry.t));
    expect(chainEvents(result, 'seeded')).toHaveLength(1);
    expect(result.summary.invocations.probe).toBe(clean.summary.invocations.probe + 4);
  });

  test('a next link that cannot be sent: the round still runs, the schedule seeds a new chain within a minute', async () => {
    const result = await runScenario(quiet({ faults: [{ api: 'sqs.SendMessage', error: 'InternalError', after: 12, times: 1 }] }));
    expect(result.summary.accessDenied).toEqual([]);
    const failed = chainEvents(result, 'sendFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/the next link could not be sent .*the schedule seeds a new chain within a minute$/);
    const seeded = chainEvents(result, 'seeded');
    expect(seeded).toHaveLength(2);
    expect(seeded[1].t - (failed[0].t + TICK_S)).toBeLessThanOrEqual(60 + SLACK_S);
    expect(rounds(result).some((entry) => entry.t === failed[0].t)).toBe(true);
  });

  test('every probe location runs its own chain, in its own region, and heals its own lost links', async () => {
    const result = await runScenario(
      variant('control-region-dark', { duration: '8m', events: [], faults: [{ api: 'sqs.SendMessage', lost: true, after: 40, times: 3 }] }),
    );
    noDeniedCalls(result);
    for (const location of ['us-west-2', 'eu-west-1', 'ap-southeast-2']) {
      const own = rounds(result, location);
      expect(own.length).toBeGreaterThan(40);
      expect(longestGap(own)).toBeLessThanOrEqual(TICK_S + 60 + SLACK_S);
      expect(chainEvents(result, 'seeded').filter((entry) => entry.location === location)[0]).toMatchObject({ t: 0, generation: 1 });
    }
    // The three lost links were re-seeded: three more generations in all.
    expect(chainEvents(result, 'seeded')).toHaveLength(6);
  });

  test('links that fail while their region is dark come back after the visibility timeout: one chain, no slot twice', async () => {
    const result = await runScenario(
      variant('control-region-dark', {
        duration: '14m',
        events: [
          { at: '3m', region: 'eu-west-1', dark: true },
          { at: '10m', region: 'eu-west-1', dark: false },
        ],
      }),
    );
    expect(result.summary.accessDenied).toEqual([]);
    const own = rounds(result, 'eu-west-1');
    const times = own.map((entry) => entry.t);
    expect(new Set(times).size).toBe(times.length);
    // Nothing ran while dark; from the return on, one round every tick again.
    expect(times.filter((t) => t >= 180 && t < 600)).toEqual([]);
    const after = times.filter((t) => t >= 600);
    expect(after).toEqual(Array.from({ length: after.length }, (_, index) => 600 + index * TICK_S));
    expect(after.length).toBe((840 - 600) / TICK_S);
    // The other locations never noticed.
    expect(longestGap(rounds(result, 'ap-southeast-2'))).toBe(TICK_S);
  });

  test('while the control region is dark, probe-only links between minutes run no round, quietly; the look each minute texts', async () => {
    const result = await runScenario(variant('control-region-dark', {}));
    expect(result.summary.accessDenied).toEqual([]);
    expect(result.summary.errors).toEqual([]);
    for (const location of ['eu-west-1', 'ap-southeast-2']) {
      const dark = rounds(result, location).filter((entry) => entry.t >= 180 && entry.t < 780);
      expect(dark).toEqual([]);
    }
    expect(result.summary.sms.map((message) => message.text)).toEqual([
      expect.stringContaining('control region us-west-2 unreachable'),
      expect.stringContaining('control region us-west-2 unreachable'),
      expect.stringContaining('control region us-west-2 reachable again'),
      expect.stringContaining('control region us-west-2 reachable again'),
    ]);
  });

  test('detection is no slower than a minute of rounds in one invocation, whatever the outage phase', async () => {
    for (const offsetSeconds of [0, 3, 7, 31]) {
      const outage = (probeChain: boolean) =>
        runScenario(
          variant('clean-failover', {
            duration: '4m',
            world: { probeChain },
            events: [{ at: `${60 + offsetSeconds}s`, site: 'web/primary', health: 'down' }],
          }),
        );
      const [chain, minute] = [await outage(true), await outage(false)];
      const detected = (result: SimulationResult) => result.summary.services.web.detectionSeconds;
      expect(detected(chain)).toBeDefined();
      expect(detected(chain)).toBeLessThanOrEqual(detected(minute) as number);
      expect(chain.summary.services.web.failovers).toBe(minute.summary.services.web.failovers);
    }
  });
});
